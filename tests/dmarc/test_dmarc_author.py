"""The Author Domain from From fields: the one domain DMARC is keyed on, or why there is none."""

from __future__ import annotations

import pytest

from mailcheck.protocols.dmarc.author import MAX_FROM, author_of


@pytest.mark.parametrize(
    ("value", "address", "domain"),
    [
        ("Identity <no-reply@account.trimble.com>", "no-reply@account.trimble.com", None),
        ("NoReply@Account.Trimble.COM", "noreply@account.trimble.com", "account.trimble.com"),
        ('"Doe, Jane \\"JD\\"" <jane@example.com>', "jane@example.com", "example.com"),
        ("=?utf-8?q?Ren=C3=A9?= <r@example.com> (comment)", "r@example.com", "example.com"),
        ("a@example.com, b@EXAMPLE.com", "a@example.com", "example.com"),
        ("<@route.example:a@example.com>", "a@example.com", "example.com"),  # obsolete route
        ("Team: a@example.com, b@example.com;", "a@example.com", "example.com"),  # a group
        ("Jürgen <j@bücher.example>", "j@bücher.example", "xn--bcher-kva.example"),
    ],
)
def test_one_author_domain(value, address, domain):
    author = author_of([value])
    assert author.problem == ""
    assert author.address == address
    assert author.domain == (domain or address.rpartition("@")[2])


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ([], "no From field"),
        (["a@example.com", "b@example.com"], "2 From fields"),
        (['"><img src=x onerror=alert(1)> <a@xss.example>'], "cannot be parsed"),
        (["undisclosed"], "cannot be parsed"),
        (["undisclosed-recipients:;"], "cannot be parsed"),
        (["Bob <bob@ex ample.com>"], "cannot be parsed"),
        (["a@[192.0.2.1]"], "no valid domain name"),  # an address literal names no domain
        (["a@-bad-.example"], "no valid domain name"),
        (["a@under_score.example"], "no valid domain name"),
        ([f"a@{'x' * 64}.example"], "no valid domain name"),
        (["a@evil.example, b@good.example"], "names 2 domains (evil.example, good.example)"),
        (["(" * 1000 + "a@example.com"], "cannot be parsed"),  # the stdlib parser recurses
        (["a" * MAX_FROM + "@example.com"], f"longer than {MAX_FROM:,}"),
    ],
)
def test_no_author_domain(values, problem):
    author = author_of(values)
    assert author.domain == ""
    assert problem in author.problem


@pytest.mark.parametrize("junk", ['"', "a ", ".", "\\", "<", "@"])
def test_junk_up_to_the_limit_names_no_domain(junk):
    value = junk * (MAX_FROM // len(junk))
    assert author_of([value]) == author_of([value[: MAX_FROM // 2]])
    assert author_of([value]).domain == ""
