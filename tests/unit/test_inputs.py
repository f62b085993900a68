"""Client input coerced before use: any type, any size, never an exception."""

import pytest

from nlc_toolkit.ui.state.inputs import db_id, form, text


@pytest.mark.parametrize("value, expected", [
    (12, 12), ("12", 12), (0, 0), (-3, 0), ("-3", 0), ("1e3", 0), ("9" * 13, 0), ("9" * 5000, 0), (10**30, 0),
    (True, 0), (None, 0), ([1], 0), ({"id": 1}, 0), (1.5, 0), ("１２", 0),
])
def test_ids(value, expected):
    assert db_id(value) == expected


def test_text_and_forms():
    assert text("abc", 2) == "ab" and text(None) == "" and text({"a": 1}) == "" and text(["x"]) == ""
    assert form({"a": 1}) == {"a": 1} and form("x") == {} and form(None) == {}
