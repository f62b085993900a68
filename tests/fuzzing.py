"""The bad input sweep (issue 16), shared by bench/fuzz.py (10,000 inputs per target) and the short
sweeps of the test suite (tests/unit/test_fuzz.py, tests/db/test_fuzz_backup.py).

Four entry points read files that come from outside: the questionnaire loader
(`parse_questionnaire`, `load_questionnaire`), the answers CSV (`read_answers_csv`), the XLSX
template import (`read_template`) and the backup restore (`db.backup.restore`). For each there is a
hypothesis strategy that spoils VALID inputs (random bytes reach nothing: they fail the first
check), and a `Target` whose `classify` calls the entry point and says what happened:

- accepted: it returned a result;
- refused: it raised (or, for the template, returned) its documented refusal with a clear message;
- unhandled: anything else: another exception type, an empty or unreadable message (a bare
  ``'key'``, a repr, a traceback), a refusal that changed the database or wrote a file, or an
  input that took longer than SLOW seconds (a billion laughs or a zip bomb must be refused, not
  expanded).

`sweep(target, n)` runs n generated inputs through hypothesis and returns a `Tally`."""

from __future__ import annotations

import copy
import csv
import functools
import io
import json
import math
import re
import shutil
import struct
import tempfile
import time
import traceback
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlc_toolkit.core.exports.answers_csv import AnswersFileError, read_answers_csv
from nlc_toolkit.core.exports.spreadsheets import (
    ANSWER_COLUMNS,
    PROFILE_COLUMNS,
    answer_template,
    read_template,
)
from nlc_toolkit.core.questionnaire import (
    Questionnaire,
    QuestionnaireError,
    load_questionnaire,
    parse_questionnaire,
)
from nlc_toolkit.i18n import LANGUAGES, translate_message
from tests.helpers import readme_example, readme_example_text

SLOW = 5.0  # seconds: an input that takes longer counts as unhandled (it should be refused early)
LONG_MESSAGE = 1_000  # characters: a refusal longer than this quotes too much of the input to be read
SOURCE = "fuzz.yaml"

# --------------------------------------------------------------------------- outcomes


@dataclass
class Outcome:
    kind: str  # "accepted", "refused" or "unhandled"
    message: str = ""


def unclear(message: Any) -> str | None:
    """Why this refusal message does not tell a person what is wrong, or None when it does."""
    if not isinstance(message, str) or not message.strip():
        return "empty message"
    if "Traceback" in message or " object at 0x" in message or "<class '" in message:
        return "a Python repr or traceback"
    if re.fullmatch(r"\s*('[^']*'|\"[^\"]*\"|\d+|None)\s*", message):
        return "a bare key or value (KeyError text)"
    if len(message) > LONG_MESSAGE:
        return f"{len(message):,} characters long"
    return None


def crashed(e: BaseException) -> Outcome:
    frames = traceback.extract_tb(e.__traceback__)[-3:]
    where = "; ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in frames)
    return Outcome("unhandled", f"{type(e).__name__}: {str(e)[:300]} (at {where})")


def _summary(message: str) -> str:
    """A refusal reduced to its kind, to count the common ones: quoted values, numbers and long
    lists replaced by placeholders."""
    message = message.splitlines()[0] if message else message
    message = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", message)
    message = re.sub(r"\d+", "N", message)
    message = re.sub(r"\(found .*?\)|\(options: .*?\)|got \[.*?\]", "(…)", message)
    return message[:160]


@dataclass
class Tally:
    name: str
    run: int = 0
    accepted: int = 0
    refused: Counter = field(default_factory=Counter)
    unhandled: list[tuple[str, str]] = field(default_factory=list)  # (what happened, the input, shortened)
    seconds: float = 0.0
    slowest: float = 0.0

    def record(self, outcome: Outcome, sample: Any, seconds: float) -> None:
        self.run += 1
        self.slowest = max(self.slowest, seconds)
        if outcome.kind == "accepted":
            self.accepted += 1
        elif outcome.kind == "refused":
            self.refused[_summary(outcome.message)] += 1
        else:
            self.unhandled.append((outcome.message, shorten(sample)))

    def lines(self) -> list[str]:
        out = [f"{self.name}: {self.run:,} inputs, {self.accepted:,} accepted, {sum(self.refused.values()):,} refused, "
               f"{len(self.unhandled)} unhandled, {self.seconds:.1f} s (slowest input {self.slowest:.2f} s)"]
        for message, n in self.refused.most_common(5):
            out.append(f"    refused {n:>6,} x  {message}")
        kinds: dict[str, list[tuple[str, str]]] = {}
        for message, sample in self.unhandled:
            kinds.setdefault(_summary(message), []).append((message, sample))
        for same in sorted(kinds.values(), key=len, reverse=True)[:10]:
            message, sample = same[0]
            out.append(f"    UNHANDLED {len(same):,} x  {message}\n        first input: {sample}")
        return out


def shorten(value: Any, n: int = 300) -> str:
    text = repr(value)
    return text if len(text) <= n else f"{text[:n]}… ({len(text):,} characters)"


# --------------------------------------------------------------------------- shared value strategies

ODD_STRINGS = [
    "", " ", "\t", "yes", "no", "na", "NA", "unknown", "null", "~", "true", "False", "1.0.0", "0", "00", "3", "4",
    "-1", "1e3", ".inf", ".nan", "2001-02-30", "0x1F", "1:2:3", "²", "٣", "१", "Ⅻ", "\u202e", "\u200b", "\ufeff",
    "=1+1", "@SUM(A1)", "+1", "'quoted'", '"', "'", ",", ";", "\n", "\r\n", "\x00", "\x07", "\x85", "\u2028",
    "../../etc/passwd", "/etc/passwd", "C:\\x", "%s%n", "{{7*7}}", "<b>x</b>", "&amp;", "*alias", "&anchor",
    "!!python/object:os.system", "a" * 300, "é" * 100, "ب" * 100, "9" * 5000, "1" + "0" * 400, "x" * 40_000,
]
ODD_NUMBERS = [0, 1, -1, 2, 3, 4, 2**31, 2**31 - 1, 2**63, -(2**63) - 1, 10**30, 10**400, 10**4000,
               0.5, -0.0, 1e308, 1e-308, math.inf, -math.inf, math.nan]

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10),
    st.integers(),
    st.sampled_from(ODD_NUMBERS),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(ODD_STRINGS),
)
SHORT_TEXT = st.text(max_size=8)
CHARACTERS = st.characters()
BINARY = st.binary(min_size=1, max_size=64)
RANDOM_BYTES = st.binary(max_size=2048)
# Positions, counts and which mutation: a plain random generator seeded by hypothesis (one draw per
# input); hypothesis draws the values put in (a draw costs about 30 microseconds, an input makes hundreds of choices).
RANDOM = st.randoms(use_true_random=True)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8) | st.integers(-3, 3), inner,
                                                                max_size=4),
    max_leaves=8,
)


# --------------------------------------------------------------------------- tree mutations (YAML, JSON)


def _paths(tree, prefix=()):
    yield prefix
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            yield from _paths(v, prefix + (i,))


def _get(tree, path):
    for part in path:
        tree = tree[part]
    return tree


def _set(tree, path, value):
    if not path:
        return value
    _get(tree, path[:-1])[path[-1]] = value
    return tree


def _strings(tree) -> list[str]:
    return sorted({v for p in _paths(tree) if isinstance(v := _get(tree, p), str) and len(v) < 60}
                  | {k for p in _paths(tree) if isinstance(d := _get(tree, p), dict) for k in d if isinstance(k, str)})


def _retyped(draw, rnd, value):
    """The same content in another type: what a person typing YAML or JSON by hand gets wrong."""
    if isinstance(value, bool):
        return rnd.choice([str(value).lower(), int(value), [value]])
    if isinstance(value, (int, float)):
        return rnd.choice([str(value), [value], {"value": value}, bool(value), float(value) + 0.5])
    if isinstance(value, str):
        return rnd.choice([[value], {value: value}, len(value), None, value.upper(), f" {value} "])
    if isinstance(value, list):
        return rnd.choice([value[0] if value else None, {str(i): v for i, v in enumerate(value)},
                           json.dumps(value, default=str), [value]])
    if isinstance(value, dict):
        return rnd.choice([list(value.values()), [list(kv) for kv in value.items()], list(value),
                           json.dumps(value, default=str), [value]])
    return draw(VALUES)


def _deep(rnd, value):
    for _ in range(rnd.choice([2, 10, 50, 150])):
        value = [value] if rnd.random() < 0.5 else {"x": value}
    return value


TREE_OPS = ["delete", "replace", "retype", "duplicate", "rename", "add_key", "copy_from", "reference", "deep", "grow",
            "empty"]


def mutate_tree(draw, rnd, tree, refs: list[str], rounds=(1, 4)):
    """Apply 1-4 structural mutations to a deep copy of `tree`; `refs` are strings of the valid
    input (ids, options, languages) that a mutation may put in the wrong place."""
    tree = copy.deepcopy(tree)
    for _ in range(rnd.randint(*rounds)):
        paths = list(_paths(tree))
        path = rnd.choice(paths)
        node = _get(tree, path)
        op = rnd.choice(TREE_OPS)
        if op == "delete" and path:
            parent = _get(tree, path[:-1])
            del parent[path[-1]]
        elif op == "replace":
            tree = _set(tree, path, draw(VALUES))
        elif op == "retype":
            tree = _set(tree, path, _retyped(draw, rnd, node))
        elif op == "duplicate" and path and isinstance(_get(tree, path[:-1]), list):
            _get(tree, path[:-1]).insert(path[-1], copy.deepcopy(node))
        elif op == "duplicate" and path:
            _get(tree, path[:-1])[f"{path[-1]}_copy"] = copy.deepcopy(node)
        elif op == "rename" and path and isinstance(_get(tree, path[:-1]), dict):
            parent = _get(tree, path[:-1])
            new = rnd.choice([f"{path[-1]}s", str(path[-1]).upper(), f"{path[-1]} ", 0, True, None, rnd.choice(refs),
                              draw(SHORT_TEXT)])
            parent[new] = parent.pop(path[-1])
        elif op == "add_key" and isinstance(node, dict):
            node[rnd.choice(refs) if rnd.random() < 0.5 else draw(SHORT_TEXT)] = draw(VALUES)
        elif op == "copy_from":
            tree = _set(tree, path, copy.deepcopy(_get(tree, rnd.choice(paths))))
        elif op == "reference":
            tree = _set(tree, path, rnd.choice(refs))
        elif op == "deep":
            tree = _set(tree, path, _deep(rnd, copy.deepcopy(node)))
        elif op == "grow" and isinstance(node, list) and node:
            node.extend(copy.deepcopy(node[0]) for _ in range(rnd.choice([5, 50, 300])))
        elif op == "empty":
            tree = _set(tree, path, type(node)() if isinstance(node, (list, dict, str)) else None)
    return tree


# --------------------------------------------------------------------------- questionnaire YAML


@functools.cache
def questionnaire_base() -> dict:
    """The README's example with the optional parts the example leaves out (facets, renamed_from,
    option labels, a perspective), so that mutations reach them too. Shared: copy before changing."""
    data = readme_example()
    three = lambda s: {"en": s, "fr": s, "ar": s}  # noqa: E731
    data["description"] = three("A description.")
    data["context"][0]["option_labels"] = {o: three(o) for o in data["context"][0]["options"]}
    data["domains"][0]["questions"][0]["perspective"] = {"national": three("Does the State give a mandate?")}
    data["facets"] = [{"id": "national_local", "title": three("National-local"),
                       "questions": ["mandate.formal_mandate", "reintegration.plan"]}]
    data["renamed_from"] = {"mandate.lead_office": ["mandate.office", "mandate.lead"]}
    return data


@functools.cache
def _questionnaire_refs() -> list[str]:
    return _strings(questionnaire_base())


def _billion_laughs(rnd) -> str:
    """An alias bomb: ten references per level (10^9 leaves at nine levels, if expanded)."""
    kind = rnd.choice(["list", "map", "merge", "in_title", "in_domains"])
    width, depth = 10, rnd.choice([5, 9, 20])
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]" if kind != "merge" else "a0: &a0 {k: lol}"]
    for i in range(1, depth):
        if kind == "map":
            refs = ", ".join(f"k{j}: *a{i - 1}" for j in range(width))
            lines.append(f"a{i}: &a{i} {{{refs}}}")
        elif kind == "merge":
            lines.append(f"a{i}: &a{i} {{<<: [{', '.join([f'*a{i - 1}'] * width)}], k{i}: lol}}")
        else:
            lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    bomb = "\n".join(lines)
    if kind in ("in_title", "in_domains"):
        key = "title" if kind == "in_title" else "domains"
        text = readme_example_text()
        return re.sub(rf"^{key}:.*$", lambda _: f"{bomb}\n{key}: *a{depth - 1}", text, count=1, flags=re.M)
    return bomb + f"\nid: *a{depth - 1}\n"


def _deep_nesting(rnd) -> str:
    n = rnd.choice([100, 1_000, 100_000])
    kind = rnd.choice(["flow_list", "flow_map", "block"])
    if kind == "flow_list":
        inner = "[" * n + "]" * n
    elif kind == "flow_map":
        inner = "{a: " * n + "1" + "}" * n
    else:
        return "title:\n" + "".join("  " * (i + 1) + "a:\n" for i in range(min(n, 5_000)))
    return readme_example_text().replace("version: 1.0.0", f"version: {inner}", 1)


SNIPPETS = [
    "x: !!binary aGVsbG8=", "x: !!binary ###", "x: !!python/object/apply:os.system [ls]", "x: !!python/name:os.system",
    "x: !!set {a, b}", "x: !!omap [a: 1]", "x: !!pairs [a: 1]", "x: !!timestamp 2001-12-14", "x: !!timestamp nope",
    "x: !!int abc", "x: !!float abc", "x: !!bool maybe", "x: !!null x", "x: !!str {a: 1}", "x: !!map a",
    "x: !custom 1", "x: !<tag:example.com,2000:x> 1", "x: &a 1", "x: *undefined", "<<: *undefined", "<<: 5",
    "%YAML 1.1", "%TAG ! tag:example.com,2000:", "---", "...", "--- !!map", "? [a, b]\n: 1", "? {a: 1}\n: 1",
    "x: 2001-02-30", "x: 2001-13-01", "x: 1:2:3:4:5", "x: 0b102", "x: 0o9", "x: 0x" + "f" * 5000,
    "x: " + "9" * 5000, "x: 1e99999", "x: -.inf", "x: .NaN", "x:\ty", "\tx: y", "x: 'unclosed", 'x: "unclosed',
    "x: |\n  block\n bad indent", "x: >-\n", "x: [1, 2", "x: {a: 1", "- item", "x: y: z", "@x: 1", "`x: 1",
    "x: \x00", "x: \x1b[31m", "x: \ud800", "x: \udfff", "x: \ufffe", "x: \U0010ffff", "x: !" + "t" * 5000 + " 1",
    "x: *" + "a" * 5000, "%TAG !" + "t" * 5000 + "! tag:x,2000:",
]
_YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@st.composite
def questionnaire_inputs(draw):
    """Questionnaire text (str) or file contents (bytes, through load_questionnaire)."""
    rnd = draw(RANDOM)
    kind = rnd.choice(["tree"] * 6 + ["text"] * 3 + ["laughs", "deep", "bytes", "bytes"])
    if kind == "laughs":
        return _billion_laughs(rnd)
    if kind == "deep":
        return _deep_nesting(rnd)
    tree = mutate_tree(draw, rnd, questionnaire_base(), _questionnaire_refs(), (0, 3) if kind != "tree" else (1, 4))
    style = rnd.choice(["block", "flow", "json", "json", "json", "default"])  # JSON: 50 times faster to write
    if style == "json":
        text = json.dumps(tree, ensure_ascii=rnd.random() < 0.5, default=str)
    else:
        try:
            text = yaml.dump(tree, Dumper=_YAML_DUMPER, allow_unicode=rnd.random() < 0.5, sort_keys=False,
                             default_flow_style={"block": False, "flow": True, "default": None}[style])
        except RecursionError:  # deeper than the emitter goes: the same tree as JSON (YAML reads it)
            text = json.dumps(tree, default=str)
    if kind in ("text", "bytes"):
        text = _mutate_lines(draw, rnd, text, SNIPPETS)
    if kind == "bytes":
        return _mutate_bytes(draw, rnd, text)
    return text


LINE_OPS = ["insert", "insert", "delete", "duplicate", "swap", "indent", "truncate", "char", "bom", "crlf", "number"]


def _mutate_lines(draw, rnd, text: str, snippets: list[str]) -> str:
    for _ in range(rnd.randint(1, 3)):
        lines = text.split("\n")
        i = rnd.randrange(len(lines))
        op = rnd.choice(LINE_OPS)
        if op == "insert":
            lines.insert(i, re.match(r"\s*", lines[i]).group(0) + rnd.choice(snippets))
        elif op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = rnd.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "indent":
            lines[i] = rnd.choice([" ", "\t", "   ", ""]) + lines[i].lstrip(" " if rnd.random() < 0.5 else "")
        elif op == "truncate":
            joined = "\n".join(lines)
            return joined[: rnd.randint(0, len(joined))]
        elif op == "char" and lines[i]:
            j = rnd.randrange(len(lines[i]))
            odd = rnd.choice(ODD_STRINGS[:60]) if rnd.random() < 0.5 else draw(CHARACTERS)
            lines[i] = lines[i][:j] + odd + lines[i][j + 1:]
        elif op == "bom":
            lines[0] = "\ufeff" + lines[0]
        elif op == "crlf":
            return "\r\n".join(lines) if rnd.random() < 0.5 else "\r".join(lines)
        elif op == "number":
            lines[i] = re.sub(r"\b\d+\b", lambda _: str(rnd.choice(ODD_NUMBERS)), lines[i], count=1)
        text = "\n".join(lines)
    return text


BAD_BYTES = [b"\xff", b"\xc3", b"\xc0\xaf", b"\xed\xa0\x80", b"\x00", b"\xef\xbb\xbf", b"\xfe\xff", b"\x80\x80"]


def _mutate_bytes(draw, rnd, text: str) -> bytes:
    encoding = rnd.choice(["utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1256"])
    data = text.encode(encoding, errors="replace") if encoding != "utf-8" else text.encode("utf-8", "surrogatepass")
    for _ in range(rnd.randint(0, 3)):
        at = rnd.randint(0, len(data))
        bad = rnd.choice(BAD_BYTES) if rnd.random() < 0.7 else draw(BINARY)
        data = data[:at] + bad + data[at + rnd.randint(0, 2):]
    return data


class QuestionnaireTarget:
    name = "questionnaire loader"

    def __init__(self, folder: Path):
        self.file = folder / "fuzz-questionnaire.yaml"

    def strategy(self):
        return questionnaire_inputs()

    def classify(self, data) -> Outcome:
        try:
            if isinstance(data, bytes):
                self.file.write_bytes(data)
                source = str(self.file)
                result = load_questionnaire(self.file)
            else:
                source = SOURCE
                result = parse_questionnaire(data, SOURCE)
        except QuestionnaireError as e:
            if not e.problems:
                return Outcome("unhandled", "QuestionnaireError without problems")
            for p in e.problems:
                if p.file != source or not isinstance(p.path, str):
                    return Outcome("unhandled", f"a problem that does not name the file and path: {p!r}"[:500])
                if why := unclear(p.message) or unclear(str(p)):  # the path quotes the file's keys too
                    return Outcome("unhandled", f"unclear problem ({why}): {str(p)[:300]}")
            first = e.problems[0]
            return Outcome("refused", f"{first.path}: {first.message}" if first.path else first.message)
        except Exception as e:  # noqa: BLE001 - what the sweep looks for
            return crashed(e)
        if not isinstance(result, Questionnaire):
            return Outcome("unhandled", f"returned {type(result).__name__}")
        return Outcome("accepted")


# --------------------------------------------------------------------------- answers CSV


def example_questionnaire() -> Questionnaire:
    return parse_questionnaire(readme_example_text(), "example")


CSV_SNIPPETS = ['"', '"unclosed,x,y', "a,b,c,d,e,f", ",,", "x" * 140_000 + ",q,1",
                "r1,mandate.formal_mandate," + "9" * 5000, "\x00,\x00,\x00", "\ufeff", 'r1,"multi\nline",1',
                "r1,mandate.formal_mandate,²", "r1;mandate.lead_office;1"]
CSV_HEADERS = [
    ["Respondent", " QUESTION ", "Answer"], ["respondent", "question"], ["question", "answer", "respondent"],
    ["respondent", "question", "answer", "note", "group"], ["respondent", "respondent", "question", "answer"],
    ["\ufeffrespondent", "question", "answer"], ["", "", ""], ["r", "q", "a"], ["respondent;question;answer"],
]


@st.composite
def answers_csv_inputs(draw, q: Questionnaire):
    """An answers CSV written from the questionnaire's ids and levels, then spoiled: cells, row
    lengths, the header, many rows, the dialect, and its lines as text."""
    rnd = draw(RANDOM)
    question_ids = [x.id for x in q.questions]
    context_ids = list(q.context_by_id)
    levels = [str(v) for v in range(q.max_level + 1)] + ["na", "unknown", "NA", " 2 ", "02"]
    respondents = ["r1", "Interior", "ed@tangier.org", "Civil society 2", "a:b+c-d"]

    def row():
        if rnd.random() < 0.2:
            cid = rnd.choice(context_ids)
            return [rnd.choice(respondents), cid, rnd.choice(q.context_by_id[cid].options)]
        return [rnd.choice(respondents), rnd.choice(question_ids), rnd.choice(levels)]

    header = ["respondent", "question", "answer"]
    rows = [row() for _ in range(rnd.randint(0, 8))]
    for _ in range(rnd.randint(0, 4)):
        op = rnd.choice(["cell", "cell", "cell", "cell", "row_len", "header", "many", "drop", "dup"])
        if op == "cell" and rows:
            r = rnd.choice(rows)
            if r:
                odd = draw(SCALARS) if rnd.random() < 0.6 else rnd.choice(question_ids + context_ids + levels)
                r[rnd.randrange(len(r))] = str(odd)
        elif op == "row_len" and rows:
            i = rnd.randrange(len(rows))
            rows[i] = rows[i][: rnd.randint(0, 2)] if rnd.random() < 0.5 else rows[i] + ["extra", "x"]
        elif op == "header":
            header = rnd.choice(CSV_HEADERS)
        elif op == "many":
            rows += [row() for _ in range(rnd.choice([100, 2_000]))]
        elif op == "drop" and rows:
            rows.pop(rnd.randrange(len(rows)))
        elif op == "dup" and rows:
            rows.append(list(rnd.choice(rows)))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=rnd.choice([","] * 8 + [";", "\t"]),
                        quoting=rnd.choice([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]),
                        lineterminator=rnd.choice(["\r\n", "\n", "\r"]))
    writer.writerow(header)
    writer.writerows(rows)
    text = buffer.getvalue()
    if rnd.random() < 0.3:
        text = _mutate_lines(draw, rnd, text, CSV_SNIPPETS)
    return text


class AnswersCsvTarget:
    name = "answers CSV"

    def __init__(self, folder: Path | None = None):
        self.q = example_questionnaire()

    def strategy(self):
        return answers_csv_inputs(self.q)

    def classify(self, text: str) -> Outcome:
        try:
            answers, context = read_answers_csv(text, self.q, "ANSWERS.csv", "fuzz")
        except AnswersFileError as e:
            if not e.problems:
                return Outcome("unhandled", "AnswersFileError without problems")
            for p in e.problems:
                if not re.match(r"line \d+: ", p):
                    return Outcome("unhandled", f"a problem without its line: {p[:300]!r}")
                if why := unclear(p):
                    return Outcome("unhandled", f"unclear problem ({why}): {p[:300]!r}")
            return Outcome("refused", e.problems[0])
        except Exception as e:  # noqa: BLE001
            return crashed(e)
        allowed = {str(v) for v in range(self.q.max_level + 1)} | {"na", "unknown"}
        if not set(answers["answer"]) <= allowed or not set(answers["question"]) <= set(self.q.question_by_id):
            return Outcome("unhandled", "accepted an answer outside the scale or an unknown question")
        return Outcome("accepted")


# --------------------------------------------------------------------------- zip helpers (template, backup)


def zip_bytes(members: list[tuple[str, bytes]], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a duplicate name is one of the spoilings
        for name, data in members:
            z.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), data, compress_type=compression)
    return out.getvalue()


def zip_members(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(name, z.read(name)) for name in z.namelist()]


def bomb_zip(members: list[tuple[str, bytes]], name: str, size: int = 64 * 1024 * 1024) -> bytes:
    """`members` with `name` replaced by `size` bytes of zeros, deflated (about 1,000 times smaller)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for member, data in members:
            if member != name:
                z.writestr(member, data)
        info = zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=True) as f:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                f.write(chunk)
    return out.getvalue()


def _patch_headers(data: bytes, offset_local: int, offset_central: int, value: int) -> bytes:
    """Set a 2-byte field of every zip entry's local and central header (flags, method)."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", offset_local), (b"PK\x01\x02", offset_central)):
        at = out.find(signature)
        while at >= 0:
            if at + offset + 2 <= len(out):
                struct.pack_into("<H", out, at + offset, value)
            at = out.find(signature, at + 4)
    return bytes(out)


ZIP_OPS = ["truncate", "flip", "flip", "encrypted", "method", "version", "prefix", "suffix", "empty", "random", "text"]


def mutate_zip_bytes(draw, rnd, data: bytes) -> bytes:
    """The file's bytes spoiled: cut short, bytes changed (CRC and deflate errors), every entry
    marked encrypted or compressed with a method zipfile lacks, junk around it, or no zip at all."""
    op = rnd.choice(ZIP_OPS)
    if op == "truncate":
        return data[: rnd.randint(0, len(data))]
    if op == "flip":
        out = bytearray(data)
        for _ in range(rnd.randint(1, 8)):
            out[rnd.randrange(len(out))] = rnd.randrange(256)
        return bytes(out)
    if op == "encrypted":
        return _patch_headers(data, 6, 8, 1)
    if op == "method":
        return _patch_headers(data, 8, 10, rnd.choice([1, 6, 9, 12, 14, 93, 99, 0xFFFF]))
    if op == "version":  # "version needed to extract" past what zipfile reads
        return _patch_headers(data, 4, 6, rnd.choice([64, 185, 0xFFFF]))
    if op == "prefix":
        return draw(BINARY) + data
    if op == "suffix":
        return data + draw(BINARY)
    if op == "empty":
        return b""
    if op == "random":
        return draw(RANDOM_BYTES)
    return b"respondent,question,answer\nr1,q,1\n"


# --------------------------------------------------------------------------- XLSX template


@dataclass
class _TemplateBase:
    q: Questionnaire
    by_lang: dict[str, bytes]
    members: list[tuple[str, bytes]]
    bombs: list[bytes]


_TEMPLATE: _TemplateBase | None = None


def template_base() -> _TemplateBase:
    global _TEMPLATE
    if _TEMPLATE is None:
        q = example_questionnaire()
        by_lang = {lang: answer_template(q, lang) for lang in ("en", "fr", "ar")}
        members = zip_members(by_lang["en"])
        bombs = [bomb_zip(members, "xl/worksheets/sheet3.xml"), bomb_zip(members, "xl/styles.xml", 40 * 1024 * 1024),
                 zip_bytes(members + [(f"pad/{i}.xml", b"<x/>") for i in range(250)])]
        _TEMPLATE = _TemplateBase(q, by_lang, members, bombs)
    return _TEMPLATE


CELL_VALUES = st.one_of(
    st.sampled_from(["0", "1", "2", "3", "4", "na", "NA", "Unknown", " 2 ", "2.0", "²", "٢", "-1", "#N/A", "=1+1",
                     "=A1", "yes", "no", "unsure", "mandate.formal_mandate", "reintegration.plan", "returnees_present",
                     "example-mini", "1.0.0", "x" * 2_100, "x" * 32_000, "", " "]),
    st.integers(-3, 6), st.sampled_from([2.0, 2.5, 1e300, -0.0, True, False, None, 10**20]),
    st.dates(), st.datetimes(), st.text(max_size=20),
)


WORKBOOK_OPS = ["answer", "answer", "answer", "note", "qid", "profile", "header", "meta", "rows", "sheet", "blank"]
HEADER_NAMES = ["question_id", "answer", "note", "context_id", "Answer", "answer ", "", None, 5]


def _edit_workbook(draw, rnd, wb) -> None:
    from openpyxl.utils.exceptions import IllegalCharacterError

    for _ in range(rnd.randint(1, 5)):
        op = rnd.choice(WORKBOOK_OPS)
        sheet = {"answer": "answers", "note": "answers", "qid": "answers", "rows": "answers", "blank": "answers",
                 "profile": "profile", "header": rnd.choice(["answers", "profile"]), "meta": "_meta"}.get(op)
        if sheet and sheet not in wb.sheetnames:
            continue
        ws = wb[sheet] if sheet else None
        try:
            if op in ("answer", "note", "qid", "profile"):
                row = rnd.randint(2, ws.max_row + 2)
                column = {"answer": 5, "note": 6, "qid": 1, "profile": 4}[op]
                if op == "note" and rnd.random() < 0.5:
                    ws.cell(row, column).value = "n" * rnd.choice([1_999, 2_000, 2_001, 20_000])
                else:
                    ws.cell(row, column).value = draw(CELL_VALUES)
            elif op == "header":
                name = rnd.choice(HEADER_NAMES) if rnd.random() < 0.5 else draw(CELL_VALUES)
                ws.cell(1, rnd.randint(1, 8)).value = name
            elif op == "meta":
                ws.cell(rnd.randint(1, 4), rnd.randint(1, 2)).value = draw(CELL_VALUES)
            elif op == "rows":
                value = draw(CELL_VALUES)
                for i in range(rnd.choice([1, 10, 10, 2_001])):
                    ws.append(["mandate.formal_mandate" if i == 0 else f"q{i}", None, None, None, value, None])
            elif op == "blank":
                ws.delete_rows(rnd.randint(1, ws.max_row), rnd.randint(1, 3))
            elif op == "sheet":
                what = rnd.choice(["remove", "rename", "add", "chart"])
                name = rnd.choice(wb.sheetnames)
                if what == "remove" and len(wb.sheetnames) > 1:
                    wb.remove(wb[name])
                elif what == "rename":
                    wb[name].title = rnd.choice(["answers", "Answers", "_meta", "profile", "other"])
                elif what == "add":
                    wb.create_sheet(rnd.choice(["answers", "extra", "_meta"]))
                else:
                    wb.create_chartsheet("chart")
        except (IllegalCharacterError, ValueError):
            continue  # openpyxl refuses to write it: the file cannot hold it either


XML_EDITS = [
    (rb't="inlineStr"><is><t>2</t></is>', [b't="s"><v>99</v>', b't="b"><v>x</v>', b't="n"><v>abc</v>',
                                           b't="d"><v>not a date</v>', b't="e"><v>#REF!</v>', b't="str"><v></v>',
                                           b'><v>1e999</v>', b't="n"><v>nan</v>', b't="inlineStr"><is></is>']),
    (rb'r="E2"', [b'r="ZZZZ99999999"', b'r="A0"', b'r="E-1"', b'r=""', b'r="\xff"', b'r="E1048577"']),
    (rb'<row r="2"', [b'<row r="0"', b'<row r="-5"', b'<row r="x"', b'<row r="99999999999"']),
    (rb"<sheetData>", [b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>', b"<sheetData><bogus/>"]),
    (rb'<?xml', [b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                 b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
                 b'<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]><?xml',
                 b'<!DOCTYPE x SYSTEM "file:///etc/passwd"><?xml']),
    (rb'name="answers"', [b'name="Answers"', b'name=""', b'name="answers" state="veryHidden"']),
    (rb'name="_meta"', [b'name="meta"']),
    (rb'<t>example-mini</t>', [b"<t>other</t>", b"<t></t>", b"<t>&amp;lt;</t>", b"<t>&undefined;</t>"]),
    (rb'Target="', [b'Target="../../', b'Target="/xl/missing/', b'Target="http://example.com/']),
]


XML_OPS = ["known", "known", "known", "truncate", "char", "drop", "dup", "rename", "extra"]


def _edit_xml(draw, rnd, members: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The workbook's parts changed below openpyxl: cell types and references, sheet names, an
    entity bomb, relations pointing outside, truncated or broken XML, parts missing or renamed."""
    members = list(members)
    for _ in range(rnd.randint(1, 3)):
        i = rnd.randrange(len(members))
        name, data = members[i]
        op = rnd.choice(XML_OPS)
        if op == "known":
            old, news = rnd.choice(XML_EDITS)
            for j, (n, d) in enumerate(members):
                if old in d:
                    members[j] = (n, d.replace(old, rnd.choice(news), 1))
                    break
        elif op == "truncate":
            members[i] = (name, data[: rnd.randint(0, len(data))])
        elif op == "char" and data:
            at = rnd.randrange(len(data))
            members[i] = (name, data[:at] + rnd.choice([b"<", b"&", b"\xff", b"\x00", b'"', b">"]) + data[at + 1:])
        elif op == "drop":
            members.pop(i)
        elif op == "dup":
            members.append((name, data))
        elif op == "rename":
            members[i] = (rnd.choice(["x.xml", name.upper(), "../" + name, "/" + name]), data)
        elif op == "extra":
            members.append((rnd.choice(["xl/worksheets/sheet9.xml", "xl/vbaProject.bin", "extra"]), draw(BINARY)))
    return members


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _column(i: int) -> str:
    return "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i] if i < 26 else _column(i // 26 - 1) + _column(i % 26)


def _cell_xml(ref: str, value) -> str:
    """One cell as a spreadsheet program writes it: a number, a boolean, a date or inline text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (int, float)):
        return f'<c r="{ref}" t="n"><v>{value!r}</v></c>'  # nan and inf as a program would never write them
    if hasattr(value, "isoformat"):
        return f'<c r="{ref}" t="d"><v>{value.isoformat()}</v></c>'
    text = _NOT_XML.sub("", str(value)).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _sheet_xml(rows: list[list]) -> bytes:
    body = "".join(f'<row r="{n}">' + "".join(_cell_xml(f"{_column(i)}{n}", v) for i, v in enumerate(row)) + "</row>"
                   for n, row in enumerate(rows, start=1))
    return f'<worksheet xmlns="{_MAIN}"><sheetData>{body}</sheetData></worksheet>'.encode("utf-8", "surrogatepass")


def _sheet_rows(q: Questionnaire) -> dict[str, list[list]]:
    """The template's three sheets read back as rows (what the filled workbook holds)."""
    answers = [list(ANSWER_COLUMNS)] + [[x.id, "domain", "question", "levels", None, None] for x in q.questions]
    profile = [list(PROFILE_COLUMNS)] + [[c.id, "question", "options", None] for c in q.context]
    meta = [["questionnaire_id", q.id], ["version", q.version], ["language", "en"]]
    return {"xl/worksheets/sheet2.xml": profile, "xl/worksheets/sheet3.xml": answers, "xl/worksheets/sheet4.xml": meta}


SHEET_OPS = ["answer", "answer", "answer", "answer", "note", "qid", "profile", "header", "meta", "many", "drop", "dup"]


def _fill_sheets(draw, rnd, q: Questionnaire) -> dict[str, list[list]]:
    """The template filled in (answers, notes, the profile), then spoiled cell by cell: values of
    every type, unknown ids, renamed columns, rows dropped or repeated, 2,001 rows."""
    sheets = _sheet_rows(q)
    answers, profile, meta = (sheets[f"xl/worksheets/sheet{i}.xml"] for i in (3, 2, 4))
    levels = [str(v) for v in range(q.max_level + 1)] + ["na", "unknown"]
    for row in answers[1:]:
        row[4] = rnd.choice(levels + [None])
    for row in profile[1:]:
        row[3] = rnd.choice(q.context_by_id[row[0]].options + [None])
    for _ in range(rnd.randint(1, 5)):
        op = rnd.choice(SHEET_OPS)
        if op in ("answer", "note", "qid", "profile"):
            rows = profile if op == "profile" else answers
            row = rows[rnd.randint(1, len(rows) - 1)] if len(rows) > 1 else rows[0]
            column = {"answer": 4, "note": 5, "qid": 0, "profile": 3}[op]
            while len(row) <= column:
                row.append(None)
            if op == "note" and rnd.random() < 0.5:
                row[column] = "n" * rnd.choice([1_999, 2_000, 2_001, 20_000])
            else:
                row[column] = draw(CELL_VALUES)
        elif op == "header":
            rows = rnd.choice([answers, profile])
            i = rnd.randrange(8)
            while len(rows[0]) <= i:
                rows[0].append(None)
            rows[0][i] = rnd.choice(HEADER_NAMES) if rnd.random() < 0.5 else draw(CELL_VALUES)
        elif op == "meta":
            meta[rnd.randrange(len(meta))][rnd.randrange(2)] = draw(CELL_VALUES)
        elif op == "many":
            answers += [[f"q{i}", None, None, None, "1", None] for i in range(rnd.choice([10, 10, 10, 2_001]))]
        elif op == "drop" and len(answers) > 1:
            answers.pop(rnd.randrange(len(answers)))
        elif op == "dup":
            answers.append(list(rnd.choice(answers)))
    return sheets


@st.composite
def template_inputs(draw):
    """XLSX bytes: the answer template filled in and spoiled (its cells through openpyxl, or its
    sheets written as XML, the faster way to many inputs), its XML parts broken, its zip bytes
    spoiled, or a zip bomb."""
    base = template_base()
    rnd = draw(RANDOM)
    kind = rnd.choice(["openpyxl"] * 2 + ["sheets"] * 5 + ["xml"] * 2 + ["bytes"] * 2 + ["bomb"])
    if kind == "bomb":
        return rnd.choice(base.bombs)
    if kind == "openpyxl":
        from openpyxl import load_workbook

        valid = base.by_lang[rnd.choice(sorted(base.by_lang))]
        wb = load_workbook(io.BytesIO(valid))
        _edit_workbook(draw, rnd, wb)
        out = io.BytesIO()
        try:
            wb.save(out)
        except Exception:  # noqa: BLE001 - openpyxl cannot write every value it takes (an int as text)
            return valid
        return out.getvalue()
    members = base.members
    if kind != "xml" or rnd.random() < 0.5:
        sheets = _fill_sheets(draw, rnd, base.q)
        members = [(name, _sheet_xml(sheets[name]) if name in sheets else data) for name, data in members]
    if kind == "xml":
        members = _edit_xml(draw, rnd, members)
    data = zip_bytes(members, rnd.choice([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED]))
    return mutate_zip_bytes(draw, rnd, data) if kind == "bytes" else data


class TemplateTarget:
    name = "XLSX template import"

    def __init__(self, folder: Path | None = None):
        self.q = template_base().q

    def strategy(self):
        return template_inputs()

    def classify(self, data: bytes) -> Outcome:
        try:
            result = read_template(self.q, data)
        except Exception as e:  # noqa: BLE001 - services/results.import_template lets every exception through
            return crashed(e)
        if result.problems:
            for p in result.problems:  # catalog messages as data: each must be written in every language
                try:
                    texts = [translate_message(p, lang) for lang in LANGUAGES]
                except Exception as e:  # noqa: BLE001 - a key or a value the catalogs do not have
                    return crashed(e)
                for text in texts:
                    if why := unclear(text):
                        return Outcome("unhandled", f"unclear problem ({why}): {text[:300]!r}")
            return Outcome("refused", translate_message(result.problems[0], "en"))
        allowed = {str(v) for v in range(self.q.max_level + 1)} | {"na", "unknown", ""}
        if any(a not in allowed or qid not in self.q.question_by_id for qid, a, _ in result.answers):
            return Outcome("unhandled", "accepted an answer outside the scale or an unknown question")
        return Outcome("accepted")


# --------------------------------------------------------------------------- backup restore


class BackupTarget:
    """Restores into one SQLite database made once (holding a small network, so replace=True is
    the semantics), rolled back after every input; a refusal must leave the rows and the upload
    folder as they were."""

    name = "backup restore"

    def __init__(self, folder: Path):
        from sqlalchemy.orm import Session

        from nlc_toolkit.db.backup import backup, restore
        from nlc_toolkit.db.migrate import upgrade
        from nlc_toolkit.db.session import engine_for

        self.folder = folder
        source = f"sqlite:///{folder / 'fuzz-source.db'}"
        upgrade(source)
        with Session(engine_for(source)) as s:
            _small_network(s)
            s.commit()
        uploads = folder / "fuzz-uploads-source"
        (uploads / "evidence" / "1").mkdir(parents=True, exist_ok=True)
        (uploads / "evidence" / "1" / "charter.pdf").write_bytes(b"%PDF-1.4 charter")
        valid = folder / "fuzz-valid.zip"
        with Session(engine_for(source)) as s:
            backup(s, valid, uploads)
            s.commit()
        self.url = f"sqlite:///{folder / 'fuzz-target.db'}"
        upgrade(self.url)
        self.engine = engine_for(self.url)
        with Session(self.engine) as s:  # the target holds data: a restore replaces it
            restore(s, valid, None)
            s.commit()
        self.baseline = self.counts()
        self.members = zip_members(valid.read_bytes())
        self.manifest = json.loads(dict(self.members)["manifest.json"])
        self.bombs = [bomb_zip(self.members, name, 16 * 1024 * 1024)
                      for name in ("manifest.json", "tables/answer.jsonl", "uploads/evidence/1/charter.pdf")]
        self.file = folder / "fuzz-input.zip"
        self.uploads = folder / "fuzz-uploads"
        self._restore, self._session = restore, Session

    def counts(self) -> dict[str, int]:
        from sqlalchemy import func, select

        from nlc_toolkit.db.models import Base

        with self.engine.connect() as conn:
            return {t.name: conn.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}

    def strategy(self):
        return backup_inputs(self.members, self.bombs)

    def classify(self, case: tuple[bytes, bool]) -> Outcome:
        from nlc_toolkit.db.backup import BackupError

        data, replace = case
        self.file.write_bytes(data)
        shutil.rmtree(self.uploads, ignore_errors=True)
        self.uploads.mkdir()
        s = self._session(self.engine)
        try:
            self._restore(s, self.file, self.uploads, replace=replace)
        except BackupError as e:
            s.rollback()
            s.close()
            if why := unclear(str(e)):
                return Outcome("unhandled", f"unclear refusal ({why}): {str(e)[:300]!r}")
            if "\n" in str(e):
                return Outcome("unhandled", f"a refusal of several lines: {str(e)[:300]!r}")
            if (counts := self.counts()) != self.baseline:
                changed = {k: (self.baseline[k], v) for k, v in counts.items() if v != self.baseline[k]}
                return Outcome("unhandled", f"refused but the database changed: {changed}")
            if any(self.uploads.iterdir()):
                return Outcome("unhandled", f"refused but wrote uploaded files: {str(e)[:200]}")
            return Outcome("refused", str(e))
        except Exception as e:  # noqa: BLE001
            s.rollback()
            s.close()
            return crashed(e)
        s.rollback()  # accepted: kept out of the database, so every input starts from the same rows
        s.close()
        return Outcome("accepted")


def _small_network(s) -> None:
    """A city, its editor, a draft of the README's example questionnaire with two respondents (the
    editor and a ministry), an answer with a note and a context answer: rows in half the tables."""
    from nlc_toolkit.db import repo
    from tests import factories

    version = factories.example_questionnaire(s)
    city = factories.city(s, "Tangier")
    editor = factories.user(s, "ed@tangier.org", "city_editor", city)
    a = factories.assessment(s, editor, city, version)
    ministry = factories.respondent(s, a, "Interior", "national")
    factories.answer(s, ministry, "mandate.formal_mandate", "2", note="a note")
    repo.set_context(s, a, "returnees_present", "yes")


def _jsonl(rows: list) -> bytes:
    return ("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + ("\n" if rows else "")).encode("utf-8")


ROW_LINES = ["", " ", "{", "[]", "null", "1", '"x"', "[1, 2]", '{"id": NaN}', '{"id": 1e999}',
             '{"id": ' + "9" * 5000 + "}", "[" * 100_000 + "]" * 100_000, '{"id": 1, "id": 2}', "\ufeff{}",
             '{"a": "\\ud800"}', "# comment"]
UPLOAD_NAMES = ["uploads/../outside.txt", "uploads/../../outside.txt", "uploads/evidence/../../../x", "/etc/x",
                "uploads//etc/x", "uploads/./x", "uploads/evidence/1/charter.pdf/inside", "uploads/evidence",
                "uploads/" + "a" * 300, "uploads/a/" + "b" * 256 + "/c", "uploads/..", "uploads/x/..\\..\\y",
                "uploads/\u202etxt.exe", "../tables/city.jsonl", "uploads/evidence/1", "uploads/ "]


MANIFESTS = [b"", b"{", b"[1]", b"null", b"\xff\xfe", b"\xef\xbb\xbf{}", ("[" * 100_000 + "]" * 100_000).encode(),
             b'{"format": "nlc-backup"}', b'{"format": "nlc-backup", "format_version": 1}', b"9" * 5000]
BACKUP_OPS = ["row", "row", "row", "copy", "line", "drop", "add"]
MEMBER_OPS = ["upload", "upload", "drop", "dup", "extra", "binary"]


@st.composite
def backup_inputs(draw, members: list[tuple[str, bytes]], bombs: list[bytes]):
    """(zip bytes, replace): a valid backup with rows changed (types, keys, duplicates, lines that
    are no JSON object), the manifest changed, members missing or added (uploads named outside
    the folder), the zip's bytes spoiled, or a zip bomb."""
    rnd = draw(RANDOM)
    kind = rnd.choice(["rows"] * 5 + ["manifest"] * 2 + ["members"] * 2 + ["bytes", "bomb"])
    replace = rnd.random() < 0.95
    if kind == "bomb":
        return rnd.choice(bombs), replace
    files = dict(members)
    manifest = json.loads(files["manifest.json"])
    tables = {name[len("tables/"):-len(".jsonl")]: [json.loads(line) for line in data.decode().splitlines()]
              for name, data in files.items() if name.startswith("tables/")}
    raw: dict[str, bytes] = {}  # table members written as given, not from rows
    refs = sorted({str(v) for rows in tables.values() for r in rows for v in r.values() if isinstance(v, (int, str))
                   and len(str(v)) < 40})
    if kind == "rows":
        for _ in range(rnd.randint(1, 3)):
            table = rnd.choice(sorted(tables))
            rows = tables[table]
            op = rnd.choice(BACKUP_OPS)
            if op == "row" and rows:
                i = rnd.randrange(len(rows))
                rows[i] = mutate_tree(draw, rnd, rows[i], refs, (1, 2))
            elif op == "copy" and rows:
                rows.append(copy.deepcopy(rnd.choice(rows)))
            elif op == "add":
                other = rnd.choice([r for rs in tables.values() for r in rs])
                rows.append(mutate_tree(draw, rnd, other, refs, (0, 2)))
            elif op == "drop" and rows:
                rows.pop(rnd.randrange(len(rows)))
            elif op == "line":
                lines = _jsonl(rows).decode().splitlines()
                lines.insert(rnd.randint(0, len(lines)), rnd.choice(ROW_LINES))
                raw[table] = "\n".join(lines).encode("utf-8", "surrogatepass")
                manifest["tables"][table] = len(lines) if rnd.random() < 0.5 else len(rows)
                continue
            if rnd.random() < 0.8:  # mostly keep the counts true, so that the rows get checked
                manifest["tables"][table] = len(rows)
    elif kind == "manifest":
        manifest = mutate_tree(draw, rnd, manifest, refs + ["nlc-backup", "format", "tables", "revision"], (1, 3))
    if kind == "manifest" and rnd.random() < 0.2:
        out = [("manifest.json", rnd.choice(MANIFESTS))]
    else:
        out = [("manifest.json", json.dumps(manifest, default=str).encode())]
    out += [(f"tables/{t}.jsonl", raw.get(t) or _jsonl(rows)) for t, rows in tables.items()]
    out += [(n, d) for n, d in files.items() if n.startswith("uploads/")]
    if kind == "members":
        for _ in range(rnd.randint(1, 3)):
            op = rnd.choice(MEMBER_OPS)
            if op == "upload":
                out.append((rnd.choice(UPLOAD_NAMES) if rnd.random() < 0.7 else "uploads/" + draw(SHORT_TEXT), b"x"))
            elif op == "drop":
                out.pop(rnd.randrange(len(out)))
            elif op == "dup":
                out.append(rnd.choice(out))
            elif op == "extra":
                out.append((rnd.choice(["tables/extra.jsonl", "notes.txt", "tables/", "uploads/"]), b"{}"))
            else:
                i = rnd.randrange(len(out))
                out[i] = (out[i][0], rnd.choice([b"\xff\xfe\x00", b"\xc3(", "é".encode("latin-1")]) + out[i][1])
    data = zip_bytes(out, rnd.choice([zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED]))
    if kind == "bytes":
        data = mutate_zip_bytes(draw, rnd, data)
    return data, replace


# --------------------------------------------------------------------------- the sweep

TARGETS: dict[str, Callable[[Path], Any]] = {
    "questionnaire": QuestionnaireTarget,
    "answers_csv": AnswersCsvTarget,
    "template": TemplateTarget,
    "backup": BackupTarget,
}


def sweep(target, n: int) -> Tally:
    """Run `n` generated inputs through `target.classify` (hypothesis, no shrinking needed: the
    classification never raises, it records)."""
    tally = Tally(target.name)

    @settings(max_examples=n, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(target.strategy())
    def run(value):
        start = time.perf_counter()
        outcome = target.classify(value)
        took = time.perf_counter() - start
        if took > SLOW and outcome.kind != "unhandled":
            outcome = Outcome("unhandled", f"took {took:.1f} s (it should be refused before the work): "
                                           f"{outcome.message[:200]}")
        tally.record(outcome, value, took)

    start = time.perf_counter()
    run()
    tally.seconds = time.perf_counter() - start
    return tally


def temporary_folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="nlc-fuzz-"))
