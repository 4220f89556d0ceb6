"""Resolver benchmark against the loopback test server (no traffic leaves this machine).

Prints: queries per second at 0 ms injected delay; the wall time of 1,000 distinct lookups at
20 ms delay with the default concurrency limit, against two baselines measured in the same run
(sequential lookups, and dnspython's async resolver called directly, i.e. without our cache and
bookkeeping); and proof that repeats come from the cache (the server's query count is unchanged).

    python benchmarks/resolver.py
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mailcheck.dns.interface import RRType  # noqa: E402
from mailcheck.dns.live import LiveResolver, Nameserver, ResolverConfig  # noqa: E402
from tests.nameserver import LoopbackNameserver, NameserverProcess  # noqa: E402

LOOKUPS = 1000
REPEATS = 5  # each figure is the best of these, so other load on the machine disturbs it less
SEQUENTIAL_SAMPLE = 50  # the sequential baseline is sampled, then scaled: 1,000 x 20 ms is 20 s


def resolver(port: int, concurrency: int | None = None) -> LiveResolver:
    config = ResolverConfig((Nameserver("127.0.0.1", port),), timeout=2.0, retries=1)
    if concurrency is not None:
        config = ResolverConfig(config.nameservers, config.timeout, config.retries, concurrency)
    return LiveResolver(config)


async def timed_lookups(live: LiveResolver, names: list[str]) -> float:
    start = time.perf_counter()
    answers = await asyncio.gather(*(live.resolve(n, RRType.A) for n in names))
    elapsed = time.perf_counter() - start
    assert all(a.records == ("192.0.2.1",) for a in answers), "unexpected answer"
    return elapsed


def names(prefix: str, count: int) -> list[str]:
    return [f"{prefix}{i}.bench.example" for i in range(count)]


def warmed(port: int, wanted: list[str]) -> list[str]:
    """Let the server cache its replies first (through another resolver), so the figures
    measure the resolver under test rather than the Python test server's parsing."""
    asyncio.run(timed_lookups(resolver(port), wanted))
    return wanted


def throughput() -> None:
    with NameserverProcess(delay_ms=0) as server:
        wanted = warmed(server.port, names("qps", 2 * LOOKUPS))
        runs = [asyncio.run(timed_lookups(resolver(server.port), wanted)) for _ in range(REPEATS)]
    elapsed = min(runs)
    print(
        f"throughput, 0 ms delay: {2 * LOOKUPS / elapsed:,.0f} queries/s "
        f"({2 * LOOKUPS} distinct lookups in {elapsed:.3f} s, best of {REPEATS})"
    )


async def dnspython_lookups(port: int, wanted: list[str], concurrency: int) -> float:
    """Baseline: dnspython's own async resolver (a socket per query) under the same limit."""
    import dns.asyncresolver
    import dns.nameserver

    backend = dns.asyncresolver.Resolver(configure=False)
    backend.nameservers = [dns.nameserver.Do53Nameserver("127.0.0.1", port)]
    limit = asyncio.Semaphore(concurrency)

    async def one(name: str) -> None:
        async with limit:
            await backend.resolve(name + ".", "A", search=False)

    start = time.perf_counter()
    await asyncio.gather(*(one(n) for n in wanted))
    return time.perf_counter() - start


def best_and_median(runs: list[float]) -> tuple[float, float]:
    """Best of the repeats (least disturbed by other load) and the median."""
    return min(runs), statistics.median(runs)


def concurrency_at_20ms() -> None:
    limit = ResolverConfig().concurrency
    with NameserverProcess(delay_ms=20) as server:
        wanted = warmed(server.port, names("c", LOOKUPS))
        runs = [asyncio.run(timed_lookups(resolver(server.port), wanted)) for _ in range(REPEATS)]
        sample = asyncio.run(timed_lookups(resolver(server.port, 1), names("s", SEQUENTIAL_SAMPLE)))
        baselines = [
            asyncio.run(dnspython_lookups(server.port, wanted, limit)) for _ in range(REPEATS)
        ]
    concurrent, median = best_and_median(runs)
    baseline, baseline_median = best_and_median(baselines)
    sequential = sample / SEQUENTIAL_SAMPLE * LOOKUPS
    verdict = "PASS" if concurrent < 0.5 else "MISS"
    print(
        f"1,000 distinct lookups at 20 ms delay, concurrency {limit}: best {concurrent:.3f} s, "
        f"median {median:.3f} s of {REPEATS} (target < 0.5 s: {verdict})"
    )
    print(
        f"sequential baseline (concurrency 1, {SEQUENTIAL_SAMPLE} sampled): "
        f"{sequential:.1f} s for 1,000 -> speed-up x{sequential / concurrent:.0f}"
    )
    print(
        f"dnspython async resolver, same names and limit: best {baseline:.3f} s, median "
        f"{baseline_median:.3f} s -> "
        f"LiveResolver is x{baseline / concurrent:.1f} as fast"
    )


async def cache_proof(server: LoopbackNameserver) -> tuple[int, int, float]:
    live = resolver(server.port)
    wanted = names("cache", LOOKUPS)
    await timed_lookups(live, wanted)
    before = server.counters.total
    again = await timed_lookups(live, wanted)
    return before, server.counters.total, again


def cache() -> None:
    with LoopbackNameserver() as server:
        before, after, again = asyncio.run(cache_proof(server))
    verdict = "PASS" if before == after == LOOKUPS else "FAIL"
    print(
        f"cache: server saw {before} queries for 1,000 lookups, {after - before} more for the "
        f"1,000 repeats ({again * 1000:.1f} ms): {verdict}"
    )


if __name__ == "__main__":
    throughput()
    concurrency_at_20ms()
    cache()
