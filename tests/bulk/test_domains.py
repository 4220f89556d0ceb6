"""Which domains a run checks: the domains file, and lab names under RFC 6761."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailcheck.app.build import build_report
from mailcheck.app.domains import check_domain, lab_result, parse_domains, read_domains_file
from mailcheck.base.errors import InputError
from mailcheck.checks.mx import MxCheck
from mailcheck.dns.snapshot import RecordingResolver
from tests.sender_world import resolver_for


def test_domains_file_skips_comments_blanks_and_duplicates() -> None:
    lines = [
        "# brands",
        "",
        "Example.COM",
        "  shop.example  # the shop",
        "example.com.",
        "bad..name",
    ]
    domains, bad = parse_domains(lines)
    assert domains == ("example.com", "shop.example")
    assert [(b.line, b.text) for b in bad] == [(6, "bad..name")]
    assert str(bad[0]).startswith("line 6: 'bad..name': ")


def test_domains_file_unreadable_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read"):
        read_domains_file(tmp_path / "missing.txt")


@pytest.mark.parametrize(
    ("name", "normal"),
    [("mail.receiver.test", "mail.receiver.test"), ("LAB.Invalid.", "lab.invalid")],
)
def test_special_use_names_are_accepted_for_labs(name: str, normal: str) -> None:
    assert check_domain(name) == normal
    result = lab_result(normal)
    assert result is not None and result.findings[0].code == "RUN001"


@pytest.mark.parametrize("name", ["localhost", "x.localhost", "test", "a..test", "-a.test"])
def test_other_special_names_stay_refused(name: str) -> None:
    with pytest.raises(ValueError, match="not a valid mail domain"):
        check_domain(name)


def test_internet_and_example_domains_get_no_lab_finding() -> None:
    assert lab_result("example.com") is None and lab_result("acme.example") is None


async def test_lab_report_has_the_info_finding(world) -> None:
    resolver = RecordingResolver(resolver_for(world))
    report = await build_report("receiver.test", resolver, None, (MxCheck(),))
    assert report.checks[0].findings[0].code == "RUN001"
    assert report.checks[0].findings[0].status.value == "info"
