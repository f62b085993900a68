"""Group levels, the perception gap and recommendation groups against hand-computed values."""

import pandas as pd

from nlc_toolkit.core.analysis import (
    group_recommendations,
    levels_by_group,
    perception_gap,
)
from tests.helpers import build

Q = build([{"id": "d", "questions": [{"id": "x"}, {"id": "y"}, {"id": "z"}]}], levels=4)


def frame(rows):
    return pd.DataFrame(rows, columns=["assessment", "respondent", "group", "question", "answer"])


def test_levels_by_group_and_disagreement():
    answers = frame([
        (1, "m1", "municipality", "x", "1"), (1, "m2", "municipality", "x", "2"),
        (1, "n1", "national", "x", "4"),
        (1, "m1", "municipality", "y", "2"), (1, "n1", "national", "y", "na"),
        (1, "c1", "civil_society", "z", "unknown"),
    ])
    rows = {r["question"]: r for r in levels_by_group(Q, answers, {"x", "y", "z"})}
    assert rows["x"]["levels"] == {"municipality": 1.5, "national": 4.0}
    assert rows["x"]["spread"] == 3 and rows["x"]["disagreement"] is True
    assert rows["y"]["levels"] == {"municipality": 2.0}  # a group with only na has no level
    assert rows["y"]["disagreement"] is False
    assert rows["z"]["levels"] == {} and rows["z"]["spread"] is None


def test_not_applicable_questions_are_left_out():
    answers = frame([(1, "m1", "municipality", "x", "1"), (1, "m1", "municipality", "y", "3")])
    assert [r["question"] for r in levels_by_group(Q, answers, {"x"})] == ["x"]


def test_perception_gap_sorted_by_size():
    rows = [
        {"question": "x", "domain": "d", "levels": {"municipality": 1.0, "national": 3.0}},
        {"question": "y", "domain": "d", "levels": {"municipality": 3.0, "national": 0.0}},
        {"question": "z", "domain": "d", "levels": {"municipality": 2.0}},
    ]
    gaps = perception_gap(rows)
    assert [(g["question"], g["gap"]) for g in gaps] == [("y", -3.0), ("x", 2.0)]


def test_recommendation_groups():
    recs = [
        {"text": "a", "priority": 3.0, "effort": "low", "actors": ["municipality"]},
        {"text": "b", "priority": 2.5, "effort": "low", "actors": ["municipality", "national"]},
        {"text": "c", "priority": 2.0, "effort": "high", "actors": ["civil_society"]},
        {"text": "d", "priority": 0.5, "effort": "low", "actors": ["municipality"]},
    ]
    groups = group_recommendations(recs)
    assert [r["text"] for r in groups["quick_wins"]] == ["a"]  # d is low effort but low priority
    assert [r["text"] for r in groups["national_asks"]] == ["b"]
    assert [r["text"] for r in groups["strategic"]] == ["c", "d"]
    assert group_recommendations([]) == {"quick_wins": [], "strategic": [], "national_asks": []}
