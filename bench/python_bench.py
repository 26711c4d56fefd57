"""The Python package against the tutorial it grew from and against the C library, on the
tutorial's scene (400x400 of [-2.5, 1] x [-1, 1], 1000 iterations), in one interpreter:

  1. the tutorial's own mandelbrotCalcSet(400, 400, 1000) (bench/seed/, unchanged: one
     process, and multiprocessing) against mandel.render() of the same view;
  2. mandel.render() (the whole call: arguments, context, view, array, render) against the
     C library called directly for the same view: a small C program (compiled here with cc)
     making the same calls, each render timed whole in one warm process; and, for scale,
     the render time `mandel render --stats` reports in a fresh process.

Blocks of 2. are interleaved (the VM's speed drifts); best and median of each printed.
Needs Debian's python3-numpy and python3-matplotlib (the tutorial imports it). Run it under
the benchmark lock, from the repository after the quick start's build:
    flock /tmp/mandel-bench.lock /usr/bin/python3 bench/python_bench.py [ROUNDS]
"""

import importlib
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "python"))
sys.path.insert(0, str(REPO / "bench" / "seed"))
os.environ.setdefault("MPLBACKEND", "Agg")
sys.dont_write_bytecode = True  # nothing left in bench/seed/

import numpy as np  # noqa: E402

import mandel  # noqa: E402

CLI = os.environ.get("MANDEL_CLI", str(REPO / "build" / "mandel"))
ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 50
VIEW = dict(bounds=(-2.5, 1, -1, 1), size=(400, 400), iterations=1000)


def seconds(fn):
    t = time.perf_counter()
    result = fn()
    return time.perf_counter() - t, result


def main() -> None:
    print(f"mandel {mandel.__version__}, libmandel {mandel.library_version} "
          f"({mandel._lib.lib._name}), {os.cpu_count()} CPUs")
    reference = mandel.render(**VIEW)

    # 1. The tutorial's program, once each (seconds), then mandel.render, best of ROUNDS.
    tutorial = {}
    for name in ("seed_single", "seed_multiprocessing"):
        module = importlib.import_module(name)
        t, img = seconds(lambda: module.mandelbrotCalcSet(400, 400, 1000))
        assert np.array_equal(np.array(img, dtype=np.uint32), reference), name
        tutorial[name] = t
    py_times = [seconds(lambda: mandel.render(**VIEW))[0] for _ in range(ROUNDS)]
    best_py = min(py_times)
    print(f"tutorial, one process:      {tutorial['seed_single']:9.4f} s")
    print(f"tutorial, multiprocessing:  {tutorial['seed_multiprocessing']:9.4f} s")
    print(f"mandel.render (best of {ROUNDS}): {best_py:9.6f} s   "
          f"{tutorial['seed_single'] / best_py:7.0f}x one process, "
          f"{tutorial['seed_multiprocessing'] / best_py:7.0f}x multiprocessing")

    # 2. Interleaved blocks: BLOCK calls of mandel.render, then a C program making the same
    #    calls (context, view, buffer, mandel_render_fields, frees) BLOCK times in one
    #    process, each timed alone; the CLI's --stats render time as a third view.
    python_side, c_side, cli_side = [], [], []
    with tempfile.TemporaryDirectory(prefix="mandel-pybench-") as tmp:
        prog = os.path.join(tmp, "direct")
        Path(prog + ".c").write_text(C_PROGRAM)
        build = Path(mandel._lib.lib._name).parent
        subprocess.run(["cc", "-O2", "-std=c11", f"-I{REPO / 'include'}", prog + ".c",
                        f"-L{build}", "-lmandel", f"-Wl,-rpath,{build}", "-o", prog],
                       check=True)
        out = os.path.join(tmp, "t.npy")
        cli_args = [CLI, "render", "-q", "--stats", "--bounds", "-2.5,1,-1,1", "-s",
                    "400x400", "-i", "1000", "-o", out]
        for _ in range(ROUNDS // BLOCK):
            python_side += [seconds(lambda: mandel.render(**VIEW))[0] for _ in range(BLOCK)]
            direct = subprocess.run([prog, str(BLOCK)], capture_output=True, text=True,
                                    check=True).stdout.split()
            c_side += [float(v) for v in direct[1:]]
            assert int(direct[0]) == int(reference.sum(dtype=np.uint64))
            stats = subprocess.run(cli_args, capture_output=True, text=True, check=True).stderr
            cli_side.append(float(stats.split()[1]))  # "mandel: 0.001234 s, ..."
        assert np.array_equal(np.load(out), reference)
    for label, values in (("mandel.render, whole call", python_side),
                          ("C, the same calls in C", c_side),
                          ("mandel render --stats (render)", cli_side)):
        print(f"{label:32s} best {min(values) * 1e3:8.3f} ms, "
              f"median {statistics.median(values) * 1e3:8.3f} ms  ({len(values)} runs)")
    print(f"binding cost (Python / C): best {min(python_side) / min(c_side):.3f}x, median "
          f"{statistics.median(python_side) / statistics.median(c_side):.3f}x")


BLOCK = 10

# The calls mandel.render makes, made from C: each render timed alone, whole.
C_PROGRAM = r"""
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "mandel.h"
static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}
int main(int argc, char **argv)
{
    int const n = atoi(argv[1]);
    unsigned long long sum = 0;
    double times[1000];
    for (int r = 0; r < n && r < 1000; r++) {
        double const t0 = now();
        mandel_ctx *ctx = mandel_ctx_new(NULL);
        mandel_view *view;
        if (ctx == NULL || mandel_view_new_bounds(ctx, &view, 400, 400, -2.5, 1, -1, 1)) return 1;
        uint32_t *counts = malloc(400 * 400 * 4);
        mandel_fields f = {counts, NULL, NULL, 400, 400 * 400};
        mandel_rect rect = {0, 0, 400, 400};
        if (counts == NULL || mandel_render_fields(ctx, view, 1000, rect, &f)) return 1;
        mandel_view_free(view);
        mandel_ctx_free(ctx);
        times[r] = now() - t0;
        if (r == 0)
            for (int i = 0; i < 400 * 400; i++) sum += counts[i];
        free(counts);
    }
    printf("%llu", sum);
    for (int r = 0; r < n; r++) printf(" %.9f", times[r]);
    printf("\n");
    return 0;
}
"""


if __name__ == "__main__":
    main()
