"""The PDF renderer never fetches what a user named: hostile strings in every field of a report
come out as text, with no attachment and no request to any file or server."""

from __future__ import annotations

import http.server
import io
import threading

import pytest
from pypdf import PdfReader

from nlc_toolkit.core.exports.pdf import (
    assessment_pdf,
    render_pdf,
    workshop_summary_pdf,
)
from nlc_toolkit.db.session import session_scope
from nlc_toolkit.services import results
from tests import factories
from tests.factories import answer_some

SECRET = "top-secret-file-content-4711"


@pytest.fixture
def city(migrated):
    with session_scope() as s:
        return factories.tangier_with_ministry(s)


@pytest.fixture
def listener():
    """A local HTTP server that records every request: any hit means the renderer went out."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server API
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(SECRET.encode())

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text(SECRET)
    return path


def _hostile(url: str, path) -> str:
    return (f'<link rel="attachment" href="file://{path}"><img src="{url}/img">'
            f'<link rel="stylesheet" href="{url}/css"><a rel="attachment" href="{url}/a">x</a>')


def _attachments_and_text(pdf: bytes) -> tuple[dict, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader.attachments, " ".join(page.extract_text() for page in reader.pages)


def test_hostile_fields_and_language_give_a_pdf_of_text_only(city, listener, secret_file):
    url, hits = listener
    answer_some(city, city["assessment"], [0, 1])
    hostile = _hostile(url, secret_file)
    with session_scope() as s:
        results.add_action(s, city["editor"], city["assessment"], "", "plan")
        rep = results.report(s, city["editor"], city["assessment"])
    rep["city"] = "Tangier " + hostile
    rep["actions"] = [dict(rep["actions"][0], title="Title " + hostile, owner="Owner " + hostile, due="2026-01-01")]
    for lang in ("en", "ar", 'en"><link rel="attachment" href="file:///etc/passwd">', None, ["fr"]):
        attachments, text = _attachments_and_text(assessment_pdf(rep, lang))
        assert attachments == {}
        assert SECRET not in text and "root:x:0:0" not in text
        assert 'rel="attachment"' in " ".join(text.split()).replace("\n", "")  # shown as text
    assert hits == []


def test_the_renderer_itself_refuses_files_and_network(listener, secret_file):
    """Defence in depth: even HTML that was not escaped cannot reach a file or the network."""
    url, hits = listener
    pdf = render_pdf(f"<html><body><p>hello</p>{_hostile(url, secret_file)}"
                     f'<link rel="attachment" href="file:///etc/passwd"><img src="file:///etc/passwd"></body></html>')
    attachments, text = _attachments_and_text(pdf)
    assert attachments == {} and "hello" in text and SECRET not in text
    assert hits == []


def test_workshop_summary_escapes_its_fields(listener, secret_file):
    url, hits = listener
    hostile = _hostile(url, secret_file)
    rows = [{"text": {"en": "Q " + hostile}, "count": 2, "distribution": [1, 1], "median": 0.5, "agreed": 1,
             "note": "Note " + hostile}]
    pdf = workshop_summary_pdf({"en": "T " + hostile}, "City " + hostile, "ABC<x>", rows, "en<script>")
    attachments, text = _attachments_and_text(pdf)
    assert attachments == {} and SECRET not in text and "ABC<x>" in text
    assert hits == []
