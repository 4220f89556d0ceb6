"""Maildir store and index: round trip, the startup consistency check, group commit."""

from __future__ import annotations

import asyncio
import hashlib

import pytest

from mailcheck.base.errors import SmtpError
from mailcheck.smtp.index import connect, index_path, list_messages, reconcile
from mailcheck.smtp.store import SPILL, Envelope, Maildir, read_stored

ENVELOPE = Envelope(
    "a@example.com",
    ("b@example.net", "ç@例え.jp"),
    "192.0.2.1",
    2525,
    "client.test",
    "",
    1795000000.5,
)


async def _store(maildir: Maildir, body: bytes, envelope: Envelope = ENVELOPE):
    incoming = maildir.begin(envelope)
    incoming.write(body)
    return await incoming.commit()


async def test_round_trip_and_envelope_header(tmp_path):
    maildir = Maildir(tmp_path / "M", "host/with:odd")
    maildir.open()
    await maildir.start_writer()
    try:
        stored = await _store(maildir, b"Subject: x\r\n\r\nbody\r\n")
    finally:
        maildir.close()
    assert "/" not in stored.key and ":" not in stored.key
    envelope, body = read_stored(tmp_path / "M" / "new" / stored.key)
    assert envelope == ENVELOPE and body == b"Subject: x\r\n\r\nbody\r\n"
    assert stored.sha256 == hashlib.sha256(body).hexdigest()


def test_second_sink_on_the_same_maildir_is_refused(tmp_path):
    first, second = Maildir(tmp_path / "M"), Maildir(tmp_path / "M")
    first.open()
    try:
        with pytest.raises(SmtpError, match="another sink"):
            second.open()
    finally:
        first.close()


async def test_reconcile_repairs_and_reports(tmp_path):
    maildir = Maildir(tmp_path / "M")
    maildir.open()
    await maildir.start_writer()
    kept = await _store(maildir, b"Subject: kept\r\n\r\n")
    gone = await _store(maildir, b"Subject: gone\r\n\r\n")
    unindexed = await _store(maildir, b"Subject: crash before index\r\n\r\n")
    partial = maildir.begin(ENVELOPE)
    partial.write(b"Subject: never finished" + b"x" * SPILL)  # spilled to tmp/
    partial._file.close()  # as if the process died here: the file stays in tmp/
    await maildir.finish(10)
    maildir.close()
    maildir.open()  # the lock again, as a restarted sink would take it
    conn = connect(index_path(tmp_path / "M"))
    conn.execute("DELETE FROM messages WHERE key = ?", (unindexed.key,))  # as if never indexed
    conn.close()
    (tmp_path / "M" / "new" / gone.key).unlink()
    (tmp_path / "M" / "new" / "1.damaged.host").write_bytes(b"Subject: not ours\r\n\r\n")
    result = await asyncio.to_thread(reconcile, maildir, index_path(tmp_path / "M"))
    maildir.close()
    assert result.indexed == [unindexed.key]
    assert result.dropped == [gone.key]
    assert result.damaged == ["1.damaged.host"]
    assert result.tmp_removed == 1
    rows = {r["key"]: r for r in list_messages(index_path(tmp_path / "M"))}
    assert set(rows) == {kept.key, unindexed.key}
    assert rows[unindexed.key]["sha256"] == unindexed.sha256
    assert rows[unindexed.key]["rcpt_to"] == ["b@example.net", "ç@例え.jp"]
    again = reconcile(Maildir(tmp_path / "M"), index_path(tmp_path / "M"))
    assert again.damaged == ["1.damaged.host"] and not again.indexed and not again.dropped


async def test_concurrent_commits_share_directory_fsyncs(tmp_path):
    maildir = Maildir(tmp_path / "M")
    maildir.open()
    await maildir.start_writer()
    try:
        stored = await asyncio.gather(*(_store(maildir, b"x%d\r\n" % i) for i in range(200)))
    finally:
        maildir.close()
    assert len({s.key for s in stored}) == 200
    assert len(list((tmp_path / "M" / "new").iterdir())) == 200
    # Every commit waited for a batch that made it durable, yet far fewer than 200 batches
    # ran: the group commit worked.
    assert maildir._committer.runs < 200


class _FullDisk:
    """A message whose spilled file cannot be flushed when it is handed over."""

    def hand_over(self):
        raise OSError(28, "No space left on device")


async def test_a_message_that_cannot_be_handed_over_fails_alone(tmp_path):
    maildir = Maildir(tmp_path / "M")
    maildir.open()
    await maildir.start_writer()
    writer = maildir.writer_pid
    try:
        results = await asyncio.gather(
            _store(maildir, b"Subject: one\r\n\r\n"),
            maildir._committer.commit(_FullDisk()),
            _store(maildir, b"Subject: two\r\n\r\n"),
            return_exceptions=True,
        )
    finally:
        await maildir.finish(10)
        maildir.close()
    one, full, two = results
    assert isinstance(full, OSError) and "No space left" in str(full)
    stored = sorted(p.name for p in (tmp_path / "M" / "new").iterdir())
    assert stored == sorted([one.key, two.key])
    assert maildir._committer.runs <= 2 and maildir._committer.restarts == 0
    assert writer != 0
