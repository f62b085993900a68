"""Evidence files: who may fetch them (the rule behind the /_evidence route), and that a file
goes from disk once no answer lists it any more."""

import pytest

from nlc_toolkit.db import files, repo
from nlc_toolkit.db.session import session_scope
from nlc_toolkit.services import assessments as svc
from tests import factories


@pytest.fixture
def world(migrated, tmp_path, monkeypatch):
    monkeypatch.setenv("REFLEX_UPLOADED_FILES_DIR", str(tmp_path / "uploads"))
    with session_scope() as s:
        version = factories.questionnaire(s)
        tangier, fes = factories.city(s, "Tangier"), factories.city(s, "Fes")
        editor = factories.actor(s, "ed@tangier.org", "city_editor", tangier)
        staff = factories.actor(s, "staff@scn.org", "network_staff")
        stranger = factories.actor(s, "ed@fes.org", "city_editor", fes)
        a = factories.assessment(s, editor, tangier, version)
        qid = repo.questionnaire_model(version).questions[0].id
        path = files.new_relative_path(a.id, "minutes.pdf")
        files.write(path, b"%PDF-1.4 minutes")
        svc.add_evidence(s, editor, a.id, qid, {"kind": "file", "name": "minutes.pdf", "path": path})
    return {"editor": editor, "staff": staff, "stranger": stranger, "a": a.id, "qid": qid, "path": path}


def test_only_people_who_see_the_assessment_get_its_attached_files(world):
    editor, staff, stranger, path, a = world["editor"], world["staff"], world["stranger"], world["path"], world["a"]
    with session_scope() as s:
        assert svc.evidence_file_visible(s, editor, path) and svc.evidence_file_visible(s, staff, path)
        assert not svc.evidence_file_visible(s, stranger, path)
        assert not svc.evidence_file_visible(s, None, path)
        assert not svc.evidence_file_visible(s, editor, files.new_relative_path(a, "another.pdf"))  # not attached
        assert not svc.evidence_file_visible(s, editor, f"evidence/{a}/../{a}/{path.split('/')[-1]}")
        svc.remove_evidence(s, editor, a, world["qid"], 0)
    with session_scope() as s:
        assert not svc.evidence_file_visible(s, editor, path)  # taken off its answer: no longer served


def test_removing_evidence_deletes_the_file_once_no_round_lists_it(world):
    editor, path, a, qid = world["editor"], world["path"], world["a"], world["qid"]
    with session_scope() as s:
        svc.submit(s, editor, a)
        staff = world["staff"]
        svc.review(s, staff, a, approve=True, comment="")
        copy = svc.new_round(s, editor, a).id
    with session_scope() as s:  # the next round lists the same file: it stays while one does
        svc.remove_evidence(s, editor, copy, qid, 0)
    assert files.resolve(path).is_file()
    with session_scope() as s:
        assert svc.evidence_file_visible(s, editor, path)  # still attached to the first round


def test_a_file_removed_from_its_only_answer_is_gone_from_disk(world):
    with session_scope() as s:
        svc.remove_evidence(s, world["editor"], world["a"], world["qid"], 0)
    assert not files.resolve(world["path"]).exists()


def test_a_file_path_must_be_one_the_app_made_for_this_assessment(world):
    editor, a, qid = world["editor"], world["a"], world["qid"]
    with session_scope() as s:
        for bad in ("../../etc/passwd", f"evidence/{a}/../../x", f"evidence/{a + 1}/{'0' * 32}-x.pdf",
                    f"evidence/{a}/plain.pdf", "/etc/passwd"):
            with pytest.raises(svc.Invalid):
                svc.add_evidence(s, editor, a, qid, {"kind": "file", "name": "x", "path": bad})
