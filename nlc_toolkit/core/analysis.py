"""Results of one assessment beyond the scores: levels per respondent group, the local-national
perception gap, and recommendations grouped for action. Pure pandas; plain values out."""

from __future__ import annotations

import math

import pandas as pd

from nlc_toolkit.core.questionnaire import Questionnaire
from nlc_toolkit.core.scoring import DISAGREEMENT_SPREAD, consolidate

GROUPS = ("municipality", "national", "civil_society", "other")


def num_or_none(value) -> float | None:
    """A plain float, or None for a missing value (None or NaN)."""
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def levels_by_group(q: Questionnaire, answers: pd.DataFrame, applicable: set[str]) -> list[dict]:
    """One row per applicable question: consolidated level of each respondent group (DESIGN §3
    rule 2 applied within the group), the spread over all respondents and the disagreement flag."""
    answers = answers[answers["question"].isin(applicable)]
    # Plain dicts, not .at per question: a pandas lookup costs tens of microseconds, and a
    # dashboard reads every question of every group.
    per_group = consolidate(answers, keys=["question", "group"])["level"].dropna().to_dict() if len(answers) else {}
    spreads = consolidate(answers, keys=["question"])["spread"].to_dict() if len(answers) else {}
    rows = []
    for question in q.questions:
        if question.id not in applicable:
            continue
        levels = {group: float(per_group[(question.id, group)]) for group in GROUPS if (question.id, group) in per_group}
        spread = num_or_none(spreads.get(question.id))
        row = {"question": question.id, "domain": q.domain_of[question.id].id, "levels": levels, "spread": spread,
               "disagreement": spread is not None and spread >= DISAGREEMENT_SPREAD}
        rows.append(row)
    return rows


def perception_gap(rows: list[dict], local: str = "municipality", national: str = "national") -> list[dict]:
    """Questions both sides answered with a level, sorted by the size of the gap (largest first).
    gap > 0: the national side sees more maturity than the city does."""
    gaps = []
    for row in rows:
        a, b = row["levels"].get(local), row["levels"].get(national)
        if a is not None and b is not None:
            gaps.append({"question": row["question"], "domain": row["domain"], "local": a, "national": b, "gap": b - a})
    return sorted(gaps, key=lambda g: (-abs(g["gap"]), g["question"]))


def group_recommendations(recs: list[dict]) -> dict[str, list[dict]]:
    """Split prioritised recommendations into what a city can act on:

    - asks of the national level: the national government is among the actors (for the city's
      dialogue with ministries);
    - quick wins: low effort and priority in the top half;
    - strategic steps: everything else.
    Each list keeps priority order."""
    priorities = sorted((r["priority"] for r in recs), reverse=True)
    threshold = priorities[(len(priorities) - 1) // 2] if priorities else 0.0
    groups = {"quick_wins": [], "strategic": [], "national_asks": []}
    for rec in recs:
        if "national" in rec["actors"]:
            groups["national_asks"].append(rec)
        elif rec["effort"] == "low" and rec["priority"] >= threshold and rec["priority"] > 0:
            groups["quick_wins"].append(rec)
        else:
            groups["strategic"].append(rec)
    return groups
