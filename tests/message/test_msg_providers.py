"""``rules/providers.toml`` as the one provider table: the ProviderId enum and the shipped
ids agree, each provider's facts are usable by message analysis, and the new fields are
validated like every rules file."""

from __future__ import annotations

import pytest

from mailcheck.base.errors import ProfileError
from mailcheck.message.fixes import snippet_for
from mailcheck.message.org import detect_provider, shipped_providers
from mailcheck.message.verdicts import DECODERS
from mailcheck.rulefiles.providers import ProviderId, load_providers


def test_enum_and_table_list_the_same_providers():
    assert {p.id for p in shipped_providers()} == {member.value for member in ProviderId}


def test_every_decoder_of_a_provider_is_marked_in_the_table():
    """A decoder keyed on a provider id exists exactly for the providers with verdicts."""
    decoded = {d.product for d in DECODERS if d.product in {m.value for m in ProviderId}}
    marked = {p.id for p in shipped_providers() if p.verdicts}
    # Proofpoint Essentials writes Proofpoint's headers: the Proofpoint decoder reads them
    assert decoded == marked - {ProviderId.PROOFPOINT_ESSENTIALS}


@pytest.mark.parametrize("provider", shipped_providers(), ids=lambda p: p.id)
def test_every_provider_is_detected_from_its_own_mx(provider):
    assert detect_provider((f"mx1.{provider.mx_suffixes[0]}",)) is provider


@pytest.mark.parametrize("provider", shipped_providers(), ids=lambda p: p.id)
def test_snippet_filter_is_named_for_the_provider_when_set(provider):
    ref = snippet_for(provider.id)
    assert (ref.cli_filter if ref else "") == provider.snippet_filter


def test_microsoft_stamps_its_organization_headers():
    m365 = next(p for p in shipped_providers() if p.id == ProviderId.MICROSOFT_365)
    assert m365.stamps("X-MS-Exchange-Organization-SCL") == "X-MS-Exchange-Organization-*"
    assert m365.stamps("x-forefront-antispam-report") == "X-Forefront-Antispam-Report"
    assert m365.stamps("X-Forefront-Antispam-Report-Untrusted") is None
    assert not m365.writes_authserv_id
    assert m365.is_internal_address("2603:10b6:408:ed::8")
    assert not m365.is_internal_address("203.0.113.66")


BASE = '[[providers]]\nid = "x"\nname = "X"\nmx_suffixes = ["x.example"]\n'


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('hop_suffixes = ["-bad-"]\n', "not a domain name suffix"),
        ('internal_networks = ["10.0.0.1/8"]\n', "host bits set"),
        ('stamped_headers = ["X-Bad Header"]\n', "not a header name"),
        ('stamped_headers = ["*"]\n', "not a header name"),
        ('snippet_filter = "Not A Filter"\n', "not a filter name"),
        ("writes_authserv_id = 1\n", "expected"),
        ('verdicts = "yes"\n', "expected"),
        ("authserv_ids = [1]\n", "expected a string"),
    ],
)
def test_new_fields_are_validated(tmp_path, extra, message):
    path = tmp_path / "providers.toml"
    path.write_text(f'kind = "provider-signatures"\nformat_version = 1\n{BASE}{extra}')
    with pytest.raises(ProfileError, match=message):
        load_providers(path)
