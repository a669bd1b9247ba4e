"""Benchmark the optimize/fit engines against naive and direct baselines, in one run.

    .venv/bin/python bench/bench_optimize.py

Prints, from one run on this machine:
1. GD iterations per second on Rosenbrock (10,000 iterations) vs a loop that
   evaluates the gradient with SymPy ``subs`` (fewer iterations, extrapolated);
2. time to converge with our BFGS path vs ``scipy.optimize.minimize`` called
   directly with hand-written f and ∇f;
3. 1,000-start multi-start throughput vs 1,000 single runs;
4. a 100,000 × 10 linear fit vs ``numpy.linalg.lstsq``.
"""

from __future__ import annotations

import pathlib
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from shared.mathcore.fit import fit_model  # noqa: E402
from shared.mathcore.optimize import compile_objective, run_multistart, run_optimizer  # noqa: E402
from shared.mathcore.optimize.compile import clear_cache  # noqa: E402
from shared.mathcore.symbols import variable  # noqa: E402

x, y = variable("x"), variable("y")
ROSENBROCK = (1 - x) ** 2 + 100 * (y - x**2) ** 2
HIMMELBLAU = (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def best_of(fn, repeat: int = 5) -> float:
    """Smallest wall time of ``repeat`` calls (the least disturbed by other load)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def bench_gd() -> None:
    iters = 10_000
    clear_cache()
    started = time.perf_counter()
    compile_objective(ROSENBROCK, (x, y))
    compile_time = time.perf_counter() - started

    def ours():
        res = run_optimizer(ROSENBROCK, [x, y], [-1.2, 1.0], "gd", max_iter=iters, tol=0.0)
        assert res.iterations == iters

    ours_time = best_of(ours, 3)
    grad = [ROSENBROCK.diff(v) for v in (x, y)]
    naive_iters = 200
    point = [-1.2, 1.0]
    started = time.perf_counter()
    for _ in range(naive_iters):
        g = [float(gi.subs({x: point[0], y: point[1]}).evalf()) for gi in grad]
        point = [point[0] - 1e-3 * g[0], point[1] - 1e-3 * g[1]]
    naive_per_iter = (time.perf_counter() - started) / naive_iters
    ours_per_iter = ours_time / iters
    print("1. GD on Rosenbrock, 10,000 iterations (trajectory recorded)")
    print(f"   compile f+grad once:   {compile_time * 1e3:8.1f} ms")
    print(
        f"   ours:                  {ours_time * 1e3:8.1f} ms  "
        f"{ours_per_iter * 1e6:7.2f} us/iter  {1 / ours_per_iter:12,.0f} iter/s"
    )
    print(
        f"   SymPy subs loop:       {naive_per_iter * iters * 1e3:8.1f} ms* "
        f"{naive_per_iter * 1e6:7.1f} us/iter  {1 / naive_per_iter:12,.0f} iter/s"
        f"   (*{naive_iters} iterations, extrapolated)"
    )
    print(f"   ratio: {naive_per_iter / ours_per_iter:,.0f}x faster")


def bench_bfgs() -> None:
    from scipy.optimize import minimize

    def f(p):
        return (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2

    def g(p):
        return np.array(
            [-2 * (1 - p[0]) - 400 * p[0] * (p[1] - p[0] ** 2), 200 * (p[1] - p[0] ** 2)]
        )

    def direct():
        res = minimize(f, [-1.2, 1.0], jac=g, method="BFGS", options={"gtol": 1e-6})
        assert res.success

    def ours():
        res = run_optimizer(ROSENBROCK, [x, y], [-1.2, 1.0], "bfgs", tol=1e-6)
        assert res.converged

    direct()
    ours()  # warm imports and the compile cache
    t_direct = best_of(direct, 7)
    t_ours = best_of(ours, 7)
    res = run_optimizer(ROSENBROCK, [x, y], [-1.2, 1.0], "bfgs")
    print("2. BFGS to convergence on Rosenbrock from (-1.2, 1)")
    print(f"   ours (compiled f, grad, trajectory): {t_ours * 1e3:7.2f} ms  {res.iterations} iter")
    print(f"   scipy.optimize.minimize direct:      {t_direct * 1e3:7.2f} ms")
    print(f"   ratio ours/direct: {t_ours / t_direct:.2f}")
    t_lbfgs = best_of(lambda: run_optimizer(ROSENBROCK, [x, y], [-1.2, 1.0], "lbfgs"), 7)
    print(f"   (our L-BFGS-B path, one BLAS thread: {t_lbfgs * 1e3:.2f} ms)")


def bench_multistart() -> None:
    rng = np.random.default_rng(0)
    starts = rng.uniform(-5, 5, size=(1000, 2))
    opts = {"learning_rate": 0.005, "max_iter": 500, "tol": 0.0}
    run_multistart(HIMMELBLAU, [x, y], starts[:5], "gd", best_trajectory=False, **opts)

    def together():
        run_multistart(HIMMELBLAU, [x, y], starts, "gd", best_trajectory=False, **opts)

    t_together = best_of(together, 3)
    started = time.perf_counter()
    for s in starts:
        run_optimizer(HIMMELBLAU, [x, y], s, "gd", **opts)
    t_single = time.perf_counter() - started
    work = 1000 * 500
    print("3. 1,000 starts x 500 GD iterations on Himmelblau")
    print(
        f"   multi-start (arrays):  {t_together * 1e3:8.1f} ms  "
        f"{work / t_together:12,.0f} start-iterations/s"
    )
    print(
        f"   1,000 single runs:     {t_single * 1e3:8.1f} ms  "
        f"{work / t_single:12,.0f} start-iterations/s"
    )
    print(f"   ratio: {t_single / t_together:.1f}x faster per start")


def bench_fit() -> None:
    rng = np.random.default_rng(0)
    n, p = 100_000, 10
    X = rng.normal(size=(n, p))
    y = X @ rng.normal(size=p) + 0.5 + 0.1 * rng.normal(size=n)
    A = np.hstack([X, np.ones((n, 1))])
    t_lstsq = best_of(lambda: np.linalg.lstsq(A, y, rcond=None), 3)
    ref = np.linalg.lstsq(A, y, rcond=None)[0]
    print("4. Linear fit, 100,000 x 10")
    print(f"   numpy.linalg.lstsq:    {t_lstsq * 1e3:8.1f} ms")
    for method, opts in (
        ("newton", {}),
        ("lbfgs", {}),
        ("gd", {"learning_rate": 0.2}),
        ("adam", {"learning_rate": 0.1, "batch_size": 1000, "max_iter": 20, "tol": 1e-4}),
    ):
        started = time.perf_counter()
        res = fit_model("linear", X, y, method, **opts)
        elapsed = time.perf_counter() - started
        err = np.abs(np.r_[res.coefficients, res.intercept] - ref).max()
        label = method + (" (mini-batch 1000)" if "batch_size" in opts else "")
        print(
            f"   fit {label:24s} {elapsed * 1e3:8.1f} ms  {res.iterations:5d} iter "
            f"max|coef - lstsq| {err:.1e}  ratio {elapsed / t_lstsq:6.1f}x lstsq"
        )


def main() -> None:
    bench_gd()
    bench_bfgs()
    bench_multistart()
    bench_fit()


if __name__ == "__main__":
    main()
