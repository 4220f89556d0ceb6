"""Trust follows provenance: layouts per provider that writes verdict headers, milter ties,
the Microsoft 365 junk case with its stamps below the front door, and the entry hop for an
org hosted by Microsoft 365 (outlook.com). End to end through ``org_context`` and
``analyze`` over the loopback nameserver."""

from __future__ import annotations

import pytest

from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from mailcheck.message import analyze, evaluate, org_context
from mailcheck.message.org import shipped_providers
from mailcheck.message.provenance import Rule
from tests.nameserver import LoopbackNameserver, quote_txt, zones_from_records

DATE = "Sun, 22 Nov 2026 03:00:03 +0000"
SENDER_HOP = (
    "Received: from app-worker-7.internal.msgsender.example (app-worker-7.internal.msgsender."
    f"example [10.20.0.7]) by smtp-out-3.msgsender.example (Postfix) with ESMTPS id 4Xk9; {DATE}"
)
IDENTITY = (
    "Return-Path: <bounce-1@bounces.msgsender.example>\r\n"
    "From: MsgSender <no-reply@account.msgsender.example>\r\n"
    "To: alice@{org}\r\nSubject: Your code\r\nMessage-ID: <c1@msgsender.example>\r\n"
    f"Date: {DATE}\r\n"
)
# provider id -> (its front-door host, the verdict fields it writes)
LAYOUTS = {
    "microsoft-365": (
        "BN2PEPF000044A9.mail.protection.outlook.com",
        "X-MS-Exchange-Organization-SCL: 5\r\n"
        "X-Forefront-Antispam-Report: CIP:192.0.2.25;CTRY:US;LANG:en;SCL:5;SRV:;IPV:NLI;"
        "SFV:SPM;H:smtp-out-3.msgsender.example;CAT:SPM;SFS:(13230040);DIR:INB;\r\n"
        "X-Microsoft-Antispam: BCL:7;\r\n",
    ),
    "proofpoint": (
        "mx0a-00112233.pphosted.com",
        "X-Proofpoint-Spam-Details: rule=bulk policy=default score=62 spamscore=12 "
        "bulkscore=99 classifier=spam\r\n",
    ),
    "proofpoint-essentials": (
        "mx1-us1.ppe-hosted.com",
        "X-Proofpoint-Spam-Details: rule=bulk policy=default score=62 spamscore=12 "
        "bulkscore=99 classifier=spam\r\n",
    ),
    "mimecast": ("eu-smtp-inbound-1.mimecast.com", "X-Mimecast-Spam-Score: 30\r\n"),
    "barracuda": (
        "d123456a.ess.barracudanetworks.com",
        "X-Barracuda-Spam-Score: 4.10\r\nX-Barracuda-Spam-Status: Yes, SCORE=4.10 using "
        "per-user scores of TAG_LEVEL=3.5 QUARANTINE_LEVEL=1000.0 KILL_LEVEL=9.0 tests=X\r\n"
        "X-Barracuda-Spam-Flag: YES\r\n",
    ),
    "trend-micro": ("in.tmes.trendmicro.eu", "X-TMASE-Result: 10-7.211500-4.000000\r\n"),
}


def _front_hop(front: str) -> str:
    return (
        "Received: from smtp-out-3.msgsender.example (smtp-out-3.msgsender.example "
        f"[192.0.2.25]) by {front} with ESMTPS id Q1; {DATE}\r\n"
    )


@pytest.fixture(scope="module")
def world():
    records: dict[str, list[tuple[str, str]]] = {
        "_dmarc.msgsender.example": [("TXT", quote_txt("v=DMARC1; p=reject"))],
        "bounces.msgsender.example": [("TXT", quote_txt("v=spf1 ip4:192.0.2.25 -all"))],
        "self.example": [("MX", "10 mx.self.example.")],
        "outlook.test": [("MX", "5 outlook-com.olc.protection.outlook.com.")],
    }
    for provider_id, (front, _) in LAYOUTS.items():
        records[f"{provider_id}.example"] = [("MX", f"10 {front}.")]
    with LoopbackNameserver(zones_from_records(records)) as server:
        yield server


async def _facts(server: LoopbackNameserver, org_domain: str, message: str):
    config = ResolverConfig((Nameserver(server.host, server.port),), timeout=1.0, retries=0)
    resolver = LiveResolver(config)
    org, problems = await org_context(resolver, org_domain)
    assert problems == ()
    data = (message + IDENTITY.format(org=org_domain) + "\r\n").encode()
    return await analyze(data, "layout", resolver, org)


def test_every_provider_that_writes_verdicts_has_a_layout():
    assert set(LAYOUTS) == {p.id for p in shipped_providers() if p.verdicts}


@pytest.mark.parametrize("provider_id", LAYOUTS)
async def test_verdict_above_the_provider_entry_is_trusted(world, provider_id):
    front, verdicts = LAYOUTS[provider_id]
    message = verdicts + _front_hop(front) + SENDER_HOP + "\r\n"
    facts = await _facts(world, f"{provider_id}.example", message)
    assert facts.org.provider is not None and facts.org.provider.id == provider_id
    decoded = [v for v in facts.verdicts if v.vendor != "unknown"]
    assert decoded and all(not v.outside for v in decoded)
    assert all(v.trust_rule.startswith(Rule.ABOVE_ENTRY) for v in decoded)


@pytest.mark.parametrize("provider_id", LAYOUTS)
async def test_verdict_below_the_provider_entry_follows_provenance(world, provider_id):
    """Below its front door, a provider's verdict is trusted only when the provider strips
    and stamps that field itself (Microsoft 365); the others could be the sender's."""
    front, verdicts = LAYOUTS[provider_id]
    message = _front_hop(front) + verdicts + SENDER_HOP + "\r\n"
    facts = await _facts(world, f"{provider_id}.example", message)
    decoded = [v for v in facts.verdicts if v.vendor != "unknown"]
    provider = facts.org.provider
    assert decoded and provider is not None
    stamped = bool(provider.stamped_headers)
    assert all(v.outside is not stamped for v in decoded)
    rule = Rule.STAMPED if stamped else Rule.BELOW_ENTRY
    assert all(v.trust_rule.startswith(rule) for v in decoded)


@pytest.mark.parametrize("provider_id", LAYOUTS)
async def test_same_verdict_forged_by_the_sender_is_not_trusted(world, provider_id):
    """The org runs its own Postfix; the sender wrote the provider's verdict fields itself."""
    _, verdicts = LAYOUTS[provider_id]
    message = _front_hop("mx.self.example") + verdicts + SENDER_HOP + "\r\n"
    facts = await _facts(world, "self.example", message)
    decoded = [v for v in facts.verdicts if v.vendor != "unknown"]
    assert decoded and all(v.outside for v in decoded)
    assert all(v.trust_rule.startswith(Rule.BELOW_ENTRY) for v in decoded)


async def test_m365_junk_with_stamps_below_the_front_door(world):
    """SCL 5, SFV:SPM, BCL 7 below the front-door Received: the verdict sentence names
    Microsoft 365's bulk verdict and its snippet, not "no filter verdict"."""
    front, verdicts = LAYOUTS["microsoft-365"]
    authres = (
        "Authentication-Results: spf=pass (sender IP is 192.0.2.25) smtp.mailfrom="
        "bounces.msgsender.example; dkim=none (message not signed) header.d=none;dmarc=pass "
        "action=none header.from=account.msgsender.example;compauth=pass reason=100\r\n"
    )
    message = _front_hop(front) + authres + verdicts + SENDER_HOP + "\r\n"
    facts = await _facts(world, "microsoft-365.example", message)
    sentence = evaluate(facts, None)[0]
    assert sentence.code == "MSG001"
    assert "Microsoft 365 marked it bulk (BCL 7 ≥ threshold 7)" in sentence.summary
    assert "mailcheck snippets --filter microsoft365" in sentence.summary
    assert "No filter verdict" not in sentence.summary
    [field] = facts.authres
    assert field.trust == "trusted" and field.rule.startswith(Rule.AUTHSERV_ID)


RSPAMD = (
    "X-Spamd-Result: default: False [7.40 / 15.00]; R_SPF_ALLOW(-0.20)[+ip4:192.0.2.25]\r\n"
    "X-Rspamd-Action: add header\r\nX-Rspamd-Queue-Id: {queue}\r\n"
)


@pytest.mark.parametrize(("queue", "ours"), [("4XkB1c0Qm1z3hhT", True), ("4XkFORGED", False)])
async def test_rspamd_milter_header_tied_by_queue_id(world, queue, ours):
    entry = _front_hop("mx.self.example").replace("id Q1", "id 4XkB1c0Qm1z3hhT")
    message = entry + SENDER_HOP + "\r\n" + RSPAMD.format(queue=queue)
    facts = await _facts(world, "self.example", message)
    [verdict] = [v for v in facts.verdicts if v.vendor == "Rspamd"]
    assert verdict.outside is not ours
    assert verdict.trust_rule.startswith(Rule.QUEUE_ID if ours else Rule.BELOW_ENTRY)


@pytest.mark.parametrize(("host", "ours"), [("mx.self.example", True), ("mail.evil", False)])
async def test_spamassassin_header_tied_by_checker_host(world, host, ours):
    spam = (
        "X-Spam-Checker-Version: SpamAssassin 4.0.0 (2022-12-14) on " + host + "\r\n"
        "X-Spam-Status: Yes, score=7.9 required=5.0 tests=BAYES_99 autolearn=no\r\n"
    )
    message = _front_hop("mx.self.example") + spam + SENDER_HOP + "\r\n"
    facts = await _facts(world, "self.example", message)
    [verdict] = [v for v in facts.verdicts if v.header == "X-Spam-Status"]
    assert verdict.outside is not ours
    assert verdict.trust_rule.startswith(Rule.CHECKER_HOST if ours else Rule.BELOW_ENTRY)


OUTLOOK = (
    "Received: from SA1PR04MB8765.namprd04.prod.outlook.com (2603:10b6:806:2d4::13) by "
    f"MN2PR04MB6990.namprd04.prod.outlook.com with HTTPS; {DATE}\r\n"
    "Received: from BN0PR04CA0123.namprd04.prod.outlook.com (2603:10b6:408:ed::8) by "
    "SA1PR04MB8765.namprd04.prod.outlook.com (2603:10b6:806:2d4::13) with Microsoft SMTP "
    "Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id "
    f"15.20.8182.20; {DATE}\r\n"
    "Received: from SA2PEPF00003F67.namprd04.prod.outlook.com (2a01:111:f403:c904::4) by "
    "BN0PR04CA0123.outlook.office365.com (2603:10b6:408:ed::8) with Microsoft SMTP Server "
    "(version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.8182.20 via Frontend "
    f"Transport; {DATE}\r\n"
    "Received: from smtp-out-3.msgsender.example (192.0.2.25) by "
    "SA2PEPF00003F67.mail.protection.outlook.com (10.167.243.154) with Microsoft SMTP Server "
    "(version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id 15.20.8182.20 via Frontend "
    f"Transport; {DATE}\r\n"
)


async def test_org_hosted_by_microsoft_enters_at_the_senders_ip(world):
    """--org-domain whose MX is outlook-com.olc.protection.outlook.com: Microsoft's internal
    2603:10b6::/2a01:111:: relays are the org's, and the entry is the sender's IP hop."""
    facts = await _facts(world, "outlook.test", OUTLOOK + SENDER_HOP + "\r\n")
    assert facts.org.provider is not None and facts.org.provider.id == "microsoft-365"
    entry = facts.chain.entry_hop
    assert entry is not None and entry.from_ip == "192.0.2.25"
    assert facts.chain.entry_certain
    assert facts.spf.result == "pass" and facts.spf.ip == "192.0.2.25"


async def test_relay_helo_from_outside_microsoft_is_not_inside(world):
    """A client that claims a Microsoft relay name from an address outside Microsoft's
    networks is the entry, whatever the receiving relay is called."""
    forged = OUTLOOK.replace("(2a01:111:f403:c904::4)", "(203.0.113.66)")
    facts = await _facts(world, "outlook.test", forged + SENDER_HOP + "\r\n")
    entry = facts.chain.entry_hop
    assert entry is not None and entry.from_ip == "203.0.113.66"


async def test_report_names_the_rule_that_decided_each_header(world):
    front, verdicts = LAYOUTS["microsoft-365"]
    message = _front_hop(front) + verdicts + SENDER_HOP + "\r\n"
    facts = await _facts(world, "microsoft-365.example", message)
    evidence = [e for f in evaluate(facts, None) if f.code == "MSG018" for e in f.evidence]
    assert any(e.startswith("trust decided by: provider-stamped: Microsoft 365") for e in evidence)


async def test_only_the_first_authres_below_the_m365_front_door_is_microsofts(world):
    """A sender's own no-authserv-id Authentication-Results lower in the entry block (under
    Microsoft's) is not trusted."""
    front, verdicts = LAYOUTS["microsoft-365"]
    ours = "Authentication-Results: spf=fail (sender IP is 192.0.2.25) smtp.mailfrom=x.example\r\n"
    forged = "Authentication-Results: spf=pass smtp.mailfrom=x.example; dmarc=pass\r\n"
    message = _front_hop(front) + ours + verdicts + forged + SENDER_HOP + "\r\n"
    facts = await _facts(world, "microsoft-365.example", message)
    assert [(a.trust.value, a.rule.split(":")[0]) for a in facts.authres] == [
        ("trusted", "authserv-id"),
        ("outside", "below-entry"),
    ]
    assert facts.receiver_results == {"spf": "fail"}
