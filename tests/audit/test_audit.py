"""mailcheck audit: every verdict on real allowlist files, exit codes, hostile files, and the
files as the real filters read them (postmap, spamassassin --lint, rspamadm configtest)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mailcheck.audit import AuditFormat
from mailcheck.cli import main
from tests.snippets.tools import require_tool, run

DATA = Path(__file__).resolve().parent.parent / "data" / "audit"
SNAPSHOT = ["--snapshot", "examples/acme.json"]


def _audit_json(capsys, *argv: str) -> tuple[int, dict]:
    code = main(["audit", *argv, *SNAPSHOT, "--json"])
    return code, json.loads(capsys.readouterr().out)


def _verdicts(document: dict) -> dict[str, str]:
    return {f["subject"]: f["code"] for f in document["findings"]}


def test_postfix_cidr_every_network_case(capsys):
    code, document = _audit_json(capsys, str(DATA / "client.cidr"))
    assert _verdicts(document) == {
        "104.130.122.50/32": "AUD001",  # documented by the current Tekla page
        "54.240.27.0/24": "AUD003",  # Amazon SES's pool, by its live SPF
        "184.173.153.253/32": "AUD002",  # only the superseded Tekla page lists it
        "69.72.43.0/24": "AUD003",  # a documented address, but inside Mailgun's pool
        "192.0.2.1/32": "AUD006",  # not Trimble's
    }
    shared = next(f for f in document["findings"] if f["code"] == "AUD003")
    assert "Amazon SES" in shared["summary"]
    documented = next(f for f in document["findings"] if f["code"] == "AUD001")
    assert "support.tekla.com" in documented["detail"] and "2025-05-05" in documented["detail"]
    assert code == 2  # the SES range admits forged mail


WIDE_PROFILE = """kind = "sender-profile"
format_version = 1
id = "wide-test"
name = "Wide test"
vendor = "Test"
purpose = "A sender whose one documented IP no shared service's SPF covers."

[[provenance]]
title = "Test page"
url = "https://vendor.example/ips"
retrieved = 2026-12-01
page_date = 2026-11-01

[[senders]]
address = "alerts@vendor.example"
environment = "production"

[[networks]]
network = "11.22.33.44"
"""


def test_range_wider_than_documented(tmp_path, capsys):
    (tmp_path / "wide.toml").write_text(WIDE_PROFILE)
    path = tmp_path / "old.cidr"
    path.write_text("11.22.33.40/29 OK\n11.22.33.44 OK\n")
    code, document = _audit_json(
        capsys, str(path), "--profile", "wide-test", "--rules", str(tmp_path)
    )
    assert _verdicts(document) == {"11.22.33.40/29": "AUD004", "11.22.33.44/32": "AUD001"}
    assert "11.22.33.44" in document["findings"][0]["detail"]
    assert code == 1


def test_unauthenticated_sender_entries_admit_forgery(capsys):
    code, document = _audit_json(capsys, str(DATA / "sender_access"), "--filter", "postfix")
    assert _verdicts(document) == {
        "no-reply@account.trimble.com": "AUD005",
        "trimble.com": "AUD005",
        "example.org": "AUD006",
    }
    assert code == 2


def test_spamassassin_lines(capsys):
    code, document = _audit_json(capsys, str(DATA / "local.cf"))
    assert _verdicts(document) == {
        "*@trimble.com": "AUD005",
        "*@trimblepaas.com": "AUD005",
        "no-reply@account.trimble.com": "AUD001",
        "noreply@account.trimble.com": "AUD001",
        "*@account.trimble.com": "AUD001",
    }
    assert code == 2


def test_rspamd_rules_authenticated_or_not(capsys):
    code, document = _audit_json(capsys, str(DATA / "multimap.conf"))
    assert _verdicts(document) == {
        "no-reply@account.trimble.com": "AUD001",
        "noreply@account.trimble.com": "AUD001",
        "*@mail.trimblepaas.com": "AUD005",
        "54.191.127.27/32": "AUD002",
        "159.135.229.174/32": "AUD001",
    }
    assert code == 2


def test_microsoft365_export_and_exim_lists(capsys):
    code, document = _audit_json(capsys, str(DATA / "tabl.csv"), str(DATA / "exim.conf"))
    verdicts = [(f["subject"], f["code"]) for f in document["findings"]]
    assert ("no-reply@account.trimble.com", "AUD001") in verdicts  # TABL honours auth
    assert ("trimblepaas.com", "AUD002") in verdicts  # legacy domain, authenticated
    assert ("trimble.com", "AUD005") in verdicts  # exim list with no DKIM/SPF condition
    assert ("account.trimble.com", "AUD005") in verdicts
    assert ("54.240.27.0/24", "AUD003") in verdicts
    assert not any(s == "spam.example" for s, _ in verdicts)  # block rows are not allows
    assert code == 2


def test_transport_rule_export(capsys):
    code, document = _audit_json(capsys, str(DATA / "transport-rules.csv"))
    verdicts = [(f["subject"], f["code"]) for f in document["findings"]]
    assert verdicts[:4] == [
        ("trimble.com", "AUD005"),  # SCL -1 on a domain with no authentication condition
        ("trimblepaas.com", "AUD005"),
        ("184.173.153.218/32", "AUD002"),
        ("account.trimble.com", "AUD001"),  # requires dmarc=pass: the documented wildcard
    ]
    assert ("spam.example", "AUD006") not in verdicts  # SCL 9 is no allow
    (broken,) = [f for f in document["findings"] if f["code"] == "AUD007"]
    assert "-join" in broken["detail"]
    assert code == 2


def test_legacy_only_exits_one(tmp_path, capsys):
    path = tmp_path / "old.cidr"
    path.write_text("184.173.153.218/32 OK\n54.191.127.27 OK\n")
    code, document = _audit_json(capsys, str(path))
    assert {f["code"] for f in document["findings"]} == {"AUD002"}
    assert code == 1


def test_clean_file_exits_zero_and_prints_the_replacement(capsys):
    assert main(["audit", str(DATA / "clean.cidr"), *SNAPSHOT]) == 0
    out = capsys.readouterr().out
    assert "Least-privilege replacement:" in out
    assert "# Documented by" in out


def test_live_audit_records_evidence_that_replays(world, tmp_path, capsys):
    evidence = tmp_path / "evidence.json"
    server = "{}:{}".format(*world.address)
    live = ["audit", str(DATA / "client.cidr"), "--nameserver", server, "--timeout", "2"]
    assert main([*live, "--record", str(evidence)]) == 2  # SES's pool, from live SPF over UDP
    before = capsys.readouterr().out
    assert "Amazon SES" in before
    assert main(["audit", str(DATA / "client.cidr"), "--snapshot", str(evidence)]) == 2
    assert capsys.readouterr().out == before


def test_text_output_names_source_and_line(capsys):
    main(["audit", str(DATA / "client.cidr"), *SNAPSHOT])
    out = capsys.readouterr().out
    assert "client.cidr:4: 184.173.153.253/32" in out
    assert "remove" in out


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"\x00\x01binary\xff" * 100, "not utf-8"),
        ("104.130.122.50/32 OK\n".encode("utf-16-le") * 3, "utf-16 without a bom"),
        ("caf\xe9 OK\n".encode("latin-1"), "not utf-8"),
        (b"1.2.3.4 OK\n" * 900_000, "larger than"),
        (b"\n" * 250_001, "more than"),
        (b"\x1b[31m1.2.3.4 OK\n", "binary control characters"),
        (b"".join(b"10.%d.%d.1 OK\n" % (i // 256, i % 256) for i in range(20_001)), "20000"),
    ],
    ids=["binary", "utf16-no-bom", "latin1", "huge", "too-many-lines", "escape-codes", "entries"],
)
def test_hostile_files_give_a_clear_error(tmp_path, capsys, content, fragment):
    path = tmp_path / "allow.cidr"
    path.write_bytes(content)
    assert main(["audit", str(path), "--filter", "postfix", *SNAPSHOT]) == 3
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    assert str(path) in err and fragment in err.lower()


def test_utf16_with_bom_export_is_read(tmp_path, capsys):
    path = tmp_path / "tabl.csv"
    path.write_bytes((DATA / "tabl.csv").read_text().encode("utf-16"))
    code, document = _audit_json(capsys, str(path))
    assert ("no-reply@account.trimble.com", "AUD001") in [
        (f["subject"], f["code"]) for f in document["findings"]
    ]
    assert code == 1


@pytest.mark.parametrize(
    ("name", "said"),
    [("missing.cidr", "no such file: missing.cidr"), (".", ".: cannot read: Is a directory")],
)
def test_unreadable_path_is_a_clear_error(name, said, capsys):
    assert main(["audit", name, "--filter", "postfix", *SNAPSHOT]) == 3
    out, err = capsys.readouterr()
    assert said in err and "Traceback" not in out + err


def test_unknown_format_asks_for_filter(tmp_path, capsys):
    path = tmp_path / "notes.txt"
    path.write_text("nothing to see\n")
    assert main(["audit", str(path), *SNAPSHOT]) == 3
    assert "--filter" in capsys.readouterr().err


def test_every_format_has_a_reader():
    assert {f.reader().name for f in AuditFormat} == {f.value for f in AuditFormat}


def test_report_with_audit_has_the_html_section(tmp_path, capsys):
    out = tmp_path / "report"
    code = main(
        [
            "report",
            "acme.example",
            *SNAPSHOT,
            "--audit",
            str(DATA / "client.cidr"),
            "--output",
            str(out),
        ]
    )
    assert code == 2
    html = (out / "report.html").read_text()
    assert 'aria-labelledby="check-audit"' in html and "AUD003" in html
    document = json.loads((out / "report.json").read_text())
    audit = next(c for c in document["checks"] if c["check"] == "audit")
    assert "Least" not in audit["facts"]["replacement"] or audit["facts"]["replacement"]


# --- the files as the real filters read them ------------------------------------------------


def test_postmap_reads_the_audited_tables(tmp_path):
    postmap = require_tool("postmap", "postfix")
    cidr = run([postmap, "-q", "54.240.27.9", f"cidr:{DATA / 'client.cidr'}"])
    assert cidr.returncode == 0 and cidr.stdout.strip() == "OK", cidr.stderr
    table = tmp_path / "sender_access"
    shutil.copy(DATA / "sender_access", table)
    assert run([postmap, f"hash:{table}"]).returncode == 0
    looked = run([postmap, "-q", "trimble.com", f"hash:{table}"])
    assert looked.stdout.strip() == "OK", looked.stderr


def test_spamassassin_lints_the_audited_file(tmp_path):
    spamassassin = require_tool("spamassassin", "spamassassin")
    site = tmp_path / "sa"
    site.mkdir()
    for pre in Path("/etc/spamassassin").glob("*.pre"):
        shutil.copy(pre, site / pre.name)
    shutil.copy(DATA / "local.cf", site / "90_old.cf")
    result = run(
        [spamassassin, f"--siteconfigpath={site}", "--lint", "-L"],
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr


def test_rspamadm_accepts_the_audited_multimap(tmp_path):
    rspamadm = require_tool("rspamadm", "rspamd")
    local = tmp_path / "rspamd-local"
    (local / "local.d").mkdir(parents=True)
    (local / "override.d").mkdir()
    (local / "override.d" / "fuzzy_check.conf").write_text("enabled = false;\n")
    shutil.copy(DATA / "multimap.conf", local / "local.d" / "multimap.conf")
    result = run(
        [
            rspamadm,
            f"--var=LOCAL_CONFDIR={local}",
            "configtest",
            "-s",
            "-c",
            "/etc/rspamd/rspamd.conf",
        ]
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_atlassian_old_sending_domain_is_legacy(tmp_path, capsys):
    path = tmp_path / "local.cf"
    path.write_text("welcomelist_from_dkim *@am.atlassian.com am.atlassian.com\n")
    code, document = _audit_json(capsys, str(path), "--profile", "atlassian")
    assert _verdicts(document) == {"*@am.atlassian.com": "AUD002"}
    assert "'Before' column" in document["findings"][0]["detail"]
    assert code == 1
