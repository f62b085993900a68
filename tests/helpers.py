"""Small builders shared by the tests."""

from __future__ import annotations

import asyncio
import copy
import io
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import yaml
from openpyxl import load_workbook

from nlc_toolkit.core.exports.spreadsheets import answer_template
from nlc_toolkit.core.questionnaire import (
    Questionnaire,
    parse_questionnaire,
    version_key,
)

ROOT = Path(__file__).resolve().parents[1]


def questionnaire_file(questionnaire_id: str, version: str | None = None) -> Path:
    """The file of a shipped questionnaire (questionnaires/<id>-<version>.yaml): its newest
    version, the one new assessments get, unless `version` names another."""
    if version:
        return ROOT / "questionnaires" / f"{questionnaire_id}-{version}.yaml"
    paths = (ROOT / "questionnaires").glob(f"{questionnaire_id}-[0-9]*.yaml")
    return max(paths, key=lambda p: version_key(p.stem[len(questionnaire_id) + 1:]))


def run_coroutine(coro, timeout: float = 60):
    """asyncio.run on a thread of its own: the browser tests leave an event loop running in the
    main thread, and asyncio.run refuses to start inside it."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result(timeout)


def readme_example_text() -> str:
    text = (ROOT / "questionnaires" / "README.md").read_text("utf-8")
    return re.search(r"<!-- example:start -->\n```yaml\n(.*?)```", text, re.S).group(1)


def readme_example() -> dict:
    from nlc_toolkit.core.questionnaire import read_yaml

    return read_yaml(readme_example_text())


def T(s: str) -> dict:
    return {"en": s}


def build(domains: list[dict], levels: int = 4, context: list[dict] | None = None, bands=(0, 50),
          facets: dict[str, list[str]] | None = None) -> Questionnaire:
    """A one-language questionnaire with scale 0..levels; questions need only id/weight/show_if/recs;
    `facets`: facet id -> its question ids."""
    data = {
        "id": "t",
        "version": "1",
        "languages": ["en"],
        "title": T("t"),
        "scale": {"levels": [{"value": v, "label": T(f"L{v}")} for v in range(levels + 1)]},
        "bands": [{"min": m, "label": T(f"band{m}")} for m in bands],
        "context": context or [],
        "domains": [],
    }
    for d in domains:
        dom = {"id": d["id"], "weight": d.get("weight", 1), "title": T(d["id"]), "questions": []}
        for q in d["questions"]:
            question = {
                "id": q["id"],
                "weight": q.get("weight", 1),
                "text": T(q["id"]),
                "levels": {v: T(f"{q['id']} {v}") for v in range(levels + 1)},
                "recommendations": q.get("recs", []),
            }
            if "show_if" in q:
                question["show_if"] = q["show_if"]
            dom["questions"].append(question)
        data["domains"].append(dom)
    if facets:
        data["facets"] = [{"id": f, "title": T(f), "questions": ids} for f, ids in facets.items()]
    return parse_questionnaire(yaml.safe_dump(data, allow_unicode=True), "built.yaml")


def answers(rows: list[tuple]) -> pd.DataFrame:
    """Rows (assessment, respondent, question, answer)."""
    return pd.DataFrame(rows, columns=["assessment", "respondent", "question", "answer"])


def context(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["assessment", "question", "answer"])


def deep(d):
    return copy.deepcopy(d)


def fill_template(q, lang, answers, context=None, edit=None) -> bytes:
    """The answer template of `q` filled in as a person would: `answers` {question: (answer, note)},
    `context` {question: answer}; `edit(workbook)` spoils it further."""
    wb = load_workbook(io.BytesIO(answer_template(q, lang)))
    ws = wb["answers"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value in answers:
            row[4].value, row[5].value = answers[row[0].value]
    for row in wb["profile"].iter_rows(min_row=2):
        if context and row[0].value in context:
            row[3].value = context[row[0].value]
    if edit:
        edit(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


async def drain(events) -> list:
    """Everything an event handler yields or returns, as Reflex would send it (sync or async
    generators, a coroutine, or a plain value)."""
    if hasattr(events, "__aiter__"):
        return [x async for x in events]
    if hasattr(events, "__await__"):
        events = await events
    if events is None:
        return []
    return list(events) if hasattr(events, "__iter__") and not isinstance(events, (dict, str)) else [events]
