"""tests/server/png_tiles.py - coloured tiles of `mandel serve` (/tile?...&format=png), put
together and cropped, equal the PNG `mandel render` writes for the view, pixel for pixel:
the default colouring at the home view, at a radius of 1e-10, at 5e113 (perturbation) and
where the view's own lattice gives a period other than 8 (every tile takes the whole view's
period, not its own; a tile that is the whole view reads it from its own data); colouring by count, by distance, and with a period, offset and interior
given. A recolouring (another palette-offset) renders nothing again: /api/progress's
tiles_done stays. /api/period of a view moved by whole pixels is the CLI's period for the
moved view. Colourings of the whole picture are 400s. Skipped (77) without numpy or
Pillow (Debian python3-numpy, python3-pil) to decode the PNGs."""
import io
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
try:
    import numpy as np
    from PIL import Image
except ImportError as e:
    print(f"{e.name} is missing: skipped")
    sys.exit(77)
from serve_common import Server  # noqa: E402

MANDEL = os.environ["MANDEL"]
LOC = os.path.join(os.environ["SOURCE"], "examples", "locations", "5e113.kfr")
kfr = dict(line.split(": ", 1) for line in open(LOC).read().splitlines() if ": " in line)


def decode(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


# name, [(option, value)] of the view and its colouring, size, the tile sides to cut it in
cases = [
    ("home", [("center", "-0.75,0"), ("radius", "1.25"), ("iterations", "500")], 600, 400,
     [(300, 200), (256, 256)]),
    ("1e-10", [("center", "-0.743643887037151,0.131825904205330"), ("radius", "1e-10"),
               ("iterations", "3000")], 300, 200, [(150, 100)]),
    ("5e113", [("center", f"{kfr['Re']},{kfr['Im']}"), ("zoom", kfr["Zoom"]),
               ("iterations", kfr["Iterations"])], 260, 140, [(130, 70)]),
    # Every pixel escapes within a few steps: the lattice's period is far below 8, and a
    # tile's own lattice would give another.
    ("narrow", [("center", "-2.2,0.4"), ("radius", "0.2"), ("iterations", "100")], 240, 160,
     [(120, 80), (64, 64)]),
    # One tile that is the whole view (the page's coarse preview): its period is read from
    # its own data, not rendered.
    ("narrow-whole", [("center", "-2.2,0.41"), ("radius", "0.2"), ("iterations", "100")],
     240, 160, [(240, 160)]),
    ("count", [("center", "-0.75,0.1"), ("radius", "0.5"), ("iterations", "300"),
               ("color", "count")], 240, 160, [(120, 80)]),
    ("distance", [("center", "-0.1,0.9"), ("radius", "0.3"), ("iterations", "400"),
                  ("color", "distance")], 240, 160, [(120, 80)]),
    ("given", [("center", "-0.75,0"), ("radius", "1.25"), ("iterations", "200"),
               ("palette-period", "3.5"), ("palette-offset", "0.25"),
               ("interior", "#203040")], 240, 160, [(120, 80)]),
]
srv = Server("--threads", "2")
failures = []


def tiles(query, w, h, tw, th):
    """The view put together from its coloured tiles of tw x th, cropped to w x h."""
    nx, ny = -(-w // tw), -(-h // th)
    whole = np.zeros((ny * th, nx * tw, 3), np.uint8)
    for ty in range(ny):
        for tx in range(nx):
            status, head, body = srv.get(f"/tile?{query}&tile={tx},{ty}&tile-size={tw}x{th}"
                                         "&format=png", timeout=120)
            if status != 200 or b"image/png" not in head:
                failures.append(f"{query} tile {tx},{ty}: {status} {body[:100]!r}")
                return None
            whole[ty * th:(ty + 1) * th, tx * tw:(tx + 1) * tw] = decode(body)
    return whole[:h, :w]


with tempfile.TemporaryDirectory() as tmp:
    for name, options, w, h, sides in cases:
        out = os.path.join(tmp, f"{name}.png")
        args = [a for k, v in options for a in (f"--{k}", v)]
        subprocess.run([MANDEL, "render", *args, "-s", f"{w}x{h}", "-o", out], check=True)
        want = decode(open(out, "rb").read())
        query = "&".join(f"{k}={v}" for k, v in options).replace("#", "%23") + f"&size={w}x{h}"
        for tw, th in sides:
            got = tiles(query, w, h, tw, th)
            if got is None:
                continue
            if not np.array_equal(got, want):
                bad = np.argwhere((got != want).any(axis=2))
                failures.append(f"{name}: tiles of {tw}x{th}: {len(bad)} pixels differ from "
                                f"the CLI's PNG, first {bad[:3].tolist()}")
            elif len(np.unique(want.reshape(-1, 3), axis=0)) < 8:
                failures.append(f"{name}: the CLI's picture has few colours; proves little")
            print(f"{name}: {w}x{h} from coloured tiles of {tw}x{th}: the CLI's PNG")

    # A recolouring takes the data from the cache: no tile is rendered again.
    query = "center=-0.75,0&radius=1.25&iterations=600&size=600x400"
    tiles(query, 600, 400, 300, 200)  # a view not asked for before: 4 tiles rendered
    done = json.loads(srv.get(f"/api/progress?{query}")[2])["tiles_done"]
    got = tiles(query + "&palette-offset=0.5", 600, 400, 300, 200)
    again = json.loads(srv.get(f"/api/progress?{query}")[2])["tiles_done"]
    if done == 0 or again != done:
        failures.append(f"recolouring: tiles_done {done} -> {again}, not unchanged above 0")
    else:
        print(f"recolouring 4 tiles: tiles_done stays {done}")
    out = os.path.join(tmp, "offset.png")
    subprocess.run([MANDEL, "render", "-c", "-0.75,0", "-r", "1.25", "-i", "600", "-s", "600x400",
                    "--palette-offset", "0.5", "-o", out], check=True)
    if got is not None and not np.array_equal(got, decode(open(out, "rb").read())):
        failures.append("recolouring with palette-offset 0.5: not the CLI's PNG")

    # /api/period: the period of the view moved by whole pixels (a pan) is the CLI's for
    # that view. Dyadic coordinates (a pixel is 2^-9), so the moved lattice is the CLI's
    # view's exactly; the CLI's picture with that period given equals its own choice.
    anchor = "center=-2.25,0.375&radius=0.15625&iterations=100&size=240x160"
    status, _, body = srv.get(f"/api/period?{anchor}&lattice=64,-32", timeout=60)
    got = json.loads(body) if status == 200 else {}
    status0, _, body0 = srv.get("/api/period?center=-2.125,0.4375&radius=0.15625"
                                "&iterations=100&size=240x160", timeout=60)
    own = json.loads(body0) if status0 == 200 else {}
    pictures = []
    for extra in ([], ["--palette-period", repr(got.get("period", 1.0))]):
        out = os.path.join(tmp, f"moved{len(extra)}.png")
        subprocess.run([MANDEL, "render", "-c", "-2.125,0.4375", "-r", "0.15625", "-i", "100",
                        "-s", "240x160", *extra, "-o", out], check=True)
        pictures.append(decode(open(out, "rb").read()))
    if not got or got["period"] == 8 or got["period"] == got["anchor"] or \
            own.get("anchor") != got["period"] or not np.array_equal(*pictures):
        failures.append(f"/api/period moved by 64,-32: {got} (the view's own: {own}); the "
                        "CLI's picture with that period is not its own")
    else:
        print(f"/api/period: the anchor's {got['anchor']}, moved {got['period']}: the CLI's")

# What cannot be coloured a tile at a time, or is asked wrongly: 400, one line.
for query, says in (("color=histogram&format=png", b"--color histogram"),
                    ("color=log&format=png", b"--color log"),
                    ("palette=viridis&format=png", b"palette 'viridis'"),
                    ("palette=grey", b"palette: only with format=png"),
                    ("format=png&data=counts", b"data: not with format=png"),
                    ("format=jpg", b"format: unknown tile format"),
                    ("format=png&palette=nosuch", b"palette"),
                    ("lattice=1", b"lattice: not two integers")):
    route = "/api/period?size=64x64" if query.startswith("lattice") else "/tile?size=64x64&tile=0,0"
    status, _, body = srv.get(f"{route}&{query}")
    if status != 400 or says not in body or body.count(b"\n") != 1:
        failures.append(f"/tile?{query}: {status} {body[:120]!r}, not 400 naming {says!r}")
srv.stop()
for f in failures:
    print("FAIL", f)
sys.exit(1 if failures else 0)
