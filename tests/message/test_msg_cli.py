"""``mailcheck analyze`` through ``main()``: inputs (file, folder, mbox, stdin), outputs
(text, JSON), exit codes, and hostile messages that must give a partial analysis."""

from __future__ import annotations

import io
import json
import sys
import time

import pytest

from mailcheck.cli import main
from tests.message.msg_helpers import CORPUS

SNAPSHOT = str(CORPUS / "dns-snapshot.json")
REPO_REPORT = CORPUS.parents[2] / "mailcheck" / "report"
PROFILE = ["--profile", "msgsender", "--rules", str(CORPUS / "profiles")]


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["analyze", *args, "--snapshot", SNAPSHOT])
    out, err = capsys.readouterr()
    return code, out, err


def test_text_output_leads_with_the_verdict(capsys):
    code, out, _ = run(
        capsys, str(CORPUS / "m365-bulk-bcl7.eml"), "--org-domain", "msgtest.example", *PROFILE
    )
    assert code == 2  # a junk verdict: delivery failed
    assert "MSG001 Microsoft 365 marked it bulk (BCL 7 ≥ threshold 7)" in out
    assert "mailcheck snippets --filter microsoft365" in out


def test_json_output_has_facts_and_findings(capsys):
    code, out, _ = run(
        capsys, str(CORPUS / "forged-authres.eml"), "--org-domain", "msgtest.example", "--json"
    )
    data = json.loads(out)
    assert code == 2 and data["schema_version"] >= 1
    codes = {f["code"] for f in data["findings"]}
    assert {"MSG001", "MSG007", "MSG016"} <= codes
    facts = data["checks"][0]["facts"]
    assert facts["chain"]["entry"] is not None
    assert [a["trust"] for a in facts["authres"]] == ["trusted", "outside"]


def test_folder_gives_one_report_per_message(capsys, tmp_path):
    for name in ("spamassassin-spam.eml", "barracuda-tagged.eml"):
        (tmp_path / name).write_bytes((CORPUS / name).read_bytes())
    code, out, _ = run(capsys, str(tmp_path), "--json")
    data = json.loads(out)
    assert [m["domain"].rsplit("/", 1)[-1] for m in data["messages"]] == [
        "barracuda-tagged.eml",
        "spamassassin-spam.eml",
    ]
    assert code == 2


def test_mbox_is_split(capsys, tmp_path):
    mbox = b""
    for name in ("trendmicro-spam.eml", "mimecast-bulk.eml"):
        mbox += b"From MAILER-DAEMON Sun Nov 22 03:00:00 2026\n" + (CORPUS / name).read_bytes()
        mbox += b"\n"
    (tmp_path / "box.mbox").write_bytes(mbox)
    _code, out, _ = run(capsys, str(tmp_path / "box.mbox"), "--json")
    data = json.loads(out)
    assert [m["domain"] for m in data["messages"]] == [
        f"{tmp_path / 'box.mbox'}#1",
        f"{tmp_path / 'box.mbox'}#2",
    ]
    sentences = [m["findings"][0]["summary"] for m in data["messages"]]
    assert "Trend Micro" in sentences[0] and "Mimecast" in sentences[1]


def test_headers_only_from_stdin(capsys, monkeypatch):
    data = (CORPUS / "forged-authres.eml").read_bytes()
    headers = data[: data.index(b"\r\n\r\n") + 2]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(headers)))
    code, out, _ = run(capsys, "-", "--org-domain", "msgtest.example")
    assert code == 2
    assert "Headers only: DKIM cannot be re-verified" in out
    assert "may be a forgery" in out


def test_missing_file_is_a_usage_error(capsys, tmp_path):
    code, _out, err = run(capsys, str(tmp_path / "nope.eml"))
    assert code == 3 and f"no such file: {tmp_path / 'nope.eml'}" in err


def test_bad_org_network_is_a_usage_error(capsys):
    code, _out, err = run(capsys, str(CORPUS / "m365-bulk-bcl7.eml"), "--org-network", "x/99")
    assert code == 3 and "--org-network" in err


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(
            b"".join(
                b"Received: from h%d ([198.51.100.%d]) by mx%d with SMTP; Sun, 22 Nov"
                b" 2026 03:00:00 +0000\r\n" % (i, i % 250, i)
                for i in range(10_000)
            )
            + b"From: a@b.example\r\n\r\nbody\r\n",
            id="10000-received",
        ),
        pytest.param(
            b"Subject: x" + b"\r\n " + b"y" * 150_000 + b"\r\nFrom: a@b.example\r\n\r\n",
            id="folded-line-over-100KB",
        ),
        pytest.param(
            b"From: \xff\xfe@\xc3(.example\r\nContent-Type: multipart/mixed; boundary=\r\n"
            b"\r\n--\r\n--\r\n\x00\x00",
            id="broken-mime-non-utf8",
        ),
        pytest.param(b"\r\n\r\n", id="empty-header"),
    ],
)
def test_hostile_message_gives_partial_analysis(capsys, tmp_path, data):
    path = tmp_path / "hostile.eml"
    path.write_bytes(data)
    start = time.monotonic()
    code, out, _ = run(capsys, str(path), "--org-domain", "msgtest.example", "--json")
    assert time.monotonic() - start < 20
    assert code in (0, 1, 2, 4)
    report = json.loads(out)
    assert any(f["code"] == "MSG001" for f in report["findings"])


def test_org_mx_lookup_failure_is_could_not_check(capsys):
    """msgnone.example is not in the snapshot: its MX lookup fails, which is an error finding,
    never "no filter"."""
    code, out, _ = run(
        capsys, str(CORPUS / "spamassassin-spam.eml"), "--org-domain", "msgnone.example"
    )
    assert code == 2  # the SpamAssassin junk verdict (fail) outranks the lookup error
    assert "ERROR MSG024 MX of msgnone.example" in out


def test_html_page_for_one_message(capsys):
    code, out, _ = run(
        capsys,
        str(CORPUS / "forged-authres.eml"),
        "--org-domain",
        "msgtest.example",
        "--format",
        "html",
    )
    assert code == 2
    assert out.startswith("<!DOCTYPE html>") or out.lower().startswith("<!doctype html>")
    assert "Content-Security-Policy" in out
    assert "MSG007" in out and "may be a forgery" in out


def test_html_refuses_several_messages(capsys, tmp_path):
    for name in ("spamassassin-spam.eml", "barracuda-tagged.eml"):
        (tmp_path / name).write_bytes((CORPUS / name).read_bytes())
    code, _out, err = run(capsys, str(tmp_path), "--format", "html")
    assert code == 3 and "HTML is one page per message" in err


def test_json_validates_against_the_report_schema(capsys):
    import jsonschema

    from mailcheck.report import json as report_json

    schema = json.loads((REPO_REPORT / report_json.SCHEMA_FILE).read_text(encoding="utf-8"))
    _code, out, _ = run(
        capsys,
        str(CORPUS / "m365-bulk-bcl7.eml"),
        "--org-domain",
        "msgtest.example",
        "--json",
        *PROFILE,
    )
    data = json.loads(out)
    errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=str)
    assert errors == []
    assert data["dns_queries"] == len(data["evidence"]) > 0


def test_html_page_says_why_dmarc_cannot_apply(capsys, tmp_path):
    hostile = b'From: "><img src=x onerror=alert(1)> <a@xss.example>\r\nSubject: s\r\n\r\nbody\r\n'
    (tmp_path / "hostile.eml").write_bytes(hostile)
    code, out, _ = run(capsys, str(tmp_path / "hostile.eml"), "--format", "html")
    assert code < 3
    assert "From <code>(none)</code> (the From field cannot be parsed as an address)" in out
    assert "DMARC cannot apply: the From field cannot be parsed as an address" in out
    assert "<img src=x" not in out


@pytest.mark.parametrize("domain", ["receiver.test", "org.example", "mx.lab.test"])
def test_org_domain_accepts_rfc6761_lab_names(capsys, domain):
    code, _, err = run(capsys, str(CORPUS / "spamassassin-spam.eml"), "--org-domain", domain)
    assert code != 3 and "not a valid mail domain" not in err


def test_org_domain_refuses_a_name_that_is_no_domain(capsys):
    code, _, err = run(capsys, str(CORPUS / "spamassassin-spam.eml"), "--org-domain", "a..b")
    assert code == 3 and "--org-domain" in err


def test_case_insensitive_profile_match_is_stated(capsys, tmp_path):
    data = (CORPUS / "m365-bulk-bcl7.eml").read_bytes()
    message = tmp_path / "upper.eml"
    message.write_bytes(
        data.replace(
            b"<no-reply@account.msgsender.example>", b"<No-Reply@ACCOUNT.MsgSender.example>"
        )
    )
    _, out, _ = run(capsys, str(message), "--org-domain", "msgtest.example", *PROFILE)
    assert (
        "From No-Reply@ACCOUNT.MsgSender.example matched no-reply@account.msgsender.example "
        "case-insensitively, as the profile allows" in out
    )


def test_the_analyze_command_maps_arguments_and_calls_the_app() -> None:
    """Issue 14 part 2: the resolver and the profile are the use case's (``app/analyze.py``);
    the command imports neither the DNS nor the rules parts."""
    import ast

    source = (REPO_REPORT.parent / "cli" / "analyze.py").read_text(encoding="utf-8")
    imported = {
        node.module
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert not {m for m in imported if m.startswith(("mailcheck.dns", "mailcheck.rulefiles"))}
    assert "mailcheck.app.resolver" not in imported
    assert "open_resolver" not in source and "get_profile" not in source


def test_a_bad_org_network_names_the_flag(capsys):
    code, _, err = run(capsys, str(CORPUS / "m365-bulk-bcl7.eml"), "--org-network", "10.0.0.300/8")
    assert code == 3
    assert err.startswith("mailcheck: error: --org-network: ")
