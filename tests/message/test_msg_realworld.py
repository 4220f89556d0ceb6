"""The proof corpus: real-world messages and header sets from other projects' public test
fixtures, compared field by field with the values *those projects' own tests* assert.

Sources (tests/data/corpus/SOURCES.md has paths, commits and licences):

- fastmail/mail-dkim ``t/corpus`` (79 messages): the message-level DKIM result that
  ``t/verifier.t`` asserts (pass | fail | invalid);
- ValiMail's ARC suite as shipped in mail-dkim ``t/arc_test_suite`` (170 messages): ``cv``;
- apache/spamassassin ``t/data/{spam,nice}``, jstedfast/MimeKit test messages, rspamd's
  functional-test messages and SpamScope/mail-parser mails (10 header blocks): the verdict,
  score and threshold (SpamAssassin's own spam/nice classification of its test data);
- SpamScope/mail-parser's Received tests (26 field values, tests/data/corpus/
  mail-parser-received.yaml): the clause values its tests assert.

The messages stay in the shared conformance folders (found by ``conformance_dir``); only the
transcribed mail-parser values live in tests/data/corpus/. The test prints agree/disagree
counts per source, and every disagreement must be listed in ``KNOWN`` with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig
from mailcheck.message.arc import chain_status
from mailcheck.message.headers import parse_headers
from mailcheck.message.received import ReceivedHop, parse_received
from mailcheck.message.verdicts import decode_all
from mailcheck.protocols.dkim import verify_arc, verify_message
from tests.message.msg_helpers import REPO, conformance_dir, load_yaml
from tests.message.test_msg_arc import DIFFERENCES as ARC_DIFFERENCES
from tests.message.test_msg_arc import _tests as arc_cases
from tests.message.test_msg_arc import _zone as arc_zone
from tests.message.test_msg_dkim import _fake_dns, txt_zone
from tests.nameserver import LoopbackNameserver, zones_from_records

CORPUS = REPO / "tests" / "data" / "corpus"
_SHA1 = "rsa-sha1 is not acceptable for DKIM since RFC 8301 §3.1; Mail::DKIM still verifies it"
_SHORT = "RSA key under 1024 bits, refused since RFC 8301 §3.2; Mail::DKIM accepts it"
_V = "pre-RFC 4871 draft signature without v=1: a permerror under RFC 6376 §3.5; Mail::DKIM's "
_V += "verifier.t expects its old-draft result"
_DK = "DomainKeys (RFC 4870, historic) is not DKIM: mailcheck does not verify it"


def _listed(reason: str, source: str, field: str, cases: str) -> dict[str, str]:
    return {f"{source} {case} {field}": reason for case in cases.split()}


# "<source> <case> <field>" -> why mailcheck differs from the other project's test. Mail::DKIM's
# t/verifier.t still passes 2004-2009 draft signatures; mailcheck verifies as RFC 6376 + RFC
# 8301 require today (tests/message/test_msg_dkim.py checks that strict reading).
KNOWN: dict[str, str] = {
    **_listed(
        _V,
        "mail-dkim",
        "dkim",
        "mail-dkim/good_ietf00_1 mail-dkim/good_ietf00_2 mail-dkim/good_ietf00_3 "
        "mail-dkim/good_ietf00_4 mail-dkim/good_ietf00_5 mail-dkim/mine_ietf01_1 "
        "mail-dkim/mine_ietf01_2 mail-dkim/mine_ietf01_3 mail-dkim/mine_ietf01_4 "
        "mail-dkim/mine_ietf05_1 mail-dkim/good_ietf01_1 mail-dkim/good_ietf01_2 "
        "mail-dkim/multiple_1 mail-dkim/bad_ietf01_1 mail-dkim/bad_ietf01_2 "
        "mail-dkim/bad_ietf01_3 mail-dkim/bad_1 mail-dkim/no_body_1 mail-dkim/no_body_2 "
        "mail-dkim/no_body_3",
    ),
    **_listed(
        _SHA1,
        "mail-dkim",
        "dkim",
        "mail-dkim/good_rfc4871_3 mail-dkim/good_rfc4871_4 mail-dkim/good_1878523 "
        "mail-dkim/good_83176 mail-dkim/multiple_2 mail-dkim/good_qp_1 mail-dkim/good_qp_2 "
        "mail-dkim/good_qp_3 mail-dkim/bad_1878954 mail-dkim/goodkey_1 mail-dkim/goodkey_2 "
        "mail-dkim/goodkey_3 mail-dkim/goodkey_4",
    ),
    **_listed(
        _DK,
        "mail-dkim",
        "dkim",
        "mail-dkim/good_dk_gmail mail-dkim/good_dk_yahoo mail-dkim/good_dk_1 "
        "mail-dkim/good_dk_2 mail-dkim/good_dk_3 mail-dkim/good_dk_4 mail-dkim/good_dk_5 "
        "mail-dkim/good_dk_6 mail-dkim/good_dk_7 mail-dkim/dk_headers_1 mail-dkim/dk_headers_2 "
        "mail-dkim/bad_dk_1 mail-dkim/bad_dk_2 mail-dkim/bad_dk_3 mail-dkim/bad_dk_4 "
        "mail-dkim/bad_dk_5 mail-dkim/dk_multiple_1",
    ),
    "spam-headers mail-parser-mail_test_17.headers verdict": "mailcheck shows the unrecognised "
    "X-IronPort-Anti-Spam-Filtered: true raw (unknown) where the fixture expects no verdict; "
    "neither calls it spam",
    "mail-parser envelope_from_in_parentheses envelope_from": "mailcheck does not read the "
    "envelope-from comment of a Received field (the Return-Path and SPF use the envelope)",
    "mail-parser envelope_sender envelope_sender": "mailcheck does not read the "
    "envelope-sender comment of a Received field",
}


@dataclass(frozen=True)
class Compared:
    """One field of one case: what the other project's test asserts and what mailcheck says."""

    source: str
    case: str
    field: str
    expected: object
    actual: object

    @property
    def key(self) -> str:
        return f"{self.source} {self.case} {self.field}"

    @property
    def agrees(self) -> bool:
        return self.expected == self.actual


def _resolver(server: LoopbackNameserver) -> LiveResolver:
    config = ResolverConfig((Nameserver(server.host, server.port),), timeout=0.5, retries=0)
    return LiveResolver(config)


def _message_dkim(results) -> str:
    """Mail::DKIM's message-level result: pass if a signature passes, else fail if one
    fails, else invalid; none without signatures."""
    found = {r.result for r in results}
    for result, word in (("pass", "pass"), ("fail", "fail")):
        if result in found:
            return word
    return "invalid" if found else "none"


async def _mail_dkim() -> list[Compared]:
    base = conformance_dir("dkim") / "mail-dkim"
    records, faults = _fake_dns((base / "FAKE_DNS.dat").read_text(encoding="utf-8"))
    out = []
    with LoopbackNameserver(txt_zone(records)) as server:
        for name, fault in faults.items():
            server.faults.set(name, fault)
        for entry in load_yaml(base / "expected.yaml")["entries"]:
            data = (base / entry["message"]).read_bytes()
            signatures = tuple(f.value for f in parse_headers(data).get_all("DKIM-Signature"))
            got = await verify_message(data, signatures, _resolver(server))
            out.append(
                Compared(
                    "mail-dkim", entry["id"], "dkim", entry["upstream_expected"], _message_dkim(got)
                )
            )
    return out


async def _arc() -> list[Compared]:
    out = []
    with LoopbackNameserver(zones_from_records({})) as server:
        for param in arc_cases():
            records, name, test = param.values
            server.set_zones(arc_zone(records))
            data = test["message"].encode()
            fields = tuple(
                f.value
                for f in parse_headers(data).fields
                if f.key in ("arc-seal", "arc-message-signature")
            )
            checked = chain_status(await verify_arc(data, fields, _resolver(server)), bool(fields))
            actual = checked.result if checked else "none"
            out.append(Compared("arc-suite", name, "cv", str(test["cv"] or "none").lower(), actual))
    return out


_WORDS = {"ham": "not-spam", "allowed": "not-spam"}


def _verdicts() -> list[Compared]:
    base = conformance_dir("spam-headers")
    out = []
    for sample in load_yaml(base / "verdicts.yaml")["samples"]:
        case = Path(sample["file"]).name
        verdicts = list(decode_all(parse_headers((base / sample["file"]).read_bytes())))
        decoded = [v for v in verdicts if v.vendor != "unknown"]
        main = decoded[0] if decoded else None
        expect = sample["expect"]
        if main is None:
            word = "unknown" if verdicts else "none"
        else:
            word = _WORDS.get(main.disposition.value, main.disposition.value)
        want = _WORDS.get(expect["verdict"], expect["verdict"])
        out.append(Compared("spam-headers", case, "verdict", want, word))
        for field in ("score", "threshold"):
            if field in expect:
                got = getattr(main, field) if main else None
                out.append(Compared("spam-headers", case, field, float(expect[field]), got))
    return out


def _clause(hop: ReceivedHop, name: str) -> str | None:
    """mailcheck's value for one of mail-parser's clause names."""
    values = {
        "from": " ".join(x for x in (hop.from_host, hop.from_ip) if x) or None,
        "by": hop.by_host,
        "with": hop.protocol,
        "id": hop.id,
        "for": f"<{hop.for_address}>" if hop.for_address else None,
        "via": hop.via,
        "date": hop.date.strftime("%-d %b %Y %H:%M:%S %Y-%m-%d") if hop.date else None,
    }
    return values.get(name)


def _received() -> list[Compared]:
    out = []
    for case in load_yaml(CORPUS / "mail-parser-received.yaml")["cases"]:
        hop = parse_received(case["value"])
        for field, (how, want) in case["expect"].items():
            got = _clause(hop, field)
            if how == "present":
                actual: object = got is not None
                expected: object = True
            elif how == "contains":
                actual = got is not None and str(want).lower() in got.lower()
                expected = True
            else:
                actual, expected = (got or "").lower(), str(want).lower()
            out.append(Compared("mail-parser", case["id"], field, expected, actual))
    return out


def _reason(item: Compared) -> str | None:
    return KNOWN.get(item.key) or ARC_REASONS.get(item.key)


# the ARC suite's documented differences (tests/message/test_msg_arc.py) with their reasons
ARC_REASONS = {
    "arc-suite ams_fields_a_sha1 cv": _SHA1,
    "arc-suite as_fields_a_sha1 cv": _SHA1,
    "arc-suite ams_fields_c_na cv": "dkimpy does not reject an unknown c= value in an AMS",
    **{
        f"arc-suite {name} cv": "the suite leaves cv empty when a seal already says cv=fail; "
        "RFC 8617 §5.2 makes the chain fail"
        for name in ("cv_fail_i1_as_cv_fail", "cv_fail_i2_as2_fail", "cv_fail_i2_as1_fail")
    },
}


async def test_realworld_corpus_field_by_field(capsys):
    compared = await _mail_dkim() + await _arc() + _verdicts() + _received()
    cases = {(c.source, c.case) for c in compared}
    with capsys.disabled():
        for source in sorted({c.source for c in compared}):
            mine = [c for c in compared if c.source == source]
            agree = sum(c.agrees for c in mine)
            count = len({c.case for c in mine})
            print(
                f"\n{source}: {count} cases, {len(mine)} fields, {agree} agree, "
                f"{len(mine) - agree} disagree"
            )
        for item in (c for c in compared if not c.agrees):
            print(f"  {item.key}: theirs {item.expected!r}, ours {item.actual!r} — {_reason(item)}")
    assert len(cases) >= 150 and len({c.source for c in compared}) >= 3
    unexplained = [c.key for c in compared if not c.agrees and _reason(c) is None]
    assert unexplained == []
    stale = [
        k for k in {**KNOWN, **ARC_REASONS} if k not in {c.key for c in compared if not c.agrees}
    ]
    assert stale == [], "listed as a disagreement but agrees now: remove it"
    assert set(ARC_DIFFERENCES) == {k.split()[1] for k in ARC_REASONS}


def test_corpus_counts_are_honest():
    cases = load_yaml(CORPUS / "mail-parser-received.yaml")["cases"]
    assert len(cases) == len({c["id"] for c in cases}) == 26
    assert (CORPUS / "licenses" / "mail-parser-LICENSE-Apache-2.0.txt").is_file()
