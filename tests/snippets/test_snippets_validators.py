"""The snippets as the real filter software reads them: each must load clean, and a broken
variant must not (so a pass means the validator really looked)."""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import pytest

from mailcheck.snippets import FilterKind, SnippetFacts, SnippetOptions
from mailcheck.snippets.postfix import table_name
from tests.snippets.tools import exim_binary, exim_command, require_tool, run, skip_or_fail

IPS = SnippetOptions(include_ip_allowlist=True)
SA_SYSTEM_CONFIG = Path("/etc/spamassassin")
RSPAMD_CONFIG = Path("/etc/rspamd/rspamd.conf")
POSTFIX_SYSTEM_QUEUE = Path("/var/spool/postfix")  # postfix check needs root-owned queue dirs


def _render(kind, profile, options=IPS):
    return kind.snippet().render(profile, options, SnippetFacts())


# --- Postfix ---------------------------------------------------------------------------------


def _postfix_dir(tmp_path: Path, profile) -> Path:
    out = _render(FilterKind.POSTFIX, profile)
    main_cf, table = out.parts
    conf = tmp_path / "postfix"
    conf.mkdir()
    (conf / "main.cf").write_text(
        "compatibility_level = 3.6\n"
        f"queue_directory = {POSTFIX_SYSTEM_QUEUE}\n"
        "data_directory = /var/lib/postfix\n" + main_cf.text
    )
    master = Path("/etc/postfix/master.cf")
    (conf / "master.cf").write_text(master.read_text() if master.is_file() else "")
    (conf / table_name_for(profile)).write_text(table.text)
    return conf


def table_name_for(profile) -> str:
    from mailcheck.snippets.base import SnippetContext

    return table_name(SnippetContext.create(profile, IPS, SnippetFacts(), "test"))


def test_postfix_postconf_has_no_warnings(tmp_path, snipsender):
    postconf = require_tool("postconf", "postfix")
    conf = _postfix_dir(tmp_path, snipsender)
    result = run([postconf, "-c", str(conf), "-n"])
    assert result.returncode == 0, result.stderr
    assert "warning" not in result.stderr.lower()
    assert "postscreen_access_list = permit_mynetworks, cidr:" in result.stdout


def test_postfix_postconf_reports_a_typo(tmp_path, snipsender):
    postconf = require_tool("postconf", "postfix")
    conf = _postfix_dir(tmp_path, snipsender)
    text = (conf / "main.cf").read_text().replace("postscreen_access_list", "postscreen_acess_list")
    (conf / "main.cf").write_text(text)
    assert "unused parameter" in run([postconf, "-c", str(conf), "-n"]).stderr


@pytest.mark.parametrize(
    ("ip", "expected"),
    [
        ("192.0.2.10", "permit"),
        ("192.0.2.11", "permit"),
        ("192.0.2.12", None),
        ("198.51.100.20", None),
    ],
)
def test_postfix_table_lookup(tmp_path, snipsender, ip, expected):
    postmap = require_tool("postmap", "postfix")
    conf = _postfix_dir(tmp_path, snipsender)
    table = f"cidr:{conf / table_name_for(snipsender)}"
    result = run([postmap, "-c", str(conf), "-q", ip, table])
    assert "warning" not in result.stderr.lower(), result.stderr
    if expected is None:
        assert result.returncode == 1 and result.stdout == ""
    else:
        assert result.returncode == 0 and result.stdout.strip() == expected


def test_postfix_check_is_clean(tmp_path, snipsender):
    postfix = require_tool("postfix", "postfix")
    if not POSTFIX_SYSTEM_QUEUE.is_dir():
        skip_or_fail(f"{POSTFIX_SYSTEM_QUEUE} missing: the postfix package is not set up")
    conf = _postfix_dir(tmp_path, snipsender)
    # postfix check logs to syslog unless stderr is a terminal: script(1) provides one
    script = shutil.which("script")
    argv = [postfix, "-c", str(conf), "check"]
    command = [script, "-qec", shlex.join(argv), "/dev/null"] if script else argv
    result = run(command)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (result.stdout + result.stderr).strip() == ""


def test_postfix_relay_control_stays_default(tmp_path, snipsender):
    postconf = require_tool("postconf", "postfix")
    conf = _postfix_dir(tmp_path, snipsender)
    result = run([postconf, "-c", str(conf), "-n"])
    keys = {line.split(" = ")[0] for line in result.stdout.splitlines()}
    assert not {k for k in keys if "relay" in k or "restrictions" in k or k == "mynetworks"}
    relay = run([postconf, "-c", str(conf), "-h", "smtpd_relay_restrictions"]).stdout
    assert "defer_unauth_destination" in relay or "reject_unauth_destination" in relay


# --- SpamAssassin ----------------------------------------------------------------------------


def _sa_dir(tmp_path: Path, text: str) -> Path:
    site = tmp_path / "sa"
    site.mkdir()
    for pre in SA_SYSTEM_CONFIG.glob("*.pre"):  # the plugin loads a real site config has
        shutil.copy(pre, site / pre.name)
    (site / "90_mailcheck.cf").write_text(text)
    return site


@pytest.mark.parametrize("legacy", [False, True], ids=["4.x", "3.x-spelling"])
def test_spamassassin_lint_is_clean(tmp_path, snipsender, legacy):
    spamassassin = require_tool("spamassassin", "spamassassin")
    options = SnippetOptions(include_ip_allowlist=True, spamassassin_legacy=legacy)
    site = _sa_dir(tmp_path, _render(FilterKind.SPAMASSASSIN, snipsender, options).text)
    result = run(
        [spamassassin, f"--siteconfigpath={site}", "--lint", "-L"],
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert "warn" not in result.stderr, result.stderr


def test_spamassassin_lint_catches_a_typo(tmp_path, snipsender):
    spamassassin = require_tool("spamassassin", "spamassassin")
    text = _render(FilterKind.SPAMASSASSIN, snipsender).text.replace("_from_dkim ", "_from_dkimm ")
    site = _sa_dir(tmp_path, text)
    result = run(
        [spamassassin, f"--siteconfigpath={site}", "--lint", "-L"],
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode != 0


# --- rspamd ----------------------------------------------------------------------------------


def _rspamd_local(tmp_path: Path, text: str) -> Path:
    local = tmp_path / "rspamd-local"
    (local / "local.d").mkdir(parents=True)
    (local / "override.d").mkdir()
    # offline: fuzzy_check resolves rspamd.com at start-up and fails strict mode without it
    (local / "override.d" / "fuzzy_check.conf").write_text("enabled = false;\n")
    (local / "local.d" / "multimap.conf").write_text(text)
    return local


def _configtest(local: Path):
    rspamadm = require_tool("rspamadm", "rspamd")
    return run(
        [rspamadm, f"--var=LOCAL_CONFDIR={local}", "configtest", "-s", "-c", str(RSPAMD_CONFIG)]
    )


@pytest.mark.parametrize("options", [SnippetOptions(), IPS], ids=["authenticated", "with-ip"])
def test_rspamd_strict_configtest_is_clean(tmp_path, snipsender, options):
    local = _rspamd_local(tmp_path, _render(FilterKind.RSPAMD, snipsender, options).text)
    result = _configtest(local)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "syntax OK" in result.stdout


def test_rspamd_strict_configtest_rejects_a_bad_rule(tmp_path, snipsender):
    text = _render(FilterKind.RSPAMD, snipsender).text.replace('type = "header"', 'type = "hdr"')
    result = _configtest(_rspamd_local(tmp_path, text))
    assert result.returncode != 0


def test_rspamd_loads_the_rule(tmp_path, snipsender):
    rspamadm = require_tool("rspamadm", "rspamd")
    local = _rspamd_local(tmp_path, _render(FilterKind.RSPAMD, snipsender).text)
    result = run(
        [
            rspamadm,
            f"--var=LOCAL_CONFDIR={local}",
            "configdump",
            "-c",
            str(RSPAMD_CONFIG),
            "multimap",
        ]
    )
    assert "MAILCHECK_SNIPSENDER_FROM" in result.stdout
    assert 'require_symbols = "DMARC_POLICY_ALLOW"' in result.stdout


# --- Exim ------------------------------------------------------------------------------------


def _exim_conf(tmp_path: Path, profile) -> Path:
    main, acl, _data = _render(FilterKind.EXIM, profile).parts
    (tmp_path / "spool").mkdir()
    conf = tmp_path / "exim.conf"
    conf.write_text(
        "primary_hostname = mx.sniprecv.example\n"
        "domainlist local_domains = sniprecv.example\n"
        "exim_user = root\nexim_group = root\nkeep_environment =\n"
        f"spool_directory = {tmp_path / 'spool'}\nlog_file_path = {tmp_path}/%slog\n"
        "acl_smtp_rcpt = acl_check_rcpt\n"
        + main.text
        + "\nbegin acl\n\n"
        + acl.text
        + "\nacl_check_rcpt:\n  deny    !domains = +local_domains\n  accept\n"
    )
    return conf


def test_exim_accepts_the_configuration(tmp_path, snipsender):
    binary = exim_binary()
    conf = _exim_conf(tmp_path, snipsender)
    result = run(exim_command(binary, tmp_path, ["-C", str(conf), "-bV"]))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Configuration file is" in result.stdout
    assert "error" not in (result.stdout + result.stderr).lower()


def test_exim_rejects_a_misspelt_condition(tmp_path, snipsender):
    binary = exim_binary()
    conf = _exim_conf(tmp_path, snipsender)
    conf.write_text(conf.read_text().replace("dkim_status  =", "dkim_statuss ="))
    result = run(exim_command(binary, tmp_path, ["-C", str(conf), "-bV"]))
    assert result.returncode != 0
    assert "unknown ACL condition" in result.stderr


# --- Amavis (no lint mode: the fragment must at least load as Perl with amavis' variables) ---


def test_amavis_fragment_loads_as_perl(tmp_path, snipsender):
    perl = require_tool("perl", "perl-base")
    fragment = tmp_path / "60-mailcheck"
    fragment.write_text(_render(FilterKind.AMAVIS, snipsender).text)
    probe = (
        "package Amavis::Conf; use vars qw($enable_dkim_verification %policy_bank "
        "@author_to_policy_bank_maps); my $r = do $ARGV[0]; die $@ || $! unless $r; "
        "print scalar(keys %{$author_to_policy_bank_maps[0]}), ' ', "
        "join(',', sort keys %policy_bank), ' ', $enable_dkim_verification, qq(\\n);"
    )
    result = run([perl, "-e", probe, str(fragment)])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "2 MAILCHECK_SNIPSENDER 1"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("genuine", "yes snipsender.example"), ("other-address", "no snipsender.example")],
)
def test_exim_from_conditions_match_only_listed_addresses(tmp_path, snipsender, name, expected):
    # the DKIM half needs a live SMTP session; this checks the address half with -bem
    from tests.snippets.messages import delivery

    binary = exim_binary()
    conf = _exim_conf(tmp_path, snipsender)
    message = tmp_path / "message.eml"
    message.write_bytes(
        delivery(name).data.replace(b"From: Snip Sender <no-reply", b"From: Snip Sender <No-Reply")
    )
    probe = (
        "${if match_address{${lc:${address:$h_from:}}}{+mailcheck_snipsender_senders}"
        "{yes}{no}} ${domain:$h_from:}"
    )
    result = run(exim_command(binary, tmp_path, ["-C", str(conf), "-bem", str(message), probe]))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected
