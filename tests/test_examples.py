"""The bundled offline example: current with the zones and checks, and complete for replay."""

from __future__ import annotations

import json

from examples.regenerate import EXAMPLE, snapshot_json
from mailcheck.cli import main


async def test_example_snapshot_is_current(nameserver):
    assert await snapshot_json(nameserver.port) == EXAMPLE.read_text(encoding="utf-8"), (
        "examples/acme.json is stale: run python examples/regenerate.py"
    )


def test_readme_first_command_replays_without_gaps(capsys):
    code = main(["report", "acme.example", "--snapshot", str(EXAMPLE), "--format", "json"])
    out = capsys.readouterr().out
    assert code in (0, 1, 2), "the example must give a verdict, not a usage or lookup error"
    assert "not in the snapshot" not in out
    assert json.loads(out)["domain"] == "acme.example"
