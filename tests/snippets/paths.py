"""Where the snippet tests' data lives (the test sender's zone, profile and DKIM keys)."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
SNIPSENDER_ZONE = DATA / "zones" / "snipsender.example.zone"
SNIPSENDER_PROFILE = DATA / "snippets" / "snipsender.toml"
SNIPSENDER_KEY = DATA / "snippets" / "snipsender-dkim.key"
FORGER_KEY = DATA / "snippets" / "forger-dkim.key"  # never published: "signed, but not by them"
