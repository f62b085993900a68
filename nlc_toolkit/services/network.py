"""The network view: every approved assessment of a questionnaire, compared, for network staff;
and the peer medians a city's report shows.

Reads only. Scores come from db/scores.stored_or_fresh: the score stored at approval where it is
still current, else scored in memory (never written here). On top, the assembled frames are kept
per process under a fingerprint of every fact they carry (each assessment's last update, the
cities' facts), read without parsing, so filtering, sorting and paging cost little."""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from nlc_toolkit.core import network as net
from nlc_toolkit.core import policy as perm
from nlc_toolkit.core.errors import Refused
from nlc_toolkit.core.exports.network import network_file
from nlc_toolkit.core.network import NetworkQuery
from nlc_toolkit.core.policy import Actor
from nlc_toolkit.core.questionnaire import Questionnaire
from nlc_toolkit.core.views import NetworkView, QuestionnaireOption
from nlc_toolkit.db import repo, scores
from nlc_toolkit.db.models import Assessment, City, QuestionnaireVersion

META = ["assessment", "city_id", "city", "country", "region", "population_band", "year", "round", "version", "status"]
DEFAULT_QUESTIONNAIRE = "nlc-quick-scan"
_cache: dict[tuple, tuple[pd.DataFrame, pd.DataFrame, Questionnaire]] = {}


def forget_cached_frames() -> None:
    """Drop this process's assembled frames (a restore replaced the data; tests start clean)."""
    _cache.clear()


def _check(actor: Actor) -> None:
    if not perm.can_compare_cities(actor):
        raise Refused("error.forbidden")


def network_frame(s: Session, actor: Actor, questionnaire_id: str, include_unapproved: bool = False
                  ) -> tuple[pd.DataFrame, pd.DataFrame, Questionnaire | None]:
    """(cities, levels, questionnaire): one row per assessment with city facts, overall,
    completeness and one column per domain; levels: assessment, question, level."""
    _check(actor)
    return _frame(s, questionnaire_id, include_unapproved)


def questionnaire_options(s: Session, actor: Actor) -> list[QuestionnaireOption]:
    """Every stored questionnaire, by id, with its newest version's title (what the picker shows)."""
    _check(actor)
    return [QuestionnaireOption(id=row.questionnaire_id, title=dict(repo.questionnaire_model(row).title))
            for row in repo.latest_questionnaires(s)]


def view(s: Session, actor: Actor, questionnaire_id: str, query: NetworkQuery) -> NetworkView:
    """The network page: `questionnaire_id` if stored, else the default one."""
    options = questionnaire_options(s, actor)
    ids = [o.id for o in options]
    if questionnaire_id not in ids:
        questionnaire_id = (DEFAULT_QUESTIONNAIRE if DEFAULT_QUESTIONNAIRE in ids
                            else ids[0] if ids else "")
    frame, levels, q = _frame(s, questionnaire_id, False)
    return replace(net.network_view(frame, levels, q, query), questionnaire_options=options,
                   questionnaire_id=questionnaire_id)


def export(s: Session, actor: Actor, questionnaire_id: str, query: NetworkQuery, kind: str) -> tuple[bytes, str]:
    """The rows of the network view as a file (kind csv or xlsx) and its name, with the export
    noted in the audit log. Takes a moment for a large network: call it off the event loop."""
    _check(actor)
    kind = kind if kind in ("csv", "xlsx") else "csv"
    record_export(s, actor, questionnaire_id, kind, query.anonymise)
    frame, _, q = _frame(s, questionnaire_id, False)
    data = network_file(net.export_table(frame, q, query), kind)
    slug = re.sub(r"[^a-z0-9.-]+", "-", str(questionnaire_id).lower())[:60] or "network"
    return data, f"nlc-network-{slug}.{kind}"


def peer_medians(s: Session, questionnaire_id: str, city_id: int, region: str, population_band: str) -> dict:
    """Median domain scores of a city's peers (same region and population band, latest approved
    round, the city itself excluded). Aggregates only, so any user of the city may see them."""
    frame, _, q = _frame(s, questionnaire_id, False)
    if q is None:
        return {"n": 0, "domains": {}}
    return net.peer_medians(net.latest_per_city(frame), [d.id for d in q.domains], city_id, region, population_band)


def _frame(s: Session, questionnaire_id: str, include_unapproved: bool):
    s.flush()
    assessments, cities = _fingerprint(s, questionnaire_id, include_unapproved)
    if not assessments:
        return pd.DataFrame(columns=META), pd.DataFrame(columns=scores.LEVEL_COLUMNS), None
    key = (questionnaire_id, include_unapproved, hash(assessments), hash(cities))
    if key not in _cache:
        if len(_cache) >= 8:  # a few questionnaires and filters; never unbounded
            _cache.pop(next(iter(_cache)))
        _cache[key] = _assemble(s, questionnaire_id, include_unapproved)
    frame, levels, q_latest = _cache[key]
    return frame.copy(), levels, q_latest


def _fingerprint(s: Session, questionnaire_id: str, include_unapproved: bool) -> tuple[tuple, tuple]:
    """Every fact the frames carry, as plain rows (nothing parsed): the cache's key. An assessment
    is named by its id and its updated_at, which any change to it moves (its answers, status, year,
    round, city; `onupdate`), whatever the clocks of the workers say; a version's number never
    changes; the cities' own facts are read as they are. Narrower than the frames' own query:
    reading that one's 3,000 rows for 1,000 cities took 8 ms of a 30 ms warm view."""
    versions = select(QuestionnaireVersion.id).where(QuestionnaireVersion.questionnaire_id == questionnaire_id)
    query = select(Assessment.id, cast(Assessment.updated_at, String)).where(Assessment.questionnaire_version_id.in_(versions))
    if not include_unapproved:
        query = query.where(Assessment.status == "approved")
    connection = s.connection()
    assessments = tuple(connection.execute(query).all())
    cities = tuple(connection.execute(select(City.id, City.name, City.country, City.region, City.population_band)).all())
    return assessments, cities


def _assemble(s: Session, questionnaire_id: str, include_unapproved: bool):
    """(frame, levels, latest questionnaire) read afresh: the assessments' facts, their scores
    (db/scores.stored_or_fresh: the stored ones where current, else scored in memory)."""
    query = (select(Assessment.id.label("assessment"), City.id.label("city_id"), City.name.label("city"),
                    City.country, City.region, City.population_band, Assessment.year, Assessment.round,
                    QuestionnaireVersion.version, Assessment.status, Assessment.updated_at,
                    QuestionnaireVersion.id.label("version_id"))
             .join(City, City.id == Assessment.city_id)
             .join(QuestionnaireVersion, QuestionnaireVersion.id == Assessment.questionnaire_version_id)
             .where(QuestionnaireVersion.questionnaire_id == questionnaire_id))
    if not include_unapproved:
        query = query.where(Assessment.status == "approved")
    meta = pd.read_sql(query, s.connection())
    q_latest = repo.questionnaire_model(s.get(QuestionnaireVersion, int(meta["version_id"].max())))
    rows = scores.stored_or_fresh(s, meta[["assessment", "updated_at", "version_id"]])
    frame = meta.drop(columns=["updated_at", "version_id"]).merge(rows.scores, on="assessment", how="left")
    for d in q_latest.domains:
        frame[d.id] = pd.to_numeric(frame[d.id], errors="coerce") if d.id in frame else float("nan")
    for column in ("overall", "completeness"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
    if q_latest.facets:
        frame = frame.merge(net.facet_scores(rows.levels, q_latest), on="assessment", how="left")
    return frame, rows.levels, q_latest


def record_export(s: Session, actor: Actor, questionnaire_id: str, kind: str, anonymised: bool) -> None:
    """Note in the audit log who exported the network view."""
    _check(actor)
    repo.audit(s, "export", "network", str(questionnaire_id)[:100], user_id=actor.user_id,
               kind=kind if kind in ("csv", "xlsx") else "other", anonymised=bool(anonymised))
