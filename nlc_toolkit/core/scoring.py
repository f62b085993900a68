"""The scoring contract of DESIGN.md §3, vectorised with pandas over many assessments at once.

Input tables (one questionnaire version, any number of assessments):
- answers: columns ``assessment, respondent, question, answer``; ``answer`` is a level as a string
  or int ("0".."L"), "na" or "unknown". No row means missing.
- context: columns ``assessment, question, answer`` (city-profile answers; several rows per
  context question are allowed, e.g. one per respondent).

Context with several answers: a ``show_if`` condition on a context question holds when that
question has no answer yet or when *any* of its answers is allowed, so a question is dropped only
when every answer given rules it out (we never hide a question someone said applies).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from nlc_toolkit.core.questionnaire import (
    Band,
    Condition,
    Questionnaire,
    condition_applies,
)

ANSWER_COLUMNS = ["assessment", "respondent", "question", "answer"]
CONTEXT_COLUMNS = ["assessment", "question", "answer"]
DISAGREEMENT_SPREAD = 2


@dataclass
class Scores:
    """Scores of many assessments; every frame is keyed by assessment id."""

    questionnaire: Questionnaire
    # One row per (assessment, question): level, status, spread, disagreement, applicable,
    # domain, weight, domain_weight, order.
    questions: pd.DataFrame
    # Rows: assessments; columns: domain ids in questionnaire order; NaN where null.
    domains: pd.DataFrame
    overall: pd.Series
    completeness: pd.Series
    band: pd.Series  # English band label or None
    context: pd.DataFrame  # the context answers scored with (recommendations' show_if needs them)
    # The answers scored, one row per respondent answer to a question of this questionnaire, with
    # any further columns they came with (the database's carry the respondent's group).
    answers: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ANSWER_COLUMNS))
    # Rows: assessments; columns: the questionnaire's facet ids (sub-scores across domains, such as
    # the national-local interface); NaN where none of a facet's questions has a level.
    facets: pd.DataFrame = field(default_factory=pd.DataFrame)

    def band_of(self, assessment) -> Band | None:
        """The band of an assessment's overall score (rule 6), with its label in every language."""
        return band_of(self.questionnaire, self.overall.get(assessment))

    def for_assessment(self, assessment) -> dict:
        """One assessment's result as plain Python values (None for null)."""
        q = self.questionnaire
        rows = self.questions.loc[assessment] if assessment in self.questions.index else None
        return {
            "overall": _none(self.overall.get(assessment)),
            "band": self.band.get(assessment),
            "completeness": _none(self.completeness.get(assessment)),
            "domains": {d.id: _none(self.domains.at[assessment, d.id]) for d in q.domains},
            # Only where the questionnaire declares facets: the scoring contract's output is unchanged otherwise.
            **({"facets": {f.id: _none(self.facets.at[assessment, f.id]) for f in q.facets}} if q.facets else {}),
            "questions": {
                qid: {
                    "level": _none(row.level),
                    "status": row.status,
                    "spread": _none(row.spread),
                }
                for qid, row in (rows.iterrows() if rows is not None else [])
            },
        }


def _none(value):
    if value is None:
        return None
    if isinstance(value, (float, np.floating)) and np.isnan(value):
        return None
    return float(value) if isinstance(value, (np.floating, np.integer, int)) else value


def band_positions(q: Questionnaire, overall: pd.Series) -> np.ndarray:
    """Rule 6, the one place it is written: for each score, the index in `q.bands` of the highest
    band whose min <= score; -1 where there is no score."""
    mins = np.array([b.min for b in q.bands], dtype=float)
    values = pd.to_numeric(pd.Series(overall, dtype=object), errors="coerce").astype(float)
    idx = np.searchsorted(mins, values.fillna(-1.0).to_numpy(), side="right") - 1
    return np.where(values.notna().to_numpy() & (idx >= 0), idx, -1)


def band_of(q: Questionnaire, overall) -> Band | None:
    """The band of one overall score (None for no score)."""
    index = int(band_positions(q, pd.Series([overall]))[0])
    return q.bands[index] if index >= 0 else None


def question_table(q: Questionnaire) -> pd.DataFrame:
    """Static facts of every question, in questionnaire order."""
    rows = [
        {
            "question": question.id,
            "domain": domain.id,
            "weight": float(question.weight),
            "domain_weight": float(domain.weight),
            "order": order,
        }
        for order, (domain, question) in enumerate((d, x) for d in q.domains for x in d.questions)
    ]
    return pd.DataFrame(rows).set_index("question")


def context_by_assessment(context: pd.DataFrame, only=None) -> dict:
    """The context answers of every assessment: {assessment: {context id: {answers}}}, the shape
    the show_if rule of core.questionnaire takes; `only`: keep these context ids only."""
    if only is not None:
        context = context[context["question"].isin(list(only))]
    out: dict = {}
    rows = zip(context["assessment"].tolist(), context["question"].tolist(), context["answer"].astype(str).tolist())
    for assessment, question, answer in rows:
        out.setdefault(assessment, {}).setdefault(question, set()).add(answer)
    return out


def _condition_ids(conditions) -> set[str]:
    return {context_id for condition in conditions for context_id in (condition or {})}


def condition_holds(condition: Condition | None, context: pd.DataFrame, assessments: pd.Index) -> pd.Series:
    """Whether a show_if condition holds, for every assessment at once."""
    given = context_by_assessment(_context_frame(context), _condition_ids([condition]))
    return pd.Series([condition_applies(condition, given.get(a, {})) for a in assessments], index=assessments,
                     dtype=bool)


def applicability(q: Questionnaire, context: pd.DataFrame, assessments: pd.Index) -> pd.DataFrame:
    """Boolean frame: rows assessments, columns question ids (the rule of
    core.questionnaire.condition_applies, evaluated once per distinct condition)."""
    given = context_by_assessment(_context_frame(context), _condition_ids(x.show_if for x in q.questions))
    answers = [given.get(a, {}) for a in assessments]
    cache: dict[str, np.ndarray] = {}
    columns = {}
    for question in q.questions:
        key = repr(sorted((question.show_if or {}).items()))
        if key not in cache:
            cache[key] = np.fromiter((condition_applies(question.show_if, x) for x in answers), dtype=bool,
                                     count=len(answers))
        columns[question.id] = cache[key]
    return pd.DataFrame(columns, index=assessments)


def _context_frame(context: pd.DataFrame | None) -> pd.DataFrame:
    if context is None or len(context) == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in CONTEXT_COLUMNS})
    return context[CONTEXT_COLUMNS]


def consolidate(answers: pd.DataFrame, keys: list[str] | None = None) -> pd.DataFrame:
    """Consolidate answers over respondents (DESIGN.md §3 rule 2).

    Groups by ``keys`` (default assessment, question) and returns level (median of levels),
    has_na, has_unknown, spread (max - min level), n_levels.
    """
    keys = keys or ["assessment", "question"]
    answer = answers["answer"].astype(str).str.strip().str.lower()
    frame = answers[keys].copy()
    frame["lvl"] = pd.to_numeric(answer.where(answer.str.fullmatch(r"\d+")), errors="coerce")
    frame["is_na"] = answer.eq("na")
    frame["is_unknown"] = answer.eq("unknown")
    grouped = frame.groupby(keys, sort=False)
    # One reduction per column rather than agg() with named aggregations: the same numbers in
    # half the time (a dashboard consolidates three times per read).
    levels = grouped["lvl"]
    return pd.DataFrame({
        "level": levels.median(),
        "n_levels": levels.count(),
        "has_na": grouped["is_na"].any(),
        "has_unknown": grouped["is_unknown"].any(),
        "spread": levels.max() - levels.min(),
    })


def score(
    q: Questionnaire,
    answers: pd.DataFrame,
    context: pd.DataFrame | None = None,
    assessments: list | pd.Index | None = None,
) -> Scores:
    """Score every assessment found in ``answers`` (or listed in ``assessments``)."""
    given = answers if len(answers) else pd.DataFrame(columns=ANSWER_COLUMNS)
    given = given[given["question"].isin(q.question_by_id)]
    answers = given[ANSWER_COLUMNS]
    if assessments is None:
        ids = pd.unique(pd.concat([answers["assessment"], _context_frame(context)["assessment"]]))
        assessments = pd.Index(ids, name="assessment")
    assessments = pd.Index(assessments, name="assessment")
    L = float(q.max_level)
    qtable = question_table(q)

    # Grid of every (assessment, question), in questionnaire order.
    grid = pd.MultiIndex.from_product([assessments, qtable.index], names=["assessment", "question"])
    consolidated = consolidate(answers).reindex(grid)
    table = consolidated.join(qtable, on="question")
    applicable = applicability(q, _context_frame(context), assessments).stack()
    applicable.index.names = ["assessment", "question"]
    table["applicable"] = applicable.reindex(grid).fillna(True).astype(bool).to_numpy()

    has_level = table["level"].notna()
    table["status"] = np.select(
        [
            ~table["applicable"],
            has_level,
            table["has_na"].fillna(False).astype(bool),
            table["has_unknown"].fillna(False).astype(bool),
        ],
        ["not_applicable", "level", "na", "unknown"],
        default="missing",
    )
    scored = table["applicable"] & has_level
    table.loc[~table["applicable"], ["level", "spread"]] = np.nan
    table["spread"] = table["spread"].where(scored)
    table["disagreement"] = (table["spread"] >= DISAGREEMENT_SPREAD).fillna(False)

    # Rule 3: domain scores.
    w = table["weight"].where(scored, 0.0)
    part = pd.DataFrame(
        {
            "num": (w * table["level"].fillna(0.0) / L).to_numpy(),
            "den": w.to_numpy(),
            "assessment": table.index.get_level_values("assessment"),
            "domain": table["domain"].to_numpy(),
        }
    ).reset_index(drop=True)
    sums = part.groupby(["assessment", "domain"], sort=False)[["num", "den"]].sum()
    domain_scores = (100.0 * sums["num"] / sums["den"].where(sums["den"] > 0)).unstack("domain")
    domain_scores = domain_scores.reindex(index=assessments, columns=[d.id for d in q.domains])

    # Facets: scored as a domain is (rule 3), over the questions each one names, across domains.
    facet_scores = pd.DataFrame(index=assessments)
    num = w * table["level"].fillna(0.0) / L
    question_ids = table.index.get_level_values("question")
    for facet in q.facets:
        inside = question_ids.isin(facet.questions)
        n = num[inside].groupby(level="assessment", sort=False).sum()
        d = w[inside].groupby(level="assessment", sort=False).sum()
        facet_scores[facet.id] = (100.0 * n / d.where(d > 0)).reindex(assessments)

    # Rule 4: overall.
    W = pd.Series({d.id: float(d.weight) for d in q.domains})
    present = domain_scores.notna()
    weight_sum = present.mul(W, axis=1).sum(axis=1)
    overall = (domain_scores.fillna(0.0).mul(W, axis=1).sum(axis=1) / weight_sum.where(weight_sum > 0)).rename(
        "overall"
    )

    # Rule 5: completeness.
    done = table["applicable"] & (has_level | (table["status"] == "na"))
    counts = pd.DataFrame({"done": done, "applicable": table["applicable"]}).groupby(level="assessment", sort=False).sum()
    completeness = (counts["done"] / counts["applicable"].where(counts["applicable"] > 0)).reindex(assessments)

    # Rule 6: band (English label), the highest band whose min <= score.
    labels = np.array([b.label.get("en") or next(iter(b.label.values())) for b in q.bands], dtype=object)
    idx = band_positions(q, overall)
    band = pd.Series(np.where(idx >= 0, labels[np.clip(idx, 0, None)], None), index=assessments, dtype=object)

    table = table.drop(columns=["has_na", "has_unknown"])
    return Scores(
        questionnaire=q,
        questions=table,
        domains=domain_scores,
        overall=overall,
        completeness=completeness.rename("completeness"),
        band=band.rename("band"),
        context=_context_frame(context),
        answers=given,
        facets=facet_scores,
    )
