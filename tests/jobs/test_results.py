"""Each kind's result model describes what its runner really returns.

The models are the published schema (GET /v1/kinds, /v1/openapi.json): a
real result of every kind must validate against its model, every declared
required field present with the declared type.
"""

from __future__ import annotations

import pytest

from shared.jobs.registry import get_kind

SAMPLES = [
    ("derivative", {"expression": "x^2 sin(x)", "variable": "x", "at": {"x": 0}}),
    ("gradient", {"expression": "x^2 + 3xy", "variables": ["x", "y"], "at": {"x": 1, "y": 2}}),
    ("gradient", {"expressions": ["x y", "x + y"], "variables": ["x", "y"]}),
    ("extrema", {"expression": "x^3 - 3x", "variable": "x", "interval": [-2, 3]}),
    ("extrema", {"expression": "x^2 + y^2 - x y", "variables": ["x", "y"]}),
    (
        "optimize",
        {"expression": "(x-1)^2", "variables": ["x"], "start": {"x": 0}, "learning_rate": 0.1},
    ),
    (
        "optimize",
        {"expression": "(x-1)^2", "variables": ["x"], "starts": [{"x": 0}, {"x": 3}]},
    ),
    ("fit", {"model": "linear", "X": [[0], [1], [2], [3]], "y": [1, 3, 5, 7.5]}),
    ("check", {"expected": "2x", "answer": "x + x"}),
    ("backprop", {"expression": "sigmoid(w x + b)", "at": {"w": 1, "x": 2, "b": -1}}),
    (
        "backprop",
        {"expression": "x y^2", "at": {"x": 1, "y": 2}, "mode": "forward", "direction": {"y": 1}},
    ),
    (
        "compare",
        {
            "base": {
                "kind": "optimize",
                "params": {"expression": "x^2", "variables": ["x"], "start": {"x": 1}},
            },
            "variants": [{"method": "gd"}, {"method": "newton"}],
        },
    ),
    (
        "compare",
        {
            "base": {
                "kind": "fit",
                "params": {
                    "model": "linear",
                    "X": [[0], [1], [2]],
                    "y": [1, 2, 3.5],
                    "test_fraction": 0.34,
                },
            },
            "variants": {"grid": {"learning_rate": [0.01, 0.1]}},
        },
    ),
    (
        "check",
        {"problem": {"kind": "derivative", "params": {"expression": "x^2"}}, "answer": "2x"},
    ),
]


@pytest.mark.parametrize(("name", "params"), SAMPLES)
def test_a_real_result_validates_against_the_result_model(name, params):
    kind = get_kind(name)
    result = kind.run(kind.params_model.model_validate(params)).result
    model = kind.result_model
    model.model_validate(result)
    assert set(model.model_json_schema().get("required", [])) <= set(result)
