"""Who is calling: API keys (when switched on) and per-key rate limits.

Rate limits count requests per key (or per client address without keys) in
fixed one-minute windows in Redis, so every API process shares one count.
Without Redis (the embedded run) there is no limit; when Redis fails the
limiter lets requests through rather than turn an outage into errors.
"""

from __future__ import annotations

import logging
import time

import redis
from flask import Flask, Response, current_app, g, request

from services.api.problems import ApiProblem, problem_response
from services.api.runtime import runtime
from shared.db.keys import find_active_key
from shared.settings import Settings

logger = logging.getLogger(__name__)

OPEN_PATHS = ("/v1/openapi.json", "/v1/swagger", "/v1/")


def init_app(app: Flask, settings: Settings) -> None:
    app.before_request(authenticate)
    app.extensions["mlcalc-ratelimit"] = _limiter_client(settings)
    # Deployments sharing one Redis keep separate counts, as their queues do.
    app.extensions["mlcalc-ratelimit-prefix"] = settings.broker_key_prefix


def _limiter_client(settings: Settings) -> redis.Redis | None:
    url = settings.rate_limit_redis_url or (
        settings.broker_url if settings.broker_url.startswith("redis") else ""
    )
    if not url or settings.rate_limit_per_minute <= 0:
        return None
    return redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)


def authenticate() -> Response | None:
    """Resolve the caller's key (401 if required and missing), then rate-limit."""
    if (
        not request.path.startswith("/v1/")
        or request.path in OPEN_PATHS
        or request.path.startswith("/v1/swagger")
    ):
        return None
    settings = runtime().settings
    g.owner_id = None
    subject = request.remote_addr or "anonymous"
    if settings.require_api_keys:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _unauthorized("send an API key as 'Authorization: Bearer KEY'")
        # Unknown keys count against the caller's address, checked before
        # the database lookup each of them would cost.
        bad_keys = f"unknown-keys:{subject}"
        limit = settings.rate_limit_per_minute
        if (refused := rate_limit(bad_keys, limit, count=False)) is not None:
            return refused
        with runtime().sessions() as session:
            key = find_active_key(session, token.strip())
        if key is None:
            return rate_limit(bad_keys, limit) or _unauthorized("the API key is unknown or revoked")
        g.owner_id = key.id
        subject = key.id
    return rate_limit(subject, settings.rate_limit_per_minute)


def _unauthorized(detail: str) -> Response:
    return problem_response(
        ApiProblem(
            401, "Unauthorized", detail, headers={"WWW-Authenticate": 'Bearer realm="mlcalc"'}
        )
    )


def rate_limit(subject: str, per_minute: int, *, count: bool = True) -> Response | None:
    """Count a request of ``subject`` (or, with ``count`` False, only look);
    return a 429 answer when it is past ``per_minute`` this minute."""
    client: redis.Redis | None = current_app.extensions.get("mlcalc-ratelimit")
    if client is None:
        return None
    now = time.time()
    window = int(now // 60)
    prefix = current_app.extensions.get("mlcalc-ratelimit-prefix", "")
    key = f"{prefix}mlcalc:ratelimit:{subject}:{window}"
    try:
        if count:
            pipe = client.pipeline()
            pipe.incr(key)
            pipe.expire(key, 120)
            seen = int(pipe.execute()[0])
        else:
            seen = int(client.get(key) or 0) + 1  # as if this one counted
    except redis.RedisError as exc:
        logger.warning("rate limiter unavailable, not limiting: %s", exc)
        return None
    if seen > per_minute:
        retry_after = max(1, int(60 - (now % 60)) + 1)
        return problem_response(
            ApiProblem(
                429,
                "Too many requests",
                f"at most {per_minute} requests a minute per key; try again in {retry_after} s",
                type_="rate-limited",
                headers={"Retry-After": str(retry_after)},
            )
        )
    return None
