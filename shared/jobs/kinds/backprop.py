"""The ``backprop`` kind: an expression's computation graph, forward pass and
reverse-mode adjoints (or forward-mode tangents) at a point, node by node."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, Field, ValidationInfo, field_validator, model_validator

from shared.jobs.fields import (
    ExpressionText,
    FiniteNumber,
    FunctionNames,
    KindParams,
    Syntax,
    VariableName,
    parse_field,
    parse_number_field,
)
from shared.jobs.registry import JobInputError, JobOutput, KindResult, job_kind
from shared.mathcore.backprop import (
    EvaluationError,
    UnsupportedOperation,
    backprop,
    backprop_result,
    backprop_steps,
)
from shared.mathcore.backprop.labels import name_nodes
from shared.mathcore.printing import to_float, to_latex, to_plain
from shared.mathcore.symbols import variable

MAX_VARIABLES = 200


class BackpropParams(KindParams):
    """Params of a backprop job, as in the contract."""

    syntax: Syntax = "plain"
    variables: list[VariableName] | None = Field(
        default=None,
        max_length=MAX_VARIABLES,
        description="names to read whole (w1x1 is w1*x1 with both declared); the gradient's order",
    )
    at: dict[VariableName, FiniteNumber] = Field(
        max_length=MAX_VARIABLES, description="a number for every symbol of the expression"
    )
    functions: FunctionNames | None = Field(
        default=None, description="generic function names (they have no value: refused later)"
    )
    mode: Literal["reverse", "forward"] = "reverse"
    direction: dict[VariableName, FiniteNumber] | None = Field(
        default=None,
        max_length=MAX_VARIABLES,
        description="forward mode: the direction (default: the first variable's unit vector)",
    )
    expression: ExpressionText

    @field_validator("expression")
    @classmethod
    def _parses(cls, text: str, info: ValidationInfo) -> str:
        if "at" not in info.data:
            return text  # 'at' already failed; its own error says why
        expr = parse_field(
            text,
            variables=_names(info.data),
            syntax=info.data.get("syntax", "plain"),
            functions=info.data.get("functions"),
        )
        missing = sorted(s.name for s in expr.free_symbols if s.name not in info.data["at"])
        if missing:
            raise ValueError(f"'at' gives no value for: {', '.join(missing)}")
        return text

    @model_validator(mode="after")
    def _direction(self) -> Self:
        if self.direction is None:
            return self
        if self.mode != "forward":
            raise ValueError("'direction' goes with mode 'forward'")
        unknown = sorted(set(self.direction) - set(self.at))
        if unknown:
            raise ValueError(f"'direction' names symbols without a value in 'at': {unknown}")
        if not any(to_float(parse_number_field(v)) for v in self.direction.values()):
            raise ValueError("'direction' must not be the zero vector")
        return self


def _names(data: dict) -> list[str]:
    names = list(data.get("variables") or [])
    names.extend(name for name in (data.get("at") or {}) if name not in names)
    return names


class GraphNode(BaseModel):
    """One node of the computation graph."""

    id: str
    op: str = Field(description="'var', 'const' or the operation: 'add', 'mul', 'sigmoid', ...")
    inputs: list[str]
    expression: str
    latex: str
    value: float
    adjoint: float | None = Field(default=None, description="reverse mode; null where undefined")
    tangent: float | None = Field(default=None, description="forward mode; null where undefined")
    local_derivatives: list[float | None] = Field(
        default_factory=list, description="∂node/∂input for each input; null where undefined"
    )


class ComputationGraph(BaseModel):
    output: str
    nodes: list[GraphNode] = Field(description="topological order: inputs before their users")


class Kink(BaseModel):
    node: str
    expression: str
    reason: str


class BackpropResult(KindResult):
    """Value, gradient (reverse) or directional derivative (forward), and the graph."""

    mode: Literal["reverse", "forward"]
    value: float
    gradient: dict[str, float | None] | None = Field(
        default=None, description="every partial (reverse mode); null where undefined"
    )
    gradient_undefined: dict[str, str] | None = Field(
        default=None, description="why a partial is undefined"
    )
    direction: dict[str, float] | None = None
    directional: float | None = Field(default=None, description="forward mode")
    directional_undefined: str | None = None
    graph: ComputationGraph
    node_count: int
    kinks: list[Kink] = Field(
        default_factory=list, description="nodes at a point where their derivative does not exist"
    )
    expression: str
    latex: str


@job_kind(
    "backprop",
    title="Backpropagation on a computation graph",
    params=BackpropParams,
    result=BackpropResult,
)
def run_backprop(params: BackpropParams) -> JobOutput:
    """Run the forward pass and the backward (or tangent) pass, node by node."""
    expr = parse_field(
        params.expression,
        variables=_names(dict(params)),
        syntax=params.syntax,
        functions=params.functions,
    )
    point = {variable(name): parse_number_field(value) for name, value in params.at.items()}
    order = [variable(name) for name in params.variables] if params.variables else None
    direction = None
    if params.direction is not None:
        direction = {n: to_float(parse_number_field(v)) for n, v in params.direction.items()}
    try:
        run = backprop(expr, point, mode=params.mode, direction=direction, variables=order)
        names = name_nodes(run.graph)
    except UnsupportedOperation as exc:
        raise JobInputError("Unsupported operation", str(exc)) from None
    except EvaluationError as exc:
        raise JobInputError("Not defined at the point", str(exc)) from None
    result = backprop_result(run, names)
    result["expression"] = to_plain(expr)
    result["latex"] = to_latex(expr)
    return JobOutput(result=result, steps=backprop_steps(run, names))
