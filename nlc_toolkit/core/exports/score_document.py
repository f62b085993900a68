"""The score of one assessment as the JSON document of `nlc score` (DESIGN.md §3)."""

from __future__ import annotations

import pandas as pd

from nlc_toolkit.core.questionnaire import Questionnaire
from nlc_toolkit.core.recommend import as_dicts, recommendations
from nlc_toolkit.core.scoring import score


def score_document(q: Questionnaire, answers: pd.DataFrame, context: pd.DataFrame, assessment="csv") -> dict:
    scores = score(q, answers, context, assessments=[assessment])
    doc = scores.for_assessment(assessment)
    recs = recommendations(scores)
    doc["recommendations"] = [
        {"question": r["question"], "priority": r["priority"], "text": r["text"]} for r in as_dicts(q, recs, assessment)
    ]
    return doc
