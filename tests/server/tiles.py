"""tests/server/tiles.py - the tiles of `mandel serve` covering a view, assembled and cropped,
equal the .npy data `mandel render --npy` writes for that view (counts and smooth values),
at the home view, at a radius of 1e-10 and at 5e113 (perturbation); /render?format=npy holds
the same data; tiles beyond the anchor's edges equal the CLI's view moved by whole pixels
(dyadic coordinates, exact). Skipped (77) without numpy."""
import io
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
try:
    import numpy as np
except ImportError:
    print("numpy is missing: skipped")
    sys.exit(77)
from serve_common import Server  # noqa: E402

MANDEL = os.environ["MANDEL"]
LOC = os.path.join(os.environ["SOURCE"], "examples", "locations", "5e113.kfr")
kfr = dict(line.split(": ", 1) for line in open(LOC).read().splitlines() if ": " in line)
cases = [
    ("home", "-0.75", "0", ["radius", "1.25"], 600, 400, 500),
    ("1e-10", "-0.743643887037151", "0.131825904205330", ["radius", "1e-10"], 300, 200, 3000),
    ("5e113", kfr["Re"], kfr["Im"], ["zoom", kfr["Zoom"]], 260, 140, int(kfr["Iterations"])),
]
srv = Server("--threads", "2")
failures = []
with tempfile.TemporaryDirectory() as tmp:
    for name, re_, im, (scale, value), w, h, iters in cases:
        for data, npy in (("counts", "counts"), ("smooth", "smooth")):
            out = os.path.join(tmp, f"{name}-{data}.npy")
            subprocess.run([MANDEL, "render", "-c", f"{re_},{im}", f"--{scale}", value,
                            "-s", f"{w}x{h}", "-i", str(iters), "--npy", npy, "-o", out],
                           check=True)
            want = np.load(out)
            dtype = np.dtype("<u4") if data == "counts" else np.dtype("<f4")
            query = f"center={re_},{im}&{scale}={value}&size={w}x{h}&iterations={iters}"
            # The default 256 x 256 tiles, and the page's: the fewest of at most 1024 a side
            # that divide the view evenly (web/tiles.js tileSize), asked for by tile-size;
            # and 128 x 96, smaller than the view on both sides.
            even = (-(-w // -(-w // 1024)), -(-h // -(-h // 1024)))
            for tw, th in ((256, 256), even, (128, 96)):
                tiles_x, tiles_y = -(-w // tw), -(-h // th)
                whole = np.zeros((tiles_y * th, tiles_x * tw), dtype)
                size = "" if (tw, th) == (256, 256) else f"&tile-size={tw}x{th}"
                for ty in range(tiles_y):
                    for tx in range(tiles_x):
                        status, _, body = srv.get(f"/tile?{query}&tile={tx},{ty}{size}"
                                                  f"&data={data}", timeout=120)
                        if status != 200 or len(body) != tw * th * 4:
                            failures.append(f"{name} {data} tile {tx},{ty} of {tw}x{th}: "
                                            f"{status} {body[:100]!r}")
                            continue
                        whole[ty * th:(ty + 1) * th, tx * tw:(tx + 1) * tw] = \
                            np.frombuffer(body, dtype).reshape(th, tw)
                got = whole[:h, :w]
                if not np.array_equal(got, want):
                    diff = np.argwhere(got != want)
                    failures.append(f"{name} {data} {tw}x{th} tiles: {len(diff)} pixels "
                                    f"differ, first {diff[:3]}")
                print(f"{name} {data}: {w}x{h} from {tiles_x * tiles_y} tiles of {tw}x{th}")
            status, _, body = srv.get(f"/render?{query}&format=npy&npy={npy}", timeout=120)
            if status != 200 or not np.array_equal(np.load(io.BytesIO(body)), want):
                failures.append(f"{name} /render npy={npy}: {status}, not the CLI's data")

# Tiles beyond the anchor's edges: a 300x200 anchor around -0.75+0.125i with a step of 2^-9
# (radius 100 steps), and the CLI's 256x256 view (radius 128 steps) whose centre is the
# anchor's moved by whole pixels: every coordinate is a short dyadic number, exact in
# double, so the tile and the CLI sample the same points.
STEP = 2.0 ** -9
with tempfile.TemporaryDirectory() as tmp:
    for tx, ty in ((-1, -1), (2, 1), (0, -1)):
        # the tile's pixel (i, k) is the anchor's (256 tx + i, 256 ty + k)
        cre = -0.75 + (256 * tx - 149.5 + 127.5) * STEP
        cim = 0.125 - (256 * ty - 99.5 + 127.5) * STEP
        for data in ("counts", "smooth"):
            out = os.path.join(tmp, f"beyond-{tx}-{ty}-{data}.npy")
            subprocess.run([MANDEL, "render", "-c", f"{cre!r},{cim!r}", "--radius",
                            repr(128 * STEP), "-s", "256x256", "-i", "400", "--npy", data,
                            "-o", out], check=True)
            want = np.load(out)
            dtype = np.dtype("<u4") if data == "counts" else np.dtype("<f4")
            query = (f"center=-0.75,0.125&radius={100 * STEP!r}&size=300x200&iterations=400"
                     f"&tile={tx},{ty}&data={data}")
            status, _, body = srv.get(f"/tile?{query}", timeout=120)
            if status != 200 or len(body) != 256 * 256 * 4:
                failures.append(f"beyond {tx},{ty} {data}: {status} {body[:100]!r}")
                continue
            got = np.frombuffer(body, dtype).reshape(256, 256)
            if not np.array_equal(got, want):
                diff = np.argwhere(got != want)
                failures.append(f"beyond {tx},{ty} {data}: {len(diff)} pixels differ, "
                                f"first {diff[:3]}")
            elif len(np.unique(want)) < 3:
                failures.append(f"beyond {tx},{ty} {data}: a uniform tile proves little")
            print(f"tile {tx},{ty} beyond the anchor, {data}: the CLI's shifted view")
    # Too far for the library (2^31 pixels): refused with a message, not rendered.
    status, _, body = srv.get("/tile?center=0,0&radius=1&size=300x200&tile=9000000,0"
                              "&data=counts", timeout=60)
    if status != 400 or b"too far" not in body:
        failures.append(f"tile 9000000,0: {status} {body[:100]!r}, not 400 'too far'")
srv.stop()
for f in failures:
    print("FAIL", f)
sys.exit(1 if failures else 0)
