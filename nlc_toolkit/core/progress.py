"""Progress of one assessment as the answering page shows it, computed without scoring it.

Which questions apply comes from core.questionnaire (the show_if rule, shared with core.scoring);
what counts as done is rule 5 of core.scoring (completeness), written here for one assessment in
plain Python so a click on a level never runs pandas. tests/services/test_answer_path.py checks
that both give the same numbers on random answers."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping

from nlc_toolkit.core.questionnaire import Domain

_DIGITS = re.compile(r"\d+")


def _canonical(value) -> str:
    return str(value).strip().lower()


def is_level(value) -> bool:
    """A level ("0".."L"), as core.scoring reads an answer (ASCII digits only)."""
    text = _canonical(value)
    return text.isascii() and _DIGITS.fullmatch(text) is not None


def is_done(values: Collection[str]) -> bool:
    """Rule 5 (completeness): a question is done once any respondent gave it a level or said
    "not applicable"; "don't know" and a note without a level are not done."""
    return any(is_level(v) or _canonical(v) == "na" for v in values)


def completeness(applicable: Collection[str], answers: Mapping[str, Collection[str]]) -> float | None:
    """Share of the applicable questions that are done, over every respondent's answers
    (question id -> the values given); None when nothing applies."""
    if not applicable:
        return None
    return sum(1 for i in applicable if is_done(answers.get(i, ()))) / len(applicable)


def domain_progress(domain: Domain, applicable: Collection[str], mine: Mapping[str, str]) -> dict:
    """One domain as the page's progress shows it, for one respondent's answers (question id ->
    stored value; "" is a note without a level): the applicable ids in questionnaire order, how
    many of them this respondent answered (N/A and "don't know" are answers) and which not."""
    ids = [x.id for x in domain.questions if x.id in applicable]
    unanswered = [i for i in ids if not mine.get(i)]
    return {"id": domain.id, "title": dict(domain.title), "total": len(ids), "answered": len(ids) - len(unanswered),
            "ids": ids, "unanswered": unanswered}
