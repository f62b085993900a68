"""The short bad input sweep (issue 16) of the three readers that need no database: the
questionnaire loader, the answers CSV and the XLSX template import, each fed about 200 spoiled
valid files (tests/fuzzing.py). Every input is accepted or refused with a clear message; nothing
else. bench/fuzz.py runs the same sweep with 10,000 inputs each."""

import pytest

from tests.fuzzing import AnswersCsvTarget, QuestionnaireTarget, TemplateTarget, sweep

EXAMPLES = 200


@pytest.mark.parametrize("target", [QuestionnaireTarget, AnswersCsvTarget, TemplateTarget])
def test_no_input_is_unhandled(target, tmp_path):
    tally = sweep(target(tmp_path), EXAMPLES)
    assert tally.run == EXAMPLES
    assert tally.unhandled == [], "\n".join(tally.lines())
    assert sum(tally.refused.values()) > EXAMPLES / 2  # the inputs are spoiled, most must be refused
