"""Run a block with OpenBLAS limited to one thread.

Why: on the shared 2-core machines SciPy's L-BFGS-B took 130–350 ms per solve
with OpenBLAS's default thread count under load and 0.7–1.5 ms with one
thread; small optimization problems never gain from BLAS threads. This is
the part of ``threadpoolctl`` we need (it is not a dependency): find the
OpenBLAS libraries NumPy and SciPy loaded and call their
``*_set_num_threads``. Anything unexpected makes it a no-op.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_controls: list[tuple[ctypes._CFuncPtr, ctypes._CFuncPtr]] | None = None
_SUFFIXES = ("", "64_")
_PREFIXES = ("scipy_openblas_", "openblas_")


def _find_controls() -> list:
    controls = []
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "openblas" in line.lower()}
    except OSError:
        return controls
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in _PREFIXES:
            for suffix in _SUFFIXES:
                get = getattr(lib, f"{prefix}get_num_threads{suffix}", None)
                set_ = getattr(lib, f"{prefix}set_num_threads{suffix}", None)
                if get is not None and set_ is not None:
                    get.restype = ctypes.c_int
                    set_.argtypes = [ctypes.c_int]
                    controls.append((get, set_))
                    break
            else:
                continue
            break
    return controls


@contextmanager
def single_blas_thread() -> Iterator[None]:
    """Limit every loaded OpenBLAS to one thread inside the block."""
    global _controls
    import scipy.linalg  # noqa: F401  (make sure SciPy's OpenBLAS is loaded)

    with _lock:
        if _controls is None:
            _controls = _find_controls()
        saved = []
        for get, set_ in _controls:
            saved.append((set_, get()))
            set_(1)
    try:
        yield
    finally:
        with _lock:
            for set_, count in saved:
                set_(count)
