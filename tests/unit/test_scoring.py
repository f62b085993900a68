"""The scoring contract of DESIGN.md §3, rule by rule, against hand-computed values."""

import math

import pytest

from nlc_toolkit.core.recommend import as_dicts, recommendations
from nlc_toolkit.core.scoring import score
from tests.helpers import answers, build, context

CTX = [{"id": "returnees", "type": "choice", "options": ["yes", "no", "unsure"], "text": {"en": "r"}}]


def rec(levels, text):
    return {"levels": levels, "text": {"en": text}}


@pytest.fixture
def q():
    # Scale 0..4. Domain a (W=2): a1 (w=1), a2 (w=3). Domain b (W=1): b1 (show_if returnees yes/unsure).
    return build(
        [
            {"id": "a", "weight": 2, "questions": [
                {"id": "a1", "weight": 1, "recs": [rec([0, 1], "start a1"), rec([2, 3], "formalise a1")]},
                {"id": "a2", "weight": 3, "recs": [rec([0, 1, 2, 3], "do a2")]},
            ]},
            {"id": "b", "weight": 1, "questions": [
                {"id": "b1", "show_if": {"returnees": ["yes", "unsure"]}, "recs": [rec([0, 1, 2, 3], "do b1")]},
            ]},
        ],
        levels=4,
        context=CTX,
        bands=(0, 40, 70),
    )


def one(q, rows, ctx=()):
    s = score(q, answers(rows), context(list(ctx)), assessments=["A"])
    return s, s.for_assessment("A")


def test_median_of_even_count_is_mean_of_two_middle_values(q):
    _, r = one(q, [("A", "r1", "a1", "1"), ("A", "r2", "a1", "2"), ("A", "r3", "a1", "4"), ("A", "r4", "a1", "0")])
    assert r["questions"]["a1"]["level"] == 1.5  # sorted 0,1,2,4 -> (1+2)/2
    assert r["questions"]["a1"]["spread"] == 4
    assert r["questions"]["a1"]["status"] == "level"


def test_median_of_odd_count(q):
    _, r = one(q, [("A", "r1", "a1", "1"), ("A", "r2", "a1", "4"), ("A", "r3", "a1", "3")])
    assert r["questions"]["a1"]["level"] == 3


def test_levels_win_over_na_and_unknown(q):
    _, r = one(q, [("A", "r1", "a1", "na"), ("A", "r2", "a1", "unknown"), ("A", "r3", "a1", "2")])
    assert r["questions"]["a1"] == {"level": 2, "status": "level", "spread": 0}


def test_na_wins_over_unknown_and_unknown_over_missing(q):
    _, r = one(q, [("A", "r1", "a1", "unknown"), ("A", "r2", "a1", "na"), ("A", "r1", "a2", "unknown")])
    assert r["questions"]["a1"] == {"level": None, "status": "na", "spread": None}
    assert r["questions"]["a2"] == {"level": None, "status": "unknown", "spread": None}
    assert r["questions"]["b1"]["status"] == "missing"


def test_disagreement_flag_at_spread_two(q):
    s, _ = one(q, [("A", "r1", "a1", "1"), ("A", "r2", "a1", "3"), ("A", "r1", "a2", "1"), ("A", "r2", "a2", "2")])
    flags = s.questions.loc["A", "disagreement"]
    assert bool(flags["a1"]) is True and bool(flags["a2"]) is False


def test_domain_and_overall_scores_with_weights(q):
    # a1=2, a2=4, b1=1 (applicable: no context answer yet)
    _, r = one(q, [("A", "r1", "a1", "2"), ("A", "r1", "a2", "4"), ("A", "r1", "b1", "1")])
    a = 100 * (1 * 2 / 4 + 3 * 4 / 4) / 4  # 87.5
    b = 100 * (1 / 4)  # 25
    assert r["domains"] == {"a": pytest.approx(a), "b": pytest.approx(b)}
    assert r["overall"] == pytest.approx((2 * a + 1 * b) / 3)
    assert r["band"] == "band40"  # 66.7: at least 40, below 70
    assert r["completeness"] == 1.0


def test_show_if_hides_question_when_context_rules_it_out(q):
    rows = [("A", "r1", "a1", "2"), ("A", "r1", "a2", "4"), ("A", "r1", "b1", "0")]
    _, r = one(q, rows, [("A", "returnees", "no")])
    assert r["questions"]["b1"] == {"level": None, "status": "not_applicable", "spread": None}
    assert r["domains"]["b"] is None  # null domain: no applicable question with a level
    assert r["overall"] == pytest.approx(87.5)  # null domains drop out of the weighted mean
    assert r["completeness"] == 1.0  # 2 of 2 applicable


def test_show_if_holds_for_allowed_value_and_for_no_answer(q):
    rows = [("A", "r1", "b1", "0")]
    for ctx in ([("A", "returnees", "unsure")], []):
        _, r = one(q, rows, ctx)
        assert r["questions"]["b1"]["status"] == "level"
        assert r["domains"]["b"] == 0.0


def test_context_answered_differently_by_respondents_keeps_the_question(q):
    _, r = one(q, [("A", "r1", "b1", "3")], [("A", "returnees", "no"), ("A", "returnees", "yes")])
    assert r["questions"]["b1"]["status"] == "level"


def test_completeness_counts_levels_and_na_not_unknown(q):
    _, r = one(q, [("A", "r1", "a1", "na"), ("A", "r1", "a2", "unknown")])
    assert r["completeness"] == pytest.approx(1 / 3)
    assert r["overall"] is None and r["band"] is None
    assert r["domains"] == {"a": None, "b": None}


def test_completeness_null_when_nothing_applicable():
    q = build([{"id": "d", "questions": [{"id": "d1", "show_if": {"returnees": ["yes"]}}]}], context=CTX)
    _, r = one(q, [], [("A", "returnees", "no")])
    assert r["completeness"] is None and r["overall"] is None


def test_band_boundaries(q):
    # a1 alone: level L*0.4 is impossible on 0..4, so use weights: a1=4 -> domain a = 25 (a2 missing? no)
    cases = {"0": "band0", "2": "band40", "3": "band70"}  # 0, 50, 75 overall (only a1 answered)
    for level, band in cases.items():
        _, r = one(q, [("A", "r1", "a1", level)])
        assert r["band"] == band, (level, r["overall"])


def test_band_exact_min_belongs_to_that_band():
    q = build([{"id": "d", "questions": [{"id": "d1"}]}], levels=4, bands=(0, 25, 50))
    _, r = one(q, [("A", "r", "d1", "1")])
    assert r["overall"] == 25.0 and r["band"] == "band25"


def test_recommendations_use_floor_of_fractional_level_and_priority(q):
    # a1 consolidated 1.5 -> floor 1 -> "start a1"; a2 = 3 -> "do a2"
    rows = [("A", "r1", "a1", "1"), ("A", "r2", "a1", "2"), ("A", "r1", "a2", "3")]
    s, _ = one(q, rows)
    recs = as_dicts(q, recommendations(s), "A")
    assert [r["text"] for r in recs] == ["do a2", "start a1"]
    # priority = W_d * w_q * (L - level) / L
    assert recs[0]["priority"] == pytest.approx(2 * 3 * (4 - 3) / 4)  # 1.5
    assert recs[1]["priority"] == pytest.approx(2 * 1 * (4 - 1.5) / 4)  # 1.25


def test_recommendation_ties_keep_questionnaire_order():
    q = build(
        [{"id": "d", "questions": [
            {"id": "x", "recs": [rec([1], "x first"), rec([1], "x second")]},
            {"id": "y", "recs": [rec([1], "y")]},
        ]}]
    )
    s, _ = one(q, [("A", "r", "y", "1"), ("A", "r", "x", "1")])
    assert [r["text"] for r in as_dicts(q, recommendations(s), "A")] == ["x first", "x second", "y"]


def test_no_recommendation_for_not_applicable_or_top_level(q):
    s, _ = one(q, [("A", "r", "b1", "0"), ("A", "r", "a2", "4")], [("A", "returnees", "no")])
    assert as_dicts(q, recommendations(s), "A") == []


def test_recommendation_with_its_own_show_if():
    q = build(
        [{"id": "d", "questions": [{"id": "x", "recs": [
            rec([0], "always"),
            {"levels": [0], "text": {"en": "only with returnees"}, "show_if": {"returnees": ["yes"]}},
        ]}]}],
        context=CTX,
    )
    s, _ = one(q, [("A", "r", "x", "0")], [("A", "returnees", "no")])
    assert [r["text"] for r in as_dicts(q, recommendations(s), "A")] == ["always"]
    s, _ = one(q, [("A", "r", "x", "0")], [("A", "returnees", "yes")])
    assert [r["text"] for r in as_dicts(q, recommendations(s), "A")] == ["always", "only with returnees"]


def test_many_assessments_scored_at_once_match_one_by_one(q):
    rows = [
        ("A", "r1", "a1", "1"), ("A", "r2", "a1", "3"), ("A", "r1", "a2", "2"),
        ("B", "r1", "a1", "4"), ("B", "r1", "b1", "na"),
        ("C", "r9", "a2", "unknown"),
    ]
    ctx = [("B", "returnees", "no")]
    together = score(q, answers(rows), context(ctx))
    for a in ("A", "B", "C"):
        alone = score(q, answers([r for r in rows if r[0] == a]), context([c for c in ctx if c[0] == a]), assessments=[a])
        assert together.for_assessment(a) == alone.for_assessment(a)


def test_answers_to_unknown_questions_are_ignored(q):
    _, r = one(q, [("A", "r1", "zzz", "3"), ("A", "r1", "a1", "4")])
    assert "zzz" not in r["questions"]
    assert r["domains"]["a"] == pytest.approx(100.0)  # a2 is missing, so a1 alone counts
    assert not math.isnan(r["overall"])


def test_conditional_recommendation_not_reached_by_any_assessment():
    # a show_if recommendation at a level nobody is at must not disturb the others
    q = build([{"id": "d", "questions": [{"id": "x", "recs": [
        rec([0], "always"), {"levels": [3], "text": {"en": "rare"}, "show_if": {"returnees": ["yes"]}},
    ]}]}], context=CTX)
    s, _ = one(q, [("A", "r", "x", "0")], [("A", "returnees", "no")])
    assert [r["text"] for r in as_dicts(q, recommendations(s), "A")] == ["always"]
