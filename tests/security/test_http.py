"""Raw HTTP against the running app, as an attacker with curl: Reflex's upload endpoint and the
evidence route (nlc_toolkit/pages/evidence.py). Every refusal leaves the database and the upload
folder as they were."""

from __future__ import annotations

import uuid

import pytest

from tests.security.client import handler, raw_http, upload
from tests.security.helpers import (
    PDF,
    Unchanged,
    assessment_tab,
    choose_upload,
    evidence_of,
    filled_template,
    folder_digest,
    message_of,
    signed_in_tab,
    upload_evidence,
)


def cookie(token: str) -> dict:
    return {"Cookie": f"nlc_session={token}"} if token else {}


# ---------------------------------------------------------------------- the upload endpoint


@pytest.mark.parametrize("session", ["", "junk", "x" * 4000])
def test_anonymous_upload_is_refused(app_server, states, unchanged, session):
    """No session (or a made-up one), a made-up tab token, the evidence handler named: 403 before
    Reflex reads the body."""
    reply = upload(app_server.port, handler(states.Assessment, "upload"), str(uuid.uuid4()),
                   [("proof.pdf", PDF, "application/pdf")], session=session)
    assert reply.status == 403


def test_anonymous_template_import_is_refused(app_server, states, unchanged):
    """The other upload handler (spreadsheet import) without a session: 403."""
    reply = upload(app_server.port, handler(states.Results, "import_template"), str(uuid.uuid4()),
                   [("t.xlsx", b"PK\x03\x04" + b"\0" * 100, "application/octet-stream")])
    assert reply.status == 403


def test_a_valid_cookie_does_not_sign_in_a_strangers_tab(app_server, states, world, unchanged):
    """A signed-in editor's cookie on the request, but a made-up tab token (a tab that never signed
    in): the handler finds no session in that tab's state and stores nothing."""
    reply, deltas = upload_evidence(app_server, states, str(uuid.uuid4()), world.editor_a.token,
                                    [("proof.pdf", PDF, "application/pdf")])
    assert reply.status == 200 and message_of(deltas, states) != "assessment.saved"


@pytest.mark.parametrize("name", ["nope.upload", "", "answer", "AdminState.create_user"])
def test_upload_naming_another_handler_is_refused(app_server, states, world, unchanged, name):
    """Only our upload handlers may be named, even with a valid session: unknown names and
    ordinary event handlers get 404."""
    full = {"answer": handler(states.Assessment, "answer"),
            "AdminState.create_user": handler(states.Admin, "create_user")}.get(name, name)
    reply = upload(app_server.port, full, str(uuid.uuid4()), [("proof.pdf", PDF, "application/pdf")],
                   session=world.editor_a.token)
    assert reply.status == 404


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"])
def test_upload_endpoint_takes_only_post(app_server, states, world, unchanged, method):
    """Other methods on /_upload, handler named and signed in: refused (404/405), nothing stored."""
    headers = {"reflex-event-handler": handler(states.Assessment, "upload"), "reflex-client-token": "t",
               **cookie(world.editor_a.token)}
    reply = raw_http(app_server.port, method, "/_upload", headers, b"" if method in ("PUT", "PATCH") else None)
    assert reply.status in (404, 405)


def test_declared_oversize_body_is_refused(app_server, states, world, unchanged):
    """A Content-Length far above what the handler takes: 413 before a byte is read."""
    headers = {"reflex-event-handler": handler(states.Assessment, "upload"), "reflex-client-token": "t",
               "Content-Type": "multipart/form-data; boundary=x", "Content-Length": str(10**10),
               **cookie(world.editor_a.token)}
    assert raw_http(app_server.port, "POST", "/_upload", headers).status == 413


def test_body_without_length_is_refused(app_server, states, world, unchanged):
    """A chunked body with no Content-Length (its size unknown up front): 411."""
    headers = {"reflex-event-handler": handler(states.Assessment, "upload"), "reflex-client-token": "t",
               "Content-Type": "multipart/form-data; boundary=x", **cookie(world.editor_a.token)}
    reply = raw_http(app_server.port, "POST", "/_upload", headers, chunks=[b"--x\r\n" + b"a" * 1000])
    assert reply.status == 411


REFUSED_FILES = {
    "too many files": ([(f"p{i}.pdf", PDF, "application/pdf") for i in range(4)], "evidence.error.too_many_files"),
    "html": ([("page.html", b"<html><script>alert(1)</script></html>", "text/html")], "evidence.error.file_type"),
    "html named pdf": ([("evil.pdf", b"<html><script>alert(1)</script></html>", "application/pdf")],
                       "evidence.error.file_type"),
    "exe named png": ([("evil.png", b"MZ\x90\x00" + b"\0" * 200, "image/png")], "evidence.error.file_type"),
    "svg": ([("x.svg", b"<svg onload=alert(1)></svg>", "image/svg+xml")], "evidence.error.file_type"),
    "binary named txt": ([("notes.txt", b"abc\x00\x01\x02", "text/plain")], "evidence.error.file_type"),
    "no extension": ([("evidence", PDF, "application/pdf")], "evidence.error.file_type"),
    "one good one bad": ([("ok.pdf", PDF, "application/pdf"), ("bad.pdf", b"<html>", "application/pdf")],
                         "evidence.error.file_type"),
    "over 10 MB": ([("big.pdf", PDF + b"0" * (10 * 1024 * 1024), "application/pdf")], "evidence.error.file_size"),
}


@pytest.mark.parametrize("case", list(REFUSED_FILES))
def test_refused_files_store_nothing(app_server, states, world, unchanged, case):
    """The city's own editor, signed in, uploads what the handler must refuse: too many files,
    wrong types, files lying about their type, an oversize file. Nothing reaches the disk or an
    answer, and the page says why."""
    files, expected = REFUSED_FILES[case]
    with assessment_tab(app_server, states, world.assessment_a, world.editor_a.token) as tab:
        choose_upload(tab, states, world.question)
        reply, deltas = upload_evidence(app_server, states, tab.token, world.editor_a.token, files)
    assert reply.status == 200 and message_of(deltas, states) == expected


@pytest.mark.parametrize("who", ["editor_b", "viewer_a"])
def test_upload_without_permission_stores_nothing(app_server, states, world, unchanged, who):
    """Another city's editor (and the city's own viewer) opens the assessment's page, picks a
    question and uploads with their own valid session: the handler checks the permission before
    storing a byte."""
    person = getattr(world, who)
    with assessment_tab(app_server, states, world.assessment_a, person.token) as tab:
        choose_upload(tab, states, world.question)
        reply, deltas = upload_evidence(app_server, states, tab.token, person.token,
                                        [("proof.pdf", PDF, "application/pdf")])
    assert reply.status == 200 and message_of(deltas, states) != "assessment.saved"


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.mark.parametrize("who", ["editor_b", "viewer_a"])
def test_template_import_without_permission_changes_nothing(app_server, states, world, unchanged, who):
    """Another city's editor (and the city's own viewer) posts a correctly filled answer template
    to the import handler from the assessment's results page: no answer is written."""
    person, data = getattr(world, who), filled_template(app_server, world.assessment_a)
    with signed_in_tab(app_server, states, f"/assessments/{world.assessment_a}/results", person.token) as tab:
        tab.wait_value(states.Results, "loading", False)
        reply = upload(app_server.port, handler(states.Results, "import_template"), tab.token,
                       [("answers.xlsx", data, XLSX)], session=person.token)
        tab.ping(states.Lang)
    assert reply.status == 200 and b"results.import_done" not in reply.body


def test_template_import_by_the_citys_editor_works(app_server, states, world):
    """The control for the test above: the same kind of file from the city's own editor is imported
    (so the refusals above are refusals, not a broken file)."""
    data = filled_template(app_server, world.assessment_b)
    with signed_in_tab(app_server, states, f"/assessments/{world.assessment_b}/results", world.editor_b.token) as tab:
        tab.wait_value(states.Results, "loading", False)
        reply = upload(app_server.port, handler(states.Results, "import_template"), tab.token,
                       [("answers.xlsx", data, XLSX)], session=world.editor_b.token)
    assert reply.status == 200 and b"results.import_done" in reply.body


def test_two_files_at_once_are_refused_with_a_translated_message(app_server, states, world, unchanged):
    """Two filled templates in one import: refused with a catalog key (shown in the page's
    language), nothing written."""
    data = filled_template(app_server, world.assessment_b)
    with signed_in_tab(app_server, states, f"/assessments/{world.assessment_b}/results", world.editor_b.token) as tab:
        tab.wait_value(states.Results, "loading", False)
        reply = upload(app_server.port, handler(states.Results, "import_template"), tab.token,
                       [("a.xlsx", data, XLSX), ("b.xlsx", data, XLSX)], session=world.editor_b.token)
    assert reply.status == 200 and b"results.import_one_file" in reply.body
    assert b"results.import_done" not in reply.body


def test_declared_oversize_import_is_refused(app_server, states, world, unchanged):
    """An import declaring more than the 5 MB a template may have: 413."""
    headers = {"reflex-event-handler": handler(states.Results, "import_template"), "reflex-client-token": "t",
               "Content-Type": "multipart/form-data; boundary=x", "Content-Length": str(6 * 1024 * 1024),
               **cookie(world.editor_a.token)}
    assert raw_http(app_server.port, "POST", "/_upload", headers).status == 413


# ---------------------------------------------------------------------- evidence: stored, served, removed


@pytest.fixture(scope="module")
def evidence(app_server, states, world):
    """The city's editor attaches a real file through the handler: (assessment id, file name on
    disk, bytes)."""
    data = PDF + uuid.uuid4().hex.encode()
    with assessment_tab(app_server, states, world.assessment_a, world.editor_a.token) as tab:
        choose_upload(tab, states, world.question)
        reply, deltas = upload_evidence(app_server, states, tab.token, world.editor_a.token,
                                        [("charter.pdf", data, "application/pdf")])
    assert reply.status == 200 and message_of(deltas, states) == "assessment.saved", deltas
    (item,) = [e for e in evidence_of(app_server, world.assessment_a) if e.get("name") == "charter.pdf"]
    return world.assessment_a, item["path"].split("/")[-1], data


def test_real_upload_is_stored_and_attached(app_server, evidence):
    """The legitimate path works: the file is on disk, under its assessment, with its bytes."""
    aid, name, data = evidence
    assert (app_server.uploads / "evidence" / str(aid) / name).read_bytes() == data


def test_evidence_is_served_to_the_city(app_server, world, evidence):
    """The city's editor and viewer get the file, as a download that no browser renders."""
    aid, name, data = evidence
    for person in (world.editor_a, world.viewer_a):
        reply = raw_http(app_server.port, "GET", f"/_evidence/{aid}/{name}", cookie(person.token))
        assert reply.status == 200 and reply.body == data
        assert reply.headers["content-disposition"].startswith("attachment")
        assert reply.headers["x-content-type-options"] == "nosniff"
    # Beside another site's malformed cookie on the same host, as a browser sends it.
    junk_first = {"Cookie": f'tracker; other="x; nlc_session={world.editor_a.token}'}
    assert raw_http(app_server.port, "GET", f"/_evidence/{aid}/{name}", junk_first).body == data


@pytest.mark.parametrize("who", ["nobody", "junk", "editor_b"])
def test_evidence_is_hidden_from_others(app_server, world, evidence, unchanged, who):
    """No cookie, a made-up cookie, another city's editor: 404, as if there were no such file."""
    aid, name, _ = evidence
    token = {"nobody": "", "junk": "junk"}[who] if who in ("nobody", "junk") else getattr(world, who).token
    assert raw_http(app_server.port, "GET", f"/_evidence/{aid}/{name}", cookie(token)).status == 404


EVIDENCE_VARIANTS = [
    "/_evidence/{aid}/../{aid}/{name}", "/_evidence/{aid}/%2e%2e/{aid}/{name}", "/_evidence/{aid}/%2E%2E/{aid}/{name}",
    "/_evidence/{aid}/./{name}", "/_evidence//{aid}/{name}", "/_evidence/./{aid}/{name}", "/_evidence/{aid}//{name}",
    "/_evidence/{aid}\\{name}", "/_evidence/{aid}%5c{name}", "/_evidence/{aid}/..%2f{aid}%2f{name}",
    "/_evidence/{aid}/%252e%252e/{aid}/{name}", "/_evidence/0{aid}/{name}", "/_evidence/{aid}/{name}/",
    "/_evidence/{aid}/{name}%00", "/_evidence/../_evidence/{aid}/{name}", "/_evidence/{aid}/../../nlc.db",
    "/_evidence/{aid}/..%2f..%2f..%2fetc%2fpasswd", "/_evidence/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
]


@pytest.mark.parametrize("variant", EVIDENCE_VARIANTS)
@pytest.mark.parametrize("who", ["editor_a", "nobody", "editor_b"])
def test_evidence_path_variants_are_404(app_server, world, evidence, unchanged, variant, who):
    """Dot segments, doubled or encoded slashes, backslashes, padded ids: 404 for everybody, the
    file's own editor included; nothing outside the evidence tree is ever reachable."""
    aid, name, _ = evidence
    token = "" if who == "nobody" else getattr(world, who).token
    reply = raw_http(app_server.port, "GET", variant.format(aid=aid, name=name), cookie(token))
    assert reply.status == 404


def test_encoded_slash_reaches_only_the_same_check(app_server, world, evidence):
    """`/_evidence/<aid>%2f<file>` is decoded to the file's own path: it serves the same file to
    the same people and nothing to anybody else."""
    aid, name, data = evidence
    path = f"/_evidence/{aid}%2f{name}"
    for token in ("", "junk", world.editor_b.token):
        assert raw_http(app_server.port, "GET", path, cookie(token)).status == 404
    reply = raw_http(app_server.port, "GET", path, cookie(world.editor_a.token))
    assert reply.status == 404 or (reply.status == 200 and reply.body == data)


UPLOAD_TREE_VARIANTS = [
    "/_upload/evidence/{aid}/{name}", "/_upload//evidence/{aid}/{name}", "/_upload/./evidence/{aid}/{name}",
    "//_upload/evidence/{aid}/{name}", "/_upload/%2e/evidence/{aid}/{name}", "/_upload%2fevidence%2f{aid}%2f{name}",
    "/_upload\\evidence\\{aid}\\{name}", "/_upload%5cevidence%5c{aid}%5c{name}", "/%5fupload/evidence/{aid}/{name}",
    "/_UPLOAD/evidence/{aid}/{name}", "/_upload/evidence/{aid}/{name}?download=1",
    "/x/../_upload/evidence/{aid}/{name}",
    "/_upload/%252e/evidence/{aid}/{name}", "/_upload/evidence/{aid}/./{name}", "/_upload/%65vidence/{aid}/{name}",
    "/./_upload/evidence/{aid}/{name}", "/_upload/evidence/{aid}/", "/_upload/", "/_upload/evidence/",
]


@pytest.mark.parametrize("variant", UPLOAD_TREE_VARIANTS)
@pytest.mark.parametrize("who", ["editor_a", "nobody"])
def test_upload_tree_is_never_served(app_server, world, evidence, unchanged, variant, who):
    """Reflex's static route for the upload folder, reached by any spelling, with or without the
    owner's cookie: 404. Evidence is served by /_evidence/ only."""
    aid, name, _ = evidence
    token = world.editor_a.token if who == "editor_a" else ""
    for method in ("GET", "HEAD"):
        reply = raw_http(app_server.port, method, variant.format(aid=aid, name=name), cookie(token))
        assert reply.status == 404, (method, reply.status)


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_evidence_route_only_reads(app_server, world, evidence, unchanged, method):
    """Writing methods on the evidence route, as its own editor: refused."""
    aid, name, _ = evidence
    reply = raw_http(app_server.port, method, f"/_evidence/{aid}/{name}", cookie(world.editor_a.token), b"x")
    assert reply.status in (404, 405)


def test_a_file_name_cannot_leave_the_evidence_folder(app_server, states, world):
    """Traversal in the uploaded file name: the file lands in the assessment's folder under a safe
    name, nowhere else."""
    before = folder_digest(app_server.uploads)
    question = world.spare_questions[0]
    with assessment_tab(app_server, states, world.assessment_a, world.editor_a.token) as tab:
        choose_upload(tab, states, question)
        reply, deltas = upload_evidence(app_server, states, tab.token, world.editor_a.token,
                                        [("../../../../etc/x.pdf", PDF, "application/pdf"),
                                         ("..\\..\\..\\y.pdf", PDF, "application/pdf")])
        new = set(folder_digest(app_server.uploads)) - set(before)
        tab.send(handler(states.Assessment, "remove_evidence"), question_id=question, index=0)
        tab.send(handler(states.Assessment, "remove_evidence"), question_id=question, index=0)
        tab.ping(states.Lang)
    new_files = sorted(p for p in new if (app_server.uploads / p).suffix)
    assert message_of(deltas, states) == "assessment.saved" and len(new_files) == 2
    assert all(p.startswith(f"evidence/{world.assessment_a}/") and p.count("/") == 2 and ".." not in p
               for p in new_files), new_files


def test_removed_evidence_is_deleted(app_server, states, world):
    """Removing evidence (socket event `remove_evidence`) deletes the file and the route answers
    404, even to the editor who uploaded it."""
    question, data = world.spare_questions[1], PDF + b"remove me"
    with assessment_tab(app_server, states, world.assessment_a, world.editor_a.token) as tab:
        choose_upload(tab, states, question)
        _, deltas = upload_evidence(app_server, states, tab.token, world.editor_a.token,
                                    [("gone.pdf", data, "application/pdf")])
        assert message_of(deltas, states) == "assessment.saved"
        (item,) = [e for e in evidence_of(app_server, world.assessment_a) if e.get("name") == "gone.pdf"]
        path, url = app_server.uploads / item["path"], "/_evidence/" + item["path"].removeprefix("evidence/")
        assert path.read_bytes() == data
        assert raw_http(app_server.port, "GET", url, cookie(world.editor_a.token)).status == 200
        tab.send(handler(states.Assessment, "remove_evidence"), question_id=question, index=0)
        tab.ping(states.Lang)
    assert not path.exists()
    assert item not in evidence_of(app_server, world.assessment_a)
    with Unchanged(app_server):
        assert raw_http(app_server.port, "GET", url, cookie(world.editor_a.token)).status == 404


# ---------------------------------------------------------------------- health


def test_health_answers_on_the_running_app_and_only_reads(app_server, unchanged):
    import json

    from nlc_toolkit.db.migrate import head_revision

    reply = raw_http(app_server.port, "GET", "/_health")
    body = json.loads(reply.body)
    assert reply.status == 200 and body["status"] == "ok" and body["database"] == "ok"
    assert body["revision"] == head_revision() == body["expected_revision"]
    assert raw_http(app_server.port, "POST", "/_health", body=b"x").status == 405
    # Path tricks reach the page router, not a second health route (nothing there to abuse either).
    assert raw_http(app_server.port, "GET", "//_health/../_health").status != 500
