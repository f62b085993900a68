"""The shipped questionnaires: complete, consistent and tailored (issue: the NLC toolkit as data)."""

import random

import pandas as pd
import pytest

from nlc_toolkit.core.questionnaire import THEMES, load_questionnaire
from nlc_toolkit.core.recommend import recommendations
from nlc_toolkit.core.scoring import score
from tests.helpers import ROOT, questionnaire_file

FOLDER = ROOT / "questionnaires"
DOMAINS = [
    "mandate", "nlc_structures", "trust", "mapping", "strategy", "coordination", "information_sharing", "funding",
    "capacity", "community", "youth", "referral", "online_harms", "reintegration", "crisis_response",
    "social_cohesion", "mel",
]
CONTEXT = {"population_band", "region", "returnees_present", "migration_inflows", "recent_hate_incidents",
           "national_action_plan", "local_prevention_network"}
SPECS = {
    "nlc-quick-scan": {"min_questions": 40, "levels": 3,
                       "labels": ["Not in place", "Ad hoc", "Formalised", "Measured and sustained"]},
    "nlc-detailed": {"min_questions": 90, "levels": 5,
                     "labels": ["Absent", "Initial", "Developing", "Defined", "Managed", "Optimising"]},
}


@pytest.fixture(scope="module", params=sorted(SPECS))
def qn(request):
    return load_questionnaire(questionnaire_file(request.param)), SPECS[request.param]


def test_counts_scale_and_domains(qn):
    q, spec = qn
    assert len(q.questions) >= spec["min_questions"]
    assert q.max_level == spec["levels"]
    assert [level.label["en"] for level in q.scale.levels] == spec["labels"]
    assert q.scale.allow_na and q.scale.allow_unknown
    assert [d.id for d in q.domains] == DOMAINS  # all 17 themes of the research, in order
    assert q.languages == ["en", "fr", "ar"]


def test_every_gctf_theme_appears(qn):
    q, _ = qn
    assert {t for d in q.domains for t in d.themes} == set(THEMES)


def test_context_questions(qn):
    q, _ = qn
    assert CONTEXT <= set(q.context_by_id)


def test_every_question_has_help_evidence_and_a_recommendation_for_every_level_below_the_top(qn):
    q, _ = qn
    for question in q.questions:
        assert question.help and question.evidence, question.id
        covered = {lvl for rec in question.recommendations if not rec.show_if for lvl in rec.levels}
        assert set(range(q.max_level)) <= covered, f"{question.id}: levels {set(range(q.max_level)) - covered} lack advice"
        assert q.max_level not in covered, f"{question.id}: advice at the top level"
        # a city starting from nothing and one that must formalise get different advice
        by_level = {lvl: {rec.text["en"] for rec in question.recommendations if lvl in rec.levels} for lvl in range(q.max_level)}
        assert by_level[0] != by_level[q.max_level - 1], question.id
        assert len({d for d in (question.levels[v]["en"] for v in range(q.max_level + 1))}) == q.max_level + 1


def test_no_two_questions_share_text(qn):
    q, _ = qn
    for lang in q.languages:
        texts = [x.text[lang].strip().lower() for x in q.questions]
        assert len(texts) == len(set(texts)), [t for t in texts if texts.count(t) > 1][:3]


def test_reintegration_questions_only_where_returnees(qn):
    q, _ = qn
    reintegration = next(d for d in q.domains if d.id == "reintegration")
    for question in reintegration.questions:
        assert question.show_if and set(question.show_if["returnees_present"]) == {"yes", "unsure"}, question.id


def test_both_sides_of_nlc_have_a_wording(qn):
    q, _ = qn
    structures = next(d for d in q.domains if d.id == "nlc_structures")
    assert sum(1 for x in structures.questions if x.perspective and "national" in x.perspective) >= 3
    for question in q.questions:
        for variant in (question.perspective or {}).values():
            assert set(variant) == set(q.languages)


def _sample_city(q, returnees: str, seed: int):
    rng = random.Random(seed)
    rows = [("city", r, x.id, str(rng.randint(0, q.max_level - 1))) for r in ("mun", "nat") for x in q.questions]
    answers = pd.DataFrame(rows, columns=["assessment", "respondent", "question", "answer"])
    context = pd.DataFrame([("city", "returnees_present", returnees), ("city", "migration_inflows", "low"),
                            ("city", "recent_hate_incidents", "no"), ("city", "national_action_plan", "yes")],
                           columns=["assessment", "question", "answer"])
    scores = score(q, answers, context)
    return scores, recommendations(scores)


def test_recommendations_are_tailored_to_the_city(qn):
    q, _ = qn
    without, recs_without = _sample_city(q, "no", 1)
    with_, recs_with = _sample_city(q, "yes", 1)
    assert not recs_without["question"].str.startswith("reintegration.").any()
    assert recs_with["question"].str.startswith("reintegration.").any()
    assert without.for_assessment("city")["domains"]["reintegration"] is None
    assert with_.for_assessment("city")["domains"]["reintegration"] is not None
    # Recommendations come out prioritised, highest first.
    assert list(recs_with["priority"]) == sorted(recs_with["priority"], reverse=True)
    # Incident-only advice stays out of a city without recent incidents.
    conditional = {(x.id, i) for x in q.questions for i, r in enumerate(x.recommendations)
                   if r.show_if and "recent_hate_incidents" in r.show_if}
    given = set(zip(recs_without["question"], recs_without["rec"]))
    assert not (conditional & given)


def test_french_and_arabic_are_not_copies_of_english(qn):
    q, _ = qn
    same = [x.id for x in q.questions if x.text["fr"] == x.text["en"] or x.text["ar"] == x.text["en"]]
    assert same == []
    arabic = "".join(x.text["ar"] for x in q.questions)
    assert sum("\u0600" <= c <= "\u06ff" for c in arabic) > 0.6 * len(arabic)


def test_quick_scan_and_detailed_do_not_repeat_question_texts():
    quick = load_questionnaire(questionnaire_file("nlc-quick-scan"))
    detailed = load_questionnaire(questionnaire_file("nlc-detailed"))
    shared = {x.text["en"] for x in quick.questions} & {x.text["en"] for x in detailed.questions}
    assert shared == set()


def test_readme_page_lists_each_domain_with_its_question_count(qn):
    q, _ = qn
    readme = (FOLDER / "README.md").read_text("utf-8")
    section = readme.split(f"(`{questionnaire_file(q.id).name}`)", 1)[1].split("\n## ", 1)[0]
    assert f"**{len(q.questions)} questions** in {len(q.domains)} domains" in section
    for d in q.domains:
        assert f"| `{d.id}` | {d.title['en']} | {len(d.questions)} |" in section
