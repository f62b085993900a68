"""One path from answers to a score (db/scores.py): the list, the report, the network view and the
stored score agree; a read (a report, its peer medians, the network view) never writes a stored
score; approval does; the band rule is written once."""

import json

import pytest
from sqlalchemy import select

from nlc_toolkit.core.network import NetworkQuery
from nlc_toolkit.core.policy import Actor
from nlc_toolkit.core.scoring import band_of, score
from nlc_toolkit.db import scores as db_scores
from nlc_toolkit.db.models import Assessment, AssessmentScore, City
from nlc_toolkit.db.seed import seed_demo
from nlc_toolkit.db.session import session_scope
from nlc_toolkit.services import assessments, network, results
from nlc_toolkit.services.assessments import questionnaire_of
from tests import factories
from tests.helpers import answers, build

STAFF = Actor(user_id=0, role="network_staff", city_id=None)


def _stored(s) -> dict:
    """Every stored score, as plain values (computed_at included: a rewrite moves it)."""
    return {row.assessment_id: (row.computed_at, row.source_updated_at, row.overall, row.completeness,
                                dict(row.domains), dict(row.levels))
            for row in s.scalars(select(AssessmentScore))}


@pytest.fixture
def demo(migrated):
    network.forget_cached_frames()
    with session_scope() as s:
        seed_demo(s, cities=12, seed=9, questionnaire="nlc-quick-scan", all_rounds=True)


def test_list_report_network_and_stored_score_agree(demo):
    with session_scope() as s:
        frame, levels, q = network.network_frame(s, STAFF, "nlc-quick-scan")
        a = s.get(Assessment, int(frame.iloc[0]["assessment"]))
        fresh = db_scores.score_assessments(s, questionnaire_of(a), [a.id])
        stored = s.get(AssessmentScore, a.id)
        report = results.report(s, STAFF, a.id)
        listed = next(x for x in assessments.visible_assessments(s, STAFF) if x["id"] == a.id)
    overall = float(fresh.overall[a.id])
    assert stored.overall == pytest.approx(overall)
    assert frame.iloc[0]["overall"] == pytest.approx(overall)
    assert report.overall == pytest.approx(overall) and report["overall"] == report.overall
    assert listed["overall"] == round(overall)
    for d in report.domains:
        assert d.score == pytest.approx(stored.domains[d.id]) if stored.domains[d.id] is not None else d.score is None
    mine = levels[levels["assessment"] == a.id].set_index("question")["level"].to_dict()
    assert mine == pytest.approx(stored.levels)
    # the frames carry each answer's respondent group; scoring keeps them for the group levels
    assert {"group", "respondent"} <= set(fresh.answers.columns) and len(fresh.answers)


def test_a_report_and_the_network_view_never_write_stored_scores(demo):
    with session_scope() as s:
        frame, _, q = network.network_frame(s, STAFF, "nlc-quick-scan")
        latest = frame.sort_values(["city_id", "year", "round"]).groupby("city_id").tail(1)
        city = s.get(City, int(latest.iloc[0]["city_id"]))
        peers = latest[(latest["city_id"] != city.id) & (latest["region"] == city.region)
                       & (latest["population_band"] == city.population_band)]
        assert len(peers), "the seed gives this city peers"
        # One peer's stored score is now stale (an answer changed since), another's is gone.
        stale = s.get(Assessment, int(peers.iloc[0]["assessment"]))
        question = q.questions[0].id
        for respondent in stale.respondents:
            factories.answer(s, respondent, question, "0")
        stale.updated_at = stale.updated_at.replace(year=stale.updated_at.year + 1)
        if len(peers) > 1:
            s.delete(s.get(AssessmentScore, int(peers.iloc[1]["assessment"])))
        target = int(latest.iloc[0]["assessment"])
    network.forget_cached_frames()
    with session_scope() as s:
        before = _stored(s)
        rows_before = len(before)
        report = results.report(s, STAFF, target)
        frame, levels, _ = network.network_frame(s, STAFF, "nlc-quick-scan")
        view = network.view(s, STAFF, "nlc-quick-scan", NetworkQuery())
    with session_scope() as s:
        after = _stored(s)
    assert after == before and len(after) == rows_before
    assert report.peer_count == len(peers) and view.total > 0
    # ... and yet what they show is current: the stale peer is scored from its answers in memory.
    changed = levels[(levels["assessment"] == stale.id) & (levels["question"] == question)]["level"].item()
    assert changed == 0.0


def test_approval_stores_the_score(migrated):
    with session_scope() as s:
        world = factories.tangier_with_ministry(s)
        reviewer = factories.actor(s, "staff@network.example.org", "network_staff")
    factories.answer_some(world, world["assessment"], [1, 2])
    with session_scope() as s:
        assessments.submit(s, world["editor"], world["assessment"])
        assert s.get(AssessmentScore, world["assessment"]) is None  # submitting stores nothing
        assessments.review(s, reviewer, world["assessment"], True, "")
    with session_scope() as s:
        a = s.get(Assessment, world["assessment"])
        stored = s.get(AssessmentScore, a.id)
        fresh = db_scores.score_assessments(s, questionnaire_of(a), [a.id])
        assert stored is not None and stored.source_updated_at == a.updated_at
        assert stored.overall == pytest.approx(float(fresh.overall[a.id]))
        before = _stored(s)
        results.report(s, world["editor"], a.id)
        assert _stored(s) == before


def test_the_band_rule_is_written_once():
    q = build([{"id": "d", "questions": [{"id": "d1"}]}], levels=4, bands=(0, 40, 70))
    cases = {0.0: "band0", 39.99: "band0", 40.0: "band40", 69.9: "band40", 70.0: "band70", 100.0: "band70"}
    for overall, label in cases.items():
        assert band_of(q, overall).label["en"] == label, overall
    assert band_of(q, None) is None and band_of(q, float("nan")) is None
    # score() labels its bands with the same rule: levels 0..4 give overall 0, 25, 50, 75, 100
    scores = score(q, answers([(a, "r", "d1", str(a)) for a in range(5)]), assessments=list(range(5)))
    for a in range(5):
        assert scores.band[a] == band_of(q, scores.overall[a]).label["en"] == scores.band_of(a).label["en"]
    empty = score(q, answers([]), assessments=["x"])
    assert empty.band["x"] is None and empty.band_of("x") is None


def test_a_reports_band_is_the_questionnaires_band_of_its_overall(demo):
    with session_scope() as s:
        a = s.scalars(select(Assessment).where(Assessment.status == "approved").order_by(Assessment.id)).first()
        report = results.report(s, STAFF, a.id)
        q = questionnaire_of(a)
    assert report.overall is not None
    assert report.band == dict(band_of(q, report.overall).label)
    assert report.to_dict()["band"] == report.band


def test_the_report_as_a_dict_keeps_the_shape_the_results_page_reads(migrated):
    with session_scope() as s:
        world = factories.tangier_with_ministry(s)
    factories.answer_some(world, world["assessment"], [0, 1])
    with session_scope() as s:
        results.add_action(s, world["editor"], world["assessment"], factories.quick_scan().questions[0].id, "plan")
        report = results.report(s, world["editor"], world["assessment"])
    data = report.to_dict()
    assert json.loads(json.dumps(data)) == data  # plain values only
    assert set(data) == {"id", "city", "questionnaire_id", "version", "title", "year", "round", "status", "max_level",
                         "overall", "band", "completeness", "previous", "peer_count", "domains", "questions",
                         "by_group", "gaps", "recommendations", "groups", "answers", "actions", "can_manage", "facets"}
    assert set(data["domains"][0]) == {"id", "title", "score", "previous", "peers"}
    assert set(data["questions"][0]) == {"id", "domain", "text", "level", "status", "spread", "disagreement"}
    assert set(data["by_group"][0]) == {"question", "domain", "levels", "spread", "disagreement"}
    assert set(data["gaps"][0]) == {"question", "domain", "local", "national", "gap"}
    assert set(data["recommendations"][0]) == {"question", "question_text", "rec", "priority", "level", "text",
                                               "effort", "horizon", "actors"}
    assert set(data["answers"][0]) == {"respondent", "group", "question", "answer", "note"}
    assert set(data["actions"][0]) == {"id", "title", "owner", "due", "status", "note", "question", "current_level",
                                       "from_this_round"}
    assert data["previous"] is None and set(data["groups"]) == {"quick_wins", "strategic", "national_asks"}
    keys = {f"{r['question']}:{r['rec']}" for r in data["recommendations"]}
    assert {k for group in data["groups"].values() for k in group} == keys
    # the typed report reads the same, and a dict of its shape becomes the report again
    assert type(report).from_dict(data) == report
    assert report.domains[0].id == data["domains"][0]["id"] == report["domains"][0]["id"]
