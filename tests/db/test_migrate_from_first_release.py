"""A database made by the first release keeps every row when it is migrated to head (issue 16), on
SQLite and on PostgreSQL.

The database is built at revision 0001 only, its rows written with SQL against the tables as 0001
made them (reflected at that revision, never the ORM models, which describe head): both shipped
1.0.0 questionnaires with their real text and checksum, cities, accounts, assessments in every
status, respondents of every group, answers with notes in French and Arabic and evidence, city
profiles and audit events. Then it is migrated to head and read back with plain SQL: every row of
every 0001 table, column by column, the columns later migrations added with their documented
values (0002 last_section, 0006 the security flags and the `invited` backfill, 0008 carried_over),
the tables they added empty (0007 had no stored score to pack: 0001 stored none). Last, the app
works on the migrated rows: `nlc migrate`'s questionnaire sync, the assessment page, the report
(scored as the inserted answers score), an answer, an approval (a packed stored score) and a next
round on questionnaire 1.1.0.

On SQLite this test found that 0006 could not migrate such a database: batch mode re-creates
app_user and respondent to add their columns, and with foreign keys enforced dropping the old
table failed (users referred to by respondents: the upgrade stopped at 0005, its copy left behind)
or cascaded (answers of guest respondents: deleted). Migrations now run with SQLite's foreign keys
unenforced (db/migrations/env.py), and a copy a failed upgrade left behind is dropped."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest
from sqlalchemy import MetaData, func, select, text

from nlc_toolkit.core import questionnaire as qn
from nlc_toolkit.core.policy import Actor
from nlc_toolkit.core.scoring import score
from nlc_toolkit.db import repo
from nlc_toolkit.db.migrate import head_revision, upgrade
from nlc_toolkit.db.models import AssessmentScore, ScoreLayout, StatusChange
from nlc_toolkit.db.session import get_engine, session_scope
from nlc_toolkit.services import assessments, network, results
from tests.helpers import ROOT

FIRST = "0001"
# Every table 0001 made, parents first (the order rows are written in).
FIRST_TABLES = ("city", "questionnaire_version", "app_user", "assessment", "respondent", "answer", "context_answer",
                "audit_event")
# What later migrations add to those tables, with the value every migrated row must get. A new
# migration that adds a column to a 0001 table adds it here with its default or backfill.
ADDED_COLUMNS = {
    "respondent": {"last_section": "", "invited": None},  # 0002; 0006 (backfilled: see EXPECTED_INVITED)
    "app_user": {"must_change_password": False, "password_expires_at": None, "password_is_demo": False},  # 0006
    "assessment": {"carried_over": None},  # 0008: SQL NULL, checked as such below
}
# Tables later migrations create: a first-release database has nothing to put in them.
NEW_TABLES = ("status_change", "user_session", "action", "assessment_score", "workshop", "participant", "vote",
              "login_throttle", "facilitator_city", "score_layout")

QUICK_TEXT = (ROOT / "questionnaires" / "nlc-quick-scan-1.0.0.yaml").read_text("utf-8")
DETAILED_TEXT = (ROOT / "questionnaires" / "nlc-detailed-1.0.0.yaml").read_text("utf-8")
ARGON2 = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0c2FsdA$0J9PyD0QaAxLdRTTxqLq3xG4Gz3vDWGgZlH8GiJ5Y7E"


def at(day: int, hour: int = 9, minute: int = 0, second: int = 0, micro: int = 0, month: int = 11) -> datetime:
    """A first-release timestamp (naive UTC, as the app stores them), microseconds included."""
    return datetime(2025, month, day, hour, minute, second, micro)


NOTE_FR = ("Délibération du conseil communal n° 2024-17 : la « cellule de veille » est opérationnelle depuis "
           "l'été ; réunions mensuelles avec la préfecture.\nÀ revoir après l'évaluation de décembre.")
NOTE_AR = "قرار المجلس الجماعي رقم 17 لسنة 2024: خلية اليقظة تعمل منذ الصيف، واجتماعات شهرية مع الولاية."
NOTE_MIXED = "Point focal désigné au ministère — نقطة اتصال معينة بالوزارة (courrier du 3 mars)."
LINK = {"kind": "link", "url": "https://tanger.example.ma/deliberations/2024-17.pdf"}


def _file(assessment_id: int, name: str) -> dict:
    return {"kind": "file", "name": name, "path": f"evidence/{assessment_id}/{'ab12' * 8}-{name}"}


def _insert(conn, table, row: dict) -> dict:
    """Write one row as the first release did (the database picks the id) and return it whole."""
    new_id = conn.execute(table.insert().returning(table.c.id), row).scalar_one()
    return {"id": new_id, **row}


def _first_release_rows(conn, t) -> dict[str, list[dict]]:
    """A small but complete first-release database; every row as written, with its id."""
    rows: dict[str, list[dict]] = {name: [] for name in FIRST_TABLES}

    def add(table: str, **row) -> dict:
        written = _insert(conn, t[table], row)
        rows[table].append(written)
        return written

    quick = add("questionnaire_version", questionnaire_id="nlc-quick-scan", version="1.0.0",
                checksum=qn.checksum(QUICK_TEXT), content=QUICK_TEXT, loaded_at=at(1, 8, 0, 1, 250000))
    detailed = add("questionnaire_version", questionnaire_id="nlc-detailed", version="1.0.0",
                   checksum=qn.checksum(DETAILED_TEXT), content=DETAILED_TEXT, loaded_at=at(1, 8, 0, 2, 1))

    def city(name, country, region, band, active=True, day=2):
        return add("city", name=name, country=country, region=region, population_band=band, active=active,
                   created_at=at(day, 10, 15, 0, 123456))

    tangier = city("Tangier", "Morocco", "mena", "500k_1m")
    sousse = city("Sousse", "Tunisia", "mena", "500k_1m")
    etienne = city("Saint-Étienne", "France", "europe", "100k_500k")
    mechelen = city("Mechelen", "Belgium", "europe", "under_100k", active=False, day=3)

    def user(email, role, city_row, name, language="en", **more):
        row = {"email": email, "password_hash": ARGON2, "role": role, "city_id": city_row["id"] if city_row else None,
               "display_name": name, "language": language, "active": True, "failed_logins": 0, "locked_until": None,
               "created_at": at(2, 11, 0, 0, 500)} | more
        return add("app_user", **row)

    admin = user("admin@nlc.example", "admin", None, "Network admin")
    staff = user("amina.benali@nlc.example", "network_staff", None, "Amina Benali", "fr")
    editor = user("y.elamrani@tanger.example.ma", "city_editor", tangier, "يوسف العمراني", "ar")
    viewer = user("claire.dubois@tanger.example.ma", "city_viewer", tangier, "Claire Dubois", "fr", failed_logins=3)
    sousse_editor = user("hedi.trabelsi@sousse.example.tn", "city_editor", sousse, "Hédi Trabelsi", "fr",
                         locked_until=at(20, 17, 45, 30, 999999))
    user("trainer@nlc.example", "facilitator", None, "Workshop trainer", active=False)

    def assessment(city_row, version, year, status, created, updated):
        return add("assessment", city_id=city_row["id"], questionnaire_version_id=version["id"], year=year, round=1,
                   status=status, created_at=created, updated_at=updated)

    a1 = assessment(tangier, quick, 2024, "approved", at(4, 9, 30), at(18, 16, 2, 7, 654321))
    a2 = assessment(tangier, quick, 2025, "draft", at(21, 9, 0), at(21, 10, 11, 12, 131415))
    a3 = assessment(sousse, quick, 2025, "submitted", at(5), at(19, 12))
    a4 = assessment(etienne, detailed, 2025, "returned", at(6), at(22, 8, 5))
    a5 = assessment(mechelen, quick, 2023, "approved", at(7), at(8))

    def respondent(a, label, group, user_row=None, day=10):
        return add("respondent", assessment_id=a["id"], user_id=user_row["id"] if user_row else None, label=label,
                   group=group, created_at=at(day, 14, 0, 0, 42))

    r_editor = respondent(a1, "Commune de Tanger — يوسف العمراني", "municipality", editor)
    r_ministry = respondent(a1, "Ministère de l'Intérieur — DGCL", "national", staff)
    r_cso = respondent(a1, "Association Tanja Al-Mostakbal", "civil_society")
    r_viewer = respondent(a1, "Claire Dubois", "municipality", viewer)
    r_editor2 = respondent(a2, "Commune de Tanger", "municipality", editor, day=21)
    r_peer = respondent(a2, "Hédi Trabelsi (Sousse, pair)", "other", sousse_editor, day=21)
    r_sousse = respondent(a3, "Municipalité de Sousse", "municipality", sousse_editor)
    r_wilaya = respondent(a3, "الولاية — خلية اليقظة", "national")
    r_admin = respondent(a4, "Network admin", "other", admin)
    r_prefecture = respondent(a4, "Préfecture de la Loire", "national")
    r_workshop = respondent(a5, "Atelier du 8 novembre (12 participants)", "municipality")

    def answer(r, question, value, note="", evidence=(), day=12, micro=0):
        return add("answer", respondent_id=r["id"], question_id=question, value=value, note=note,
                   evidence=list(evidence), updated_at=at(day, 15, 30, 0, micro))

    answer(r_editor, "mandate.formal_mandate", "2", NOTE_FR, [LINK, _file(a1["id"], "deliberation-2024-17.pdf")],
           micro=1)
    answer(r_editor, "mandate.lead_office", "1", NOTE_AR)
    answer(r_editor, "mandate.political_leadership", "3")
    answer(r_editor, "nlc_structures.national_consultation", "na", "Pas de plan national adopté.")
    answer(r_editor, "trust.between_levels", "unknown")
    answer(r_editor, "strategy.local_plan", "", "", [LINK])  # evidence only: no level yet
    answer(r_editor, "referral.pathway", "0", "Aucun circuit d'orientation formalisé.")
    answer(r_ministry, "mandate.formal_mandate", "3", NOTE_MIXED)
    answer(r_ministry, "mandate.lead_office", "3")
    answer(r_ministry, "trust.between_levels", "2", "ثقة متبادلة بين المستويين")
    answer(r_cso, "mandate.formal_mandate", "1", "Nous n'avons jamais vu la délibération.")
    answer(r_cso, "community.civil_society_role", "2", "", [{"kind": "link", "url": "https://tanja.example.org/"}])
    answer(r_viewer, "youth.participation", "1")
    answer(r_editor2, "mandate.formal_mandate", "3", NOTE_FR, day=21)
    answer(r_peer, "mandate.formal_mandate", "2", "Vu lors de la visite d'échange.", day=21)
    answer(r_sousse, "mandate.formal_mandate", "2", day=15)
    answer(r_sousse, "coordination.network", "1", "شبكة محلية في طور الإنشاء", day=15)
    answer(r_wilaya, "coordination.network", "2", day=16)
    answer(r_admin, "mandate.written_remit", "4", day=17)
    answer(r_prefecture, "mandate.written_remit", "5", "Arrêté préfectoral du 2 mai.", day=17)
    answer(r_prefecture, "mandate.lead_unit", "na", day=17)
    answer(r_workshop, "mandate.formal_mandate", "1", "Consensus de l'atelier.", day=8)

    def context(a, question, value, day=11):
        add("context_answer", assessment_id=a["id"], question_id=question, value=value, updated_at=at(day, 9, 1))

    context(a1, "population_band", "500k_1m")
    context(a1, "region", "mena")
    context(a1, "national_action_plan", "no")  # hides nlc_structures.national_consultation
    context(a1, "returnees_present", "yes")
    context(a3, "migration_inflows", "significant")
    context(a4, "local_prevention_network", "being_set_up")

    def event(action, entity, entity_id, user_row=None, day=12, **detail):
        add("audit_event", at=at(day, 15, 30, 0, 7), user_id=user_row["id"] if user_row else None, action=action,
            entity=entity, entity_id=str(entity_id), detail=detail)

    event("register", "questionnaire", "nlc-quick-scan@1.0.0", day=1, checksum=quick["checksum"])
    event("create", "user", editor["id"], admin, day=2, email=editor["email"], role="city_editor")
    event("answer", "answer", rows["answer"][0]["id"], editor, respondent_id=r_editor["id"],
          question="mandate.formal_mandate", old=None, new="2")
    event("answer", "answer", rows["answer"][1]["id"], editor, respondent_id=r_editor["id"],
          question="mandate.lead_office", old="2", new="1")
    event("status", "assessment", a1["id"], staff, day=18, old="submitted", new="approved",
          comment="Validé — تمت المصادقة")
    event("login_failed", "user", viewer["id"], day=19, email=viewer["email"], attempts=3)
    event("seed", "database", "", day=1)  # no user, empty entity id, empty detail
    return rows


def _snapshot(conn, tables, columns: dict[str, list[str]]) -> dict[str, dict[int, dict]]:
    """Every row of the given tables, by id, with the given columns, read with plain SQL."""
    out = {}
    for name, names in columns.items():
        table = tables[name]
        query = select(*(table.c[c] for c in names)).order_by(table.c.id)
        out[name] = {row["id"]: dict(row) for row in conn.execute(query).mappings()}
    return out


def _differences(before: dict[int, dict], after: dict[int, dict], table: str) -> list[str]:
    """Each row lost, added or changed, named by table, id and column."""
    found = [f"{table} #{i}: lost" for i in before.keys() - after.keys()]
    found += [f"{table} #{i}: appeared" for i in after.keys() - before.keys()]
    for i in sorted(before.keys() & after.keys()):
        found += [f"{table} #{i}.{c}: {before[i][c]!r} became {after[i].get(c)!r}"
                  for c in before[i] if before[i][c] != after[i].get(c)]
    return found


# 0006's backfill of respondent.invited, as shipped: a row grants access on its own when its
# account is a `respondent`, or has no city or another city than the assessment's.
EXPECTED_INVITED = {
    "Commune de Tanger — يوسف العمراني": False,  # the city's editor, who answered as such
    "Ministère de l'Intérieur — DGCL": True,  # network staff: no city
    "Association Tanja Al-Mostakbal": False,  # a guest (no account)
    "Claire Dubois": False,  # a viewer of the city: its role and city give it the assessment
    "Commune de Tanger": False,
    "Hédi Trabelsi (Sousse, pair)": True,  # an editor of another city
    "Municipalité de Sousse": False,
    "الولاية — خلية اليقظة": False,
    "Network admin": True,  # no city
    "Préfecture de la Loire": False,
    "Atelier du 8 novembre (12 participants)": False,
}


@pytest.fixture
def first_release(db_url):
    """A first-release database (revision 0001) with its rows, migrated to head:
    (rows as written, the 0001 snapshot, the 0001 columns of each table)."""
    network.forget_cached_frames()
    upgrade(db_url, FIRST)
    engine = get_engine()
    old = MetaData()
    old.reflect(engine)
    assert set(old.tables) == {*FIRST_TABLES, "alembic_version"}
    columns = {name: [c.name for c in old.tables[name].columns] for name in FIRST_TABLES}
    with engine.begin() as conn:
        rows = _first_release_rows(conn, old.tables)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT version_num FROM alembic_version")) == FIRST
        before = _snapshot(conn, old.tables, columns)
    # What 0001 holds is exactly what was written (so comparing with it below compares with the data).
    assert before == {name: {row["id"]: row for row in rows[name]} for name in FIRST_TABLES}
    upgrade(db_url)
    yield rows, before, columns
    network.forget_cached_frames()


def test_every_first_release_row_survives_the_migration_to_head(first_release):
    rows, before, columns = first_release
    engine = get_engine()
    head = MetaData()
    head.reflect(engine)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT version_num FROM alembic_version")) == head_revision()
        counts = {name: conn.scalar(select(func.count()).select_from(head.tables[name])) for name in FIRST_TABLES}
        after = _snapshot(conn, head.tables, columns)
        added = _snapshot(conn, head.tables, {name: ["id", *extra] for name, extra in ADDED_COLUMNS.items()})
        new_rows = {name: conn.scalar(select(func.count()).select_from(head.tables[name])) for name in NEW_TABLES}
        carried_not_null = conn.scalar(text("SELECT count(*) FROM assessment WHERE carried_over IS NOT NULL"))

    diffs = [d for name in FIRST_TABLES for d in _differences(before[name], after[name], name)]
    assert not diffs, "the migration lost or changed first-release data:\n" + "\n".join(diffs)
    assert counts == {name: len(rows[name]) for name in FIRST_TABLES}
    # Nothing was dropped from, and only the listed columns were added to, a first-release table.
    for name in FIRST_TABLES:
        assert set(head.tables[name].columns.keys()) == {*columns[name], *ADDED_COLUMNS.get(name, {})}, name

    # The added columns, on every migrated row.
    invited = {r["id"]: EXPECTED_INVITED[r["label"]] for r in rows["respondent"]}
    assert len(invited) == len(EXPECTED_INVITED)
    for name, defaults in ADDED_COLUMNS.items():
        for row_id, row in added[name].items():
            expected = {"id": row_id, **defaults}
            if name == "respondent":
                expected["invited"] = invited[row_id]
            assert row == expected, (name, row_id)
    assert carried_not_null == 0  # SQL NULL, not a JSON null
    assert new_rows == {name: 0 for name in NEW_TABLES}
    if engine.dialect.name == "sqlite":  # the re-created tables still refer to what they did
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # the app's connections enforce them


def _actor(rows, email: str) -> Actor:
    user = next(u for u in rows["app_user"] if u["email"] == email)
    return Actor(user_id=user["id"], role=user["role"], city_id=user["city_id"])


def _inserted_scores(rows, assessment_id: int):
    """The scores of an assessment computed straight from the rows as written (no database)."""
    a = next(x for x in rows["assessment"] if x["id"] == assessment_id)
    version = next(v for v in rows["questionnaire_version"] if v["id"] == a["questionnaire_version_id"])
    q = qn.parse_questionnaire(version["content"], version["questionnaire_id"])
    respondents = {r["id"]: r for r in rows["respondent"] if r["assessment_id"] == assessment_id}
    answers = pd.DataFrame([{"assessment": assessment_id, "respondent": x["respondent_id"],
                             "group": respondents[x["respondent_id"]]["group"], "question": x["question_id"],
                             "answer": x["value"]} for x in rows["answer"] if x["respondent_id"] in respondents])
    context = pd.DataFrame([{"assessment": assessment_id, "question": c["question_id"], "answer": c["value"]}
                            for c in rows["context_answer"] if c["assessment_id"] == assessment_id],
                           columns=["assessment", "question", "answer"])
    return q, score(q, answers, context, assessments=[assessment_id])


def test_the_app_works_on_the_migrated_rows(first_release):
    rows, _, _ = first_release
    ids = {(a["city_id"], a["year"]): a["id"] for a in rows["assessment"]}
    city = {c["name"]: c["id"] for c in rows["city"]}
    a1, a2, a3 = ids[(city["Tangier"], 2024)], ids[(city["Tangier"], 2025)], ids[(city["Sousse"], 2025)]
    editor = _actor(rows, "y.elamrani@tanger.example.ma")
    staff = _actor(rows, "amina.benali@nlc.example")

    # `nlc migrate` then registers the questionnaire files: the stored 1.0.0 texts are the files'
    # (same checksum, no conflict), the 1.1.0 versions are added.
    with session_scope() as s:
        synced = {(v.questionnaire_id, v.version): v.id for v in repo.sync_questionnaires(s)}
    stored = {(v["questionnaire_id"], v["version"]): v["id"] for v in rows["questionnaire_version"]}
    assert stored.items() <= synced.items() and len(synced) == 4

    # The assessment page of the approved 2024 round, as the city's editor sees it.
    with session_scope() as s:
        page = assessments.view(s, editor, a1)
    assert (page["city"], page["year"], page["round"], page["status"]) == ("Tangier", 2024, 1, "approved")
    mine = {x["question_id"]: {"value": x["value"], "note": x["note"], "evidence": x["evidence"]}
            for x in rows["answer"] if x["respondent_id"] == rows["respondent"][0]["id"]}
    assert page["answers"] == mine and page["answers"]["mandate.lead_office"]["note"] == NOTE_AR
    assert [r["label"] for r in page["respondents"]] == [r["label"] for r in rows["respondent"][:4]]
    assert page["context"] == {c["question_id"]: c["value"] for c in rows["context_answer"] if c["assessment_id"] == a1}
    assert page["history"] == [] and page["carried_over"] == {} and not page["can_answer"]
    # Its report: scored as the answers written at 0001 score, every answer and note there.
    q, expected = _inserted_scores(rows, a1)
    with session_scope() as s:
        report = results.report(s, editor, a1)
    assert report.overall is not None and report.overall == pytest.approx(expected.overall[a1])
    assert report.completeness == pytest.approx(expected.completeness[a1])
    assert {d.id: d.score for d in report.domains} == pytest.approx(expected.for_assessment(a1)["domains"])
    assert {x.id: x.status for x in report.questions}["nlc_structures.national_consultation"] == "not_applicable"
    labels = {r["id"]: r["label"] for r in rows["respondent"] if r["assessment_id"] == a1}
    assert sorted((x.respondent, x.question, x.answer, x.note) for x in report.answers) == sorted(
        (labels[x["respondent_id"]], x["question_id"], x["value"], x["note"])
        for x in rows["answer"] if x["respondent_id"] in labels)
    assert {g.question: set(g.levels) for g in report.by_group}["mandate.formal_mandate"] == {
        "municipality", "national", "civil_society"}

    # The migrated rows take new writes: an answer to the draft (ids from the database's own
    # sequences), the approval of Sousse's submitted round (a packed stored score)...
    with session_scope() as s:
        assessments.answer(s, editor, a2, "mandate.lead_office", "2")
        assessments.review(s, staff, a3, approve=True, comment="")
    with session_scope() as s:
        stored_score = s.get(AssessmentScore, a3)
        assert stored_score.packed and s.get(ScoreLayout, stored_score.layout) is not None
        assert [(c.from_status, c.to_status) for c in s.scalars(select(StatusChange))] == [("submitted", "approved")]
        report2 = results.report(s, editor, a2)
    assert report2.previous.year == 2024 and report2.previous.overall == pytest.approx(report.overall)
    assert report2.peer_count == 1  # Sousse, same region and size, now approved
    # ... and a next round of 2024's, on questionnaire 1.1.0, carrying its answers, notes and evidence.
    with session_scope() as s:
        copy = assessments.new_round(s, editor, a1)
        copy_id = copy.id
    with session_scope() as s:
        page = assessments.view(s, editor, copy_id)
    assert page["carried_over"]["from_id"] == a1 and page["carried_over"]["version"] == "1.1.0"
    assert page["answers"]["mandate.formal_mandate"]["note"] == NOTE_FR
    assert page["answers"]["mandate.formal_mandate"]["evidence"] == mine["mandate.formal_mandate"]["evidence"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_sqlite_upgrade_left_half_way_finishes(db_url):
    """Before migrations ran with SQLite's foreign keys unenforced, 0006 stopped at 0005 on any
    first-release database whose users had answered, leaving its copy of app_user behind. That
    copy is dropped and the upgrade goes on, every row kept."""
    upgrade(db_url, FIRST)
    engine = get_engine()
    old = MetaData()
    old.reflect(engine)
    with engine.begin() as conn:
        rows = _first_release_rows(conn, old.tables)
    upgrade(db_url, "0005")
    with engine.begin() as conn:  # what the failed re-creation of app_user left
        conn.exec_driver_sql("CREATE TABLE _alembic_tmp_app_user AS SELECT * FROM app_user WHERE 0")
    upgrade(db_url)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT version_num FROM alembic_version")) == head_revision()
        tables = conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'table'")).all()
        assert not [name for name in tables if name.startswith("_alembic_tmp_")]
        for name in FIRST_TABLES:
            assert conn.scalar(text(f"SELECT count(*) FROM {name}")) == len(rows[name]), name
