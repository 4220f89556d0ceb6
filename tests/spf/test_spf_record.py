"""SPF record and macro parsing (RFC 7208 §4.5, §4.6, §5, §7) on literal text."""

from __future__ import annotations

import ipaddress

import pytest

from mailcheck.protocols.spf.macro import (
    Macro,
    MacroContext,
    SpfSyntaxError,
    expand,
    parse_macro_string,
    truncate_name,
)
from mailcheck.protocols.spf.record import Qualifier, is_spf_record, parse_record


@pytest.mark.parametrize(
    ("text", "expected"),
    [("v=spf1", True), ("V=SpF1 -all", True), ("v=spf10", False), ("v=spf1mx", False), ("", False)],
)
def test_is_spf_record_version_needs_space_or_end(text, expected):
    assert is_spf_record(text) is expected


def test_parse_record_reads_every_mechanism_and_modifier():
    record = parse_record(
        "v=spf1 +a mx/24//64 -ptr:example.org ~ip4:192.0.2.0/24 ?ip6:2001:db8::/32 "
        "include:_spf.example.net exists:%{i}.bl.example.com redirect=r.example.com "
        "exp=x.example.com moo.cow=far"
    )
    names = [(m.qualifier, m.name) for m in record.mechanisms]
    assert names == [
        (Qualifier.PASS, "a"),
        (Qualifier.PASS, "mx"),
        (Qualifier.FAIL, "ptr"),
        (Qualifier.SOFTFAIL, "ip4"),
        (Qualifier.NEUTRAL, "ip6"),
        (Qualifier.PASS, "include"),
        (Qualifier.PASS, "exists"),
    ]
    assert (record.mechanisms[1].cidr4, record.mechanisms[1].cidr6) == (24, 64)
    assert record.mechanisms[3].network == ipaddress.ip_network("192.0.2.0/24")
    assert record.redirect is not None and record.exp is not None
    assert [m.name for m in record.other_modifiers] == ["moo.cow"]


@pytest.mark.parametrize(
    "text",
    [
        "v=spf1 -all.",
        "v=spf1 all:foo",
        "v=spf1 a/33",
        "v=spf1 a//129",
        "v=spf1 ip4:1.2.3.4/032",
        "v=spf1 ip4:1.2.3",
        "v=spf1 ip4:1.2.3.4//32",
        "v=spf1 ip6:::1.1.1.1//33",
        "v=spf1 ip4:2001:db8::1",
        "v=spf1 include",
        "v=spf1 include:example.com/24",
        "v=spf1 a:museum",
        "v=spf1 a:abc.123",
        "v=spf1 a:example.-com",
        "v=spf1 exists:%(ir).sbl.example.com",
        "v=spf1 exists:%{x}.example.com",
        "v=spf1 exists:%{i0}.example.com",
        "v=spf1 exp=%{r}.example.com",
        "v=spf1 redirect=a.example.com redirect=b.example.com",
        "v=spf1 exp= -all",
        "v=spf1 =all",
        "v=spf1 1up=foo",
        "v=spf1 -redirect=x.example.com",
        "v=spf1 redirect:x.example.com",
        "v=spf1 a:ctrl.example.com\rptr -all",
        "v=spf1 a:\ufeffgarbage.example.net -all",
        "v=spf1 ip4:192.0.2.5\n include:x.example.com",
    ],
)
def test_parse_record_syntax_errors(text):
    with pytest.raises(SpfSyntaxError):
        parse_record(text)


@pytest.mark.parametrize(
    ("text", "mechanisms", "modifiers"),
    [
        ("v=spf1 a:foo:bar/baz.example.com", 1, 0),
        ("v=spf1 a:foo.example.xn--zckzah -all", 2, 0),
        ("v=spf1 a  -all ", 2, 0),  # extra spaces separate terms, they are not terms
        ("v=spf1 default=+", 0, 1),  # an unknown modifier is kept and ignored (RFC 7208 §6)
        ("v=spf1 redirect=%{d}.d.spf.example.com.", 0, 0),
    ],
)
def test_parse_record_accepts_valid_oddities(text, mechanisms, modifiers):
    record = parse_record(text)
    assert len(record.mechanisms) == mechanisms
    assert len(record.other_modifiers) == modifiers
    assert (record.redirect is not None) == ("redirect=" in text)


def _context(ip: str, sender: str = "strong-bad@email.example.com") -> MacroContext:
    return MacroContext(sender, "email.example.com", ipaddress.ip_address(ip), "mx.example.org")


async def _no_ptr() -> str:
    return "unknown"


@pytest.mark.parametrize(
    ("macro", "expected"),
    [  # the examples of RFC 7208 §7.4
        ("%{s}", "strong-bad@email.example.com"),
        ("%{o}", "email.example.com"),
        ("%{d}", "email.example.com"),
        ("%{d4}", "email.example.com"),
        ("%{d3}", "email.example.com"),
        ("%{d2}", "example.com"),
        ("%{d1}", "com"),
        ("%{dr}", "com.example.email"),
        ("%{d2r}", "example.email"),
        ("%{l}", "strong-bad"),
        ("%{l-}", "strong.bad"),
        ("%{lr}", "strong-bad"),
        ("%{lr-}", "bad.strong"),
        ("%{l1r-}", "strong"),
        ("%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"),
        ("%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"),
        ("%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"),
        ("%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"),
        ("%{h}", "mx.example.org"),
        ("%%%_%-", "% %20"),
    ],
)
async def test_expand_rfc_examples_ipv4(macro, expected):
    tokens = parse_macro_string(macro)
    assert await expand(tokens, _context("192.0.2.3"), _no_ptr) == expected


async def test_expand_ipv6_dotted_nibbles():
    tokens = parse_macro_string("%{ir}.%{v}._spf.%{d2}")
    expected = (
        "1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com"
    )
    assert await expand(tokens, _context("2001:db8::cb01"), _no_ptr) == expected


async def test_expand_url_escapes_upper_case_letters():
    tokens = parse_macro_string("%{L}", explanation=True)
    value = await expand(tokens, _context("192.0.2.3", "~jack&jill=up@example.com"), _no_ptr)
    assert value == "~jack%26jill%3Dup"


async def test_expand_p_uses_validated_name_callback():
    async def name() -> str:
        return "mx.example.org"

    assert await expand(parse_macro_string("%{p2}"), _context("192.0.2.3"), name) == "example.org"


def test_exp_only_letters_need_explanation_context():
    with pytest.raises(SpfSyntaxError):
        parse_macro_string("%{c}")
    assert parse_macro_string("from %{c} at %{t}", explanation=True)[1] == Macro("c")


def test_truncate_name_drops_whole_labels_on_the_left():
    long = "a" * 60 + "." + ("b" * 60 + ".") * 4 + "example.com."
    cut = truncate_name(long)
    assert len(cut) <= 253 and cut.endswith("example.com") and cut.startswith("b")
