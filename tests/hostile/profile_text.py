"""Writing hostile sender profiles as TOML text, the way a user's ``--rules DIR`` holds them."""

from __future__ import annotations

from pathlib import Path

SENDER = "no-reply@hostile.example"


def toml_string(value: str) -> str:
    """A TOML basic string that carries ``value`` exactly (escapes included)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in escaped) + '"'


def profile_text(
    *, addresses: tuple[str, ...] = (SENDER,), networks: tuple[str, ...] = ("192.0.2.10",)
) -> str:
    """A complete, otherwise valid profile listing ``addresses`` and ``networks``."""
    head = (
        'kind = "sender-profile"\nformat_version = 1\nid = "hostile"\nname = "Hostile"\n'
        'vendor = "Example"\npurpose = "hostile values test"\n'
        '[[provenance]]\ntitle = "t"\nurl = "https://hostile.example/"\nretrieved = 2026-11-22\n'
    )
    senders = "".join(
        f'[[senders]]\naddress = {toml_string(a)}\nenvironment = "production"\n' for a in addresses
    )
    nets = "".join(f"[[networks]]\nnetwork = {toml_string(n)}\n" for n in networks)
    return head + senders + nets


def write_profile(folder: Path, **values: tuple[str, ...]) -> Path:
    """Write the profile into ``folder`` (created) and return the file."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "hostile.toml"
    path.write_text(profile_text(**values), encoding="utf-8")
    return path
