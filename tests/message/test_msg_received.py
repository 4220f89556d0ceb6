"""Received parsing in the shapes real MTAs write, hop order, delays and the entry hop."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mailcheck.message.chain import build_chain
from mailcheck.message.org import OrgContext, shipped_providers
from mailcheck.message.received import parse_received

M365 = next(p for p in shipped_providers() if p.id == "microsoft-365")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(
            "from mail.a.example (mail.a.example [198.51.100.7]) by mx.org.example (Postfix) "
            "with ESMTPS id 4Xyz for <u@org.example>; Sun, 22 Nov 2026 03:00:00 +0000 (UTC)",
            {
                "from_host": "mail.a.example",
                "from_rdns": "mail.a.example",
                "from_ip": "198.51.100.7",
                "by_host": "mx.org.example",
                "protocol": "ESMTPS",
                "id": "4Xyz",
                "for_address": "u@org.example",
                "software": "Postfix",
            },
            id="postfix",
        ),
        pytest.param(
            "from mail.a.example ([198.51.100.7] helo=mail.a.example) by mx.org.example with "
            "esmtps (TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from <b@a.example>)"
            " id 1tXyZa-000123-AB for u@org.example; Sun, 22 Nov 2026 03:00:00 +0000",
            {
                "from_ip": "198.51.100.7",
                "helo": "mail.a.example",
                "protocol": "esmtps",
                "id": "1tXyZa-000123-AB",
                "software": "Exim 4.96",
            },
            id="exim",
        ),
        pytest.param(
            "from trna.ximian.com ([141.154.95.22]) by dogma.slashnull.org (8.9.3/8.9.3) with "
            "ESMTP id AAA30867 for <jm@jmason.org>; Wed, 16 May 2001 00:40:31 +0100",
            {
                "from_ip": "141.154.95.22",
                "by_host": "dogma.slashnull.org",
                "id": "AAA30867",
                "software": "8.9.3/8.9.3",
            },
            id="sendmail",
        ),
        pytest.param(
            "from unknown (HELO out.a.example) (198.51.100.8) by mx.org.example with SMTP; "
            "15 Nov 2017 14:16:18 -0000",
            {"from_ip": "198.51.100.8", "helo": "out.a.example", "protocol": "SMTP"},
            id="qmail",
        ),
        pytest.param(
            "from EUR05-AM6-obe.outbound.protection.outlook.com (198.51.100.9) by "
            "AM4PEPF00027A6C.mail.protection.outlook.com (10.167.16.90) with Microsoft SMTP "
            "Server (version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.7000.10 via "
            "Frontend Transport; Sun, 22 Nov 2026 03:00:00 +0000",
            {
                "from_ip": "198.51.100.9",
                "by_ip": "10.167.16.90",
                "via": "Frontend Transport",
                "protocol": "Microsoft SMTP Server",
                "software": "Microsoft SMTP Server",
            },
            id="exchange-online",
        ),
        pytest.param(
            "from mail-sor-f41.google.com (mail-sor-f41.google.com. [209.85.220.41]) by "
            "mx.google.com with SMTPS id a640c23a62f3a.7 for <u@gmail.com> (Google Transport "
            "Security); Mon, 21 Oct 2024 06:30:12 -0700 (PDT)",
            {
                "from_rdns": "mail-sor-f41.google.com",
                "from_ip": "209.85.220.41",
                "by_host": "mx.google.com",
                "protocol": "SMTPS",
                "for_address": "u@gmail.com",
            },
            id="gmail",
        ),
        pytest.param(
            "from [IPv6:2001:db8::5] (port=51234 helo=[IPv6:2001:db8::5]) by mx with esmtpsa",
            {"from_ip": "2001:db8::5", "from_rdns": None, "date": None},
            id="ipv6-literal",
        ),
        pytest.param(
            "from mail.a.example (mail.a.example [::ffff:198.51.100.7]) (AUTH: LOGIN u) by "
            "mx.org.example with ESMTPSA; Sun, 22 Nov 2026 03:00:00 +0000",
            {"from_ip": "198.51.100.7", "from_rdns": "mail.a.example"},
            id="courier-ipv4-mapped",
        ),
        pytest.param(
            "from unknown (unknown [203.0.113.9]) by mx.org.example (Postfix) with ESMTP id 4Q; "
            "Sun, 22 Nov 2026 03:00:00 +0000",
            {"from_ip": "203.0.113.9", "from_rdns": None, "from_host": "unknown"},
            id="postfix-no-rdns",
        ),
        pytest.param(
            "from a27-31.smtp-out.us-west-2.amazonses.com (a27-31.smtp-out.us-west-2.amazonses.com."
            " [54.240.27.31]) by mx.google.com with ESMTPS id x; Sun, 22 Nov 2026 03:00:00 -0800",
            {"from_ip": "54.240.27.31", "from_rdns": "a27-31.smtp-out.us-west-2.amazonses.com"},
            id="amazon-ses-to-gmail",
        ),
        pytest.param(
            "(qmail 21619 invoked from network); 15 Nov 2017 14:16:18 -0000",
            {"from_ip": None, "by_host": None},
            id="qmail-local",
        ),
    ],
)
def test_parse_received_formats(value, expected):
    hop = parse_received(value)
    for key, want in expected.items():
        assert getattr(hop, key) == want, key


def test_parse_date_minus_zero_is_utc():
    hop = parse_received("by mx.example with SMTP; 15 Nov 2017 14:16:18 -0000")
    assert hop.date == datetime(2017, 11, 15, 14, 16, 18, tzinfo=UTC)


def _hop(from_part: str, by: str, minute: int) -> str:
    return f"from {from_part} by {by} with ESMTP; Sun, 22 Nov 2026 03:{minute:02d}:00 +0000"


def test_chain_orders_oldest_first_with_delays():
    newest_first = (
        parse_received(_hop("mx.org.example (mx.org.example [10.0.0.5])", "store.org.example", 20)),
        parse_received(_hop("out.a.example (out.a.example [198.51.100.7])", "mx.org.example", 1)),
        parse_received(_hop("app (app [10.9.0.1])", "out.a.example", 0)),
    )
    chain = build_chain(newest_first, OrgContext(domains=("org.example",)))
    assert [h.received.by_host for h in chain.hops] == [
        "out.a.example",
        "mx.org.example",
        "store.org.example",
    ]
    assert [h.delay for h in chain.hops] == [None, 60.0, 1140.0]
    assert chain.entry_hop is newest_first[1]
    assert chain.entry_certain


def test_entry_skips_microsoft_internal_relays():
    newest_first = (
        parse_received(
            "from BN8PR04MB6209.namprd04.prod.outlook.com (2603:10b6:408:d5::10) by "
            "SA1PR04MB8765.namprd04.prod.outlook.com with HTTPS; Sun, 22 Nov 2026 "
            "03:00:05 +0000"
        ),
        parse_received(
            "from out.a.example (198.51.100.7) by BN2PEPF000044A9.mail.protection."
            "outlook.com (10.167.243.154) with Microsoft SMTP Server id 15.20; Sun, "
            "22 Nov 2026 03:00:03 +0000"
        ),
    )
    chain = build_chain(newest_first, OrgContext(domains=("org.example",), provider=M365))
    assert chain.entry_hop is newest_first[1]


def test_entry_ignores_forged_helo_at_provider_front_door():
    """A client claiming a Microsoft relay name at the front door is still outside."""
    hop = parse_received(
        "from x.prod.outlook.com (203.0.113.66) by BN2PEPF000044A9.mail."
        "protection.outlook.com (10.167.243.154) with Microsoft SMTP Server; "
        "Sun, 22 Nov 2026 03:00:03 +0000"
    )
    chain = build_chain((hop,), OrgContext(domains=("org.example",), provider=M365))
    assert chain.entry_hop is hop


def test_entry_unknown_without_org_is_uncertain():
    hop = parse_received(_hop("out.a.example (out.a.example [198.51.100.7])", "mx.b.example", 1))
    chain = build_chain((hop,), OrgContext())
    assert chain.entry_hop is hop and not chain.entry_certain


@pytest.mark.parametrize(
    ("value", "field", "expected"),
    [
        pytest.param(
            "by filter0225p1mdw1.sendgrid.net with SMTP id filter0225p1mdw1-13879-5ADBF2D9-10 "
            "2018-04-22 02:54:17.028704749 +0000 UTC",
            "date",
            datetime(2018, 4, 22, 2, 54, 17, tzinfo=UTC),
            id="sendgrid-go-time-no-semicolon",
        ),
        pytest.param(
            "from x (x [192.0.2.1]) by y with ESMTP id 1; 2018-04-22 02:54:17.028704749 +0000 UTC",
            "id",
            "1",
            id="sendgrid-go-time-id",
        ),
        pytest.param(
            "from x (x [192.0.2.1]) by y with ESMTP id 1; Sun, 22 Apr 2018 02:54:16.987 +0000",
            "date",
            datetime(2018, 4, 22, 2, 54, 16, tzinfo=UTC),
            id="fractional-seconds",
        ),
        pytest.param(
            "from localhost by e06smtp14.uk.ibm.com with IBM ESMTP SMTP Gateway: Authorized Use "
            "Only! Violators will be prosecuted for <u@org.example> from <b@a.example>; "
            "Sun, 22 Apr 2018 02:54:16 +0000",
            "protocol",
            "IBM ESMTP SMTP Gateway: Authorized Use Only! Violators will be prosecuted",
            id="ibm-gateway",
        ),
        pytest.param(
            "from A (10.0.0.1) by B (10.0.0.2) with Microsoft SMTP Server id 15.0.1497.2 via "
            "Frontend Transport; Sun, 22 Apr 2018 02:54:16 +0000",
            "via",
            "Frontend Transport",
            id="via-frontend-transport",
        ),
        pytest.param(
            'from x (x [192.0.2.1]) by mx.org.example (Postfix) with ESMTP id 4Q for <"a by b"@'
            "org.example>; Sun, 22 Apr 2018 02:54:16 +0000",
            "by_host",
            "mx.org.example",
            id="quoted-by-in-recipient",
        ),
    ],
)
def test_dates_and_tokens_real_mtas_write(value, field, expected):
    assert getattr(parse_received(value), field) == expected
