"""The address in MAIL FROM / RCPT TO, parsed exactly as aiosmtpd 1.4.6 does, only faster.

aiosmtpd hands the argument to the email package's RFC 5322 parser (``get_angle_addr``), about
50 µs per call here, twice per message. Nearly every real path is ``<dot-atom@dot-atom>``;
for those the parser's answer is known without running it: the text between the brackets,
and the rest after any whitespace that follows ``>``. Everything else (null path, source
routes, quoting, comments, non-ASCII, broken input) still goes to the parser, so results are
the same for every input (``tests/smtp/test_address.py`` checks that with Hypothesis).

One deliberate difference: on some malformed input (``<a@``, ``<``, ``=@[``) the parser
raises ``IndexError`` or ``AttributeError`` instead of ``HeaderParseError``, which aiosmtpd
turns into a server fault (451 in the sink: the client would retry a broken address forever);
here any failure of the parser means a syntax error (501).
"""

from __future__ import annotations

import re
from email._header_value_parser import get_addr_spec, get_angle_addr

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"  # RFC 5322 §3.2.3, ASCII only
_SIMPLE_PATH = re.compile(rf"<({_ATEXT}(?:\.{_ATEXT})*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)>")


def parse_path(arg: str) -> tuple[str, str] | None:
    """``(address, rest of the argument)``, or None where ``arg`` is not a valid path."""
    simple = _SIMPLE_PATH.match(arg)
    if simple is not None:
        rest = arg[simple.end() :]
        if rest[:1] in (" ", "\t"):
            rest = rest.lstrip()  # the parser's folding white space: all of str.isspace()
        if not rest.startswith("("):  # a comment: leave it to the parser
            return simple.group(1), rest
    try:
        parse = get_angle_addr if arg.lstrip().startswith("<") else get_addr_spec
        address, rest = parse(arg)
        return address.addr_spec, rest
    except Exception:  # HeaderParseError, or the parser's own bugs on hostile input
        return None
