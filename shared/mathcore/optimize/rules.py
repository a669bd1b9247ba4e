"""First-order update rules, element-wise, as in PyTorch's ``torch.optim``.

Every rule works one coordinate at a time and uses only ``+ - * /`` and
``** 0.5``, so the same code runs on plain floats (a single run, the fast path)
and on NumPy arrays of shape (n, m) (all starts of a multi-start run at once).

``step(x, g, t, *state)`` takes the point, the gradient at it, the 1-based
step number ``t`` and the rule's state, and returns ``(x_new, *state_new)``.
State starts at zero, which reproduces PyTorch's first step (its momentum
buffer is initialised to the first gradient: μ·0 + g = g).

Defaults are PyTorch's: SGD lr 1e-3 (momentum 0.9 is ours: torch's default 0
would make ``momentum`` plain GD), Adagrad lr 1e-2, eps 1e-10, RMSprop lr 1e-2,
alpha 0.99, eps 1e-8, Adam lr 1e-3, betas (0.9, 0.999), eps 1e-8.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class GradientDescent:
    """x ← x − lr·g"""

    lr: float = 1e-3
    n_state: ClassVar[int] = 0

    def step(self, x, g, t):
        return (x - self.lr * g,)


@dataclass(frozen=True)
class Momentum:
    """b ← μ·b + g;  x ← x − lr·b   (torch.optim.SGD, momentum=μ, dampening 0)"""

    lr: float = 1e-3
    momentum: float = 0.9
    n_state: ClassVar[int] = 1

    def step(self, x, g, t, b):
        b = self.momentum * b + g
        return x - self.lr * b, b


@dataclass(frozen=True)
class Nesterov:
    """b ← μ·b + g;  x ← x − lr·(g + μ·b)   (torch.optim.SGD, nesterov=True)"""

    lr: float = 1e-3
    momentum: float = 0.9
    n_state: ClassVar[int] = 1

    def step(self, x, g, t, b):
        b = self.momentum * b + g
        return x - self.lr * (g + self.momentum * b), b


@dataclass(frozen=True)
class Adagrad:
    """s ← s + g²;  x ← x − lr·g / (√s + ε)   (torch.optim.Adagrad, lr_decay 0)"""

    lr: float = 1e-2
    eps: float = 1e-10
    n_state: ClassVar[int] = 1

    def step(self, x, g, t, s):
        s = s + g * g
        return x - self.lr * g / (s**0.5 + self.eps), s


@dataclass(frozen=True)
class RMSprop:
    """v ← α·v + (1 − α)·g²;  x ← x − lr·g / (√v + ε)   (torch.optim.RMSprop)"""

    lr: float = 1e-2
    alpha: float = 0.99
    eps: float = 1e-8
    n_state: ClassVar[int] = 1

    def step(self, x, g, t, v):
        v = self.alpha * v + (1 - self.alpha) * g * g
        return x - self.lr * g / (v**0.5 + self.eps), v


@dataclass(frozen=True)
class Adam:
    """m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  m̂ = m/(1−β₁ᵗ);  v̂ = v/(1−β₂ᵗ);
    x ← x − lr·m̂ / (√v̂ + ε)   (torch.optim.Adam, amsgrad off)"""

    lr: float = 1e-3
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    n_state: ClassVar[int] = 2

    def step(self, x, g, t, m, v):
        m = self.beta1 * m + (1 - self.beta1) * g
        v = self.beta2 * v + (1 - self.beta2) * g * g
        m_hat = m / (1 - self.beta1**t)
        v_hat = v / (1 - self.beta2**t)
        return x - self.lr * m_hat / (v_hat**0.5 + self.eps), m, v


RULES = {
    "gd": GradientDescent,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adagrad": Adagrad,
    "rmsprop": RMSprop,
    "adam": Adam,
}

# The option names each rule accepts beyond ``lr`` (as the job's params name them).
RULE_OPTIONS = {
    "gd": (),
    "momentum": ("momentum",),
    "nesterov": ("momentum",),
    "adagrad": ("eps",),
    "rmsprop": ("alpha", "eps"),
    "adam": ("beta1", "beta2", "eps"),
}


def make_rule(method: str, learning_rate: float | None = None, **options: float):
    """Build the update rule ``method`` with PyTorch's defaults for unset options."""
    cls = RULES[method]
    kwargs = {k: float(v) for k, v in options.items() if v is not None}
    unknown = set(kwargs) - set(RULE_OPTIONS[method])
    if unknown:
        raise ValueError(f"{method} takes no option {', '.join(sorted(unknown))}")
    if learning_rate is not None:
        kwargs["lr"] = float(learning_rate)
    return cls(**kwargs)


def default_learning_rate(method: str) -> float:
    """PyTorch's default learning rate of ``method`` (1.0, an undamped step, for newton)."""
    if method in RULES:
        return RULES[method].lr
    return 1.0
