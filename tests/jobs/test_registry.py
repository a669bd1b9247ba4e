"""The job-kind registry: every kind in one place, plugins beside the built-ins."""

from __future__ import annotations

import subprocess
import sys

from shared.jobs.registry import get_kind, load_kinds
from tests.services import ROOT

BUILT_IN = {"derivative", "gradient", "extrema", "optimize", "fit", "check"}


def test_every_contract_kind_is_registered():
    kinds = load_kinds()
    assert BUILT_IN <= set(kinds)
    for name in BUILT_IN:
        assert kinds[name].params_model.model_config.get("extra") == "forbid", name


def test_a_plugin_registered_first_does_not_hide_the_built_ins():
    # A fresh interpreter: the plugin registers its kinds before anything
    # asked for one, which once left get_kind() blind to the built-ins.
    code = (
        "import tests.e2e.misbehaving_kinds\n"
        "from shared.jobs.registry import get_kind\n"
        "assert get_kind('test_sleep') is not None\n"
        "assert get_kind('derivative') is not None, 'built-ins hidden'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_unknown_kind_is_none():
    assert get_kind("no-such-kind") is None
