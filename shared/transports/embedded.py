"""The embedded queue: kombu's file-system transport, made safe to crash in.

kombu's own file transport creates a message file empty and then writes it,
so a consumer polling at that moment read an empty file and the worker died
(``JSONDecodeError`` in ``_get``); and it deletes a message as it hands it
over, so a worker killed with messages in hand lost them. Here:

- a message is written under ``incoming/`` and renamed into ``messages/``
  (``os.replace`` is atomic): a reader sees a whole file or none;
- a consumer claims a message by renaming it into ``claimed/PID/`` (atomic,
  so two consumers never both get it) and deletes it only when the message
  is acknowledged or rejected;
- claims of a process that is gone (``kill -9``) go back to ``messages/``
  on the next consumer's sweep, oldest first;
- a file that still cannot be read (a disk that lost it in a power cut) is
  moved to ``corrupt/`` and logged, never raised: the job row is the truth
  and the recovery loop resends its job.
"""

from __future__ import annotations

import json
import logging
import os
import time
import uuid
from collections import deque
from pathlib import Path
from typing import Any

from kombu.transport import filesystem, virtual
from kombu.transport.virtual import Empty

logger = logging.getLogger(__name__)

SWEEP_EVERY = 2.0  # seconds between looks for dead consumers' claims
RELIST_EVERY = 1.0  # seconds a listing is trusted (a newer urgent message may sort first)


def queue_folders(root: Path) -> dict[str, Path]:
    """The folders of an embedded queue rooted at ``root`` (created)."""
    folders = {
        name: root / name
        for name in ("messages", "incoming", "claimed", "corrupt", "control", "processed")
    }
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    return folders


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, but someone else's
        return True
    return True


class Channel(filesystem.Channel):
    """File-system channel with atomic writes, claims and tolerant reads."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        root = Path(self.data_folder_in).parent
        self._folders = queue_folders(root)
        self._claimed: dict[str, Path] = {}  # delivery tag -> claimed file
        self._pending: dict[str, deque[str]] = {}  # queue -> names seen, oldest first
        self._listed_at: dict[str, float] = {}
        self._next_sweep = 0.0

    @property
    def _claim_dir(self) -> Path:
        # Per process: a forked child that consumed would claim under its own pid.
        folder = self._folders["claimed"] / str(os.getpid())
        folder.mkdir(exist_ok=True)
        return folder

    def _put(self, queue: str, payload: dict, **kwargs: Any) -> None:
        """Write the message whole under incoming/, then rename it into messages/.

        Names sort by priority (0 first, as on Redis), then by time.
        """
        priority = (payload.get("properties") or {}).get("priority") or 0
        priority = min(9, max(0, int(priority)))
        name = f"{priority}-{time.time_ns():020d}_{uuid.uuid4().hex}.{queue}.msg"
        staging = self._folders["incoming"] / name
        try:
            staging.write_bytes(json.dumps(payload).encode())
            os.replace(staging, self._folders["messages"] / name)
        except OSError as exc:
            staging.unlink(missing_ok=True)
            raise filesystem.ChannelError(f"cannot queue a message: {exc}") from exc

    def _get(self, queue: str) -> dict:
        """Claim the oldest whole message of ``queue``; Empty when there is none."""
        self._sweep_dead_claims()
        pending = self._pending.setdefault(queue, deque())
        if time.monotonic() - self._listed_at.get(queue, 0.0) > RELIST_EVERY:
            pending.clear()
        for fresh_listing in (False, True):
            if fresh_listing or not pending:
                pending.clear()
                self._listed_at[queue] = time.monotonic()
                suffix = f".{queue}.msg"
                names = os.listdir(self._folders["messages"])
                pending.extend(sorted(n for n in names if n.partition(".")[2] == suffix[1:]))
            while pending:
                payload = self._claim(pending.popleft())
                if payload is not None:
                    return payload
            if fresh_listing:
                break
        raise Empty()

    def _claim(self, name: str) -> dict | None:
        claimed = self._claim_dir / name
        try:
            os.rename(self._folders["messages"] / name, claimed)
        except FileNotFoundError:  # another consumer claimed it first
            return None
        try:
            payload = json.loads(claimed.read_bytes())
            tag = payload["properties"]["delivery_tag"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            logger.error("unreadable queue message %s moved aside: %r", name, exc)
            os.replace(claimed, self._folders["corrupt"] / name)
            return None
        self._claimed[tag] = claimed
        return payload

    def _settle(self, delivery_tag: str) -> None:
        claimed = self._claimed.pop(delivery_tag, None)
        if claimed is not None:
            claimed.unlink(missing_ok=True)

    def basic_ack(self, delivery_tag: str, multiple: bool = False) -> None:
        super().basic_ack(delivery_tag, multiple=multiple)
        self._settle(delivery_tag)

    def basic_reject(self, delivery_tag: str, requeue: bool = False) -> None:
        super().basic_reject(delivery_tag, requeue=requeue)  # requeue writes a new copy
        self._settle(delivery_tag)

    def close(self) -> None:
        super().close()  # puts unacknowledged messages back as new copies
        for tag in list(self._claimed):
            self._settle(tag)

    def _sweep_dead_claims(self) -> None:
        """Give a dead consumer's unacknowledged messages back to the queue."""
        now = time.monotonic()
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_EVERY
        for folder in self._folders["claimed"].iterdir():
            if not folder.name.isdigit() or _pid_alive(int(folder.name)):
                continue
            names = os.listdir(folder)
            for name in names:
                try:
                    os.replace(folder / name, self._folders["messages"] / name)
                except FileNotFoundError:  # another consumer swept it
                    continue
            if names:
                logger.warning(
                    "requeued %d message(s) held by dead process %s", len(names), folder.name
                )
                self._pending.clear()  # they sort first: list again
            try:
                folder.rmdir()
            except OSError:
                pass


class Transport(filesystem.Transport):
    """kombu's file-system transport with :class:`Channel`."""

    Channel = Channel
    # Its own broker state (kombu's file transport keeps one per class).
    global_state = virtual.BrokerState()


TRANSPORT = f"{__name__}:Transport"
