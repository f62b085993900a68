"""One malformed questionnaire per validation rule; each message names the path and the problem."""

import json

import pytest
import yaml

from nlc_toolkit.core.questionnaire import (
    QuestionnaireError,
    json_schema,
    parse_questionnaire,
    read_yaml,
)
from tests.helpers import deep, readme_example, readme_example_text


def dump(data) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def problems_of(data) -> list[str]:
    with pytest.raises(QuestionnaireError) as err:
        parse_questionnaire(dump(data) if not isinstance(data, str) else data, "bad.yaml")
    return [str(p) for p in err.value.problems]


def test_readme_example_validates():
    q = parse_questionnaire(readme_example_text(), "README example")
    assert q.id == "example-mini" and len(q.questions) == 3
    assert q.context_by_id["returnees_present"].options == ["yes", "no", "unsure"]


def test_yes_no_options_stay_strings_even_unquoted():
    text = readme_example_text().replace('options: ["yes", "no", unsure]', "options: [yes, no, unsure]")
    text = text.replace('show_if: {returnees_present: ["yes", unsure]}', "show_if: {returnees_present: [yes, unsure]}")
    q = parse_questionnaire(text, "x")
    assert q.context_by_id["returnees_present"].options == ["yes", "no", "unsure"]
    assert q.question_by_id["reintegration.plan"].show_if == {"returnees_present": ["yes", "unsure"]}


def mutate(fn):
    data = deep(readme_example())
    fn(data)
    return problems_of(data)


def q0(data):
    return data["domains"][0]["questions"][0]


CASES = {
    "duplicate question id": (
        lambda d: d["domains"][0]["questions"][1].update(id="mandate.formal_mandate"),
        "bad.yaml: domains[0].questions[1].id: duplicate id 'mandate.formal_mandate'",
    ),
    "duplicate domain id": (
        lambda d: d["domains"][1].update(id="mandate"),
        "bad.yaml: domains[1].id: duplicate domain id 'mandate'",
    ),
    "scale not contiguous": (
        lambda d: d["scale"]["levels"][3].update(value=4),
        "bad.yaml: scale.levels: values must be 0..L without gaps",
    ),
    "scale not from 0": (
        lambda d: [lvl.update(value=lvl["value"] + 1) for lvl in d["scale"]["levels"]],
        "bad.yaml: scale.levels: values must be 0..L",
    ),
    "missing language": (
        lambda d: q0(d)["text"].pop("ar"),
        "bad.yaml: domains[0].questions[0].text: missing 'ar' text",
    ),
    "missing language in a level descriptor": (
        lambda d: q0(d)["levels"][2].pop("fr"),
        "bad.yaml: domains[0].questions[0].levels[2]: missing 'fr' text",
    ),
    "missing language in a recommendation": (
        lambda d: q0(d)["recommendations"][1]["text"].update(fr="  "),
        "bad.yaml: domains[0].questions[0].recommendations[1].text: missing 'fr' text",
    ),
    "undeclared language": (
        lambda d: d["title"].update(de="Beispiel"),
        "bad.yaml: title: language 'de' is not declared",
    ),
    "missing level descriptor": (
        lambda d: d["domains"][1]["questions"][0]["levels"].pop(3),
        "bad.yaml: domains[1].questions[0].levels: missing descriptor for level(s) 3",
    ),
    "descriptor off the scale": (
        lambda d: q0(d)["levels"].update({7: {"en": "x", "fr": "x", "ar": "x"}}),
        "bad.yaml: domains[0].questions[0].levels: level(s) 7 are not on the scale",
    ),
    "show_if naming an unknown context question": (
        lambda d: d["domains"][1]["questions"][0].update(show_if={"refugees": ["yes"]}),
        "bad.yaml: domains[1].questions[0].show_if.refugees: 'refugees' is not a context question",
    ),
    "show_if with a value that is not an option": (
        lambda d: d["domains"][1]["questions"][0].update(show_if={"returnees_present": ["maybe"]}),
        "bad.yaml: domains[1].questions[0].show_if.returnees_present: 'maybe' is not an option",
    ),
    "recommendation levels outside the scale": (
        lambda d: q0(d)["recommendations"][0].update(levels=[0, 5]),
        "bad.yaml: domains[0].questions[0].recommendations[0].levels: level(s) 5 are outside the scale 0..3",
    ),
    "question weight not positive": (
        lambda d: q0(d).update(weight=0),
        "bad.yaml: domains[0].questions[0].weight: must be > 0",
    ),
    "domain weight not positive": (
        lambda d: d["domains"][0].update(weight=-1),
        "bad.yaml: domains[0].weight: must be > 0",
    ),
    # YAML's .nan and .inf passed `weight <= 0` and made every score NaN (issue 16's sweep).
    "domain weight NaN": (
        lambda d: d["domains"][0].update(weight=float("nan")),
        "bad.yaml: domains[0].weight: must be a finite number, got nan",
    ),
    "question weight infinite": (
        lambda d: q0(d).update(weight=float("inf")),
        "bad.yaml: domains[0].questions[0].weight: must be a finite number, got inf",
    ),
    "bands not starting at 0": (
        lambda d: d["bands"][0].update(min=10),
        "bad.yaml: bands[0].min: the first band must start at 0",
    ),
    "bands not ascending": (
        lambda d: d["bands"].append({"min": 20, "label": {"en": "x", "fr": "x", "ar": "x"}}),
        "bad.yaml: bands[2].min: band mins must ascend",
    ),
    "unknown field": (
        lambda d: q0(d).update(show_iff={"returnees_present": ["yes"]}),
        "bad.yaml: domains[0].questions[0].show_iff: unknown field",
    ),
    "missing required field": (
        lambda d: d["domains"][0]["questions"][1].pop("levels"),
        "bad.yaml: domains[0].questions[1].levels: required field is missing",
    ),
    "wrong type": (
        lambda d: d["domains"][0].update(questions="none"),
        "bad.yaml: domains[0].questions:",
    ),
    "unknown theme": (
        lambda d: d["domains"][0].update(themes=["security"]),
        "bad.yaml: domains[0].themes[0]:",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_rule_names_the_path(case):
    fn, expected = CASES[case]
    problems = mutate(fn)
    assert any(p.startswith(expected) for p in problems), problems


def test_yaml_syntax_error_gives_the_line():
    text = readme_example_text().splitlines()
    text[5] = "scale: [unclosed"
    problems = problems_of("\n".join(text))
    assert len(problems) == 1 and problems[0].startswith("bad.yaml: line ") and "YAML syntax error" in problems[0]


@pytest.mark.parametrize("old, new, message", [
    ("version: 1.0.0", "version: 2001-02-30", "the value '2001-02-30' cannot be read as timestamp"),
    ("version: 1.0.0", "version: !!timestamp soon", "the value 'soon' cannot be read as timestamp"),
    ("allow_na: true", "allow_na: !!bool maybe", "the value 'maybe' cannot be read as bool"),
    ("weight: 2", "weight: !!float heavy", "the value 'heavy' cannot be read as float"),
    ("weight: 2", "weight: " + "1" * 5000, f"the value '{'1' * 40}…' cannot be read as int"),
])
def test_a_value_its_tag_cannot_hold_is_refused_at_its_line(old, new, message):
    """PyYAML raised a bare ValueError, KeyError or AttributeError for these (issue 16's sweep)."""
    text = readme_example_text()
    line = text[: text.index(old)].count("\n") + 1
    assert problems_of(text.replace(old, new, 1)) == [f"bad.yaml: line {line}: YAML syntax error: {message}"]


def test_a_lone_surrogate_or_a_control_character_is_refused_at_its_line():
    """A str from a socket message can hold a lone surrogate, which libyaml cannot encode (it
    raised UnicodeEncodeError); a control character's message named "<unicode string>" and a byte
    position on two lines."""
    text = readme_example_text()
    assert problems_of(text.replace("Mini example", "Mini \ud800")) == [
        "bad.yaml: line 4: the text is not valid Unicode (a lone surrogate)"]
    assert problems_of(text.replace("Mini example", "Mini\x00")) == [
        "bad.yaml: line 4: YAML syntax error: unacceptable character #x0000: control characters are not allowed"]


def test_a_problem_quotes_a_long_value_cut_short():
    """An id, option or key of 5,000 characters was quoted whole, in the message and the path."""
    long = "x" * 5000
    data = deep(readme_example())
    data["facets"] = [{"id": "f", "title": {"en": "f", "fr": "f", "ar": "f"}, "questions": [long]}]
    q0(data)["show_if"] = {long: ["yes"]}
    assert problems_of(data) == [
        f"bad.yaml: domains[0].questions[0].show_if.{'x' * 60}…: '{'x' * 60}…' is not a context question",
        f"bad.yaml: facets[0].questions[0]: '{'x' * 60}…' is not a question of this questionnaire",
    ]
    [tag] = problems_of(readme_example_text().replace('"Mini example"', f"!{long} x"))
    assert tag.startswith("bad.yaml: line 4: YAML syntax error: could not determine a constructor for the tag '!xxx")
    assert tag.endswith("x…") and len(tag) < 300
    data = deep(readme_example())
    data["scale"]["levels"] += [{"value": v, "label": {"en": "l", "fr": "l", "ar": "l"}} for v in range(10, 1000)]
    message = next(p for p in problems_of(data) if p.startswith("bad.yaml: scale.levels:"))
    assert message.endswith(", 10, 11, 12, 13, 14, 15, … (994 in all)]")


def test_not_a_mapping():
    assert problems_of("- just\n- a list\n") == ["bad.yaml: the file must hold a mapping (id, version, scale, ...)"]


def test_all_problems_are_reported_at_once():
    def two(d):
        q0(d)["text"].pop("ar")
        q0(d).update(weight=0)
    assert len(mutate(two)) == 2


def test_json_schema_describes_the_contract_fields():
    schema = json_schema()
    json.dumps(schema)
    assert {"id", "version", "languages", "scale", "bands", "domains"} <= set(schema["properties"])
    question = schema["$defs"]["Question"]["properties"]
    assert {"id", "weight", "text", "help", "levels", "evidence", "show_if", "recommendations"} <= set(question)


def test_read_yaml_keeps_true_false_as_booleans():
    assert read_yaml("a: true\nb: no\nc: on") == {"a": True, "b": "no", "c": "on"}
