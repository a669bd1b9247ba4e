"""The compare kind's params: merging, grids, labels, limits; runs equal single jobs."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from shared.jobs.registry import get_kind

ROSENBROCK = {
    "expression": "(1 - x)^2 + 100(y - x^2)^2",
    "variables": ["x", "y"],
    "start": {"x": -1.2, "y": 1},
    "learning_rate": 1e-3,
    "max_iter": 3000,
}


def validate(params):
    return get_kind("compare").params_model.model_validate(params)


def run(kind, params):
    found = get_kind(kind)
    return found.run(found.params_model.model_validate(params)).result


def test_runs_equal_single_optimize_jobs():
    variants = [{"method": m} for m in ("gd", "momentum", "nesterov", "adam")]
    result = run(
        "compare", {"base": {"kind": "optimize", "params": ROSENBROCK}, "variants": variants}
    )
    assert [r["label"] for r in result["runs"]] == [f"method={v['method']}" for v in variants]
    for entry, variant in zip(result["runs"], variants, strict=True):
        single = run("optimize", {**ROSENBROCK, **variant})
        assert entry["result"]["x"] == single["x"]  # the same code path: exactly equal
        assert entry["result"]["fun"] == single["fun"]
        assert entry["result"]["iterations"] == single["iterations"]
        assert len(entry["result"]["trajectory"]) <= 200
        assert entry["params"] == {**ROSENBROCK, **variant}


def test_grid_expands_to_labelled_runs_with_optimizer_options_placed():
    base = {"model": "linear", "X": [[0], [1], [2], [3]], "y": [1, 3, 5, 7.2]}
    params = validate(
        {
            "base": {"kind": "fit", "params": base},
            "variants": {"grid": {"learning_rate": [0.01, 0.1], "l2": [0, 0.5]}},
        }
    )
    labels = [label for label, _, _ in params._runs]
    assert labels == [
        "learning_rate=0.01, l2=0",
        "learning_rate=0.01, l2=0.5",
        "learning_rate=0.1, l2=0",
        "learning_rate=0.1, l2=0.5",
    ]
    merged = params._runs[3][1]
    assert merged["optimizer"] == {"learning_rate": 0.1} and merged["l2"] == 0.5
    result = get_kind("compare").run(params).result
    assert "X" not in result["runs"][0]["params"]  # the data is the base's, shown once


def test_fit_optimizer_objects_merge_into_the_base_optimizer():
    base = {
        "model": "linear",
        "X": [[0], [1], [2], [3]],
        "y": [1, 3, 5, 7],
        "optimizer": {"method": "gd", "learning_rate": 0.05, "max_iter": 50},
    }
    params = validate(
        {"base": {"kind": "fit", "params": base}, "variants": [{"optimizer": "momentum"}]}
    )
    assert params._runs[0][2].optimizer.learning_rate == 0.05
    assert params._runs[0][2].optimizer.method == "momentum"


@pytest.mark.parametrize(
    ("variants", "message"),
    [
        ([], "1 to 50 runs"),
        ([{"method": "gd"}] * 51, "1 to 50 runs"),
        ({"grid": {"learning_rate": [0.1] * 8, "momentum": [0.5] * 7}}, "1 to 50 runs"),
        ([{"expression": "x^2"}], "may not change expression"),
        ([{"method": "sgd"}], "variants[0]"),
        ([{"momentum": 0.5}], "variants[0]"),  # gd takes no momentum
    ],
)
def test_bad_variants_are_refused(variants, message):
    with pytest.raises(ValidationError, match=message.replace("[", r"\[")):
        validate({"base": {"kind": "optimize", "params": ROSENBROCK}, "variants": variants})


def test_labels_must_match_and_be_distinct():
    base = {"kind": "optimize", "params": ROSENBROCK}
    with pytest.raises(ValidationError, match="one label per run"):
        validate({"base": base, "variants": [{"method": "gd"}], "labels": ["a", "b"]})
    with pytest.raises(ValidationError, match="distinct"):
        validate({"base": base, "variants": [{}, {}]})
    ok = validate({"base": base, "variants": [{}, {}], "labels": ["a", "b"]})
    assert [label for label, _, _ in ok._runs] == ["a", "b"]


def test_base_must_be_valid_and_single_start():
    with pytest.raises(ValidationError, match="base.params"):
        validate({"base": {"kind": "optimize", "params": {"expression": "x"}}, "variants": [{}]})
    multi = {**ROSENBROCK, "starts": [{"x": 0, "y": 0}]}
    del multi["start"]
    with pytest.raises(ValidationError, match="one 'start'"):
        validate({"base": {"kind": "optimize", "params": multi}, "variants": [{}]})
    with pytest.raises(ValidationError):
        validate({"base": {"kind": "derivative", "params": {}}, "variants": [{}]})


def test_fit_variant_limits_use_the_real_row_count():
    X = np.random.default_rng(0).normal(size=(5000, 10)).tolist()
    base = {"model": "linear", "X": X, "y": [0.0] * 5000}
    with pytest.raises(ValidationError, match="max_iter"):
        validate(
            {
                "base": {"kind": "fit", "params": base},
                "variants": [{"optimizer": {"max_iter": 50_000}}],
            }
        )
    with pytest.raises(ValidationError, match="fewer than 2 training rows"):
        small = {"model": "linear", "X": [[0], [1], [2]], "y": [0, 1, 2]}
        validate({"base": {"kind": "fit", "params": small}, "variants": [{"test_fraction": 0.5}]})


def test_optimize_data_is_the_base_s_and_shown_once():
    base = {
        "expression": "mean((w x - y)^2)",
        "variables": ["w"],
        "data": {"x": [1, 2, 3], "y": [2, 4, 6.5]},
        "start": {"w": 0},
        "learning_rate": 0.05,
    }
    with pytest.raises(ValidationError, match="may not change data"):
        validate({"base": {"kind": "optimize", "params": base}, "variants": [{"data": {"x": [1]}}]})
    result = run(
        "compare",
        {
            "base": {"kind": "optimize", "params": base},
            "variants": [{"method": "gd"}, {"method": "adam"}],
        },
    )
    assert all("data" not in r["params"] for r in result["runs"])
    single = run("optimize", base)
    # Oracle: least squares w = sum(xy)/sum(x^2) = 29.5/14; gd gets there like its single job.
    assert result["runs"][0]["result"]["x"] == single["x"]
    assert abs(single["x"]["w"] - 29.5 / 14) < 1e-4
