"""The embedded queue transport on its own: whole messages, claims, dead consumers.

Real files in a temporary folder and real kombu connections (no mocks): a
message is either whole or absent, a claimed message comes back when its
consumer dies unacknowledged, and an unreadable file is set aside instead of
killing the consumer (kombu's own file transport raised JSONDecodeError).
"""

from __future__ import annotations

import multiprocessing
import os

import pytest
from kombu import Connection, Queue

from shared.queue import QUEUE, embedded_transport_options
from shared.transports.embedded import TRANSPORT


def connect(data_dir) -> Connection:
    return Connection(
        "filesystem://",
        transport=TRANSPORT,
        transport_options=embedded_transport_options(data_dir),
    )


def publish(data_dir, bodies: list[str]) -> None:
    with connect(data_dir) as conn:
        producer = conn.Producer(serializer="json")
        for body in bodies:
            producer.publish(body, routing_key=QUEUE, declare=[Queue(QUEUE, routing_key=QUEUE)])


def take(data_dir, count: int, ack: bool = True) -> list[str]:
    got: list[str] = []
    with connect(data_dir) as conn:
        queue = conn.SimpleQueue(QUEUE)
        for _ in range(count):
            message = queue.get(timeout=2)
            got.append(message.payload)
            if ack:
                message.ack()
        queue.close()
    return got


def folder(data_dir, name: str) -> list[str]:
    return sorted(os.listdir(data_dir / "queue" / name))


def test_messages_come_out_whole_in_order_and_acked_ones_are_gone(tmp_path):
    publish(tmp_path, [f"job-{i}" for i in range(20)])
    assert folder(tmp_path, "incoming") == []  # nothing half-written is left behind
    assert take(tmp_path, 20) == [f"job-{i}" for i in range(20)]
    assert folder(tmp_path, "messages") == []
    assert all(
        not os.listdir(tmp_path / "queue" / "claimed" / d) for d in folder(tmp_path, "claimed")
    )


def test_an_unreadable_file_is_set_aside_and_the_next_message_delivered(tmp_path):
    publish(tmp_path, ["before"])
    messages = tmp_path / "queue" / "messages"
    # What kombu's file transport left for a reader: an empty file, and a torn one.
    (messages / f"0-00000000000000000001_empty.{QUEUE}.msg").write_bytes(b"")
    (messages / f"0-00000000000000000002_torn.{QUEUE}.msg").write_bytes(b'{"body": "x", "prop')
    publish(tmp_path, ["after"])
    assert take(tmp_path, 2) == ["before", "after"]
    assert len(folder(tmp_path, "corrupt")) == 2


def _take_without_ack_then_die(data_dir) -> None:
    with connect(data_dir) as conn:
        queue = conn.SimpleQueue(QUEUE)
        queue.get(timeout=2)  # claimed, never acknowledged
        os._exit(0)  # as kill -9: no close, no restore


def test_a_dead_consumers_claims_go_back_to_the_queue(tmp_path):
    publish(tmp_path, ["held-by-the-dead", "second"])
    child = multiprocessing.get_context("fork").Process(
        target=_take_without_ack_then_die, args=(tmp_path,)
    )
    child.start()
    child.join(timeout=30)
    assert child.exitcode == 0
    assert len(folder(tmp_path, "messages")) == 1  # "second"; the other is claimed
    assert sorted(take(tmp_path, 2)) == ["held-by-the-dead", "second"]


def test_a_live_consumers_unacked_messages_are_not_taken(tmp_path):
    publish(tmp_path, ["mine"])
    with connect(tmp_path) as conn:
        queue = conn.SimpleQueue(QUEUE)
        message = queue.get(timeout=2)
        # Another consumer (same process here: its own channel) sees nothing.
        with pytest.raises(queue.Empty):
            connect(tmp_path).SimpleQueue(QUEUE).get(timeout=0.5)
        message.ack()
        queue.close()


def test_a_lower_priority_number_is_delivered_first(tmp_path):
    with connect(tmp_path) as conn:
        producer = conn.Producer(serializer="json")
        for body, priority in (("new-1", 6), ("new-2", 6), ("resent", 0)):
            producer.publish(
                body,
                routing_key=QUEUE,
                priority=priority,
                declare=[Queue(QUEUE, routing_key=QUEUE)],
            )
    assert take(tmp_path, 3) == ["resent", "new-1", "new-2"]
