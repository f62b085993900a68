"""The questionnaire format: pydantic models, a YAML loader and a validator.

A questionnaire is data (questionnaires/*.yaml). `load_questionnaire` returns a validated
`Questionnaire` or raises `QuestionnaireError` whose problems each name the file, the path inside
it (``domains[3].questions[2].levels``) and what is wrong. Nothing here raises a bare traceback
for bad input.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

THEMES = (
    "inclusion",
    "dialogue",
    "trust",
    "information_sharing",
    "consultation",
    "coordination",
    "resourcing",
)
ACTORS = ("municipality", "national", "civil_society")
EFFORTS = ("low", "medium", "high")
HORIZONS = ("short", "medium", "long")
SPECIAL_ANSWERS = ("na", "unknown")

Theme = Literal[
    "inclusion", "dialogue", "trust", "information_sharing", "consultation", "coordination", "resourcing"
]
Actor = Literal["municipality", "national", "civil_society"]
Effort = Literal["low", "medium", "high"]
Horizon = Literal["short", "medium", "long"]

# Localised text: language code -> text, e.g. {en: Mandate, fr: Mandat, ar: الاختصاص}.
Text = dict[str, str]
# show_if: context question id -> the answers under which the item applies.
Condition = dict[str, list[str]]

_ID = r"^[a-z0-9][a-z0-9_.\-]*$"


class _Model(BaseModel):
    # Unknown keys are errors: a misspelt `show_iff` must not silently do nothing.
    model_config = ConfigDict(extra="forbid", frozen=True)


class ScaleLevel(_Model):
    value: int
    label: Text


class Scale(_Model):
    levels: list[ScaleLevel] = Field(min_length=2)
    allow_na: bool = True
    allow_unknown: bool = True

    @property
    def max_level(self) -> int:
        return max(level.value for level in self.levels)


class Band(_Model):
    min: float
    label: Text
    description: Text | None = None


class ContextQuestion(_Model):
    id: str = Field(pattern=_ID)
    type: Literal["choice"] = "choice"
    options: list[str] = Field(min_length=1)
    text: Text
    help: Text | None = None
    # Display labels of the options; the option values themselves are stable ids.
    option_labels: dict[str, Text] | None = None

    @field_validator("options", mode="before")
    @classmethod
    def _options_are_strings(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [str(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v for v in value]
        return value


class Recommendation(_Model):
    levels: list[int] = Field(min_length=1)
    text: Text
    effort: Effort = "medium"
    horizon: Horizon = "medium"
    actors: list[Actor] = Field(default_factory=lambda: ["municipality"], min_length=1)
    show_if: Condition | None = None


class Question(_Model):
    id: str = Field(pattern=_ID)
    weight: float = 1.0
    text: Text
    # Wording for national-government respondents, when the neutral text does not fit them.
    perspective: dict[Literal["national", "municipality", "civil_society"], Text] | None = None
    help: Text | None = None
    levels: dict[int, Text]
    evidence: Text | None = None
    show_if: Condition | None = None
    recommendations: list[Recommendation] = Field(default_factory=list)


class Domain(_Model):
    id: str = Field(pattern=_ID)
    weight: float = 1.0
    title: Text
    description: Text | None = None
    themes: list[Theme] = Field(default_factory=list)
    questions: list[Question] = Field(min_length=1)


class Facet(_Model):
    """A sub-score across domains: the questions it gathers (by id), scored as a domain is, e.g.
    the national-local interface. A questionnaire declares as many as it needs, or none."""
    id: str = Field(pattern=_ID)
    title: Text
    description: Text | None = None
    questions: list[str] = Field(min_length=1)


class Questionnaire(_Model):
    id: str = Field(pattern=_ID)
    version: str
    languages: list[str] = Field(min_length=1)
    title: Text
    description: Text | None = None
    scale: Scale
    bands: list[Band] = Field(min_length=1)
    context: list[ContextQuestion] = Field(default_factory=list)
    domains: list[Domain] = Field(min_length=1)
    facets: list[Facet] = Field(default_factory=list)
    # How answers given on an earlier version carry over (questionnaires/README.md): a question id
    # of this file -> the earlier ids whose answers it takes over (a rename, or several for a merge).
    # A question whose id is unchanged carries its own answer without being listed.
    renamed_from: dict[str, list[Annotated[str, Field(pattern=_ID)]]] = Field(default_factory=dict)

    @field_validator("version", mode="before")
    @classmethod
    def _version_is_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value

    # Derived look-ups (the model is frozen, so caching is safe).
    @cached_property
    def questions(self) -> list[Question]:
        return [q for d in self.domains for q in d.questions]

    @cached_property
    def question_by_id(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    @cached_property
    def domain_of(self) -> dict[str, Domain]:
        return {q.id: d for d in self.domains for q in d.questions}

    @cached_property
    def context_by_id(self) -> dict[str, ContextQuestion]:
        return {c.id: c for c in self.context}

    @property
    def max_level(self) -> int:
        return self.scale.max_level

    @property
    def key(self) -> str:
        return f"{self.id}@{self.version}"

    def band_label(self, score: float | None, lang: str = "en") -> str | None:
        if score is None:
            return None
        label = None
        for band in self.bands:
            if band.min <= score:
                label = band.label
        return localized(label, lang) if label else None


# --------------------------------------------------------------------------- applicability

# Context answers of one assessment: context question id -> its answer, or several answers (e.g.
# one per respondent). A question with no answer, or an empty collection, is unanswered.
ContextAnswers = Mapping[str, "str | Collection[str]"]


def _given(value: str | Collection[str] | None) -> Collection[str]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return value


def condition_applies(condition: Condition | None, context: ContextAnswers) -> bool:
    """The one show_if rule (questionnaires/README.md): every context question named by the condition
    is unanswered, or one of its answers is allowed. A question is dropped only when every answer
    given rules it out (we never hide a question someone said applies)."""
    for context_id, allowed in (condition or {}).items():
        given = _given(context.get(context_id))
        if given and not any(str(value) in allowed for value in given):
            return False
    return True


def applicable_questions(q: Questionnaire, context: ContextAnswers) -> set[str]:
    """The ids of the questions that apply to an assessment with these context answers."""
    return {x.id for x in q.questions if condition_applies(x.show_if, context)}


def localized(text: Text | None, lang: str, fallback: str = "en") -> str:
    """The text in `lang`, else in `fallback`, else in any language present."""
    if not text:
        return ""
    return text.get(lang) or text.get(fallback) or next(iter(text.values()), "")


# --------------------------------------------------------------------------- loading


@dataclass(frozen=True)
class Problem:
    file: str
    path: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.path}" if self.path else self.file
        return f"{where}: {self.message}"


class QuestionnaireError(ValueError):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# libyaml's parser when PyYAML was built with it: the detailed questionnaire (750 KB) parses in
# about 0.1 s instead of 0.8 s, which every new process (a worker, a build process) pays once.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StringBoolLoader(_SafeLoader):
    """YAML 1.1 would read yes/no/on/off as booleans; option values must stay strings."""

    def construct_object(self, node, deep=False):
        # A value its tag cannot hold (`!!int abc`, `2001-02-30`, an integer of 5,000 digits) makes
        # PyYAML raise a plain ValueError (or KeyError, AttributeError): a YAML error at its line instead.
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, LookupError, AttributeError, ArithmeticError):
            value = node.value if isinstance(node.value, str) else ""
            shown = value if len(value) <= 40 else value[:40] + "…"
            raise yaml.constructor.ConstructorError(
                None, None, f"the value '{shown}' cannot be read as {node.tag.rsplit(':', 1)[-1]}", node.start_mark
            ) from None


_StringBoolLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in _SafeLoader.yaml_implicit_resolvers.items()
}
_StringBoolLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def read_yaml(text: str) -> Any:
    return yaml.load(text, Loader=_StringBoolLoader)  # noqa: S506 - a SafeLoader subclass


def _cut(value: Any, most: int = 60) -> str:
    """A value of the file in a problem's path or message, cut short: an id, an option or a key may
    be thousands of characters long, and the problem must stay readable."""
    text = str(value)
    return text if len(text) <= most else text[:most] + "…"


def _q(value: Any) -> str:
    return f"'{_cut(value)}'"


def _few(values: list, most: int = 10) -> str:
    """Values listed in a problem: the first ten (a scale or an option list may hold thousands)."""
    shown = ", ".join(_cut(v) for v in values[:most])
    return shown + (f", … ({len(values)} in all)" if len(values) > most else "")


def _format_loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{_cut(part)}" if out else _cut(part)
    return out


def _pydantic_problems(source: str, err: ValidationError) -> list[Problem]:
    problems = []
    for e in err.errors():
        loc = tuple(p for p in e["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        message = e["msg"]
        if e["type"] == "extra_forbidden":
            message = "unknown field (check its spelling)"
        elif e["type"] == "missing":
            message = "required field is missing"
        problems.append(Problem(source, _format_loc(loc), message))
    return problems


def parse_questionnaire(text: str, source: str = "<questionnaire>") -> Questionnaire:
    """Parse and validate questionnaire YAML text; raise QuestionnaireError listing every problem."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        # A str from a socket message (JSON "\ud800") can hold a lone surrogate, which no UTF-8 file
        # holds and libyaml cannot read.
        line = f"line {text.count(chr(10), 0, e.start) + 1}"  # chr(10): LF
        raise QuestionnaireError([Problem(source, line, "the text is not valid Unicode (a lone surrogate)")]) from None
    try:
        data = read_yaml(text)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = f"line {mark.line + 1}" if mark else ""
        # _cut: the problem quotes the file's tag or directive, which may be thousands of characters
        raise QuestionnaireError([Problem(source, line, f"YAML syntax error: {_cut(e.problem or e, 200)}")]) from None
    except yaml.reader.ReaderError as e:  # its text spans two lines and names "<unicode string>"
        line = f"line {text.encode('utf-8')[:e.position].count(10) + 1}"  # libyaml counts bytes; 10 = LF
        message = f"unacceptable character #x{e.character:04x}: {e.reason}" if isinstance(e.character, int) else e.reason
        raise QuestionnaireError([Problem(source, line, f"YAML syntax error: {message}")]) from None
    except yaml.YAMLError as e:
        raise QuestionnaireError([Problem(source, "", f"YAML syntax error: {_cut(e, 200)}")]) from None
    if not isinstance(data, dict):
        raise QuestionnaireError([Problem(source, "", "the file must hold a mapping (id, version, scale, ...)")])
    try:
        model = Questionnaire.model_validate(data)
    except ValidationError as e:
        raise QuestionnaireError(_pydantic_problems(source, e)) from None
    problems = [Problem(source, path, msg) for path, msg in semantic_problems(model)]
    if problems:
        raise QuestionnaireError(problems)
    return model


def load_questionnaire(path: str | Path) -> Questionnaire:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise QuestionnaireError([Problem(str(path), "", f"cannot read the file ({e.strerror})")]) from None
    except UnicodeDecodeError:
        raise QuestionnaireError([Problem(str(path), "", "the file is not UTF-8 text")]) from None
    return parse_questionnaire(text, str(path))


def checksum(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def validate_files(paths: list[str | Path]) -> list[Problem]:
    problems: list[Problem] = []
    for path in paths:
        try:
            load_questionnaire(path)
        except QuestionnaireError as e:
            problems.extend(e.problems)
    return problems


# --------------------------------------------------------------------------- semantic rules


def _texts(model: BaseModel, path: str):
    """Yield (path, Text) for every translatable string in a model tree."""
    for name, field in type(model).model_fields.items():
        value = getattr(model, name)
        here = f"{path}.{name}" if path else name
        if value is None:
            continue
        annotation = str(field.annotation)
        if name in ("text", "title", "label", "help", "evidence", "description"):
            yield here, value
        elif name == "levels" and isinstance(value, dict):
            for level, text in value.items():
                yield f"{here}[{level}]", text
        elif name in ("perspective", "option_labels") and isinstance(value, dict):
            for key, text in value.items():
                yield f"{here}.{key}", text
        elif isinstance(value, list):
            for i, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from _texts(item, f"{here}[{i}]")
        elif isinstance(value, BaseModel) and "Text" not in annotation:
            yield from _texts(value, here)


def _check_condition(condition: Condition | None, path: str, contexts: dict[str, ContextQuestion]):
    for context_id, allowed in (condition or {}).items():
        context = contexts.get(context_id)
        if context is None:
            yield f"{path}.show_if.{_cut(context_id)}", f"{_q(context_id)} is not a context question"
            continue
        for value in allowed:
            if value not in context.options:
                yield (
                    f"{path}.show_if.{_cut(context_id)}",
                    f"{_q(value)} is not an option of {_q(context_id)} (options: {_few(context.options)})",
                )


def semantic_problems(q: Questionnaire) -> list[tuple[str, str]]:
    """Rules the schema cannot express; each problem is (path, message)."""
    problems: list[tuple[str, str]] = []
    add = lambda path, message: problems.append((path, message))  # noqa: E731

    if len(set(q.languages)) != len(q.languages):
        add("languages", "a language is listed twice")

    # Scale: values 0..L, contiguous.
    values = [level.value for level in q.scale.levels]
    if sorted(values) != list(range(len(values))):
        add("scale.levels", f"values must be 0..L without gaps or repeats, got [{_few(values)}]")
    scale_values = set(values)

    # Bands: ascending mins starting at 0.
    mins = [band.min for band in q.bands]
    if mins[0] != 0:
        add("bands[0].min", "the first band must start at 0")
    for i in range(1, len(mins)):
        if mins[i] <= mins[i - 1]:
            add(f"bands[{i}].min", f"band mins must ascend ({mins[i]} after {mins[i - 1]})")
    for i, m in enumerate(mins):
        if not 0 <= m <= 100:
            add(f"bands[{i}].min", f"must be within 0..100, got {m}")

    # Every translatable string in every declared language, and no undeclared language.
    declared = set(q.languages)
    for path, text in _texts(q, ""):
        for lang in q.languages:
            if not str(text.get(lang) or "").strip():
                add(path, f"missing {_q(lang)} text")
        for lang in text:
            if lang not in declared:
                add(path, f"language {_q(lang)} is not declared in `languages`")

    # Unique ids: domains, questions, context questions share one namespace of answer keys.
    seen: dict[str, str] = {}
    domain_ids: dict[str, str] = {}

    def unique(ids: dict[str, str], id_: str, path: str, what: str = "id") -> None:
        if id_ in ids:
            add(f"{path}.id", f"duplicate {what} {_q(id_)} (also at {ids[id_]})")
        ids.setdefault(id_, path)

    for i, c in enumerate(q.context):
        here = f"context[{i}]"
        unique(seen, c.id, here)
        if len(set(c.options)) != len(c.options):
            add(f"{here}.options", "an option is listed twice")
        for key in (c.option_labels or {}):
            if key not in c.options:
                add(f"{here}.option_labels.{_cut(key)}", f"{_q(key)} is not one of the options")
    for di, d in enumerate(q.domains):
        dpath = f"domains[{di}]"
        unique(domain_ids, d.id, dpath, "domain id")
        if not math.isfinite(d.weight):  # YAML's .inf and .nan are floats: a score weighted by them is NaN
            add(f"{dpath}.weight", f"must be a finite number, got {d.weight}")
        elif d.weight <= 0:
            add(f"{dpath}.weight", f"must be > 0, got {d.weight}")
        for qi, question in enumerate(d.questions):
            qpath = f"{dpath}.questions[{qi}]"
            unique(seen, question.id, qpath)
            if question.id in SPECIAL_ANSWERS:
                add(f"{qpath}.id", f"'{question.id}' is reserved")
            if not math.isfinite(question.weight):
                add(f"{qpath}.weight", f"must be a finite number, got {question.weight}")
            elif question.weight <= 0:
                add(f"{qpath}.weight", f"must be > 0, got {question.weight}")
            missing = sorted(scale_values - set(question.levels))
            if missing:
                add(f"{qpath}.levels", f"missing descriptor for level(s) {_few(missing)}")
            extra = sorted(set(question.levels) - scale_values)
            if extra:
                add(f"{qpath}.levels", f"level(s) {_few(extra)} are not on the scale")
            problems.extend(_check_condition(question.show_if, qpath, q.context_by_id))
            for ri, rec in enumerate(question.recommendations):
                rpath = f"{qpath}.recommendations[{ri}]"
                outside = sorted(set(rec.levels) - scale_values)
                if outside:
                    add(f"{rpath}.levels", f"level(s) {_few(outside)} are outside the scale 0..{q.max_level}")
                problems.extend(_check_condition(rec.show_if, rpath, q.context_by_id))
    facet_ids: dict[str, str] = {}
    for fi, facet in enumerate(q.facets):
        fpath = f"facets[{fi}]"
        unique(facet_ids, facet.id, fpath, "facet id")
        for i, question_id in enumerate(facet.questions):
            if question_id not in q.question_by_id:
                add(f"{fpath}.questions[{i}]", f"{_q(question_id)} is not a question of this questionnaire")
        if len(set(facet.questions)) != len(facet.questions):
            add(f"{fpath}.questions", "a question is listed twice")
    earlier: dict[str, str] = {}
    for new_id, old_ids in q.renamed_from.items():
        rpath = f"renamed_from.{_cut(new_id)}"
        if new_id not in q.question_by_id:
            add(rpath, f"{_q(new_id)} is not a question of this questionnaire")
        if not old_ids:
            add(rpath, "name at least one earlier question id")
        for old_id in old_ids:
            if old_id in earlier:
                add(rpath, f"{_q(old_id)} is already carried into {_q(earlier[old_id])}")
            earlier.setdefault(old_id, new_id)
    return problems


# --------------------------------------------------------------------------- versions


def version_key(version: str) -> tuple:
    """Orders versions as people read them: 1.10.0 after 1.9.2 (numeric parts compared as numbers)."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"[.\-+]", version))


@dataclass(frozen=True)
class CarryPlan:
    """Which answers of an earlier version a next round on a newer version takes over."""

    sources: dict[str, tuple[str, ...]]  # newer question id -> the earlier ids it takes answers from
    new: tuple[str, ...]  # newer questions with nothing to take over: they start unanswered
    dropped: tuple[str, ...]  # earlier questions that no newer question takes over

    @property
    def renamed(self) -> dict[str, tuple[str, ...]]:
        """The carried questions whose answers come from other ids (renames and merges)."""
        return {new_id: ids for new_id, ids in self.sources.items() if ids != (new_id,)}


def carry_plan(old: Questionnaire, new: Questionnaire) -> CarryPlan:
    """A question carries the answer of the earlier question with its id, and those its
    `renamed_from` names; the plan between two identical versions carries everything."""
    sources: dict[str, tuple[str, ...]] = {}
    for x in new.questions:
        ids = [x.id] if x.id in old.question_by_id else []
        ids += [i for i in new.renamed_from.get(x.id, []) if i in old.question_by_id and i not in ids]
        if ids:
            sources[x.id] = tuple(ids)
    taken = {i for ids in sources.values() for i in ids}
    return CarryPlan(sources, tuple(x.id for x in new.questions if x.id not in sources),
                     tuple(x.id for x in old.questions if x.id not in taken))


def merged_answer(values: Collection[str], q: Questionnaire) -> str:
    """The answer carried into `q` from one or several earlier answers: the lowest level given (a
    merged question asks for everything its parts asked), else "don't know", else N/A, else ""
    (no value that fits this scale: the note and evidence still carry)."""
    levels = [int(v) for v in values if v.isdigit() and int(v) <= q.max_level]
    if levels:
        return str(min(levels))
    if "unknown" in values and q.scale.allow_unknown:
        return "unknown"
    if "na" in values and q.scale.allow_na:
        return "na"
    return ""


def json_schema() -> dict[str, Any]:
    schema = Questionnaire.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "NLC toolkit questionnaire"
    return schema
