"""Job kinds that only tests register (through MLCALC_KIND_PLUGINS): they
misbehave on purpose so the pipeline's limits can be seen to hold."""

from __future__ import annotations

import os
import time

from pydantic import Field

from shared.jobs.fields import KindParams
from shared.jobs.registry import JobOutput, job_kind


class SleepParams(KindParams):
    seconds: float = Field(ge=0, le=120)
    busy: bool = False


@job_kind("test_sleep", params=SleepParams, reusable=False)
def run_sleep(params: SleepParams) -> JobOutput:
    """Sleep (or spin) for the given time; a stand-in for a long solve."""
    deadline = time.monotonic() + params.seconds
    while time.monotonic() < deadline:
        if not params.busy:
            time.sleep(0.05)
    return JobOutput(result={"slept": params.seconds, "pid": os.getpid()})


class AllocateParams(KindParams):
    megabytes: int = Field(ge=1, le=1_000_000)


@job_kind("test_allocate", params=AllocateParams, reusable=False)
def run_allocate(params: AllocateParams) -> JobOutput:
    """Allocate a block of memory and touch it."""
    block = bytearray(params.megabytes * 1024 * 1024)
    return JobOutput(result={"allocated": len(block) // (1024 * 1024)})


class CrashParams(KindParams):
    code: int = 1


@job_kind("test_crash", params=CrashParams, reusable=False)
def run_crash(params: CrashParams) -> JobOutput:
    """Kill the worker process that runs it, every time."""
    os._exit(params.code)
