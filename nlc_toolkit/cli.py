"""The `nlc` command. Every subcommand exits 0 on success and 1 with a one-line reason per problem."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from nlc_toolkit.core import questionnaire as qn


def _fail(lines) -> int:
    for line in [lines] if isinstance(lines, str) else lines:
        print(f"error: {line}", file=sys.stderr)
    return 1


def cmd_validate(args) -> int:
    problems = qn.validate_files(args.paths)
    if problems:
        return _fail([str(p) for p in problems])
    for path in args.paths:
        q = qn.load_questionnaire(path)
        print(f"{path}: OK ({q.id} {q.version}, {len(q.domains)} domains, {len(q.questions)} questions)")
    return 0


def cmd_schema(_args) -> int:
    print(json.dumps(qn.json_schema(), indent=2, ensure_ascii=False))
    return 0


def cmd_score(args) -> int:
    from nlc_toolkit.core.exports.answers_csv import AnswersFileError, read_answers_csv
    from nlc_toolkit.core.exports.score_document import score_document

    try:
        q = qn.load_questionnaire(args.questionnaire)
    except qn.QuestionnaireError as e:
        return _fail([str(p) for p in e.problems])
    try:
        text = Path(args.answers).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        return _fail(f"{args.answers}: cannot read the file ({e})")
    try:
        answers, context = read_answers_csv(text, q, args.answers)
    except AnswersFileError as e:
        return _fail([f"{args.answers}: {p}" for p in e.problems])
    doc = score_document(q, answers, context)
    if args.json:
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        overall = "n/a" if doc["overall"] is None else f"{doc['overall']:.1f}"
        completeness = "n/a" if doc["completeness"] is None else f"{doc['completeness']:.0%}"
        print(f"overall {overall} ({doc['band']}), completeness {completeness}")
        for domain, value in doc["domains"].items():
            print(f"  {domain}: {'n/a' if value is None else f'{value:.1f}'}")
        for rec in doc["recommendations"][:10]:
            print(f"  [{rec['priority']:.2f}] {rec['question']}: {rec['text']}")
    return 0


def _sync_questionnaires(folder: str | None) -> int:
    """Register every questionnaire file of `folder` (default questionnaires/) not stored yet."""
    from nlc_toolkit.db.session import session_scope
    from nlc_toolkit.services import questionnaires

    with session_scope() as session:
        report = questionnaires.sync(session, Path(folder) if folder else questionnaires.QUESTIONNAIRES_DIR)
    for line in report.registered:
        print(f"registered {line}")
    print(report)
    if report.refused:
        return _fail(report.refused + ["the other questionnaires were kept"])
    return 0


def cmd_migrate(args) -> int:
    from nlc_toolkit.db.migrate import upgrade

    upgrade()
    print("database is up to date")
    return _sync_questionnaires(args.questionnaires_dir)


def production_start_problems(environ) -> list[str]:
    """What the environment lacks to serve real data with several workers (empty: nothing)."""
    problems = []
    url = environ.get("REFLEX_DB_URL", "")
    if not url:
        problems.append("REFLEX_DB_URL is not set: production needs PostgreSQL, "
                        "e.g. postgresql+psycopg://nlc:PASSWORD@db:5432/nlc")
    elif not url.startswith(("postgresql", "postgres://")):
        problems.append("REFLEX_DB_URL must name a PostgreSQL database in production "
                        "(SQLite serves one process on one machine)")
    if not environ.get("REFLEX_REDIS_URL"):
        problems.append("REFLEX_REDIS_URL is not set: workers share tabs' state and live updates through Redis")
    if not environ.get("NLC_PUBLIC_URL"):
        problems.append("NLC_PUBLIC_URL is not set: the address users open, e.g. https://nlc.example.org")
    return problems


def cmd_serve(args) -> int:
    """Serve the app on one port (pages, websocket and files), in Reflex's prod mode. With
    --production: the environment is checked, migrations are applied (or, with --no-migrate,
    the start is refused while they are behind), demo data is never seeded, the first admin is
    created from NLC_ADMIN_EMAIL / NLC_ADMIN_PASSWORD when there is none, and the production
    checks (no demo password, an active admin, Secure cookies behind https) must pass."""
    import os

    from nlc_toolkit.db.migrate import current_revision, head_revision, upgrade
    from nlc_toolkit.db.session import PROJECT_DIR, session_scope

    if args.workers < 1:
        return _fail("--workers must be 1 or more")
    env = dict(os.environ)
    if args.production:
        env["NLC_ENV"] = os.environ["NLC_ENV"] = "production"
        if problems := production_start_problems(env):
            return _fail(problems)
        if args.no_migrate:
            if (current := current_revision()) != (head := head_revision()):
                return _fail(f"the database schema is at revision {current or 'none'} and this release needs {head}: "
                             "run `nlc migrate` first")
        else:
            upgrade()
            if _sync_questionnaires(None):
                return 1
        from nlc_toolkit.core import settings
        from nlc_toolkit.db import repo
        from nlc_toolkit.services.production import bootstrap_admin, production_problems

        email, password = settings.bootstrap_admin_credentials()
        with session_scope() as session:
            if email and password:  # the first admin, once (a container's first start)
                try:
                    print(bootstrap_admin(session, email, password), flush=True)
                except repo.RepoError as e:
                    return _fail(str(e))
            if problems := production_problems(session):
                return _fail(problems)
    from nlc_toolkit.web_server import gunicorn_args

    env["GUNICORN_CMD_ARGS"] = gunicorn_args(args.workers)
    reflex = str(Path(sys.executable).with_name("reflex"))
    command = [reflex, "run", "--env", "prod", "--backend-host", args.host,
               "--backend-port", str(args.port), "--frontend-port", str(args.port)]
    print(f"serving on {args.host}:{args.port} with {args.workers} worker(s)"
          + (" in production mode" if args.production else ""), flush=True)
    os.chdir(PROJECT_DIR)
    os.execve(reflex, command, env)  # Reflex takes this process over: signals reach it directly


def cmd_questionnaires_list(args) -> int:
    from nlc_toolkit.db.session import session_scope
    from nlc_toolkit.services import questionnaires

    with session_scope() as session:
        rows = questionnaires.stored(session)
        disk = questionnaires.files(session, Path(args.dir) if args.dir else questionnaires.QUESTIONNAIRES_DIR)
    print("stored versions:" if rows else "stored versions: none")
    for r in rows:
        print(f"  {r['id']} {r['version']}{' (latest)' if r['latest'] else ''}: {r['domains']} domains, "
              f"{r['questions']} questions, {r['assessments']} assessments, registered {r['registered']}")
    states = {"identical": "registered", "new": "new, not registered", "new_version": "new version, not registered",
              "conflict": "ERROR: changed under a stored version", "invalid": "ERROR: does not validate"}
    print("files:" if disk else "files: none")
    for f in disk:
        what = f" ({f['id']} {f['version']})" if f["id"] else ""
        print(f"  {f['file']}{what}: {states[f['state']]}")
        for problem in f["problems"]:
            print(f"    {problem}")
    return 1 if any(f["problems"] for f in disk) else 0


def cmd_questionnaires_sync(args) -> int:
    return _sync_questionnaires(args.dir)


def cmd_create_user(args) -> int:
    from nlc_toolkit.db import repo
    from nlc_toolkit.db.session import session_scope

    try:
        with session_scope() as session:
            city = None
            if args.city:
                city = repo.find_city(session, args.city)
                if city is None:
                    return _fail(f"no city '{args.city}' (create it first with `nlc create-city`)")
            user = repo.create_user(session, args.email, args.password, args.role, city, args.name or "")
            print(f"created {user.role} {user.email}" + (f" for {city.name}" if city else ""))
    except repo.RepoError as e:
        return _fail(str(e))
    return 0


def cmd_create_city(args) -> int:
    from nlc_toolkit.db import repo
    from nlc_toolkit.db.session import session_scope

    try:
        with session_scope() as session:
            city = repo.create_city(session, args.name, args.country, args.region, args.population_band)
            print(f"created city {city.name} (id {city.id})")
    except repo.RepoError as e:
        return _fail(str(e))
    return 0


def cmd_seed_demo(args) -> int:
    from nlc_toolkit.core import settings
    from nlc_toolkit.db.seed import SeedRefused, seed_demo
    from nlc_toolkit.db.session import session_scope

    if settings.production():
        return _fail("production mode (NLC_ENV=production) never seeds demo data")
    try:
        with session_scope() as session:
            summary = seed_demo(session, cities=args.cities, seed=args.seed, only_if_empty=args.if_empty)
    except SeedRefused as e:
        return _fail(str(e))
    print(summary)
    return 0


def cmd_check_production(_args) -> int:
    from nlc_toolkit.core import settings
    from nlc_toolkit.db.session import session_scope
    from nlc_toolkit.services.production import production_problems

    with session_scope() as session:
        problems = production_problems(session)
    if problems:
        return _fail(problems)
    mode = "production mode" if settings.production() else "safe for production (NLC_ENV is not production yet)"
    print(f"no problems found: {mode}")
    return 0


def cmd_bootstrap_admin(_args) -> int:
    from nlc_toolkit.core import settings
    from nlc_toolkit.db import repo
    from nlc_toolkit.db.session import session_scope
    from nlc_toolkit.services.production import bootstrap_admin

    email, password = settings.bootstrap_admin_credentials()
    try:
        with session_scope() as session:
            print(bootstrap_admin(session, email, password))
    except repo.RepoError as e:
        return _fail(str(e))
    return 0


def _upload_dir() -> Path:
    import reflex as rx

    return Path(rx.get_upload_dir())


def cmd_backup(args) -> int:
    from nlc_toolkit.db.backup import backup
    from nlc_toolkit.db.session import session_scope

    out = Path(args.path)
    if out.exists() and not args.force:
        return _fail(f"{out} exists; choose another name or pass --force")
    with session_scope() as session:
        manifest = backup(session, out, None if args.no_uploads else _upload_dir())
    counts = ", ".join(f"{n} {table}" for table, n in manifest["tables"].items() if n)
    print(f"wrote {out}: schema {manifest['revision']}, {counts}, {manifest['uploads']} uploaded files")
    return 0


def cmd_restore(args) -> int:
    from nlc_toolkit.db.backup import BackupError, restore
    from nlc_toolkit.db.session import session_scope

    try:
        with session_scope() as session:
            manifest = restore(session, Path(args.path), None if args.no_uploads else _upload_dir(), replace=args.replace)
    except BackupError as e:
        return _fail(str(e))
    print(f"restored {args.path} (made {manifest['created']}): "
          + ", ".join(f"{n} {table}" for table, n in manifest["tables"].items() if n))
    return 0


def _actor_for(session, email: str | None):
    """Who the command acts as: the named account, else the first active admin."""
    from sqlalchemy import select

    from nlc_toolkit.core.policy import actor_of
    from nlc_toolkit.db.models import User

    query = select(User).where(User.email == email.strip().lower()) if email else \
        select(User).where(User.role == "admin", User.active.is_(True)).order_by(User.id)
    user = session.scalars(query).first()
    return actor_of(user) if user else None


def cmd_export(args) -> int:
    from nlc_toolkit.core.errors import NotFound, Refused
    from nlc_toolkit.core.exports.pdf import assessment_pdf
    from nlc_toolkit.core.exports.spreadsheets import answers_csv, assessment_workbook
    from nlc_toolkit.db.session import session_scope
    from nlc_toolkit.services import results

    with session_scope() as session:
        actor = _actor_for(session, args.as_user)
        if actor is None:
            return _fail(f"no account {args.as_user}" if args.as_user else "no active admin account; pass --as EMAIL")
        try:
            report = results.report(session, actor, args.assessment)
        except (NotFound, Refused):
            return _fail(f"no assessment {args.assessment} visible to that account")
    fmt = args.format or Path(args.out).suffix.lstrip(".").lower()
    if fmt == "xlsx":
        data = assessment_workbook(report, args.lang)
    elif fmt == "csv":
        data = answers_csv(report.answers)
    elif fmt == "pdf":
        data = assessment_pdf(report, args.lang)
    elif fmt == "json":
        data = json.dumps(report.to_dict(), indent=2, ensure_ascii=False, default=str).encode()
    else:
        return _fail(f"unknown format {fmt!r}: use xlsx, csv, pdf or json")
    Path(args.out).write_bytes(data)
    print(f"wrote {args.out} ({fmt}, {report.city} {report.year} round {report.round})")
    return 0


def cmd_import(args) -> int:
    from nlc_toolkit.core.errors import Invalid, NotFound, Refused
    from nlc_toolkit.db.session import session_scope
    from nlc_toolkit.services import results

    try:
        data = Path(args.file).read_bytes()
    except OSError as e:
        return _fail(f"{args.file}: cannot read the file ({e.strerror})")
    with session_scope() as session:
        actor = _actor_for(session, args.as_user)
        if actor is None:
            return _fail(f"no account {args.as_user}" if args.as_user else "no active admin account; pass --as EMAIL")
        try:
            problems, written = results.import_template(session, actor, args.assessment, data, args.label or "",
                                                        args.group)
        except NotFound:
            return _fail(f"no assessment {args.assessment} visible to that account")
        except (Refused, Invalid) as e:
            from nlc_toolkit.i18n import translate

            return _fail(translate(str(e), "en"))
    if problems:
        from nlc_toolkit.i18n import translate_message

        return _fail([f"{args.file}: {translate_message(p, 'en')}" for p in problems] + ["nothing was imported"])
    print(f"imported {written} answers into assessment {args.assessment}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nlc", description="NLC toolkit self-assessment: command line")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("validate", help="check questionnaire files")
    p.add_argument("paths", nargs="+")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("schema", help="print the JSON Schema of the questionnaire format")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("score", help="score one assessment from a CSV of answers")
    p.add_argument("questionnaire")
    p.add_argument("answers")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("migrate", help="apply database migrations, then register every questionnaire file")
    p.add_argument("--questionnaires-dir", metavar="DIR", help="where the questionnaire files are (default: questionnaires/)")
    p.set_defaults(func=cmd_migrate)

    p = sub.add_parser("serve", help="serve the app on one port; --production for real data (see docs/deploy.md)")
    p.add_argument("--production", action="store_true",
                   help="NLC_ENV=production: PostgreSQL and Redis required, migrations applied, never demo data")
    p.add_argument("--no-migrate", action="store_true", help="refuse to start while migrations are behind instead")
    p.add_argument("--workers", type=int, default=int(os.environ.get("NLC_WORKERS", "2")),
                   help="backend worker processes (default: NLC_WORKERS or 2)")
    p.add_argument("--host", default=os.environ.get("NLC_HOST", "0.0.0.0"), help="address to listen on (default: NLC_HOST or 0.0.0.0)")
    p.add_argument("--port", type=int, default=int(os.environ.get("NLC_PORT", "3000")), help="port (default: NLC_PORT or 3000)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("questionnaires", help="the questionnaire versions stored and the files in questionnaires/")
    qsub = p.add_subparsers(dest="questionnaires_command", required=True)
    q = qsub.add_parser("list", help="stored versions, and each file's state (registered, new, or an error)")
    q.add_argument("--dir", metavar="DIR", help="where the questionnaire files are (default: questionnaires/)")
    q.set_defaults(func=cmd_questionnaires_list)
    q = qsub.add_parser("sync", help="register every questionnaire file not stored yet")
    q.add_argument("--dir", metavar="DIR", help="where the questionnaire files are (default: questionnaires/)")
    q.set_defaults(func=cmd_questionnaires_sync)

    p = sub.add_parser("create-user", help="create an account (the password given is the account's own)")
    for flag in ("--email", "--password", "--role"):
        p.add_argument(flag, required=True)
    p.add_argument("--city", help="city name or id (required for city_editor and city_viewer)")
    p.add_argument("--name", help="display name")
    p.set_defaults(func=cmd_create_user)

    p = sub.add_parser("create-city", help="create a city")
    for flag in ("--name", "--country"):
        p.add_argument(flag, required=True)
    p.add_argument("--region", default="mena")
    p.add_argument("--population-band", default="100k_500k")
    p.set_defaults(func=cmd_create_city)

    p = sub.add_parser("seed-demo", help="create a demo network of cities, users and assessments")
    p.add_argument("--cities", type=int, default=30)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--if-empty", action="store_true", help="do nothing when the database holds cities")
    p.set_defaults(func=cmd_seed_demo)

    p = sub.add_parser("check-production", help="list what makes this install unsafe for real data; exit 1 if anything")
    p.set_defaults(func=cmd_check_production)

    p = sub.add_parser("bootstrap-admin",
                       help="create the first admin from NLC_ADMIN_EMAIL and NLC_ADMIN_PASSWORD when there is none")
    p.set_defaults(func=cmd_bootstrap_admin)

    p = sub.add_parser("export", help="write one assessment's results as XLSX, CSV, PDF or JSON")
    p.add_argument("assessment", type=int, help="assessment id (shown in its page's address)")
    p.add_argument("--out", required=True, help="file to write; its extension picks the format")
    p.add_argument("--format", choices=["xlsx", "csv", "pdf", "json"])
    p.add_argument("--lang", choices=["en", "fr", "ar"], default="en")
    p.add_argument("--as", dest="as_user", metavar="EMAIL", help="act as this account (default: the first admin)")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import", help="import a filled offline answer template (XLSX) into an assessment")
    p.add_argument("assessment", type=int)
    p.add_argument("file")
    p.add_argument("--as", dest="as_user", metavar="EMAIL", help="whose answers these are (default: the first admin)")
    p.add_argument("--label", help="file the answers under a respondent of this name (e.g. a paper questionnaire)")
    p.add_argument("--group", default="municipality", choices=["municipality", "national", "civil_society", "other"])
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("backup", help="write the whole database and uploaded evidence to one file")
    p.add_argument("path")
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p.add_argument("--no-uploads", action="store_true", help="leave the uploaded evidence files out")
    p.set_defaults(func=cmd_backup)

    p = sub.add_parser("restore", help="load a backup into an empty (migrated) database")
    p.add_argument("path")
    p.add_argument("--replace", action="store_true", help="delete what the database holds first")
    p.add_argument("--no-uploads", action="store_true", help="do not write the uploaded evidence files")
    p.set_defaults(func=cmd_restore)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except Exception as e:  # noqa: BLE001 - the CLI promises a one-line reason, never a traceback
        from sqlalchemy.exc import SQLAlchemyError

        if isinstance(e, SQLAlchemyError):
            return _fail(f"database error: {str(e).splitlines()[0]} (did you run `nlc migrate`?)")
        raise


if __name__ == "__main__":
    sys.exit(main())
