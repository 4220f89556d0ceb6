"""``SinkSMTP._getaddr`` (fast path for plain paths) answers exactly as aiosmtpd's own does,
except that input which crashes aiosmtpd's parser is a syntax error."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from aiosmtpd.smtp import SMTP
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mailcheck.smtp.junk import is_bad_path
from mailcheck.smtp.protocol import SinkSMTP

# Characters that matter to the RFC 5322 parser, plus plain ones and a few odd ones.
ALPHABET = 'ab.-_+@<>()"\\[]:;, \t\x0b\x1f\xa0é=!#~' + "\u2003"
SAMPLES = [
    "<a@example.com>",
    "<a@example.com> SIZE=100 BODY=8BITMIME",
    "<a@example.com>\t SIZE=100",
    "<a@example.com> (comment) SIZE=100",
    "<a@example.com>(comment)",
    "<a@example.com>\x0bSIZE=1",
    "<a@example.com>\u2003SIZE=1",
    "<>",
    "<> SIZE=1",
    "<@relay.example:a@example.com>",
    '<"quoted local"@example.com>',
    "<a..b@example.com>",
    "<.a@example.com>",
    "<a.@example.com>",
    "<a@example.com.>",
    "<a@[192.0.2.1]>",
    "<a@-example-.com>",
    "<jörg@exämple.com>",
    "< a@example.com>",
    " <a@example.com>",
    "<a@example.com",
    "<a @example.com>",
    "<a@ example.com>",
    "<a@example.com>>",
    "a@example.com",
    "a@example.com SIZE=1",
    "<" + "l" * 65 + "@example.com>",
]


def _both(arg: str, limit: int) -> tuple[object, object]:
    server = SimpleNamespace(local_part_limit=limit)
    return SinkSMTP._getaddr(server, arg), SMTP._getaddr(server, arg)  # type: ignore[arg-type]


@pytest.mark.parametrize("limit", [0, 64])
@pytest.mark.parametrize("arg", SAMPLES)
def test_samples_parse_as_stock(arg, limit):
    ours, stock = _both(arg, limit)
    assert ours == stock


@pytest.mark.parametrize("arg", ["<", "<a@", "<@", '"', "=@["])
def test_input_that_crashes_stock_is_a_syntax_error(arg):
    server = SimpleNamespace(local_part_limit=0)
    with pytest.raises((IndexError, AttributeError)):
        SMTP._getaddr(server, arg)  # type: ignore[arg-type]
    assert SinkSMTP._getaddr(server, arg) == (None, None)  # type: ignore[arg-type]


@settings(max_examples=3000, deadline=None)
@given(
    st.one_of(
        st.text(ALPHABET, max_size=30),
        st.builds(
            lambda a, b: f"<{a}@{b}>",
            st.text(ALPHABET, max_size=12),
            st.text(ALPHABET, max_size=12),
        ),
        st.builds(
            lambda a, r: f"<{a}@example.com>{r}",
            st.text(ALPHABET, max_size=10),
            st.text(ALPHABET, max_size=10),
        ),
    ),
    st.sampled_from([0, 3, 64]),
)
@example("<a@example.com> (x)", 0)
def test_any_argument_parses_as_stock(arg, limit):
    try:
        stock = SMTP._getaddr(SimpleNamespace(local_part_limit=limit), arg)  # type: ignore[arg-type]
    except (IndexError, AttributeError):  # stock crashes on some input: a syntax error for us
        stock = (None, None)
    ours = SinkSMTP._getaddr(SimpleNamespace(local_part_limit=limit), arg)  # type: ignore[arg-type]
    if stock[0] and is_bad_path(stock[0]):  # NUL, an unterminated quote: 501, as Postfix says
        assert ours == ("", "")
    else:
        assert ours == stock
