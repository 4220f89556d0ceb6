"""DATA framing: whatever the chunking, the stored bytes are exactly the message sent."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from mailcheck.smtp.protocol import _DataStream

from .helpers import dot_stuff


class _Collect:
    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, data: bytes) -> None:
        self.data += data

    def abort(self) -> None:
        self.data.clear()


async def _run(wire: bytes, cuts: list[int], limit: int = 0) -> tuple[bytes, bytes, bool]:
    reader = asyncio.StreamReader(limit=1001)
    after = b"MAIL FROM:<next@example.com>\r\n"
    stream = wire + after
    points = sorted({c % (len(stream) + 1) for c in cuts} | {0, len(stream)})

    async def feed() -> None:
        for start, end in zip(points, points[1:], strict=False):
            reader.feed_data(stream[start:end])
            await asyncio.sleep(0)

    out = _Collect()
    data = _DataStream(reader, limit, out)
    feeder = asyncio.create_task(feed())
    await asyncio.wait_for(data.run(), 5)
    await feeder
    rest = await asyncio.wait_for(reader.readuntil(b"\r\n"), 5)
    return bytes(out.data), rest, data.too_big


lines = st.lists(
    st.sampled_from([b"", b".", b"..", b".x", b"x", b"\r", b"\n", b"x" * 1500, b"a.b", b". "]),
    max_size=12,
).map(lambda parts: b"".join(parts))


@settings(max_examples=300, deadline=None)
@given(st.lists(lines, max_size=8), st.lists(st.integers(0, 10**6), max_size=12))
def test_any_message_any_chunking_round_trips(body_lines, cuts):
    message = b"".join(line + b"\r\n" for line in body_lines)
    stored, rest, too_big = asyncio.run(_run(dot_stuff(message) if message else b".\r\n", cuts))
    assert stored == message
    assert rest == b"MAIL FROM:<next@example.com>\r\n"  # nothing after the end was eaten
    assert not too_big


async def test_empty_message_and_bare_cr_before_the_end():
    assert (await _run(b".\r\n", []))[0] == b""
    assert (await _run(b"x\r\r\n.\r\n", [1, 2, 3, 4, 5]))[0] == b"x\r\r\n"
    assert (await _run(b"\r\n..\r\n.\r\n", [2, 3]))[0] == b"\r\n.\r\n"


async def test_size_limit_counts_and_stops_writing():
    stored, rest, too_big = await _run(dot_stuff(b"y" * 5000 + b"\r\n"), [100, 2000], 4000)
    assert too_big and len(stored) <= 4000
    assert rest.startswith(b"MAIL FROM")
