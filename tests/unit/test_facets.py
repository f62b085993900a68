"""Facets: sub-scores across domains that a questionnaire declares (issue 15: the national-local
interface), validated by path and scored as a domain is over the questions they name."""

import math

import pytest

from nlc_toolkit.core.network import FACET, facet_scores
from nlc_toolkit.core.questionnaire import QuestionnaireError
from nlc_toolkit.core.scoring import score
from tests.helpers import answers, build

DOMAINS = [
    {"id": "a", "questions": [{"id": "a1", "weight": 2}, {"id": "a2"}]},
    {"id": "b", "questions": [{"id": "b1"}, {"id": "b2"}]},
]


def test_a_facet_is_scored_across_domains_with_question_weights():
    q = build(DOMAINS, facets={"national_local": ["a1", "b1"], "b_only": ["b2"]})
    # a1 = 4 (weight 2), b1 = 1, b2 unanswered; a2 = 0 does not belong to either facet.
    s = score(q, answers([(1, 1, "a1", "4"), (1, 1, "a2", "0"), (1, 1, "b1", "1")]))
    result = s.for_assessment(1)
    assert result["facets"]["national_local"] == pytest.approx(100 * (2 * 4 / 4 + 1 / 4) / 3)
    assert result["facets"]["b_only"] is None  # nothing answered in it
    # The domains and the overall score are what they were without facets.
    plain = score(build(DOMAINS), answers([(1, 1, "a1", "4"), (1, 1, "a2", "0"), (1, 1, "b1", "1")]))
    assert result["domains"] == plain.for_assessment(1)["domains"]
    assert math.isclose(result["overall"], plain.for_assessment(1)["overall"])


def test_na_and_dont_know_do_not_count_in_a_facet():
    q = build(DOMAINS, facets={"f": ["a1", "b1"]})
    s = score(q, answers([(1, 1, "a1", "2"), (1, 1, "b1", "na"), (2, 1, "b1", "unknown")]))
    assert s.for_assessment(1)["facets"]["f"] == pytest.approx(50.0)
    assert s.for_assessment(2)["facets"]["f"] is None


def test_a_questionnaire_without_facets_scores_as_before():
    s = score(build(DOMAINS), answers([(1, 1, "a1", "2")]))
    assert "facets" not in s.for_assessment(1)  # the scoring contract's output is unchanged


def test_a_facet_naming_an_unknown_or_repeated_question_is_refused_by_path():
    with pytest.raises(QuestionnaireError) as e:
        build(DOMAINS, facets={"f": ["a1", "nope", "a1"], "g": ["b1"]})
    text = str(e.value)
    assert "facets[0].questions[1]" in text and "'nope' is not a question" in text
    assert "facets[0].questions: a question is listed twice" in text
    assert "facets[1]" not in text


def test_the_network_scores_a_facet_from_stored_levels_as_scoring_does():
    """core.network.facet_scores works from the levels the network reads back (stored, packed):
    the same numbers as scoring the answers, with question weights, N/A left out."""
    q = build(DOMAINS, facets={"national_local": ["a1", "b1"], "b_only": ["b2"]})
    s = score(q, answers([(1, 1, "a1", "4"), (1, 2, "a1", "2"), (1, 1, "a2", "0"), (1, 1, "b1", "1"),
                          (2, 1, "b1", "na"), (2, 1, "b2", "3"), (3, 1, "a2", "2")]))
    levels = s.questions.reset_index()[["assessment", "question", "level"]].dropna()
    got = facet_scores(levels, q).set_index("assessment")
    for a in (1, 2, 3):
        expected = s.for_assessment(a)["facets"]
        for facet, value in expected.items():
            cell = got.at[a, FACET + facet] if a in got.index else float("nan")
            assert (value is None and math.isnan(cell)) or cell == pytest.approx(value), (a, facet)
    # A round of a version without the facet's newer questions is scored over those it has.
    only_b1 = levels[levels["question"] != "a1"]
    assert facet_scores(only_b1, q).set_index("assessment").at[1, FACET + "national_local"] == pytest.approx(25.0)
