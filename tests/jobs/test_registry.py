"""The job-kind registry: every module in shared/jobs/kinds/ is a kind, found
without a list; plugins beside the built-ins; the models describe real results."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from shared.jobs.registry import get_kind, kind_module_names, load_kinds
from tests.services import ROOT

KINDS_DIR = Path(ROOT) / "shared" / "jobs" / "kinds"
# The kinds the contract names: each must come from a module on disk.
CONTRACT_KINDS = {
    "derivative", "gradient", "extrema", "optimize", "fit", "check", "compare", "backprop",
}  # fmt: skip


def test_every_module_on_disk_is_a_registered_kind():
    on_disk = {p.stem for p in KINDS_DIR.glob("*.py") if not p.stem.startswith("_")}
    assert {m.rsplit(".", 1)[1] for m in kind_module_names()} == on_disk
    built_in = {k.name: k for k in load_kinds().values() if k.module.startswith("shared.jobs.")}
    assert {k.module.rsplit(".", 1)[1] for k in built_in.values()} == on_disk
    assert CONTRACT_KINDS <= set(built_in)


@pytest.mark.parametrize("name", sorted(CONTRACT_KINDS))
def test_each_kind_declares_its_models_and_title(name):
    kind = get_kind(name)
    assert kind.params_model.model_config.get("extra") == "forbid"
    assert kind.title and kind.title != name
    schema = kind.result_model.model_json_schema()
    assert schema["properties"] and schema.get("required"), name


def load_with_extra_module(tmp_path, source: str) -> str:
    """load_kinds() in a fresh interpreter with one more module in the kinds
    package; return the error it raised (or "" if none)."""
    package = tmp_path / "kinds"
    package.mkdir()
    (package / "extra_kind.py").write_text(source)
    code = (
        "import shared.jobs.kinds\n"
        f"shared.jobs.kinds.__path__.insert(0, {str(package)!r})\n"
        "from shared.jobs.registry import load_kinds\n"
        "try:\n"
        "    load_kinds()\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__, exc)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_an_import_error_in_a_kind_module_raises(tmp_path):
    # Never a kind dropped silently because its module failed to import.
    error = load_with_extra_module(tmp_path, "import no_such_module_anywhere\n")
    assert error.startswith("ModuleNotFoundError") and "no_such_module_anywhere" in error


def test_a_module_that_registers_nothing_raises(tmp_path):
    error = load_with_extra_module(tmp_path, "X = 1\n")
    assert error.startswith("RuntimeError") and "extra_kind" in error


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


def test_only_kinds_with_a_check_hook_are_check_problems():
    checkable = {n for n, k in load_kinds().items() if k.check_problem is not None}
    assert checkable == {"derivative", "gradient", "extrema"}
    params = {"answer": "1", "problem": {"kind": "fit", "params": {}}}
    with pytest.raises(Exception, match="cannot be checked"):
        get_kind("check").params_model.model_validate(params)
