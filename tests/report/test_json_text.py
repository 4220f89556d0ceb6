"""``base.json_text`` is exactly ``json.dumps(indent=2, sort_keys=True, ensure_ascii=False)``,
and ``report.json.asdict`` exactly ``dataclasses.asdict``."""

from __future__ import annotations

import dataclasses
import json
from enum import StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mailcheck.base.json_text import Encoded, dumps
from mailcheck.report.json import asdict


def reference(value: object) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


class Colour(StrEnum):
    RED = "red"


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()  # NaN and the infinities too: json writes NaN, Infinity, -Infinity
    | st.text()  # control characters, quotes, backslashes, non-ASCII, U+2028
    | st.sampled_from([Colour.RED])
)
keys = st.text() | st.integers() | st.sampled_from([Colour.RED])
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.lists(inner, max_size=4).map(tuple)
        | st.dictionaries(keys.filter(lambda k: isinstance(k, str)), inner, max_size=4)
        | st.dictionaries(st.integers(), inner, max_size=4)
        | st.dictionaries(st.floats(allow_nan=False), inner, max_size=3)
        | st.dictionaries(st.sampled_from([True, False, None]), inner, max_size=1)
    ),
    max_leaves=30,
)


@given(values)
def test_same_text_as_json_dumps(value: object) -> None:
    assert dumps(value) == reference(value)


@given(values, values)
def test_an_encoded_part_is_spliced_as_if_it_were_the_value(part: object, other: object) -> None:
    shared = Encoded(part)
    document = {"checks": [other, shared], "top": shared, "deep": [[{"x": shared}]]}
    plain = {"checks": [other, part], "top": part, "deep": [[{"x": part}]]}
    assert dumps(document) == reference(plain)
    assert dumps(document) == reference(plain)  # its texts are remembered per depth


def test_what_json_refuses_is_refused() -> None:
    with pytest.raises(TypeError):
        dumps({"a": {1, 2}})
    with pytest.raises(TypeError):
        dumps({(1, 2): "tuple key"})
    with pytest.raises(TypeError):  # keys of different types cannot be sorted, in json either
        dumps({"a": 1, 2: "b"})
    with pytest.raises(TypeError):
        reference({"a": 1, 2: "b"})


@pytest.mark.parametrize("fixture", ["xss_report", "html_report"])
def test_asdict_is_dataclasses_asdict(fixture: str, request: pytest.FixtureRequest) -> None:
    report, _ = request.getfixturevalue(fixture)
    for value in (report, *report.checks, *(f for r in report.checks for f in r.findings)):
        assert repr(asdict(value)) == repr(dataclasses.asdict(value))  # types too: tuples stay
