"""read_answers_csv (`nlc score`) on the bad inputs issue 16's sweep found: every one is an
AnswersFileError naming its line, never a ValueError or a csv.Error."""

import pytest

from nlc_toolkit.core.exports.answers_csv import AnswersFileError, read_answers_csv
from nlc_toolkit.core.questionnaire import parse_questionnaire
from tests.helpers import readme_example_text

Q = parse_questionnaire(readme_example_text(), "example")
HEADER = "respondent,question,answer\n"


def problems(text: str) -> list[str]:
    with pytest.raises(AnswersFileError) as err:
        read_answers_csv(text, Q)
    return err.value.problems


def test_digits_int_cannot_read_are_out_of_range():
    # "²" is a digit to str.isdigit and not to int(); int() also refuses 5,000 digits.
    assert problems(HEADER + "r1,mandate.formal_mandate,²\nr1,mandate.lead_office," + "9" * 5000 + "\n") == [
        "line 2: answer '²' to mandate.formal_mandate is out of range (0..3, na, unknown)",
        f"line 3: answer '{'9' * 60}…' to mandate.lead_office is out of range (0..3, na, unknown)",
    ]
    answers, _ = read_answers_csv(HEADER + "r1,mandate.formal_mandate,٢\nr2,mandate.formal_mandate,002\n", Q)
    assert list(answers["answer"]) == ["2", "2"]  # Arabic-Indic digits and leading zeros, as before


def test_a_field_over_the_csv_limit_is_a_problem_on_its_line():
    assert problems(HEADER + "r1,mandate.formal_mandate,1\nr1,mandate.lead_office," + "x" * 200_000 + "\n") == [
        "line 3: not readable as CSV (field larger than field limit (131072))"]
    assert problems("x" * 200_000 + "\n") == ["line 1: not readable as CSV (field larger than field limit (131072))"]


def test_lines_ended_by_cr_alone_are_read():
    # A file saved with old Mac line ends: csv.Error "new-line character seen in unquoted field" before.
    answers, context = read_answers_csv(HEADER.replace("\n", "\r") + "r1,mandate.formal_mandate,2\rr1,returnees_present,no\r", Q)
    assert list(answers["answer"]) == ["2"] and list(context["answer"]) == ["no"]
