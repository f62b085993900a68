"""Who may fetch an uploaded evidence file (the rule behind the /_upload/evidence guard)."""

from nlc_toolkit.db import assessments as svc
from nlc_toolkit.db import repo
from nlc_toolkit.db.session import session_scope
from tests.helpers import ROOT

QUICK = ROOT / "questionnaires" / "nlc-quick-scan.yaml"
PW = "long enough password"


def test_only_people_who_see_the_assessment_get_its_attached_files(migrated):
    with session_scope() as s:
        version = repo.register_questionnaire(s, QUICK.read_text("utf-8"), str(QUICK))
        tangier, fes = (repo.create_city(s, n, "Morocco", "mena", "500k_1m") for n in ("Tangier", "Fes"))
        editor = svc.actor_of(repo.create_user(s, "ed@tangier.org", PW, "city_editor", tangier))
        staff = svc.actor_of(repo.create_user(s, "staff@scn.org", PW, "network_staff"))
        stranger = svc.actor_of(repo.create_user(s, "ed@fes.org", PW, "city_editor", fes))
        a = svc.create(s, editor, tangier.id, version.id, 2026, 1)
        qid = repo.questionnaire_model(version).questions[0].id
        path = f"evidence/{a.id}/0123abcd-minutes.pdf"
        svc.add_evidence(s, editor, a.id, qid, {"kind": "file", "name": "minutes.pdf", "path": path})
    with session_scope() as s:
        assert svc.evidence_file_visible(s, editor, path) and svc.evidence_file_visible(s, staff, path)
        assert not svc.evidence_file_visible(s, stranger, path)
        assert not svc.evidence_file_visible(s, None, path)
        assert not svc.evidence_file_visible(s, editor, f"evidence/{a.id}/another.pdf")  # not attached
        assert not svc.evidence_file_visible(s, editor, f"evidence/{a.id}/../{a.id}/0123abcd-minutes.pdf")
        svc.remove_evidence(s, editor, a.id, qid, 0)
    with session_scope() as s:
        assert not svc.evidence_file_visible(s, editor, path)  # taken off its answer: no longer served
