"""A next round on a newer questionnaire version (issue 15): the answers, notes and evidence of every
question whose id survives (or that `renamed_from` maps) are carried; the round records what was
carried, what is new and what was dropped; the earlier round stays on its own version."""

from __future__ import annotations

import copy

import pytest
import yaml
from sqlalchemy import func, select

from nlc_toolkit.core.policy import actor_of
from nlc_toolkit.core.questionnaire import (
    Questionnaire,
    carry_plan,
    merged_answer,
    parse_questionnaire,
    semantic_problems,
    version_key,
)
from nlc_toolkit.db import repo
from nlc_toolkit.db.models import Answer, Assessment, Respondent
from nlc_toolkit.db.session import session_scope
from nlc_toolkit.services import assessments as svc
from nlc_toolkit.services import questionnaires, results
from tests import factories
from tests.helpers import questionnaire_file, readme_example

LINK = {"kind": "link", "url": "https://example.org/decision.pdf"}


def _register(s, data: dict):
    return repo.register_questionnaire(s, yaml.safe_dump(data, allow_unicode=True), "test")


def _example_v2() -> dict:
    """The README's example, version 2.0.0: `mandate.formal_mandate` renamed `mandate.legal_basis`,
    `mandate.lead_office` merged into it too, `reintegration.plan` dropped, `mandate.budget` added."""
    v1 = readme_example()
    v2 = copy.deepcopy(v1)
    v2["version"] = "2.0.0"
    mandate = v2["domains"][0]
    formal, lead = mandate["questions"]
    formal["id"] = "mandate.legal_basis"
    added = copy.deepcopy(lead)
    added["id"] = "mandate.budget"
    mandate["questions"] = [formal, added]
    reintegration = v2["domains"][1]
    reintegration["questions"][0]["id"] = "reintegration.family_support"
    v2["renamed_from"] = {"mandate.legal_basis": ["mandate.formal_mandate", "mandate.lead_office"]}
    return v2


def test_versions_are_ordered_as_numbers_and_the_newest_is_offered(migrated):
    assert version_key("1.10.0") > version_key("1.9.2") > version_key("1.1.0") > version_key("1.0.0")
    v2 = _example_v2()
    v15 = dict(copy.deepcopy(v2), version="1.5.0")
    with session_scope() as s:
        factories.example_questionnaire(s)
        _register(s, v2)
        _register(s, v15)  # registered last, but older
        offered = {v.questionnaire_id: v.version for v in repo.latest_questionnaires(s)}
        listed = [(v["version"], v["latest"]) for v in questionnaires.stored(s) if v["id"] == "example-mini"]
    assert offered["example-mini"] == "2.0.0"
    assert ("2.0.0", True) in listed and ("1.5.0", False) in listed  # the admin page marks the same one


def test_a_mapping_must_name_questions_of_the_file_each_earlier_id_once():
    v2 = _example_v2()
    v2["renamed_from"] = {"mandate.nowhere": ["a.b"], "mandate.budget": ["mandate.formal_mandate"],
                          "mandate.legal_basis": ["mandate.formal_mandate"]}
    problems = semantic_problems(Questionnaire.model_validate(v2))
    assert ("renamed_from.mandate.nowhere", "'mandate.nowhere' is not a question of this questionnaire") in problems
    assert any(path == "renamed_from.mandate.legal_basis" and "already carried into 'mandate.budget'" in message
               for path, message in problems)


def test_the_plan_carries_renames_and_merges_and_lists_new_and_dropped_questions():
    old = parse_questionnaire(yaml.safe_dump(readme_example()), "v1")
    new = parse_questionnaire(yaml.safe_dump(_example_v2()), "v2")
    plan = carry_plan(old, new)
    assert plan.sources == {"mandate.legal_basis": ("mandate.formal_mandate", "mandate.lead_office")}
    assert plan.new == ("mandate.budget", "reintegration.family_support")
    assert plan.dropped == ("reintegration.plan",)
    # merged answers: the lowest level; "don't know" over N/A; nothing that fits the scale -> ""
    assert merged_answer(["3", "1", "unknown"], new) == "1"
    assert merged_answer(["na", "unknown"], new) == "unknown"
    assert merged_answer(["na"], new) == "na"
    assert merged_answer(["7"], new) == ""


def test_a_next_round_on_the_example_v2_renames_merges_and_drops(migrated):
    with session_scope() as s:
        v1 = factories.example_questionnaire(s)
        city = factories.city(s)
        editor = factories.actor(s, "ed@tangier.org", "city_editor", city)
        a = factories.assessment(s, editor, city, v1, year=2025)
        aid = a.id
        svc.set_context(s, editor, aid, "returnees_present", "yes")
        svc.answer(s, editor, aid, "mandate.formal_mandate", "3")
        svc.set_note(s, editor, aid, "mandate.formal_mandate", "Council decision 12")
        svc.add_evidence(s, editor, aid, "mandate.formal_mandate", LINK)
        svc.answer(s, editor, aid, "mandate.lead_office", "1")
        svc.set_note(s, editor, aid, "mandate.lead_office", "No office yet")
        svc.answer(s, editor, aid, "reintegration.plan", "2")
        svc.submit(s, editor, aid)
        _register(s, _example_v2())
    with session_scope() as s:
        new_id = svc.new_round(s, editor, aid).id
    with session_scope() as s:
        view = svc.view(s, editor, new_id)
        copied = s.get(Assessment, new_id)
        assert copied.questionnaire_version.version == "2.0.0" and copied.round == 2
        assert s.get(Assessment, aid).questionnaire_version.version == "1.0.0"  # the earlier round keeps its version
    assert view["answers"] == {"mandate.legal_basis": {"value": "1", "note": "Council decision 12\n\nNo office yet",
                                                       "evidence": [LINK]}}
    assert view["context"] == {"returnees_present": "yes"}
    carried = view["carried_over"]
    assert (carried["from_round"], carried["from_version"], carried["version"], carried["answers"]) == (1, "1.0.0", "2.0.0", 1)
    assert [x["id"] for x in carried["new"]] == ["mandate.budget", "reintegration.family_support"]
    assert [(x["id"], x["from"]) for x in carried["renamed"]] == [("mandate.legal_basis", "mandate.formal_mandate, mandate.lead_office")]
    assert [x["id"] for x in carried["dropped"]] == ["reintegration.plan"]
    assert carried["dropped"][0]["text"]["en"]  # its text, from the earlier version


def test_a_quick_scan_on_1_0_0_moves_to_1_1_0_with_every_answer_note_and_evidence(migrated):
    with session_scope() as s:
        old_version = factories.questionnaire(s, "nlc-quick-scan", "1.0.0")
        city = factories.city(s)
        editor = factories.actor(s, "ed@tangier.org", "city_editor", city)
        minister = factories.user(s, "focal@interior.gov.ma", "respondent")
        aid = factories.assessment(s, editor, city, old_version, year=2025).id
        svc.invite(s, editor, aid, minister.email, "Interior", "national")
        q_old = repo.questionnaire_model(old_version)
        levels = ["0", "1", "2", "3", "na", "unknown"]
        for i, x in enumerate(q_old.questions):
            svc.answer(s, editor, aid, x.id, levels[i % len(levels)])
            if i % 5 == 0:
                svc.set_note(s, editor, aid, x.id, f"note {i}")
            if i % 7 == 0:
                svc.add_evidence(s, editor, aid, x.id, LINK)
        svc.answer(s, actor_of(minister), aid, q_old.questions[0].id, "1")
        svc.submit(s, editor, aid)
        before = {(r, q): (v, n, e) for r, q, v, n, e in s.execute(
            select(Respondent.group, Answer.question_id, Answer.value, Answer.note, Answer.evidence)
            .join(Answer).where(Respondent.assessment_id == aid))}
        factories.questionnaire(s, "nlc-quick-scan", "1.1.0")
    with session_scope() as s:
        new_id = svc.new_round(s, editor, aid).id
    with session_scope() as s:
        after = {(r, q): (v, n, e) for r, q, v, n, e in s.execute(
            select(Respondent.group, Answer.question_id, Answer.value, Answer.note, Answer.evidence)
            .join(Answer).where(Respondent.assessment_id == new_id))}
        view = svc.view(s, editor, new_id)
        version = s.get(Assessment, new_id).questionnaire_version.version
        old_answers = s.scalar(select(func.count(Answer.id)).join(Respondent).where(Respondent.assessment_id == aid))
        # the earlier round is still scored with 1.0.0: 44 questions, none of 1.1.0's new ones
        old_report = results.report(s, editor, aid)
    assert version == "1.1.0"
    assert after == before and old_answers == len(before)  # every answer, of both respondents
    carried = view["carried_over"]
    assert carried["answers"] == len(before) and carried["dropped"] == [] and carried["renamed"] == []
    assert sorted(x["id"] for x in carried["new"]) == ["community.private_sector", "nlc_structures.regional_tier",
                                                      "trust.rights_safeguards"]
    assert all(x["text"]["fr"] and x["text"]["ar"] for x in carried["new"])
    assert len(old_report.questions) == len(q_old.questions)


@pytest.mark.parametrize("name", ["nlc-quick-scan", "nlc-detailed"])
def test_1_1_0_carries_every_1_0_0_question(name):
    old = parse_questionnaire(questionnaire_file(name, "1.0.0").read_text("utf-8"), name)
    new = parse_questionnaire(questionnaire_file(name).read_text("utf-8"), name)
    assert new.version == "1.1.0"
    assert carry_plan(old, new).dropped == ()
