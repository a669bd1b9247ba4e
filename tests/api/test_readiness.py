"""/readyz says "not ready" while no worker beats: nothing would run the jobs."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text

from services.api import create_app
from shared.db import heartbeats
from shared.db.migrate import upgrade
from shared.db.models import utcnow
from shared.db.session import session_scope
from shared.settings import Settings


def test_readyz_follows_the_workers_heartbeats(tmp_path):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'ready.db'}", data_dir=tmp_path)
    upgrade(settings.database_url)
    client = create_app(settings, {"TESTING": True}).test_client()
    client.application.extensions["mlcalc-validators"].start()  # waits until they are up

    alone = client.get("/readyz")
    assert alone.status_code == 503
    assert alone.get_json()["checks"] == {
        "database": "ok",
        "broker": "ok",
        "workers": "no live worker",
        "validators": "ok",
    }

    with session_scope(settings.database_url) as session:
        heartbeats.beat(session, "w@host", 1, 2, utcnow())
    assert client.get("/readyz").status_code == 200

    silent_since = utcnow() - heartbeats.STALE_AFTER - timedelta(seconds=1)
    with session_scope(settings.database_url) as session:
        session.execute(text("UPDATE worker_heartbeats SET beat_at = :t"), {"t": silent_since})
    assert client.get("/readyz").get_json()["checks"]["workers"] == "no live worker"
