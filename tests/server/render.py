"""tests/server/render.py - /render of `mandel serve` answers byte for byte the file
`mandel render` writes with the same options (PNG, JPEG and .npy, the command line in the
comment included), at the home view, at a radius of 1e-10, at a zoom of 1e300 and of 1e1000
(perturbation), and with colouring options and anti-aliasing: both go through the library's
mandel_spec and mandel_picture_write. Standard library only."""
import os
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
from serve_common import Server  # noqa: E402

MANDEL = os.environ["MANDEL"]
DEEP = os.path.join(os.environ["SOURCE"], "tests", "data", "deep")


def kfr(name):
    text = open(os.path.join(DEEP, name)).read()
    return dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)


k400, k1000 = kfr("near-i-1e400.kfr"), kfr("near-i-1e1000.kfr")
# (name, [(option, value), ...]): the CLI's long options, which are the query's names
views = [
    ("home", [("size", "160x120")]),
    ("1e-10", [("center", "-0.743643887037151,0.131825904205330"), ("radius", "1e-10"),
               ("size", "160x120"), ("iterations", "3000")]),
    ("1e300", [("center", f"{k400['Re']},{k400['Im']}"), ("zoom", "1e300"),
               ("size", "160x120"), ("iterations", "4000")]),
    ("1e1000", [("center", f"{k1000['Re']},{k1000['Im']}"), ("zoom", k1000["Zoom"]),
                ("size", "160x120"), ("iterations", k1000["Iterations"])]),
]
colourings = [
    ("plain", [], ["png", "jpg", "npy"]),
    ("colours", [("palette", "magma"), ("color", "histogram"), ("aa", "2"),
                 ("interior", "#102030")], ["png", "jpg"]),
    ("cycle", [("color", "log"), ("palette-period", "3"), ("palette-offset", "0.25")], ["png"]),
    ("smooth data", [("npy", "smooth")], ["npy"]),
]

srv = Server("--threads", "2", "--timeout", "120")
failures = []
checked = 0
with tempfile.TemporaryDirectory() as tmp:
    for name, view in views:
        for colouring, extra, formats in colourings:
            if name in ("1e300", "1e1000") and colouring == "cycle":
                continue  # the deep views are slow under the sanitizers: one colouring less
            options = view + extra
            for fmt in formats:
                out = os.path.join(tmp, f"x.{fmt}")
                argv = [MANDEL, "render", "-q", "-o", out]
                for option, value in options:
                    argv += [f"--{option}", value]
                subprocess.run(argv, check=True)
                want = open(out, "rb").read()
                query = "&".join(f"{o}={urllib.parse.quote(v, safe=',')}" for o, v in options)
                status, head, body = srv.get(f"/render?{query}&format={fmt}", timeout=120)
                checked += 1
                if status != 200:
                    failures.append(f"{name} {colouring} {fmt}: status {status}: {body[:200]!r}")
                elif body != want:
                    failures.append(f"{name} {colouring} {fmt}: {len(body)} bytes differ from "
                                    f"the CLI's {len(want)}")
    # A stranger's query may set no machine or path option, nor a palette file.
    for query in ("threads=2", "engine=mpfr", "location=x.kfr", "palette=/etc/passwd",
                  "no-shortcuts=", "output=x.png"):
        status, _, body = srv.get(f"/render?size=8x8&{query}")
        checked += 1
        if status != 400:
            failures.append(f"{query}: status {status}, wanted 400: {body[:120]!r}")
srv.stop(float(os.environ.get("SERVE_STOP_BOUND", "3")))

for f in failures:
    print("FAIL", f)
print(f"render: {checked} checks, {len(failures)} failures")
sys.exit(1 if failures else 0)
