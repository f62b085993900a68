"""Questionnaire registration: the versions the database holds, the files in questionnaires/, and
putting a new questionnaire or version in.

A stored version never changes (old assessments are scored with the exact text they were made
with), so a file whose content differs from the stored text of the same id and version is refused,
naming the file: it needs a new version. Everything else goes in.

- `stored`, `files`, `sync`: for the command line (`nlc migrate`, `nlc questionnaires list|sync`),
  unchecked like db/repo (the operator runs them);
- `latest`: the newest version of each questionnaire, for the pages that offer them;
- `parse_latest`: at the server's start, so that no user's first page pays for parsing;
- `versions`, `preview`, `register`: for the administration page, admin only; an upload is
  validated again when it is registered (a preview proves nothing about what is sent next).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nlc_toolkit.core import policy
from nlc_toolkit.core import questionnaire as qn
from nlc_toolkit.core.errors import Invalid, Refused, RepoError
from nlc_toolkit.core.policy import Actor
from nlc_toolkit.db import repo
from nlc_toolkit.db.models import Assessment, QuestionnaireVersion
from nlc_toolkit.i18n import LANGUAGES

QUESTIONNAIRES_DIR = repo.QUESTIONNAIRES_DIR
# The largest file accepted from the browser. The detailed questionnaire is 0.9 MB and its 1.1
# draft 1.03 MiB; validating 1 MB of YAML takes about 1.5 s of CPU.
MAX_BYTES = 2 * 1024 * 1024

# What a file or an upload is, against the database.
NEW = "new"  # no version of this questionnaire is stored
NEW_VERSION = "new_version"  # other versions of it are stored, not this one
IDENTICAL = "identical"  # this exact text is stored
CONFLICT = "conflict"  # this id and version are stored with other content: refused
INVALID = "invalid"  # the text does not validate


def _admin(actor: Actor) -> None:
    if not policy.can_administer(actor):
        raise Refused("error.forbidden")


def _title(text: qn.Text) -> dict[str, str]:
    """A questionnaire title in every UI language (a file may hold fewer languages)."""
    return {lang: qn.localized(text, lang) for lang in LANGUAGES}


def _status(s: Session, questionnaire_id: str, version: str, checksum: str) -> str:
    rows = s.execute(select(QuestionnaireVersion.version, QuestionnaireVersion.checksum)
                     .where(QuestionnaireVersion.questionnaire_id == questionnaire_id)).all()
    same = [c for v, c in rows if v == version]
    if same:
        return IDENTICAL if same[0] == checksum else CONFLICT
    return NEW_VERSION if rows else NEW


# --------------------------------------------------------------------------- reading what is stored


def stored(s: Session) -> list[dict]:
    """Every stored version, by questionnaire id and then newest first: id, version, its row id,
    title, domain and question counts, when it was registered, how many assessments use it, and
    whether it is the one new assessments get (`latest`)."""
    rows = s.scalars(select(QuestionnaireVersion).order_by(QuestionnaireVersion.id)).all()
    used = dict(s.execute(select(Assessment.questionnaire_version_id, func.count(Assessment.id))
                          .group_by(Assessment.questionnaire_version_id)).all())
    newest = {row.questionnaire_id: row.id for row in repo.latest_questionnaires(s)}
    out = []
    for row in sorted(rows, key=lambda r: (r.questionnaire_id, -r.id)):
        q = repo.questionnaire_model(row)
        out.append({
            "id": row.questionnaire_id, "version": row.version, "version_id": row.id, "key": q.key,
            "title": _title(q.title), "domains": len(q.domains), "questions": len(q.questions),
            "registered": row.loaded_at.strftime("%Y-%m-%d %H:%M"), "assessments": used.get(row.id, 0),
            "latest": newest[row.questionnaire_id] == row.id, "checksum": row.checksum[:12],
        })
    return out


def latest(s: Session) -> list[dict]:
    """The newest stored version of each questionnaire, by id: what the pages offer (the home
    page's list, a new assessment's choice). No sign-in needed: questionnaires are public."""
    out = []
    for row in repo.latest_questionnaires(s):
        q = repo.questionnaire_model(row)
        out.append({"id": q.id, "version": q.version, "version_id": row.id, "key": q.key, "title": _title(q.title),
                    "domains": len(q.domains), "questions": len(q.questions)})
    return out


def versions(s: Session, actor: Actor) -> list[dict]:
    """`stored`, for the administration page."""
    _admin(actor)
    return stored(s)


# --------------------------------------------------------------------------- the folder


def _read(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except UnicodeDecodeError:
        raise qn.QuestionnaireError([qn.Problem(str(path), "", "the file is not UTF-8 text")]) from None
    except OSError as e:
        raise qn.QuestionnaireError([qn.Problem(str(path), "", f"cannot read the file ({e.strerror})")]) from None


def files(s: Session, folder: Path = QUESTIONNAIRES_DIR) -> list[dict]:
    """Every questionnaire file (`*.yaml`) in `folder` against the database: file, id, version,
    state (new, new_version, identical, conflict, invalid) and its problems. A file whose text is
    stored is not parsed again."""
    known = {c: (i, v) for i, v, c in s.execute(select(QuestionnaireVersion.questionnaire_id,
                                                        QuestionnaireVersion.version, QuestionnaireVersion.checksum))}
    out = []
    for path in sorted(Path(folder).glob("*.yaml")):
        item = {"file": str(path), "id": "", "version": "", "state": INVALID, "problems": []}
        try:
            text = _read(path)
            digest = qn.checksum(text)
            if digest in known:
                item.update(id=known[digest][0], version=known[digest][1], state=IDENTICAL)
            else:
                model = qn.parse_questionnaire(text, str(path))
                item.update(id=model.id, version=model.version, state=_status(s, model.id, model.version, digest))
                if item["state"] == CONFLICT:
                    item["problems"] = [f"{path}: {model.id} version {model.version} is already stored with other "
                                        "content; give the changed file a new version"]
        except qn.QuestionnaireError as e:
            item["problems"] = [str(p) for p in e.problems]
        out.append(item)
    return out


@dataclass
class SyncReport:
    registered: list[str] = field(default_factory=list)  # "file: id version", newly stored
    unchanged: list[str] = field(default_factory=list)  # already stored as they are
    refused: list[str] = field(default_factory=list)  # one line per problem, each naming its file

    def __str__(self) -> str:
        return (f"questionnaires: {len(self.registered)} registered, {len(self.unchanged)} already stored"
                + (f", {len(self.refused)} problem(s)" if self.refused else ""))


def sync(s: Session, folder: Path = QUESTIONNAIRES_DIR, by_user_id: int | None = None) -> SyncReport:
    """Register every questionnaire file in `folder` that the database does not hold yet. A file
    that does not validate, or that changed under a version already stored, is refused (its
    problems name it) and everything else is kept."""
    report = SyncReport()
    for item in files(s, folder):
        path = Path(item["file"])
        if item["state"] == IDENTICAL:
            report.unchanged.append(f"{path}: {item['id']} {item['version']}")
            continue
        if item["problems"]:
            report.refused.extend(item["problems"])
            continue
        try:
            row = repo.register_questionnaire(s, _read(path), str(path), by_user_id=by_user_id)
        except qn.QuestionnaireError as e:  # the file changed since it was read
            report.refused.extend(str(p) for p in e.problems)
        except RepoError as e:
            report.refused.append(str(e))
        else:
            report.registered.append(f"{path}: {row.questionnaire_id} {row.version}")
    return report


# --------------------------------------------------------------------------- an upload


def decode(data: bytes | str) -> str:
    """The text of an uploaded file: at most MAX_BYTES of UTF-8, line ends as a file read from disk
    has them (so the same file uploaded from Windows is the same text)."""
    if isinstance(data, str):
        if len(data) > MAX_BYTES or len(data.encode("utf-8", "surrogatepass")) > MAX_BYTES:
            raise Invalid("questionnaires.error.too_large")
        text = data
    else:
        if not isinstance(data, (bytes, bytearray)):
            raise Invalid("questionnaires.error.not_text")
        if len(data) > MAX_BYTES:
            raise Invalid("questionnaires.error.too_large")
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid("questionnaires.error.not_text") from None
    if "\x00" in text:
        raise Invalid("questionnaires.error.not_text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _problems(error: qn.QuestionnaireError) -> list[dict[str, str]]:
    return [{"path": p.path, "message": p.message} for p in error.problems]


def preview(s: Session, actor: Actor, data: bytes | str) -> dict:
    """What registering this text would do, without doing it. Errors: `ok` False and `problems`,
    each with its `path` in the file (``domains[2].questions[0].levels``, or ``line 12`` for a YAML
    syntax error) and a `message`. Otherwise a summary: id, version, title, languages, domains with
    their question counts, and `status`: new, new_version, identical or conflict (the same version
    is stored with other content: it cannot be registered). `versions`: the versions of this
    questionnaire already stored."""
    _admin(actor)
    text = decode(data)
    try:
        model = qn.parse_questionnaire(text, "upload")
    except qn.QuestionnaireError as e:
        return {"ok": False, "problems": _problems(e), "status": INVALID}
    stored_versions = s.scalars(select(QuestionnaireVersion.version).where(
        QuestionnaireVersion.questionnaire_id == model.id).order_by(QuestionnaireVersion.id)).all()
    return {
        "ok": True, "problems": [], "status": _status(s, model.id, model.version, qn.checksum(text)),
        "id": model.id, "version": model.version, "title": _title(model.title), "languages": list(model.languages),
        "domains": [{"id": d.id, "title": _title(d.title), "questions": len(d.questions)} for d in model.domains],
        "questions": len(model.questions), "versions": list(stored_versions),
    }


def register(s: Session, actor: Actor, data: bytes | str) -> dict:
    """Validate the text again and store it as a new questionnaire version, in the audit log under
    the admin. Returns {id, version, version_id, status}: status `identical` when this exact text
    was stored already (nothing changes). Refused (Invalid): a text that does not validate
    (`reason`: its first problem) or a version stored with other content."""
    _admin(actor)
    text = decode(data)
    digest = qn.checksum(text)
    row = s.scalar(select(QuestionnaireVersion).where(QuestionnaireVersion.checksum == digest))
    if row is not None:
        return {"id": row.questionnaire_id, "version": row.version, "version_id": row.id, "status": IDENTICAL}
    try:  # parses once: the YAML of a large questionnaire costs a second or more
        row = repo.register_questionnaire(s, text, "upload", by_user_id=actor.user_id)
    except qn.QuestionnaireError as e:
        first = e.problems[0]
        raise Invalid("questionnaires.error.invalid",
                      reason=f"{first.path}: {first.message}" if first.path else first.message) from None
    except RepoError:  # the same id and version, stored with other content
        head = qn.read_yaml(text)
        raise Invalid("questionnaires.error.conflict", reason=f"{head.get('id')} {head.get('version')}") from None
    siblings = s.scalar(select(func.count(QuestionnaireVersion.id)).where(
        QuestionnaireVersion.questionnaire_id == row.questionnaire_id, QuestionnaireVersion.id != row.id))
    return {"id": row.questionnaire_id, "version": row.version, "version_id": row.id,
            "status": NEW_VERSION if siblings else NEW}


def check(actor: Actor) -> None:
    """Refused unless the actor may register questionnaires (asked before an upload is read)."""
    _admin(actor)


def parse_latest(s: Session) -> int:
    """Parse every questionnaire's newest version into this process's cache (db/repo.py), as the
    server starts: the first page that needs one would otherwise pay for it (the detailed
    assessment's 880 KB of YAML take about 200 ms: bench/network_bench.py). Returns how many."""
    rows = repo.latest_questionnaires(s)
    for row in rows:
        repo.questionnaire_model(row)
    return len(rows)
