"""A batch's check reads each distinct params object once, and still reports
every bad entry's errors under its own index, exactly as checking each job
alone does."""

from __future__ import annotations

import pytest

from shared.jobs.submit import InvalidBatch, InvalidJob, JobSpec, check_batch, check_job


def derivative(expression: str, label: str | None = None, **more) -> JobSpec:
    return JobSpec("derivative", {"expression": expression, "variable": "x", **more}, label)


def one_by_one(specs: list[JobSpec]) -> tuple[list[str], list[dict]]:
    """The oracle: each job checked alone, as before batches were deduplicated."""
    hashes, errors = [], []
    for index, spec in enumerate(specs):
        try:
            hashes.append(check_job(spec, prefix=f"jobs.{index}.params").params_hash)
        except InvalidJob as exc:
            errors.extend(exc.errors)
    return hashes, errors


class Counting:
    """A ``check`` that runs the function here and records what it was given."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    def __call__(self, function, specs, jobs=1):
        self.calls.append((len(specs), jobs))
        return function(specs)


def test_identical_params_are_read_once_and_keep_their_own_labels():
    specs = [derivative("sin(x^2)", label=f"s{i}") for i in range(50)]
    specs += [derivative("cos(x)", label="c")] * 30
    counting = Counting()
    valid = check_batch(specs, check=counting)
    assert counting.calls == [(2, 2)]
    assert [job.label for job in valid] == [spec.label for spec in specs]
    assert all(job.params is spec.params for job, spec in zip(valid, specs, strict=True))
    assert [job.params_hash for job in valid] == one_by_one(specs)[0]
    assert len({job.params_hash for job in valid}) == 2


def test_each_bad_entry_reports_its_errors_at_its_own_index():
    bad_parse = derivative("sin(")
    specs = [
        derivative("x^2"),
        bad_parse,  # 1
        derivative("x^2"),
        JobSpec("nope", {}),  # 3
        bad_parse,  # 4: the same bad params again
        derivative("x^2", label="a\x00b"),  # 5: good params, a label no column stores
        JobSpec("nope", {}),  # 6
        derivative("x\x00"),  # 7
        derivative("x\x00", label="\x00"),  # 8: both NULs, label first
        JobSpec("derivative", {"expression": "x", "variable": "x", "order": 0}),  # 9
        JobSpec("derivative", {"expression": "x", "variable": "x", "order": 0}),  # 10
    ]
    counting = Counting()
    with pytest.raises(InvalidBatch) as raised:
        check_batch(specs, check=counting)
    assert counting.calls[0][0] == 5  # x^2, sin(, nope, x\0, order 0
    expected = one_by_one(specs)[1]
    assert raised.value.errors == expected
    indexes = [int(error["field"].split(".")[1]) for error in raised.value.errors]
    assert sorted(set(indexes)) == [1, 3, 4, 5, 6, 7, 8, 9, 10]
    assert indexes == sorted(indexes)
    fields = [error["field"] for error in raised.value.errors]
    assert fields.count("jobs.1.params.expression") == fields.count("jobs.4.params.expression") == 1
    assert {"jobs.8.label", "jobs.8.params.expression"} <= set(fields)
    parse = [e for e in raised.value.errors if e["field"] == "jobs.4.params.expression"]
    assert parse[0]["position"] == 4
    assert "nothing was stored" in raised.value.detail and "[1, 3, 4, 5, 6" in raised.value.detail


def test_errors_of_repeated_params_are_copies_not_shared():
    specs = [derivative("sin(")] * 3
    with pytest.raises(InvalidBatch) as raised:
        check_batch(specs)
    errors = raised.value.errors
    assert [e["field"] for e in errors] == [f"jobs.{i}.params.expression" for i in range(3)]
    assert len({id(e) for e in errors}) == 3


def test_params_with_the_same_json_text_but_not_equal_are_read_apart():
    # {1: ...} and {"1": ...} print alike; NaN is not equal to itself.
    specs = [
        JobSpec("derivative", {"expression": "x", "variable": "x", "at": {"1": "1"}}),
        JobSpec("derivative", {"expression": "x", "variable": "x", "at": {1: "1"}}),
        derivative("x", at={"x": float("nan")}),
        derivative("x", at={"x": float("nan")}),
    ]
    counting = Counting()
    with pytest.raises(InvalidBatch) as raised:
        check_batch(specs, check=counting)
    assert counting.calls[0][0] == 4
    assert raised.value.errors == one_by_one(specs)[1]


def test_params_that_are_not_json_are_still_checked():
    specs = [JobSpec("derivative", {"expression": "x", "variable": "x", "at": {"x": object()}})]
    with pytest.raises(InvalidBatch) as raised:
        check_batch(specs * 2)
    assert raised.value.errors == one_by_one(specs * 2)[1]
