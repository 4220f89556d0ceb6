"""Issue 15 item 1 with the real filters: IP entries from a profile whose networks were written
in odd but valid forms reach postmap, spamassassin --lint and rspamadm configtest as clean,
re-serialised addresses; the smuggling form never gets that far (the loader refuses it)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mailcheck.base.errors import ProfileError
from mailcheck.rulefiles.profiles import SenderProfile, load_profile_file
from mailcheck.snippets import FilterKind, SnippetFacts, SnippetOptions
from tests.hostile.profile_text import write_profile
from tests.snippets.tools import require_tool, run

IPS = SnippetOptions(include_ip_allowlist=True)
WRITTEN = ("2001:DB8:0:0:0:0:0:A", "192.0.2.10/32", "2001:db8::00b")
EMITTED = ("2001:db8::a", "192.0.2.10", "2001:db8::b")


@pytest.fixture
def profile(tmp_path: Path) -> SenderProfile:
    return load_profile_file(write_profile(tmp_path / "rules", networks=WRITTEN))


def _text(kind: FilterKind, profile: SenderProfile) -> str:
    return kind.snippet().render(profile, IPS, SnippetFacts()).text


def test_smuggling_profile_never_reaches_a_filter(tmp_path):
    with pytest.raises(ProfileError, match="scope id"):
        load_profile_file(write_profile(tmp_path, networks=("2600::1%x, 0.0.0.0, 198.51.100.7",)))


@pytest.mark.parametrize(
    ("ip", "expected"),
    [*((ip, "permit") for ip in EMITTED), ("0.0.0.0", None), ("2600::1", None)],
)
def test_postmap_finds_exactly_the_listed_hosts(tmp_path, profile, ip, expected):
    postmap = require_tool("postmap", "postfix")
    out = FilterKind.POSTFIX.snippet().render(profile, IPS, SnippetFacts())
    table = tmp_path / "table.cidr"
    table.write_text(out.parts[1].text)
    (tmp_path / "main.cf").write_text("compatibility_level = 3.6\n")
    result = run([postmap, "-c", str(tmp_path), "-q", ip, f"cidr:{table}"])
    assert "warning" not in result.stderr.lower(), result.stderr
    assert result.stdout.strip() == (expected or "")
    assert result.returncode == (0 if expected else 1)


def test_spamassassin_lint_is_clean(tmp_path, profile):
    spamassassin = require_tool("spamassassin", "spamassassin")
    site = tmp_path / "sa"
    site.mkdir()
    for pre in Path("/etc/spamassassin").glob("*.pre"):
        shutil.copy(pre, site / pre.name)
    text = _text(FilterKind.SPAMASSASSIN, profile)
    assert "[2001:db8::a]" in text and "%" not in text
    (site / "90_mailcheck.cf").write_text(text)
    result = run(
        [spamassassin, f"--siteconfigpath={site}", "--lint", "-L"],
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert "warn" not in result.stderr, result.stderr


def test_rspamd_strict_configtest_is_clean(tmp_path, profile):
    rspamadm = require_tool("rspamadm", "rspamd")
    local = tmp_path / "rspamd-local"
    (local / "local.d").mkdir(parents=True)
    (local / "override.d").mkdir()
    (local / "override.d" / "fuzzy_check.conf").write_text("enabled = false;\n")
    text = _text(FilterKind.RSPAMD, profile)
    assert "2001:db8::a" in text
    (local / "local.d" / "multimap.conf").write_text(text)
    conf = "/etc/rspamd/rspamd.conf"
    result = run([rspamadm, f"--var=LOCAL_CONFDIR={local}", "configtest", "-s", "-c", conf])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "syntax OK" in result.stdout
