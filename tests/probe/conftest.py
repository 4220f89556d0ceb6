"""Fixtures for the probe tests: the isolated Postfix factory lives in ``tests/postfix.py``."""

from __future__ import annotations

from tests.postfix import postfix_factory

__all__ = ["postfix_factory"]
