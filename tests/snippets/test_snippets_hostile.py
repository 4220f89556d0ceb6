"""Hostile profile values: the loader rejects them, or every snippet neutralises them.

Profiles are written to temporary folders and loaded through ``load_profile_file``, the same
path a user's ``--rules DIR`` takes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mailcheck.base.errors import ProfileError, SnippetError
from mailcheck.rulefiles.profiles import load_profile_file
from mailcheck.snippets import FilterKind, SnippetFacts, SnippetOptions
from mailcheck.snippets.powershell import ps_quote

OPTIONS = SnippetOptions(include_ip_allowlist=True)
# filters whose syntax gives characters such as ' $ ` * meaning: they must refuse them
STRICT = {
    FilterKind.CISCO,
    FilterKind.EXIM,
    FilterKind.SPAMASSASSIN,
    FilterKind.RSPAMD,
    FilterKind.AMAVIS,
}


def _profile(
    tmp_path: Path,
    *,
    name: str = "Hostile",
    address: str = "no-reply@snip.example",
    network: str = "192.0.2.10",
    profile_id: str = "hostile",
) -> Path:
    path = tmp_path / "hostile.toml"
    text = (
        'kind = "sender-profile"\nformat_version = 1\n'
        f"id = {_toml(profile_id)}\nname = {_toml(name)}\n"
        'vendor = "Example"\npurpose = "hostile values test"\n'
        '[[provenance]]\ntitle = "t"\nurl = "https://snip.example/"\nretrieved = 2026-11-22\n'
        f'[[senders]]\naddress = {_toml(address)}\nenvironment = "production"\n'
        f"[[networks]]\nnetwork = {_toml(network)}\n"
    )
    path.write_text(text, encoding="utf-8")
    return path


def _toml(value: str) -> str:
    """A TOML basic string that carries ``value`` exactly (escapes included)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in escaped) + '"'


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Evil\nwelcomelist_from *@*"),  # newline: would end a comment line
        ("name", "Evil\r\nSet-TransportRule"),
        ("name", "right-to-left \u202e override"),
        ("name", "zero\u200bwidth"),
        ("address", 'no-reply@snip.example"; rm -rf /'),
        ("address", "no-reply;evil@snip.example"),
        ("address", '"quoted local"@snip.example'),
        ("address", "no-reply@snip.example\nwelcomelist_from *"),
        ("address", "n\u043e-reply@snip.example"),  # Cyrillic o in the local part
        ("address", "no-reply@snip.example$(whoami)"),
        ("address", "no-reply@[192.0.2.1]"),
        ("network", "192.0.2.10; rm -rf /"),
        ("network", "192.0.2.10/24"),  # host bits set
        ("profile_id", "evil$(whoami)"),
        ("profile_id", "evil'id"),
    ],
)
def test_loader_rejects_hostile_values(tmp_path, field, value):
    with pytest.raises(ProfileError):
        load_profile_file(_profile(tmp_path, **{field: value}))


PAYLOAD = "Evil' \"; $(whoami) `id` ${jndi} {{7*7}} </script> \\ ; # Тrimble"


@pytest.mark.parametrize("kind", list(FilterKind))
def test_free_text_only_reaches_comments_as_ascii(tmp_path, kind):
    profile = load_profile_file(_profile(tmp_path, name=PAYLOAD))
    out = kind.snippet().render(profile, OPTIONS, SnippetFacts())
    assert out.text.isascii()
    for line in out.text.splitlines():
        if "whoami" in line:
            assert line.startswith("# Profile: hostile (Evil' "), line


@pytest.mark.parametrize("kind", list(FilterKind))
# ``*`` and ``?`` never get this far: the loader refuses them (tests/hostile/test_profile_values.py)
@pytest.mark.parametrize("local", ["o'brien", "a$b", "a`b", "a{b}", "a|b", "a#b"])
def test_hostile_addresses_are_refused_or_quoted(tmp_path, kind, local):
    address = f"{local}@snip.example"
    profile = load_profile_file(_profile(tmp_path, address=address))
    if kind in STRICT:
        with pytest.raises(SnippetError, match="refusing address"):
            kind.snippet().render(profile, OPTIONS, SnippetFacts())
        return
    out = kind.snippet().render(profile, OPTIONS, SnippetFacts())
    code = "\n".join(ln for ln in out.text.splitlines() if not ln.startswith("#"))
    if kind is FilterKind.POSTFIX:  # Postfix snippets name IPs only, never addresses
        assert "snip.example" not in code
    elif kind in (FilterKind.MICROSOFT365, FilterKind.EXCHANGE_SERVER):
        # the rule matches the address as an anchored, escaped regex in a single-quoted literal
        assert ps_quote(f"^{re.escape(address)}$") in code
        pattern = re.escape(address).replace("'", "''")
        assert code.count(pattern) == code.count(ps_quote(f"^{re.escape(address)}$"))
        if kind is FilterKind.MICROSOFT365:  # and TABL names it as a plain quoted literal
            quoted = ps_quote(address)
            assert quoted in code
            assert code.count(address.replace("'", "''")) == code.count(quoted)
    else:  # click-path text for a human: shown verbatim, on its own line or field
        assert address in out.text


@pytest.mark.parametrize("kind", [k for k in FilterKind if k is not FilterKind.POSTFIX])
def test_lookalike_domains_are_shown_as_a_labels(tmp_path, kind):
    profile = load_profile_file(_profile(tmp_path, address="no-reply@snіpsender.example"))
    out = kind.snippet().render(profile, OPTIONS, SnippetFacts())
    assert out.text.isascii()
    assert "xn--" in out.text
    assert "no-reply@snipsender.example" not in out.text  # the lookalike never passes as ASCII


def test_powershell_quote_doubles_typographic_quotes():
    from mailcheck.snippets.powershell import ps_quote

    assert ps_quote("a'b\u2019c$(x)`d") == "'a''b\u2019\u2019c$(x)`d'"
    with pytest.raises(ValueError):
        ps_quote("a\nb")


def test_ucl_and_perl_strings_escape_their_specials():
    from mailcheck.snippets.amavis import perl_string
    from mailcheck.snippets.rspamd import ucl_string

    assert ucl_string('a"b\\c${X}') == '"a\\"b\\\\c\\${X}"'
    assert perl_string("a'b\\c") == "'a\\'b\\\\c'"


def test_cisco_filter_string_escapes_backslash_and_quote():
    from mailcheck.snippets.cisco import _filter_string

    assert _filter_string('a\\.b"c') == '"a\\\\.b\\"c"'
