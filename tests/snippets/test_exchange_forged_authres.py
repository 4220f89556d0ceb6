"""The Exchange mail flow rule cannot be switched on by a forged Authentication-Results header.

Exchange Online adds its own Authentication-Results without an authserv-id, so a sender can add
a look-alike claiming ``dmarc=pass``. The rule's condition pattern and its exception pattern are
checked here against header sets a real message can carry (Python's ``re`` reads these .NET
patterns the same way: no constructs beyond classes, groups, alternation and \\b).
"""

from __future__ import annotations

import re

import pytest

from mailcheck.snippets.powershell import DMARC_NOT_PASS, dmarc_pattern

DOMAIN = "account.trimble.com"
EOP_PASS = (
    "spf=pass (sender IP is 54.240.27.30) smtp.mailfrom=amazonses.com; dkim=pass (signature was "
    f"verified) header.d={DOMAIN};dmarc=pass action=none header.from={DOMAIN};"
    "compauth=pass reason=100"
)
EOP_FAIL = (
    "spf=fail (sender IP is 203.0.113.9) smtp.mailfrom=evil.example; dkim=none (message not "
    f"signed) header.d=none;dmarc=fail action=quarantine header.from={DOMAIN};"
    "compauth=fail reason=000"
)
FORGED_PASS = f"mx.evil.example; dmarc=pass header.from={DOMAIN}"


def rule_fires(headers: list[str]) -> bool:
    """Exchange semantics: the condition matches some header, the exception matches none."""
    condition = re.compile(dmarc_pattern([DOMAIN], "test"))
    exception = re.compile(DMARC_NOT_PASS)
    return any(condition.search(h) for h in headers) and not any(
        exception.search(h) for h in headers
    )


@pytest.mark.parametrize(
    ("headers", "fires"),
    [
        ([EOP_PASS], True),  # genuine mail, Exchange Online's own result
        ([EOP_FAIL], False),  # spoofed mail, no forgery attempt
        ([EOP_FAIL, FORGED_PASS], False),  # spoofed mail with a forged pass: the real fail wins
        ([FORGED_PASS, EOP_FAIL], False),  # in either order
        ([EOP_PASS, FORGED_PASS], True),  # genuine mail that also carries junk: still fine
        ([EOP_PASS.replace(DOMAIN, "evil.example")], False),  # a pass for another domain
        ([EOP_PASS.replace("dmarc=pass", "dmarc=bestguesspass")], False),
        ([EOP_PASS.replace("dmarc=pass", "dmarc=temperror")], False),
    ],
)
def test_forged_pass_cannot_hide_the_real_result(headers, fires):
    assert rule_fires(headers) is fires
