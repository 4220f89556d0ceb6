"""``mailcheck report`` over many domains against the loopback nameserver.

200 synthetic company domains (Microsoft 365, Google and self-hosted MX, some MX targets
CNAMEs) plus the profile's sender zones: each distinct question reaches the server once, every
domain gets a complete folder that replays byte for byte, and the summary files agree.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import jsonschema
import pytest

from mailcheck.cli import main
from mailcheck.report import summary
from tests.nameserver import LoopbackNameserver
from tests.nameserver.zones import ZoneSet, load_zones, quote_txt, zones_from_records

SCHEMA = Path(summary.__file__).with_name("summary.schema.json")
N_DOMAINS = 200


def company_records(n: int) -> dict[str, list[tuple[str, str]]]:
    """``n`` company domains: a mix of providers; every fifth MX target is a CNAME."""
    records: dict[str, list[tuple[str, str]]] = {}
    for i in range(n):
        domain = f"company{i:04d}.example"
        kind = i % 4
        if kind == 0:
            mx = f"company{i:04d}-example.mail.protection.outlook.com."
            records[mx] = [("A", "52.101.68.40")]
        elif kind == 1:
            mx = "aspmx.l.google.com."
        else:
            mx = f"mx.{domain}."
            target = f"mail.{domain}." if i % 5 == 0 else None
            if target:
                records[mx] = [("CNAME", target)]
                records[target] = [("A", f"198.51.100.{i % 250 + 1}")]
            else:
                records[mx] = [("A", f"198.51.100.{i % 250 + 1}")]
        records[domain + "."] = [("MX", f"10 {mx}"), ("TXT", quote_txt("v=spf1 mx -all"))]
        records[f"_dmarc.{domain}."] = [("TXT", quote_txt("v=DMARC1; p=reject"))]
    return records


@pytest.fixture
def bulk_server() -> LoopbackNameserver:
    zones = load_zones()
    synthetic = zones_from_records(company_records(N_DOMAINS))
    with LoopbackNameserver(ZoneSet(zones.zones + synthetic.zones)) as server:
        yield server


def run(server: LoopbackNameserver, *args: str) -> int:
    # A long per-attempt timeout: on a loaded machine a retry after a slow reply would be a
    # second query for the same question, which is not what the count below is about.
    flags = ["--nameserver", f"127.0.0.1:{server.port}", "--timeout", "60", "--quiet"]
    return main(["report", *args, *flags])


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_two_hundred_domains_ask_each_question_once(
    bulk_server: LoopbackNameserver, tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    listed = [f"company{i:04d}.example" for i in range(N_DOMAINS)]
    Path("domains.txt").write_text(
        "# customers\n\n" + "\n".join(listed) + "\ncompany0000.example\nnot a domain!\n",
        encoding="utf-8",
    )
    code = run(bulk_server, "--domains-file", "domains.txt", "--output", "out")
    counts = bulk_server.counters.by_query()
    repeated = {q: n for q, n in counts.items() if n > 1}
    assert not repeated, f"asked more than once: {sorted(repeated.items())[:10]}"
    assert len(counts) > N_DOMAINS * 3  # the run really asked: MX, TXT, _dmarc... per domain
    err = capsys.readouterr().err
    assert f"line {N_DOMAINS + 4}: 'not a domain!'" in err and "(skipped)" in err
    folders = sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_dir())
    assert folders == sorted(listed)
    document = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    jsonschema.validate(document, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert [d["domain"] for d in document["domains"]] == sorted(listed)
    bad_line = f"line {N_DOMAINS + 4}: 'not a domain!': is not a valid mail domain"
    assert document["skipped_lines"] == [bad_line]
    exits = {"pass": 0, "info": 0, "warn": 1, "fail": 2, "error": 4}
    assert code == exits[document["worst_status"]]


def test_each_domain_replays_byte_for_byte(
    bulk_server: LoopbackNameserver, tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    # Two domains per provider after the first: their folders are written in worker processes
    # from results an earlier report held (sender side, profile sources, that provider's
    # snippets), sent once and rendered once, then spliced (app/bulk_write.py, report/reuse.py).
    domains = [
        "company0000.example",
        "company0001.example",
        "company0010.example",
        "acme.example",
        "company0004.example",
        "company0005.example",
    ]
    code = run(bulk_server, *domains, "--output", "out", "--concurrency", "2")
    assert code in (0, 1, 2)
    for domain in domains:
        folder = tmp_path / "out" / domain
        evidence = json.loads((folder / "evidence.json").read_text(encoding="utf-8"))
        assert evidence["metadata"]["domain"] == domain
        assert main(["report", "--replay", str(folder / "evidence.json"), "--output", domain]) in (
            0,
            1,
            2,
        )
        assert files(tmp_path / domain) == files(folder), domain
    text = (tmp_path / "out" / "summary.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    assert sorted(r["domain"] for r in rows) == sorted(domains)
    by_domain = {r["domain"]: r for r in rows}
    assert by_domain["acme.example"]["provider"]  # Microsoft 365 behind acme's MX
    assert by_domain["company0001.example"]["report"] == "company0001.example/report.html"
    assert "Index: out/index.html" in capsys.readouterr().out


def test_bulk_refuses_single_report_options(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["report", "a.example", "b.example", "--stdout", "--snapshot", "x"]) == 3
    assert "several domains" in capsys.readouterr().err


def test_domains_file_with_no_domain_is_a_usage_error(tmp_path: Path, capsys) -> None:
    empty = tmp_path / "none.txt"
    empty.write_text("# nothing yet\n\n", encoding="utf-8")
    assert main(["report", "--domains-file", str(empty), "--snapshot", "x.json"]) == 3
    assert "no domains to check" in capsys.readouterr().err
