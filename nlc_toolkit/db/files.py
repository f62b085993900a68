"""Evidence files on disk: where they live, what may be stored, and when they go.

Files live under the upload folder (`REFLEX_UPLOADED_FILES_DIR`, Reflex's `uploaded_files/` by
default) as `evidence/<assessment id>/<random hex>-<safe name>`. They are never served from there
(the HTTP guard answers 404 for the whole `/_upload/` tree); only `/_evidence/...` serves them,
after checking who asks. A file is stored only after the session and permission were checked and
its bytes were counted and recognised; it is deleted once no answer refers to it any more."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from nlc_toolkit.db.models import Answer

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES_PER_UPLOAD = 3
# The first bytes each accepted type starts with. Office files are zips (docx, xlsx, odt, ods)
# or OLE compound files (doc, xls); text must be UTF-8 without NUL bytes.
_ZIP, _OLE = (b"PK\x03\x04",), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)
SIGNATURES: dict[str, tuple[bytes, ...] | None] = {
    ".pdf": (b"%PDF-",), ".png": (b"\x89PNG\r\n\x1a\n",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",),
    ".docx": _ZIP, ".xlsx": _ZIP, ".odt": _ZIP, ".ods": _ZIP, ".doc": _OLE, ".xls": _OLE,
    ".csv": None, ".txt": None,
}
_NAME = re.compile(r"^[0-9a-f]{32}-[\w.\-]{1,100}$")


def root() -> Path:
    """The upload folder, as Reflex resolves it (relative to the working directory)."""
    return Path(os.environ.get("REFLEX_UPLOADED_FILES_DIR", "uploaded_files")).resolve()


def accepted_type(name: str, head: bytes) -> bool:
    """Whether a file named `name` whose first bytes are `head` is an evidence type we keep."""
    suffix = Path(name).suffix.lower()
    if suffix not in SIGNATURES:
        return False
    signatures = SIGNATURES[suffix]
    if signatures is None:
        if b"\x00" in head:
            return False
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as e:  # a multi-byte character cut at the end of the sample is fine
            return e.start >= len(head) - 3
        return True
    return head.startswith(signatures)


def safe_name(name: str) -> str:
    """A file name made of safe parts only (letters, digits, `.`, `-`, `_`), for disk and downloads."""
    return re.sub(r"[^\w.\-]+", "_", Path(str(name).replace("\\", "/")).name).lstrip(".")[-100:] or "file"


def new_relative_path(assessment_id: int, name: str) -> str:
    return f"evidence/{int(assessment_id)}/{uuid.uuid4().hex}-{safe_name(name)}"


def resolve(relative: str) -> Path | None:
    """The file behind a stored relative path, or None when the path is not one we make (no
    `..`, no other folder, no odd characters): resolved first, then checked to be inside."""
    parts = relative.split("/")
    if len(parts) != 3 or parts[0] != "evidence" or not parts[1].isdigit() or not _NAME.match(parts[2]):
        return None
    base = (root() / "evidence" / parts[1]).resolve()
    path = (base / parts[2]).resolve()
    return path if path.parent == base else None


def write(relative: str, data: bytes) -> None:
    path = resolve(relative)
    if path is None:
        raise ValueError(f"not an evidence path: {relative}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def referenced(s: Session, relative: str) -> list[int]:
    """Ids of the answers whose evidence lists this file (rounds copied from one another share
    files)."""
    rows = s.execute(select(Answer.id, Answer.evidence).where(cast(Answer.evidence, String).contains(relative.split("/")[-1])))
    return [i for i, evidence in rows if any(item.get("path") == relative for item in evidence or [])]


def delete_if_unreferenced_path(relative: str) -> None:
    """Remove the file (called after the commit that took it off its last answer)."""
    path = resolve(relative)
    if path is not None:
        path.unlink(missing_ok=True)
