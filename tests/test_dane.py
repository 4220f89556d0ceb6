"""DANE TLSA parsing and DANE-EE matching against real certificates (RFC 6698, RFC 7672)."""

from __future__ import annotations

import hashlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from mailcheck.protocols.dane import Tlsa, association, matches_end_entity
from tests.tlscerts import self_signed


@pytest.fixture
def cert(tmp_path):
    return self_signed(tmp_path, "mx.dane.example")


def spki(der):
    key = x509.load_der_x509_certificate(der).public_key()
    return key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)


def test_association_data_for_each_selector_and_type(cert):
    assert association(cert.der, 0, 0) == cert.der.hex()
    assert association(cert.der, 0, 1) == hashlib.sha256(cert.der).hexdigest()
    assert association(cert.der, 1, 1) == hashlib.sha256(spki(cert.der)).hexdigest()
    assert association(cert.der, 1, 2) == hashlib.sha512(spki(cert.der)).hexdigest()


def test_dane_ee_match_and_mismatch(cert, tmp_path):
    record = Tlsa.from_text(f"3 1 1 {association(cert.der, 1, 1).upper()}")
    assert matches_end_entity((record,), cert.der) is True
    other = self_signed(tmp_path, "mx.dane.example", stem="other")
    assert matches_end_entity((record,), other.der) is False


def test_only_dane_ee_is_checked_against_the_leaf(cert):
    trust_anchor = Tlsa.from_text(f"2 0 1 {association(cert.der, 0, 1)}")
    assert matches_end_entity((trust_anchor,), cert.der) is None


def test_garbage_certificate_does_not_match():
    record = Tlsa.from_text("3 1 1 " + "ab" * 32)
    assert matches_end_entity((record,), b"not a certificate") is False


def test_tlsa_record_split_hex_is_joined():
    record = Tlsa.from_text("3 0 1 " + "ab" * 16 + " " + "cd" * 16)
    assert record.data == "ab" * 16 + "cd" * 16


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("3 1 1", "not a TLSA record"),
        ("x 1 1 ab", "not a TLSA record"),
        ("4 1 1 " + "ab" * 32, "unknown usage"),
        ("3 2 1 " + "ab" * 32, "unknown usage"),
        ("3 1 1 abcd", "digest length"),
        ("3 1 2 " + "ab" * 32, "digest length"),
        ("3 1 0 zz", "not hex"),
    ],
)
def test_tlsa_record_invalid(text, problem):
    with pytest.raises(ValueError, match=problem):
        Tlsa.from_text(text)
