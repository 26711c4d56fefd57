"""Tests of the Python package against the repository's data and the CLI's own files.

Run by ctest (python_tests) with MANDEL_LIBRARY (the built libmandel) and MANDEL_CLI (the
built program) set; by hand: `PYTHONPATH=python python3 -m pytest python/tests` after the
quick start's build (the package then finds build/libmandel.so and build/mandel).
"""

import gzip
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import mandel

REPO = Path(__file__).resolve().parents[2]
CLI = os.environ.get("MANDEL_CLI", str(REPO / "build" / "mandel"))
PYTHONPATH = str(REPO / "python")

DEEP = ["--center", "0,1", "--zoom", "1e300"]  # c = i, a Misiurewicz point: detail at any depth
SHALLOW = ["--center", "-0.74,0.13", "--radius", "0.05"]


def cli(*args, cwd=None):
    subprocess.run([CLI, "render", "-q", *args], check=True, cwd=cwd)


def kwargs_of(view):
    return {"center": view[1], view[2][2:]: view[3]}


def tutorial_counts():
    raw = gzip.open(REPO / "tests" / "data" / "seed_400x400_1000.u32.gz").read()
    return np.frombuffer(raw, dtype="<u4").reshape(400, 400)


def test_tutorial_array_exactly():
    a = mandel.render(bounds=(-2.5, 1, -1, 1), size=(400, 400), iterations=1000)
    assert a.dtype == np.uint32 and a.shape == (400, 400)
    assert np.array_equal(a, tutorial_counts())


def test_example_tutorial_gives_the_tutorials_array(tmp_path):
    """examples/tutorial.py, as a user runs it (matplotlib without a display)."""
    pytest.importorskip("matplotlib")
    env = dict(os.environ, PYTHONPATH=PYTHONPATH, MPLBACKEND="Agg")
    subprocess.run([sys.executable, str(REPO / "examples" / "tutorial.py"), "--save",
                    str(tmp_path / "t.png"), "--dump", str(tmp_path / "t.npy")],
                   check=True, env=env)
    assert np.array_equal(np.load(tmp_path / "t.npy"), tutorial_counts())
    assert (tmp_path / "t.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize("view", [SHALLOW, DEEP], ids=["shallow", "1e300"])
@pytest.mark.parametrize("data", ["counts", "smooth", "distance"])
def test_equals_the_clis_npy(tmp_path, view, data):
    cli(*view, "-s", "48x32", "-i", "3000", "--npy", data, "-o", str(tmp_path / "c.npy"))
    expected = np.load(tmp_path / "c.npy")
    got = mandel.render(**kwargs_of(view), size=(48, 32), iterations=3000, data=data)
    assert got.dtype == expected.dtype and got.shape == (32, 48)
    assert len(np.unique(got)) > 20  # a picture, not a flat field
    assert np.array_equal(got, expected)


def test_centres_as_str_decimal_float_complex():
    import decimal
    ref = mandel.render(center="-0.75,0.125", radius="0.5", size=(30, 20))
    for c in [("-0.75", "0.125"), (decimal.Decimal("-0.75"), decimal.Decimal("0.125")),
              (-0.75, 0.125), complex(-0.75, 0.125)]:
        assert np.array_equal(mandel.render(center=c, radius=0.5, size=(30, 20)), ref)


def test_out_keeps_the_callers_buffer():
    out = np.zeros((32, 48), dtype=np.float32)
    address = out.ctypes.data
    got = mandel.render(size=(48, 32), data="smooth", out=out)
    assert got is out and out.ctypes.data == address
    assert np.array_equal(out, mandel.render(size=(48, 32), data="smooth"))
    for bad in [np.zeros((32, 48), np.uint32), np.zeros((48, 32), np.float32),
                np.zeros((32, 96), np.float32)[:, ::2], np.zeros((32, 48), np.float64)]:
        with pytest.raises(ValueError):
            mandel.render(size=(48, 32), data="smooth", out=bad)
    ro = np.zeros((32, 48), np.float32)
    ro.flags.writeable = False
    with pytest.raises(ValueError):
        mandel.render(size=(48, 32), data="smooth", out=ro)


# Under ASan/UBSan (tests/cli/python.sh sets SANITIZE=1) the library runs ~20x slower.
SANITIZE = os.environ.get("SANITIZE") == "1"
# A render that takes a second or so on two cores: the interior iterated to the limit.
SLOW = dict(size=(120, 80) if SANITIZE else (600, 400), iterations=100000, no_shortcuts=True)


def test_the_gil_is_released():
    count = 0
    stop = threading.Event()

    def counter():
        nonlocal count
        while not stop.is_set():
            count += 1

    t = threading.Thread(target=counter)
    t.start()
    time.sleep(0.05)
    before = count
    start = time.perf_counter()
    mandel.render(**SLOW)
    seconds = time.perf_counter() - start
    during = count - before
    stop.set()
    t.join()
    assert seconds > 0.2, "the render is too short to tell"
    # Holding the GIL, the counter would stand still for the whole render.
    assert during > 10000 * seconds, f"{during} counts in {seconds:.2f} s"


def test_two_threads_render_at_once():
    progress = {0: [], 1: []}
    results = {}

    def run(k):
        results[k] = mandel.render(**SLOW, progress=lambda d, t: progress[k].append(
            (time.perf_counter(), d)))

    threads = [threading.Thread(target=run, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert np.array_equal(results[0], results[1])
    end = min(progress[0][-1][0], progress[1][-1][0])
    # Both made progress before either finished.
    for k in (0, 1):
        assert any(when < end and done > 0 for when, done in progress[k]), progress[k]


def test_progress_callback_and_its_exception():
    calls = []
    mandel.render(size=(200, 100), progress=lambda d, t: calls.append((d, t)))
    assert calls and calls[-1] == (20000, 20000)

    class Stop(Exception):
        pass

    def stop(done, total):
        raise Stop

    with pytest.raises(Stop):
        mandel.render(**SLOW, progress=stop)
    assert mandel.render(size=(20, 10)).shape == (10, 20)  # still usable


SIGINT_CHILD = r"""
import sys, time, mandel
started = []
def progress(done, total):
    if not started:
        started.append(1)
        print("started", flush=True)
t = None
try:
    t = time.perf_counter()
    mandel.render(size=(1200, 800), iterations=10**7, no_shortcuts=True, progress=progress)
    print("finished", flush=True)
except KeyboardInterrupt:
    print("interrupted %.3f" % (time.perf_counter() - float(sys.stdin.readline())), flush=True)
print("after", mandel.render(size=(20, 10)).shape, flush=True)
"""


def test_ctrl_c_raises_keyboard_interrupt_promptly():
    env = dict(os.environ, PYTHONPATH=PYTHONPATH)
    p = subprocess.Popen([sys.executable, "-c", SIGINT_CHILD], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert p.stdout.readline().strip() == "started"
        time.sleep(0.3)
        p.stdin.write("%r\n" % time.perf_counter())  # same clock: CLOCK_MONOTONIC
        p.stdin.flush()
        os.kill(p.pid, signal.SIGINT)
        line = p.stdout.readline().split()
        assert line[0] == "interrupted", line
        # The library stops after the segments its workers are computing (a row of the
        # interior at 10^7 iterations): a fraction of a second, seconds under ASan.
        bound = 20 if SANITIZE else 0.5
        assert float(line[1]) < bound, f"KeyboardInterrupt {line[1]} s after SIGINT"
        assert p.stdout.readline().strip() == "after (10, 20)"
        assert p.wait(10) == 0
        # Not raised inside the ctypes callback, where it would be printed and ignored.
        assert p.stderr.read() == ""
    finally:
        p.kill()
        p.wait()


@pytest.mark.parametrize("kwargs, error", [
    (dict(size=(0, 400)), ValueError),
    (dict(size=(70000, 10)), ValueError),
    (dict(center=(float("nan"), 0)), ValueError),
    (dict(center="nan,0"), ValueError),
    (dict(center="-0.75"), ValueError),
    (dict(center=("1x", "0")), ValueError),
    (dict(iterations=-1), ValueError),
    (dict(iterations=0), ValueError),
    (dict(iterations=2**32), ValueError),
    (dict(radius=0), ValueError),
    (dict(radius="-1"), ValueError),
    (dict(zoom="1e-400000000"), ValueError),
    (dict(radius=1, zoom=2), ValueError),
    (dict(bounds=(1, -1, -1, 1)), ValueError),
    (dict(bounds=(float("inf"), 1, -1, 1)), ValueError),
    (dict(formula="julia"), ValueError),
    (dict(engine="fast"), ValueError),
    (dict(isa="neon"), ValueError),
    (dict(threads=0), ValueError),
    (dict(power=65), ValueError),
    (dict(data="rgb"), ValueError),
    (dict(julia=(float("nan"), 0)), ValueError),
    (dict(formula="tricorn", data="distance"), ValueError),
    (dict(julia=(-0.8, 0.156), zoom="1e30"), ValueError),
    (dict(bounds=(-2, 1, -1, 1), engine="perturb"), ValueError),
    (dict(center=("-0.75" + "1" * 10**6 + "x", "0")), ValueError),
    (dict(size=(65535, 65535), iterations=1, zoom="1e300"), MemoryError),
    (dict(location="/nonexistent/x.kfr"), OSError),
])
def test_bad_arguments_raise(kwargs, error):
    kwargs.setdefault("size", (16, 8))
    with pytest.raises(error) as e:
        mandel.render(**kwargs)
    assert str(e.value)


def test_a_million_digit_centre_renders():
    digits = "-0.75" + "1" * 10**6
    got = mandel.render(center=(digits, "0.1"), zoom="1e300", size=(8, 8), iterations=100)
    assert np.array_equal(got, mandel.render(center=(digits[:1000], "0.1"), zoom="1e300",
                                             size=(8, 8), iterations=100))


def test_other_formulas_render_at_depth():
    # the Tricorn's and z^3's perturbation against the MPFR engine on a few pixels
    for kw in [dict(formula="tricorn", center=("-1.9900000000514441799509728225", "0"),
                    zoom="1e19"),
               dict(power=3, center=("-0.3406250193166455889411514987488667",
                                     "1.2712298784187386776244379978259461"), zoom="1e20")]:
        args = dict(size=(8, 4), iterations=600, **kw)
        got = mandel.render(engine="perturb", **args)
        assert np.array_equal(got, mandel.render(engine="mpfr", **args))
        assert got.min() < got.max()


def test_exact_speaks_the_clis_option(tmp_path):
    # exact=True is `mandel render --exact`: the same file, the comment says so; the Burning
    # Ship beyond 1e270 is refused with the library's reason
    view = ["-c", "-1.7497219,0.0000012", "-z", "1e20", "-s", "24x16", "-i", "3000"]
    cli(*view, "--exact", "-o", str(tmp_path / "cli.png"))
    mandel.save(tmp_path / "py.png", center="-1.7497219,0.0000012", zoom="1e20",
                size=(24, 16), iterations=3000, exact=True)
    assert (tmp_path / "py.png").read_bytes() == (tmp_path / "cli.png").read_bytes()
    assert b"--exact" in (tmp_path / "py.png").read_bytes()
    counts = mandel.render(center="-1.7497219,0.0000012", zoom="1e20", size=(24, 16),
                           iterations=3000, exact=True)
    assert counts.shape == (16, 24)
    with pytest.raises(ValueError, match="exact counts"):
        mandel.render(center="-1.75,0", zoom="1e300", size=(4, 2), iterations=100, exact=True,
                      formula="burning-ship")


def test_bad_picture_arguments_raise(tmp_path):
    for kwargs in [dict(palette="nope"), dict(color="hue"), dict(aa=9), dict(aa=0),
                   dict(palette_period=0), dict(palette_offset=2), dict(interior="#12345")]:
        with pytest.raises(ValueError):
            mandel.image(size=(8, 8), **kwargs)
    with pytest.raises(ValueError):
        mandel.save(tmp_path / "x.gif", size=(8, 8))
    with pytest.raises(ValueError):
        mandel.save(tmp_path / "x.pbm", size=(8, 8), aa=2)
    with pytest.raises(OSError):
        mandel.save(tmp_path / "no" / "x.png", size=(8, 8))
    with pytest.raises(ValueError):
        mandel.colour(np.zeros((4, 4), np.int64))
    with pytest.raises(ValueError):
        mandel.colour(np.zeros((4, 4), np.uint32), color="distance", iterations=10)
    assert list(tmp_path.iterdir()) == []  # no file, no temporary left


PICTURES = [
    [],
    ["-p", "viridis"],
    ["--color", "histogram"],
    ["--color", "log", "-p", "magma"],
    ["--color", "distance"],
    ["--color", "count", "--palette-period", "3", "--palette-offset", "0.25",
     "--interior", "#102030"],
    ["--aa", "2", "--color", "smooth", "-p", "viridis"],
]


def picture_kwargs(args):
    out = {}
    for name, value in zip(args[::2], args[1::2]):
        key = {"-p": "palette"}.get(name, name[2:].replace("-", "_"))
        out[key] = float(value) if key.startswith("palette_") else value
    if "aa" in out:
        out["aa"] = int(out["aa"])
    return out


def read_ppm(path):
    data = Path(path).read_bytes()
    parts = data.split(maxsplit=4)
    assert parts[0] == b"P6"
    w, h = int(parts[1]), int(parts[2])
    return np.frombuffer(parts[4][-w * h * 3:], np.uint8).reshape(h, w, 3)


@pytest.mark.parametrize("args", PICTURES, ids=lambda a: " ".join(a) or "default")
def test_image_and_save_equal_the_cli(tmp_path, args):
    view = ["-c", "-0.74,0.13", "-r", "0.05", "-s", "64x40", "-i", "800"]
    cli(*view, *args, "-o", str(tmp_path / "cli.png"))
    cli(*view, *args, "-o", str(tmp_path / "cli.ppm"))
    kwargs = dict(center="-0.74,0.13", radius="0.05", size=(64, 40), iterations=800,
                  **picture_kwargs(args))
    mandel.save(tmp_path / "py.png", **kwargs)
    assert (tmp_path / "py.png").read_bytes() == (tmp_path / "cli.png").read_bytes()
    rgb = mandel.image(**kwargs)
    assert rgb.shape == (40, 64, 3) and rgb.dtype == np.uint8
    assert np.array_equal(rgb, read_ppm(tmp_path / "cli.ppm"))


@pytest.mark.parametrize("ext, extra", [("jpg", ["--quality", "70"]), ("pgm", []),
                                        ("pbm", []), ("npy", ["--npy", "distance"]),
                                        ("ppm", ["--julia", "-0.8,0.156"])])
def test_save_every_format_equals_the_cli(tmp_path, ext, extra):
    view = ["-c", "0,0", "-r", "1.3", "-s", "50x30", "-i", "300"]
    cli(*view, *extra, "-o", str(tmp_path / f"cli.{ext}"))
    kwargs = dict(center=(0, 0), radius=1.3, size=(50, 30), iterations=300)
    for name, value in zip(extra[::2], extra[1::2]):
        kwargs[name[2:]] = int(value) if name == "--quality" else value
    mandel.save(str(tmp_path / f"py.{ext}"), **kwargs)
    assert (tmp_path / f"py.{ext}").read_bytes() == (tmp_path / f"cli.{ext}").read_bytes()


@pytest.mark.parametrize("npy, args", [
    ("counts", []), ("counts", ["-p", "viridis"]), ("counts", ["--color", "histogram"]),
    ("smooth", []), ("smooth", ["--color", "log"]), ("smooth", ["-p", "cividis"]),
    ("smooth", ["--color", "histogram", "-p", "inferno"]),
    ("distance", ["--color", "distance"]),
])
def test_colour_equals_mandel_colour(tmp_path, npy, args):
    cli(*SHALLOW, "-s", "64x40", "-i", "700", "--npy", npy, "-o", str(tmp_path / "d.npy"))
    subprocess.run([CLI, "colour", str(tmp_path / "d.npy"), "-q", *args, "-o",
                    str(tmp_path / "c.ppm")], check=True)
    data = np.load(tmp_path / "d.npy")
    got = mandel.colour(data, iterations=700, **picture_kwargs(args))
    assert np.array_equal(got, read_ppm(tmp_path / "c.ppm"))


def test_locations(tmp_path):
    loc = mandel.load_location(REPO / "examples" / "locations" / "1e50.kfr")
    assert set(loc) == {"center", "zoom", "iterations"} and len(loc["center"][0]) > 50
    mandel.save_location(tmp_path / "a.kfr", **loc)
    assert mandel.load_location(tmp_path / "a.kfr") == loc
    a = mandel.render(location=REPO / "examples" / "locations" / "1e50.kfr", size=(24, 16))
    assert np.array_equal(a, mandel.render(**loc, size=(24, 16)))
    (tmp_path / "bad.kfr").write_text("Re: 1\nIm 2\n")
    with pytest.raises(ValueError, match="line 2"):
        mandel.load_location(tmp_path / "bad.kfr")


def test_palettes_and_versions():
    p = mandel.palettes()
    assert "default" in p and "viridis" in p and all(p.values())
    assert mandel.__version__.split(".")[:2] == mandel.library_version.split(".")[:2]


def test_help_reads_like_the_manual():
    doc = mandel.render.__doc__
    for word in ["center", "zoom", "bounds", "iterations", "formula", "julia", "engine",
                 "threads", "isa", "data", "out", "progress"]:
        assert f"\n      {word}" in doc, word


FAKE_LIB = r"""
unsigned mandel_version_number(void) { return 90807; }
const char *mandel_version_string(void) { return "9.8.7"; }
"""


def test_library_errors_at_import(tmp_path):
    env = dict(os.environ, PYTHONPATH=PYTHONPATH, MANDEL_LIBRARY=str(tmp_path / "none.so"))
    r = subprocess.run([sys.executable, "-c", "import mandel"], env=env, capture_output=True,
                       text=True)
    assert r.returncode != 0 and "ImportError: mandel: cannot load libmandel" in r.stderr
    (tmp_path / "fake.c").write_text(FAKE_LIB)
    try:
        subprocess.run(["cc", "-shared", "-fPIC", str(tmp_path / "fake.c"), "-o",
                        str(tmp_path / "libfake.so")], check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("no C compiler for the fake library")
    env["MANDEL_LIBRARY"] = str(tmp_path / "libfake.so")
    r = subprocess.run([sys.executable, "-c", "import mandel"], env=env, capture_output=True,
                       text=True)
    assert r.returncode != 0
    assert "needs libmandel 0.1.x, but the library loaded from" in r.stderr
    assert "is 9.8.7" in r.stderr


def test_installed_package_finds_the_installed_library(tmp_path):
    """cmake --install puts the package on the prefix's dist-packages with the path of the
    installed library: `import mandel` needs nothing else."""
    build, where = os.environ.get("BUILD"), os.environ.get("MANDEL_PYTHON_DIR")
    if not build or not where:
        pytest.skip("run by ctest (BUILD, MANDEL_PYTHON_DIR)")
    subprocess.run(["cmake", "--install", build, "--prefix", str(tmp_path)], check=True,
                   stdout=subprocess.DEVNULL)
    env = {k: v for k, v in os.environ.items() if k not in ("MANDEL_LIBRARY", "PYTHONPATH")}
    env["PYTHONPATH"] = str(tmp_path / where)
    r = subprocess.run([sys.executable, "-c", "import mandel; print(mandel._lib.lib._name);"
                        "print(mandel.render(size=(40, 30)).sum())"], env=env, cwd=tmp_path,
                       capture_output=True, text=True, check=True)
    lib_path, total = r.stdout.split()
    assert lib_path.startswith(str(tmp_path)) and os.path.exists(lib_path)
    assert int(total) == int(mandel.render(size=(40, 30)).sum())
