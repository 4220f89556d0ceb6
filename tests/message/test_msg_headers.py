"""The tolerant header-section reader: folding, broken lines, caps and the body boundary."""

from __future__ import annotations

import time

from mailcheck.message.headers import MAX_FIELD_CHARS, MAX_FIELDS, parse_headers
from mailcheck.message.verdicts import decode_all
from tests.message.msg_helpers import conformance_dir


def test_folded_value_is_unfolded():
    headers = parse_headers(b"Subject: a\r\n b\r\n\tc\r\nFrom: x@y.example\r\n\r\nbody")
    assert headers.first("subject") == "a b\tc"
    assert headers.body_offset == len(b"Subject: a\r\n b\r\n\tc\r\nFrom: x@y.example\r\n\r\n")


def test_mbox_from_line_is_skipped():
    headers = parse_headers(b"From jm@example.org  Wed May 16 00:40:34 2001\nSubject: s\n\n")
    assert [f.name for f in headers.fields] == ["Subject"]


def test_headers_only_has_no_body():
    assert parse_headers(b"Subject: s\r\nFrom: a@b.example").body_offset == -1


def test_broken_folding_recovers_later_fields():
    """MimeKit issue 358: bare line breaks inside values; Python's parser stops at 39 fields."""
    data = (conformance_dir("spam-headers") / "samples" / "mimekit-issue358.headers").read_bytes()
    headers = parse_headers(data)
    assert headers.defects
    forefront = headers.first("x-forefront-antispam-report")
    assert forefront is not None and "PTR:InfoNoRecords;MX:1;A:1;LANG:it;" in forefront
    assert headers.first("received-spf") is not None


def test_verdict_after_premature_blank_line_is_body():
    data = (conformance_dir("spam-headers") / "samples" / "spamassassin-nice-005.eml").read_bytes()
    assert decode_all(parse_headers(data)) == ()


def test_many_received_fields_are_capped_quickly():
    data = b"".join(
        b"Received: from h%d (h%d [198.51.100.1]) by mx with SMTP; "
        b"Sun, 22 Nov 2026 03:00:00 +0000\r\n" % (i, i)
        for i in range(10_000)
    )
    start = time.monotonic()
    headers = parse_headers(data + b"\r\n")
    assert time.monotonic() - start < 5
    assert len(headers.fields) == MAX_FIELDS
    assert any("more than" in d for d in headers.defects)


def test_huge_folded_line_is_cut():
    data = b"X-Long: " + b"a" * 1000 + b"".join(b"\r\n " + b"b" * 1000 for _ in range(200))
    headers = parse_headers(data + b"\r\nSubject: after\r\n\r\n")
    assert len(headers.first("X-Long") or "") <= MAX_FIELD_CHARS
    assert headers.first("Subject") == "after"
    assert headers.defects


def test_non_utf8_is_replaced_not_raised():
    headers = parse_headers(b"Subject: caf\xe9 \xff\r\n\r\n")
    assert headers.first("Subject") == "caf\ufffd \ufffd"
