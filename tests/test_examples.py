"""The bundled offline example: current with the zones and checks, and complete for replay."""

from __future__ import annotations

import json

from examples.regenerate import EXAMPLE, example_zones, snapshot_json
from mailcheck.cli import main
from tests.nameserver import LoopbackNameserver


async def test_example_snapshot_is_current():
    with LoopbackNameserver(example_zones()) as server:
        current = await snapshot_json(server.port)
    assert current == EXAMPLE.read_text(encoding="utf-8"), (
        "examples/acme.json is stale: run python examples/regenerate.py"
    )


def test_readme_first_command_replays_without_gaps(capsys):
    code = main(["report", "acme.example", "--snapshot", str(EXAMPLE), "--format", "json"])
    out = capsys.readouterr().out
    assert code in (0, 1, 2), "the example must give a verdict, not a usage or lookup error"
    assert "not in the snapshot" not in out
    assert json.loads(out)["domain"] == "acme.example"


def test_every_emitted_code_is_documented(capsys):
    from mailcheck.base.codes import CODES

    main(["report", "acme.example", "--snapshot", str(EXAMPLE), "--format", "json"])
    emitted = {f["code"] for f in json.loads(capsys.readouterr().out)["findings"]}
    assert emitted and emitted <= set(CODES)
