"""What `mlcalc submit` prints: a job's result as a few lines a person reads."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


def _num(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def _words(name: str) -> str:
    return name.replace("_", " ")


def _point(point: dict[str, Any] | None) -> str:
    return ", ".join(f"{name} = {_num(value)}" for name, value in (point or {}).items())


def _derivative(params: dict, result: dict) -> list[str]:
    names = params.get("variables") or [params.get("variable") or "x"]
    order = params.get("order", 1)
    op = "d/d" + "".join(names) if order == 1 else f"d^{order}/d{names[0]}^{order}"
    lines = [f"{op} [{params.get('expression')}] = {result.get('expression')}"]
    if "value" in result or "numeric" in result:
        lines.append(
            f"at {_point(params.get('at'))}: {result.get('value')} ≈ {_num(result.get('numeric'))}"
        )
    return lines


def _gradient(params: dict, result: dict) -> list[str]:
    names = result.get("variables", [])
    lines = [f"∇f = ({', '.join(result.get('gradient', []))})  over ({', '.join(names)})"]
    if result.get("at_value") is not None:
        lines.append(
            f"at {_point(params.get('at'))}: ({', '.join(result['at_value'])}), "
            f"norm {_num(result.get('norm'))}"
        )
    if result.get("hessian") is not None:
        lines.append(f"Hessian: {result['hessian']}")
    definiteness = (result.get("hessian_at") or {}).get("definiteness")
    if definiteness:
        lines.append(f"Hessian there: {definiteness.replace('_', ' ')}")
    return lines


def _extremum(label: str, extremum: dict | None) -> str:
    if extremum is None:
        return f"no global {label} (unbounded)"
    points = extremum.get("points") or [extremum]
    where = " and ".join(_point(p.get("point")) for p in points)
    return f"global {label} {extremum.get('value')} ≈ {_num(extremum.get('numeric'))} at {where}"


def _extrema(params: dict, result: dict) -> list[str]:
    lines = [
        f"{_point(p.get('point'))}: f = {p.get('value')}  {_words(p.get('classification', ''))}"
        for p in result.get("critical_points", [])
    ] or ["no critical points"]
    return lines + [
        _extremum("minimum", result.get("global_min")),
        _extremum("maximum", result.get("global_max")),
    ]


def _optimize(params: dict, result: dict) -> list[str]:
    words = {"tol": "converged", "diverged": "DIVERGED", "max_iter": "stopped at max_iter"}
    reason = result.get("stop_reason")
    return [
        f"{words.get(reason, reason)} after {result.get('iterations')} iterations "
        f"({result.get('method', params.get('method', 'gd'))})",
        f"final point: {_point(result.get('x'))}",
        f"f there: {_num(result.get('fun'))}",
    ]


def _check(params: dict, result: dict) -> list[str]:
    verdict = "correct" if result.get("correct") else "incorrect"
    return [f"{verdict}: {result.get('feedback', '')}", f"expected: {result.get('expected')}"]


def _fit(params: dict, result: dict) -> list[str]:
    lines = [
        f"coefficients: {', '.join(_num(c) for c in result.get('coefficients', []))}",
        f"intercept: {_num(result.get('intercept'))}",
        f"stopped: {result.get('stop_reason')} after {result.get('iterations')} iterations",
    ]
    for name in ("metrics", "test_metrics"):
        if isinstance(result.get(name), dict):
            shown = ", ".join(f"{k} {_num(v)}" for k, v in result[name].items())
            lines.append(f"{'test' if name == 'test_metrics' else 'train'}: {shown}")
    return lines


def _backprop(params: dict, result: dict) -> list[str]:
    lines = [f"f = {_num(result.get('value'))} at {_point(params.get('at'))}"]
    if result.get("gradient"):
        lines.append(f"gradient: {_point(result['gradient'])}")
    if result.get("directional") is not None:
        lines.append(f"directional derivative: {_num(result['directional'])}")
    nodes = (result.get("graph") or {}).get("nodes", [])
    lines.append(f"computation graph: {len(nodes)} nodes")
    return lines


def _compare(params: dict, result: dict) -> list[str]:
    lines = [
        f"{s.get('label')}: f = {_num(s.get('fun'))}, {s.get('iterations')} iterations, "
        f"{s.get('stop_reason')}"
        for s in result.get("summary", [])
    ]
    return lines + [f"best: {result.get('best')}"]


SUMMARIES: dict[str, Callable[[dict, dict], list[str]]] = {
    "derivative": _derivative, "gradient": _gradient, "extrema": _extrema,
    "optimize": _optimize, "check": _check, "fit": _fit, "backprop": _backprop,
    "compare": _compare,
}  # fmt: skip


def job_summary(job: dict[str, Any]) -> str:
    """A finished job in a few lines (a kind without a summary prints its result as JSON)."""
    head = f"{job.get('kind')} job {job.get('id')}: {job.get('status')}"
    if job.get("status") == "failed":
        error = job.get("error") or {}
        return f"{head}\n{error.get('title')}: {error.get('detail')}"
    if job.get("status") != "succeeded":
        return head
    summary = SUMMARIES.get(job.get("kind", ""))
    result = job.get("result") or {}
    try:
        lines = summary(job.get("params") or {}, result) if summary else None
    except (KeyError, TypeError, AttributeError):
        lines = None  # a result shaped unlike this version expects: show it whole
    body = lines if lines is not None else [json.dumps(result, indent=2)]
    return "\n".join([head, *body])
