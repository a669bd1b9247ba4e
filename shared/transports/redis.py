"""kombu's Redis transport, with its channel made safe to close after a disconnect.

Celery (5.7.0, kombu 5.7.0, the newest releases) kills the worker's main
process on a Redis disconnect while a job runs: on the connection error the
consumer first calls ``Connection.collect()``, which detaches the transport
from its client (``transport.client = None``) while the channel stays open
with the running job's message unacknowledged; ``Connection.close()`` then
closes that channel, which restores unacknowledged messages through a pool it
rebuilds from ``transport.client`` -> ``AttributeError: 'NoneType' object has
no attribute 'hostname'`` in ``_connparams``. An AttributeError is not a
connection error, so Celery calls it unrecoverable and exits.

Here a channel whose transport has been detached raises the broker's own
``ConnectionError`` instead: Celery already ignores connection errors while
it tears the broken connection down, and reconnects. The message is not lost:
the job row is the source of truth and the recovery loop resends any job
whose message is gone.
"""

from __future__ import annotations

from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(kombu_redis.Channel):
    """A Redis channel that fails like a lost connection once detached."""

    def _connparams(self, asynchronous: bool = False) -> dict:
        if self.connection is None or self.connection.client is None:
            raise RedisConnectionError("broker connection already closed")
        return super()._connparams(asynchronous=asynchronous)


class Transport(kombu_redis.Transport):
    """kombu's Redis transport with :class:`Channel`."""

    Channel = Channel


TRANSPORT = f"{__name__}:Transport"
