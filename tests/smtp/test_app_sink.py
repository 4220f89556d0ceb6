"""``app.sink``: the sink use case takes a typed request and raises domain errors; the CLI only
maps flags to the request and errors to messages (issue 14 part 2)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mailcheck.app import sink as sink_app
from mailcheck.app.profiles import ProfileChoice
from mailcheck.base.errors import InputError
from mailcheck.dns.live import Nameserver
from mailcheck.smtp.backlog import AnalyserProcess
from tests.sinks import BEHAVIOURS_HEAD

CLI_SINK = Path(__file__).resolve().parents[2] / "mailcheck" / "cli" / "sink.py"


def test_a_plan_builds_the_config_profile_and_analyser(tmp_path):
    behaviours = tmp_path / "b.toml"
    behaviours.write_text(
        BEHAVIOURS_HEAD + '[[behaviour]]\nname = "no"\nstage = "rcpt"\naction = "reject"\n'
        'code = 550\nstatus = "5.1.1"\n'
    )
    request = sink_app.SinkRequest(
        maildir=tmp_path / "M",
        port=0,
        tls_cert=tmp_path / "both.pem",
        behaviours=behaviours,
        nameservers=(Nameserver("127.0.0.1", 5353),),
        timeout=2.0,
        profile=ProfileChoice("trimble-identity"),
    )
    plan = sink_app.plan(request)
    assert plan.config.maildir == tmp_path / "M" and plan.config.port == 0
    assert plan.config.tls_key == tmp_path / "both.pem"  # the key defaults to the cert file
    assert len(plan.config.behaviours) == 1
    assert plan.profile is not None and plan.profile.id == "trimble-identity"
    assert isinstance(plan.analysis, AnalyserProcess)
    assert plan.analysis.config.nameservers == (Nameserver("127.0.0.1", 5353),)
    assert plan.analysis.profile is plan.profile
    assert not plan.beyond_loopback
    assert not (tmp_path / "M").exists()  # planning binds and creates nothing


def test_without_analysis_or_a_named_profile(tmp_path):
    plan = sink_app.plan(sink_app.SinkRequest(maildir=tmp_path / "M", analysis=False))
    assert plan.analysis is None
    assert plan.profile is None  # several profiles ship and none is named: no sender assumed


def test_binding_beyond_loopback_is_a_domain_error_naming_the_field(tmp_path):
    request = sink_app.SinkRequest(maildir=tmp_path / "M", host="192.0.2.1")
    with pytest.raises(InputError) as caught:
        sink_app.plan(request)
    assert caught.value.field == "allow_non_loopback" and "--" not in str(caught.value)
    allowed = sink_app.SinkRequest(
        maildir=tmp_path / "M", host="192.0.2.1", allow_non_loopback=True
    )
    assert sink_app.plan(allowed).beyond_loopback


def test_the_cli_module_holds_no_sink_orchestration():
    imported = {
        node.module
        for node in ast.walk(ast.parse(CLI_SINK.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.module
    }
    for orchestration in (
        "mailcheck.smtp.sink",  # SinkConfig
        "mailcheck.smtp.behaviours",
        "mailcheck.rulefiles.profiles",
        "mailcheck.smtp.backlog",
        "mailcheck.dns.live",
    ):
        assert orchestration not in imported
