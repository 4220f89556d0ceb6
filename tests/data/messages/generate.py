# ruff: noqa: E501  (message text is data: folded exactly as MTAs fold it)
"""Regenerate the message analysis corpus: DKIM-signed .eml files and the DNS snapshot.

Run from the repository root: ``python tests/data/messages/generate.py``. The RSA key in
``keys/`` is a test key made for this corpus only (never use it for mail); it is created on
the first run and reused after. The DNS answers are fictional and live only
in ``dns-snapshot.json``; the tests replay them with ``SnapshotResolver``.
"""

from __future__ import annotations

import asyncio
import base64
import sys
from pathlib import Path

import dkim
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from mailcheck.dns.interface import Answer, Outcome, RRType  # noqa: E402
from mailcheck.dns.snapshot import RecordingResolver  # noqa: E402
from mailcheck.message import analyze, org_context  # noqa: E402

KEY = HERE / "keys" / "msgsender-sel1.pem"
DATE = "Sun, 22 Nov 2026 03:00:00 +0000"
SENDER_HOPS = [
    "Received: from app-worker-7.internal.msgsender.example (app-worker-7.internal.msgsender.example"
    " [10.20.0.7])\r\n\tby smtp-out-3.msgsender.example (Postfix) with ESMTPS id 4Xk9QZ1mYsz9vN\r\n"
    "\tfor <alice@{org}>; Sun, 22 Nov 2026 02:59:58 +0000 (UTC)",
]
BASE = (
    "From: MsgSender Accounts <no-reply@account.msgsender.example>\r\n"
    "To: alice@{org}\r\n"
    "Subject: Your verification code is 482913\r\n"
    f"Date: {DATE}\r\n"
    "Message-ID: <code-482913.{name}@account.msgsender.example>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: 7bit\r\n"
    "\r\n"
    "Your MsgSender verification code is 482913. It expires in 10 minutes.\r\n"
)
RETURN_PATH = "Return-Path: <bounce-482913@bounces.msgsender.example>"

M365_INTERNAL = [
    "Received: from BN8PR04MB6209.namprd04.prod.outlook.com (2603:10b6:408:d5::10) by\r\n"
    " SA1PR04MB8765.namprd04.prod.outlook.com with HTTPS; Sun, 22 Nov 2026 03:00:05\r\n +0000",
    "Received: from BN0PR04CA0123.namprd04.prod.outlook.com (2603:10b6:408:ed::8) by\r\n"
    " BN8PR04MB6209.namprd04.prod.outlook.com (2603:10b6:408:d5::10) with Microsoft\r\n"
    " SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\r\n"
    " 15.20.8182.20; Sun, 22 Nov 2026 03:00:04 +0000",
    "Received: from BN2PEPF000044A9.namprd04.prod.outlook.com\r\n"
    " (2603:10b6:408:ed:cafe::4f) by BN0PR04CA0123.outlook.office365.com\r\n"
    " (2603:10b6:408:ed::8) with Microsoft SMTP Server (version=TLS1_3,\r\n"
    " cipher=TLS_AES_256_GCM_SHA384) id 15.20.8182.20 via Frontend Transport; Sun,\r\n"
    " 22 Nov 2026 03:00:04 +0000",
]


def m365_entry(ip: str, helo: str) -> str:
    """Exchange Online Protection's front door receiving from outside."""
    return (
        f"Received: from {helo} ({ip}) by\r\n BN2PEPF000044A9.mail.protection.outlook.com"
        " (10.167.243.154) with Microsoft SMTP\r\n Server (version=TLS1_3,"
        " cipher=TLS_AES_256_GCM_SHA384) id 15.20.8182.20\r\n via Frontend Transport;"
        " Sun, 22 Nov 2026 03:00:03 +0000"
    )


def m365(ar: str, forefront: str, antispam: str, dest: str, scl: str) -> list[str]:
    """A Microsoft 365 tenant's header block (newest first), above the entry hop."""
    return [
        f"X-MS-Exchange-Organization-SCL: {scl}",
        f"X-Microsoft-Antispam-Mailbox-Delivery:\r\n ucf:0;jmr:0;auth:0;dest:{dest};ENG:(910001)(944506478);",
        *M365_INTERNAL,
        f"X-Forefront-Antispam-Report:\r\n {forefront}",
        f"X-Microsoft-Antispam: {antispam}",
        f"Authentication-Results: {ar}",
        "Received-SPF: Pass (protection.outlook.com: domain of bounces.msgsender.example\r\n"
        " designates 192.0.2.25 as permitted sender) receiver=protection.outlook.com;\r\n"
        " client-ip=192.0.2.25; helo=smtp-out-3.msgsender.example; pr=C",
        m365_entry("192.0.2.25", "smtp-out-3.msgsender.example"),
    ]


def postfix_org(mx: str, extra: list[str], ar: str) -> list[str]:
    """A self-hosted Postfix MX with a content filter writing its headers."""
    return extra + [
        f"Authentication-Results: {mx}; dkim=pass (2048-bit key) header.d=msgsender.example\r\n"
        f" header.i=@msgsender.example header.s=sel1; {ar}",
        f"Received: from smtp-out-3.msgsender.example (smtp-out-3.msgsender.example [192.0.2.25])\r\n"
        f"\tby {mx} (Postfix) with ESMTPS id 4XkB1c0Qm1z3hhT\r\n"
        "\tfor <alice@{org}>; Sun, 22 Nov 2026 03:00:02 +0000 (UTC)",
    ]


GOOD_AR = "spf=pass smtp.mailfrom=bounces.msgsender.example; dmarc=pass header.from=account.msgsender.example"
M365_AR_PASS = (
    "spf=pass (sender IP is 192.0.2.25)\r\n smtp.mailfrom=bounces.msgsender.example; dkim=pass (signature was verified)\r\n"
    " header.d=msgsender.example;dmarc=pass action=none\r\n header.from=account.msgsender.example;compauth=pass reason=100"
)

MESSAGES: dict[str, tuple[str, list[str]]] = {
    "m365-bulk-bcl7": (
        "msgtest.example",
        m365(
            M365_AR_PASS,
            "CIP:192.0.2.25;CTRY:US;LANG:en;SCL:6;SRV:BULK;IPV:NLI;SFV:SPM;H:smtp-out-3.msgsender.example;"
            "PTR:smtp-out-3.msgsender.example;CAT:BULK;SFS:(13230040)(8096899003);DIR:INB;",
            "BCL:7;ARA:13230040|8096899003;",
            "J",
            "6",
        ),
    ),
    "m365-spam-scl5": (
        "msgtest.example",
        m365(
            M365_AR_PASS,
            "CIP:192.0.2.25;CTRY:US;LANG:en;SCL:5;SRV:;IPV:NLI;SFV:SPM;H:smtp-out-3.msgsender.example;"
            "PTR:smtp-out-3.msgsender.example;CAT:SPM;SFS:(13230040);DIR:INB;",
            "BCL:0;ARA:13230040;",
            "J",
            "5",
        ),
    ),
    "m365-inbox-allowed": (
        "msgtest.example",
        m365(
            M365_AR_PASS,
            "CIP:192.0.2.25;CTRY:US;LANG:en;SCL:-1;SRV:;IPV:NLI;SFV:SKN;H:smtp-out-3.msgsender.example;"
            "PTR:smtp-out-3.msgsender.example;CAT:NONE;SFS:;DIR:INB;",
            "BCL:0;",
            "I",
            "-1",
        ),
    ),
    "exchange-onprem-scl6": (
        "msgexch.example",
        postfix_org(
            "mx.msgexch.example",
            [
                "X-MS-Exchange-Organization-SCL: 6",
                "X-MS-Exchange-Organization-PCL: 2",
                "X-MS-Exchange-Organization-Antispam-Report: DV:3.3.16307.600;SID:SenderIDStatus Pass;OrigIP:192.0.2.25",
                "Received: from mx.msgexch.example (10.1.0.5) by EXCH01.corp.msgexch.example (10.1.0.20)\r\n"
                " with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384)\r\n"
                " id 15.2.1544.4; Sun, 22 Nov 2026 03:00:09 +0000",
            ],
            GOOD_AR,
        ),
    ),
    "spamassassin-spam": (
        "msgsa.example",
        postfix_org(
            "mx.msgsa.example",
            [
                "X-Spam-Flag: YES",
                "X-Spam-Level: ******",
                "X-Spam-Status: Yes, score=6.2 required=5.0 tests=BAYES_80=2,DKIM_SIGNED=0.1,\r\n"
                "\tDKIM_VALID=-0.1,HTML_MESSAGE=0.001,RCVD_IN_VALIDITY_RPBL=1.3,URIBL_BLACK=1.7,\r\n"
                "\tT_SCC_BODY_TEXT_LINE=-0.01 autolearn=no autolearn_force=no version=4.0.1",
                "X-Spam-Checker-Version: SpamAssassin 4.0.1 (2024-03-25) on mx.msgsa.example",
            ],
            GOOD_AR,
        ),
    ),
    "rspamd-add-header": (
        "msgrs.example",
        postfix_org(
            "mx.msgrs.example",
            [
                "X-Rspamd-Action: add header",
                "X-Spamd-Bar: +++++++",
                "X-Spam: Yes",
                "X-Spamd-Result: default: False [7.40 / 15.00];\r\n\tBAYES_SPAM(5.10)[98.20%];\r\n"
                "\tR_SPF_ALLOW(-0.20)[+ip4:192.0.2.25];\r\n\tR_DKIM_ALLOW(-0.20)[msgsender.example:s=sel1];\r\n"
                "\tDMARC_POLICY_ALLOW(-0.50)[msgsender.example,reject];\r\n\tRBL_SENDERSCORE_REPUT_4(2.00)[192.0.2.25:from];\r\n"
                "\tMIME_GOOD(-0.10)[text/plain];\r\n\tFROM_HAS_DN(0.00)[];\r\n\tRCVD_COUNT_TWO(0.00)[2]",
                "X-Rspamd-Server: mx.msgrs.example",
                "X-Rspamd-Queue-Id: 4XkB1c0Qm1z3hhT",
            ],
            GOOD_AR,
        ),
    ),
    "proofpoint-bulk": (
        "msggw.example",
        [
            "X-Proofpoint-Spam-Details: rule=bulk policy=default score=62 spamscore=12 phishscore=0\r\n"
            " bulkscore=91 malwarescore=0 suspectscore=0 impostorscore=0 adultscore=0 priorityscore=0\r\n"
            " lowpriorityscore=0 clxscore=1011 mlxscore=12 mlxlogscore=12 classifier=spam adjust=0\r\n"
            " reason=mlx scancount=1 engine=8.19.0-2411220000 definitions=main-2411220001",
            "X-Proofpoint-Virus-Version: vendor=baseguard engine=ICAP:2.0.293,Aquarius:18.0.1039,Hydra:6.0.680,FMLib:17.12.68.34\r\n"
            " definitions=2026-11-22_01,2026-11-21_01,2026-11-22_01 signatures=0",
            "Authentication-Results: mx0a-00123456.pphosted.com; dkim=pass header.d=msgsender.example\r\n"
            " header.s=sel1; spf=pass smtp.mailfrom=bounces.msgsender.example; dmarc=pass\r\n"
            " header.from=account.msgsender.example",
            "Received: from smtp-out-3.msgsender.example (smtp-out-3.msgsender.example [192.0.2.25])\r\n"
            "\tby mx0a-00123456.pphosted.com (PPS) with ESMTPS id 4xq7r1g9ab-1\r\n"
            "\t(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NOT)\r\n"
            "\tfor <alice@{org}>; Sun, 22 Nov 2026 03:00:02 +0000 (GMT)",
        ],
    ),
    "mimecast-bulk": (
        "msgmc.example",
        [
            "X-Mimecast-Spam-Score: 7",
            "X-Mimecast-Bulk-Signature: yes",
            "X-Mimecast-MFC-PROC-ID: 20261122_030002_4XkB1c0Qm1z3hhT",
            "Authentication-Results: eu-smtp-inbound-1.mimecast.com; dkim=pass header.d=msgsender.example\r\n"
            " header.s=sel1; dmarc=pass (policy=reject) header.from=account.msgsender.example;\r\n"
            " spf=pass (eu-smtp-inbound-1.mimecast.com: domain of bounces.msgsender.example designates\r\n"
            " 192.0.2.25 as permitted sender) smtp.mailfrom=bounce-482913@bounces.msgsender.example",
            "Received: from smtp-out-3.msgsender.example (smtp-out-3.msgsender.example [192.0.2.25]) by\r\n"
            " relay.mimecast.com with ESMTP with STARTTLS (version=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384) id\r\n"
            " uk-mta-12-4XkB1c0QmAAA; Sun, 22 Nov 2026 03:00:02 +0000",
        ],
    ),
    "barracuda-tagged": (
        "msgbar.example",
        [
            "X-Barracuda-Spam-Score: 4.10",
            "X-Barracuda-Spam-Status: Yes, SCORE=4.10 using per-user scores of TAG_LEVEL=3.5\r\n"
            " QUARANTINE_LEVEL=1000.0 KILL_LEVEL=7.0 tests=BSF_SC0_MJ615, BSF_SC5_MJ1963,\r\n HTML_MESSAGE",
            "X-Barracuda-Spam-Flag: YES",
            "X-Barracuda-Spam-Report: Code version 3.2, rules version 3.2.3.124812",
            "X-Barracuda-Connect: smtp-out-3.msgsender.example[192.0.2.25]",
            "X-Barracuda-Envelope-From: bounce-482913@bounces.msgsender.example",
            "Received: from smtp-out-3.msgsender.example ([192.0.2.25]) by mx1.ess.barracudanetworks.com\r\n"
            " with ESMTP id y7Q2k3dF9aB1cD2e (version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NO)\r\n"
            " for <alice@{org}>; Sun, 22 Nov 2026 03:00:02 +0000 (EST)",
        ],
    ),
    "trendmicro-spam": (
        "msgtm.example",
        [
            "X-TMASE-Version: TMEMS-1.5.0-0.0.1006-29918.007",
            "X-TMASE-Result: 10-7.211500-4.000000",
            "X-TM-Received-SPF: Pass (domain of bounces.msgsender.example designates 192.0.2.25 as permitted sender)",
            "Received: from smtp-out-3.msgsender.example (unknown [192.0.2.25])\r\n"
            "\tby msgtm-example.in.tmes.trendmicro.com (Trend Micro Email Security) with ESMTPS id 4XkB1c0Qm1\r\n"
            "\tfor <alice@{org}>; Sun, 22 Nov 2026 03:00:02 +0000 (UTC)",
        ],
    ),
    # Google Workspace writes no spam verdict header: the sentence must say so
    "google-no-verdict": (
        "msggoog.example",
        [
            "Received: by 2002:a05:6520:2b8a:b0:2a1:3c47:8f2 with SMTP id b10csp123456lkh;\r\n"
            "        Sat, 21 Nov 2026 19:00:04 -0800 (PST)",
            "X-Received: by 2002:a17:906:1c5:b0:a9a:1b2:33c with SMTP id y5mr1234567ejh.12.1795321204;\r\n"
            "        Sat, 21 Nov 2026 19:00:04 -0800 (PST)",
            "Authentication-Results: mx.google.com;\r\n"
            "       dkim=pass header.i=@msgsender.example header.s=sel1 header.b=abc;\r\n"
            "       spf=pass (google.com: domain of bounce-482913@bounces.msgsender.example designates\r\n"
            " 192.0.2.25 as permitted sender) smtp.mailfrom=bounce-482913@bounces.msgsender.example;\r\n"
            "       dmarc=pass (p=REJECT sp=REJECT dis=NONE) header.from=account.msgsender.example",
            "Received-SPF: pass (google.com: domain of bounce-482913@bounces.msgsender.example designates\r\n"
            " 192.0.2.25 as permitted sender) client-ip=192.0.2.25;",
            "Received: from smtp-out-3.msgsender.example (smtp-out-3.msgsender.example. [192.0.2.25])\r\n"
            "        by mx.google.com with ESMTPS id a640c23a62f3a-a9a5e8d1c2bsi123456766b.7.2026.11.22.03.00.03\r\n"
            "        for <alice@{org}>\r\n"
            "        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);\r\n"
            "        Sat, 21 Nov 2026 19:00:03 -0800 (PST)",
        ],
    ),
    # Exim with SpamAssassin through its spam ACL: Exim's Received shape, SA's status header
    "exim-spamassassin": (
        "msgexim.example",
        [
            "X-Spam-Status: Yes, score=7.9 required=5.0 tests=BAYES_99=3.5,\r\n"
            "\tRCVD_IN_SBL_CSS=3.3,URIBL_DBL_SPAM=1.1 autolearn=no version=4.0.1",
            "X-Spam-Score: 7.9",
            "X-Spam-Bar: +++++++",
            "Received: from smtp-out-3.msgsender.example ([192.0.2.25] helo=smtp-out-3.msgsender.example)\r\n"
            "\tby mx.msgexim.example with esmtps  (TLS1.3) tls TLS_AES_256_GCM_SHA384\r\n"
            "\t(Exim 4.96)\r\n"
            "\t(envelope-from <bounce-482913@bounces.msgsender.example>)\r\n"
            "\tid 1tXyZa-000123-AB\r\n"
            "\tfor alice@{org}; Sun, 22 Nov 2026 03:00:02 +0000",
        ],
    ),
}

# A forgery: unsigned, sent from outside the sender's SPF, carrying a fake pass verdict
# under the entry hop. The tenant's own Authentication-Results says dmarc=fail.
FORGED = [
    "X-MS-Exchange-Organization-SCL: 9",
    *M365_INTERNAL,
    "X-Forefront-Antispam-Report:\r\n CIP:203.0.113.66;CTRY:NL;LANG:en;SCL:9;SRV:;IPV:NLI;SFV:SPM;"
    "H:mail.msgattacker.example;PTR:;CAT:SPOOF;SFS:(13230040);DIR:INB;",
    "X-Microsoft-Antispam: BCL:0;",
    "Authentication-Results: spf=fail (sender IP is 203.0.113.66)\r\n"
    " smtp.mailfrom=account.msgsender.example; dkim=none (message not signed)\r\n"
    " header.d=none;dmarc=fail action=oreject\r\n header.from=account.msgsender.example;compauth=fail reason=000",
    m365_entry("203.0.113.66", "mail.msgattacker.example"),
    "Authentication-Results: mx.msgtest.example; spf=pass smtp.mailfrom=account.msgsender.example;\r\n"
    " dkim=pass header.d=msgsender.example; dmarc=pass header.from=account.msgsender.example",
    "Received: from localhost (localhost [127.0.0.1]) by mail.msgattacker.example with ESMTP id x1;\r\n"
    " Sun, 22 Nov 2026 03:00:01 +0000",
]

ZONE: dict[tuple[str, RRType], tuple[str, ...] | None] = {
    ("msgtest.example", RRType.MX): ("10 msgtest-example.mail.protection.outlook.com",),
    ("msgexch.example", RRType.MX): ("10 mx.msgexch.example",),
    ("msgsa.example", RRType.MX): ("10 mx.msgsa.example",),
    ("msgrs.example", RRType.MX): ("10 mx.msgrs.example",),
    ("msggw.example", RRType.MX): ("10 mx0a-00123456.pphosted.com",),
    ("msgmc.example", RRType.MX): ("10 eu-smtp-inbound-1.mimecast.com",),
    ("msgbar.example", RRType.MX): ("10 d123456a.ess.barracudanetworks.com",),
    ("msgtm.example", RRType.MX): ("10 msgtm-example.in.tmes.trendmicro.com",),
    ("msggoog.example", RRType.MX): ("1 aspmx.l.google.com",),
    ("msgexim.example", RRType.MX): ("10 mx.msgexim.example",),
    ("bounces.msgsender.example", RRType.TXT): ("v=spf1 ip4:192.0.2.25 ip4:192.0.2.26 -all",),
    ("_dmarc.msgsender.example", RRType.TXT): (
        "v=DMARC1; p=reject; rua=mailto:dmarc@msgsender.example",
    ),
}


class ZoneResolver:
    """Answers from ``ZONE`` (and the DKIM key); everything else is NXDOMAIN."""

    def __init__(self, key_record: str) -> None:
        self.records = dict(ZONE)
        self.records[("sel1._domainkey.msgsender.example", RRType.TXT)] = (key_record,)

    async def resolve(self, name: str, rrtype: RRType) -> Answer:
        records = self.records.get((name, rrtype))
        if records is None:
            return Answer(name, rrtype, Outcome.NXDOMAIN, server="corpus")
        return Answer(name, rrtype, Outcome.ANSWER, records, 300, server="corpus")


def private_key() -> rsa.RSAPrivateKey:
    """The corpus signing key, created on the first run."""
    if not KEY.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
        KEY.write_bytes(pem)
    loaded = serialization.load_pem_private_key(KEY.read_bytes(), password=None)
    assert isinstance(loaded, rsa.RSAPrivateKey)
    return loaded


def key_record(key: rsa.RSAPrivateKey) -> str:
    der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()


def build(name: str, org: str, above: list[str], signed: bool, pem: bytes) -> bytes:
    base = BASE.format(org=org, name=name).encode()
    if signed:
        signature = dkim.sign(
            base,
            b"sel1",
            b"msgsender.example",
            pem,
            include_headers=[
                b"from",
                b"to",
                b"subject",
                b"date",
                b"message-id",
                b"mime-version",
                b"content-type",
            ],
        )
        base = signature + base
    sender = [h.format(org=org) for h in SENDER_HOPS] if signed else []
    lines = [RETURN_PATH] + [h.format(org=org) for h in above] + sender
    return ("\r\n".join(lines) + "\r\n").encode() + base


async def main() -> None:
    key = private_key()
    pem = KEY.read_bytes()
    recorder = RecordingResolver(
        ZoneResolver(key_record(key)), ("corpus",), lambda: "2026-11-22T03:00:00Z"
    )
    messages = {n: (org, build(n, org, above, True, pem)) for n, (org, above) in MESSAGES.items()}
    messages["forged-authres"] = (
        "msgtest.example",
        build("forged", "msgtest.example", FORGED, False, pem),
    )
    for name, (org, data) in messages.items():
        (HERE / f"{name}.eml").write_bytes(data)
        context, _ = await org_context(recorder, org)
        await analyze(data, name, recorder, context)
    (HERE / "dns-snapshot.json").write_text(recorder.evidence().to_json(), encoding="utf-8")


if __name__ == "__main__":
    asyncio.run(main())
