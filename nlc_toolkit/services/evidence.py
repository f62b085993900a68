"""Evidence files attached to answers: the checks and the storage steps of an upload, in order.

The page reads an upload's bytes (counting them, see ui/state/uploads.py) only after `check`
passed; `accept` refuses a file by its name and first bytes before anything is written; `store`
writes the accepted files (call it off the event loop); `attach` records them on the answer, and
`discard` removes stored files when attaching failed, so a refused upload leaves nothing behind."""

from __future__ import annotations

from pathlib import PurePosixPath

from sqlalchemy.orm import Session

from nlc_toolkit.core.errors import Invalid
from nlc_toolkit.core.policy import Actor
from nlc_toolkit.db import files
from nlc_toolkit.services import assessments

MAX_FILE_BYTES = files.MAX_FILE_BYTES
MAX_FILES_PER_UPLOAD = files.MAX_FILES_PER_UPLOAD


def check(s: Session, actor: Actor, assessment_id: int, question_id: str, count: int) -> None:
    """May this person attach `count` files to their answer now? Raises NotFound, Refused, Invalid."""
    if count > MAX_FILES_PER_UPLOAD:
        raise Invalid("evidence.error.too_many_files")
    assessments.check_attach(s, actor, assessment_id, question_id, count=count)


def accept(assessment_id: int, name, data: bytes | None) -> dict:
    """The evidence item for one uploaded file (not yet written), or Invalid: over the size limit
    (`data` None: the reader stopped counting) or not an accepted type."""
    name = PurePosixPath(str(name or "file").replace("\\", "/")).name[:200] or "file"
    if data is None:
        raise Invalid("evidence.error.file_size")
    if not files.accepted_type(name, data[:512]):
        raise Invalid("evidence.error.file_type")
    return {"kind": "file", "name": name, "path": files.new_relative_path(assessment_id, name)}


def store(items: list[tuple[dict, bytes]]) -> None:
    for item, data in items:
        files.write(item["path"], data)


def attach(s: Session, actor: Actor, assessment_id: int, question_id: str, items: list[dict]) -> None:
    for item in items:
        assessments.add_evidence(s, actor, assessment_id, question_id, item)


def discard(items: list[dict]) -> None:
    for item in items:
        files.delete_if_unreferenced_path(item["path"])
