"""Property tests of the scoring contract (hypothesis)."""

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from nlc_toolkit.core.scoring import score
from tests.helpers import answers, build, context

CTX = [{"id": "c", "type": "choice", "options": ["yes", "no"], "text": {"en": "c"}}]
Q = build(
    [
        {"id": "a", "weight": 2, "questions": [{"id": "a1", "weight": 1}, {"id": "a2", "weight": 2.5}]},
        {"id": "b", "weight": 0.5, "questions": [{"id": "b1", "show_if": {"c": ["yes"]}}, {"id": "b2"}]},
    ],
    levels=5,
    context=CTX,
)
QUESTIONS = [q.id for q in Q.questions]
VALUES = st.sampled_from(["0", "1", "2", "3", "4", "5", "na", "unknown"])
ROWS = st.lists(st.tuples(st.sampled_from(["r1", "r2", "r3", "r4"]), st.sampled_from(QUESTIONS), VALUES), max_size=30)
CONTEXT = st.lists(st.sampled_from(["yes", "no"]), max_size=2)


def _frames(rows, ctx):
    dedup = {(r, q): v for r, q, v in rows}  # one answer per respondent and question
    return (
        answers([("A", r, q, v) for (r, q), v in dedup.items()]),
        context([("A", "c", v) for v in ctx]),
    )


@settings(max_examples=150, deadline=None)
@given(ROWS, CONTEXT)
def test_scores_within_bounds(rows, ctx):
    a, c = _frames(rows, ctx)
    r = score(Q, a, c, assessments=["A"]).for_assessment("A")
    for value in [r["overall"], *r["domains"].values()]:
        assert value is None or 0 <= value <= 100
    assert r["completeness"] is None or 0 <= r["completeness"] <= 1


@settings(max_examples=150, deadline=None)
@given(ROWS, CONTEXT)
def test_respondent_copying_consolidated_answers_changes_nothing(rows, ctx):
    a, c = _frames(rows, ctx)
    before = score(Q, a, c, assessments=["A"]).for_assessment("A")
    copy = []
    for qid, result in before["questions"].items():
        if result["status"] == "level":
            level = result["level"]
            if level != int(level):
                return  # a fractional median cannot be copied as an answer; nothing to test
            copy.append(("A", "copycat", qid, str(int(level))))
        elif result["status"] in ("na", "unknown"):
            copy.append(("A", "copycat", qid, result["status"]))
    after = score(Q, pd.concat([a, answers(copy)]), c, assessments=["A"]).for_assessment("A")
    assert after["overall"] == before["overall"]
    assert after["domains"] == before["domains"]
    assert after["completeness"] == before["completeness"]
    assert {k: v["level"] for k, v in after["questions"].items()} == {k: v["level"] for k, v in before["questions"].items()}
