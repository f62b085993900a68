"""Recommendations (DESIGN.md §3 rule 7), for many assessments at once.

For each applicable question with a consolidated level, every recommendation whose ``levels``
contains floor(level) (and whose own ``show_if`` holds) applies, with
priority = W_d * w_q * (L - level) / L. Sorted by priority descending, ties in questionnaire order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nlc_toolkit.core.questionnaire import Questionnaire, localized
from nlc_toolkit.core.scoring import Scores, condition_holds


def recommendation_table(q: Questionnaire) -> pd.DataFrame:
    """One row per (recommendation, level it applies at), in questionnaire order."""
    rows = []
    order = 0
    for question in q.questions:
        for index, rec in enumerate(question.recommendations):
            for level in rec.levels:
                rows.append({"question": question.id, "rec": index, "floor": level, "rec_order": order})
            order += 1
    return pd.DataFrame(rows, columns=["question", "rec", "floor", "rec_order"])


def recommendations(scores: Scores) -> pd.DataFrame:
    """Applicable recommendations of every assessment, sorted within each assessment.

    Columns: assessment, question, rec (index within the question), level, priority, rec_order.
    """
    q = scores.questionnaire
    L = float(q.max_level)
    table = scores.questions
    scored = table[table["applicable"] & table["level"].notna()].reset_index()
    scored["floor"] = np.floor(scored["level"]).astype(int)
    recs = recommendation_table(q)
    hits = scored.merge(recs, on=["question", "floor"], how="inner")
    if hits.empty:
        return pd.DataFrame(columns=["assessment", "question", "rec", "level", "priority", "rec_order"])

    # Recommendations with their own show_if (e.g. only where returnees are present).
    context = scores.context
    assessments = pd.Index(hits["assessment"].unique())
    keep = pd.Series(True, index=hits.index)
    for question in q.questions:
        for index, rec in enumerate(question.recommendations):
            if rec.show_if:
                holds = condition_holds(rec.show_if, context, assessments)
                mask = (hits["question"] == question.id) & (hits["rec"] == index)
                if mask.any():
                    keep[mask] = hits.loc[mask, "assessment"].map(holds).fillna(True).astype(bool).to_numpy()
    hits = hits[keep.astype(bool)]

    hits = hits.assign(priority=hits["domain_weight"] * hits["weight"] * (L - hits["level"]) / L)
    hits = hits.sort_values(["assessment", "priority", "rec_order"], ascending=[True, False, True], kind="stable")
    return hits[["assessment", "question", "rec", "level", "priority", "rec_order"]].reset_index(drop=True)


def as_dicts(q: Questionnaire, recs: pd.DataFrame, assessment, lang: str = "en") -> list[dict]:
    """One assessment's recommendations as plain dicts, in priority order."""
    mine = recs[recs["assessment"] == assessment]
    out = []
    for row in mine.itertuples(index=False):
        rec = q.question_by_id[row.question].recommendations[row.rec]
        out.append(
            {
                "question": row.question,
                "priority": float(row.priority),
                "text": localized(rec.text, lang),
                "effort": rec.effort,
                "horizon": rec.horizon,
                "actors": list(rec.actors),
            }
        )
    return out
