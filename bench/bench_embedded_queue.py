"""Embedded queue transports: publish then consume-and-ack N messages, one process.

Compares the transport the embedded run uses (shared/transports/embedded.py:
atomic file writes, claims) with kombu's own file-system transport (which it
replaces) and kombu's SQLAlchemy transport on a SQLite file (the other
candidate). Run: ``python bench/bench_embedded_queue.py [N]``.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from kombu import Connection

from shared.queue import QUEUE, embedded_transport_options
from shared.transports.embedded import TRANSPORT

BODY = {"job_id": "00000000-0000-0000-0000-000000000000", "args": ["x" * 36]}


def run(connection: Connection, n: int) -> tuple[float, float]:
    with connection as conn:
        queue = conn.SimpleQueue(QUEUE)
        started = time.perf_counter()
        for _ in range(n):
            queue.put(BODY)
        published = time.perf_counter() - started
        started = time.perf_counter()
        for _ in range(n):
            queue.get(timeout=5).ack()
        consumed = time.perf_counter() - started
        queue.close()
    return n / published, n / consumed


def main(n: int = 2000) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        options = embedded_transport_options(root / "ours")
        candidates = {
            "embedded (atomic files + claims)": Connection(
                "filesystem://", transport=TRANSPORT, transport_options=options
            ),
            "kombu filesystem": Connection(
                "filesystem://", transport_options=embedded_transport_options(root / "kombu")
            ),
            "kombu sqlalchemy (SQLite)": Connection(f"sqla+sqlite:///{root / 'queue.db'}"),
        }
        results = {name: run(conn, n) for name, conn in candidates.items()}
    base_pub, base_get = results["embedded (atomic files + claims)"]
    print(f"{n} messages; rates in messages/s; ratio = candidate / embedded")
    for name, (pub, get) in results.items():
        print(
            f"{name:36s} publish {pub:8.0f} ({pub / base_pub:4.2f}x)   "
            f"consume+ack {get:8.0f} ({get / base_get:4.2f}x)"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
