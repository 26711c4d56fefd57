"""bench/serve_tiles.py - mandel serve's tiles against the CLI, on loopback:
  1. for the home view and three deep links (the Kalles Fraktaler locations 1e14 and 5e113
     of examples/locations/, and the minibrot near i of tests/data/deep/near-i-1e400.kfr at
     a zoom of 1e300), at 1920x1080: the time to get every tile of the view (the page's 4
     smooth tiles of 960x540, 8 clients at once, a fresh server: cold cache, no anchor, no orbit) against
     `mandel render -s 1920x1080 --npy smooth` of the same view, interleaved, best of
     RUNS (environment, default 5), with the load average before and after;
     and how many reference orbits the server computed (1 a view: /api/progress is
     "ready" and the tiles agree with the CLI's data, checked on the last run);
  2. cached tiles: latency of 2000 requests of tiles already computed (p50, p99).
With PNG=1, the page's own requests instead: its coarse preview (a 240x135 tile that is its
whole anchor) first, then its 4 coloured tiles (format=png) at once, against `mandel render`
writing the PNG (the data check is then left out).
Run under the bench lock:
  flock /tmp/mandel-bench.lock python3 bench/serve_tiles.py build/mandel [VIEW ...]
VIEW: home, 1e14, 5e113, 1e300 (default all).
"""
import json
import os
import struct
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.join(ROOT, "tests", "server"))
os.environ["MANDEL"] = sys.argv[1] if len(sys.argv) > 1 else "build/mandel"
from serve_common import Server  # noqa: E402

W, H = 1920, 1080
RUNS = int(os.environ.get("RUNS", "5"))
PNG = os.environ.get("PNG") == "1"
PW, PH = 240, 135  # the page's coarse preview at 1920x1080 (web/tiles.js previewSize)


def kfr(path, zoom=None):
    """centre, zoom and iterations of a .kfr file"""
    fields = {}
    for line in open(os.path.join(ROOT, path)):
        if ": " in line:
            k, v = line.rstrip("\r\n").split(": ", 1)
            fields[k] = v
    return {"center": f"{fields['Re']},{fields['Im']}", "zoom": zoom or fields["Zoom"],
            "iterations": int(fields["Iterations"])}


VIEWS = {
    "home": {"center": "-0.75,0", "radius": "1.25", "iterations": 1000},
    "1e14": kfr("examples/locations/1e14.kfr"),
    "5e113": kfr("examples/locations/5e113.kfr"),
    "1e300": kfr("tests/data/deep/near-i-1e400.kfr", zoom="1e300"),
}
chosen = sys.argv[2:] or list(VIEWS)
# The page's tiles: the fewest of at most 1024 a side that divide the view (web/tiles.js).
TW, TH = -(-W // -(-W // 1024)), -(-H // -(-H // 1024))
tiles = [(tx, ty) for ty in range(-(-H // TH)) for tx in range(-(-W // TW))]


def view_query(v):
    scale = f"zoom={v['zoom']}" if "zoom" in v else f"radius={v['radius']}"
    return f"center={v['center']}&{scale}&size={W}x{H}&iterations={v['iterations']}"


def cli_args(v, out):
    scale = ["--zoom", v["zoom"]] if "zoom" in v else ["--radius", v["radius"]]
    return [os.environ["MANDEL"], "render", "-q", "-s", f"{W}x{H}", "-i", str(v["iterations"]),
            "-c", v["center"], *scale, *([] if PNG else ["--npy", "smooth"]),
            "-o", out[:-4] + ".png" if PNG else out]


def npy_floats(path):
    data = open(path, "rb").read()
    header_len = struct.unpack("<H", data[8:10])[0]
    return data[10 + header_len:]


lat = []
with tempfile.TemporaryDirectory() as tmp:
    for name in chosen:
        v = VIEWS[name]
        q = view_query(v)
        out = os.path.join(tmp, name + ".npy")
        cli_times, serve_times = [], []
        load = os.getloadavg()[0]
        for run in range(RUNS):
            t = time.monotonic()
            subprocess.run(cli_args(v, out), check=True)
            cli_times.append(time.monotonic() - t)
            srv = Server("--cache-mb", "64")   # a fresh server: cold cache, cold anchors
            t = time.monotonic()
            if PNG:
                coarse = q.replace(f"size={W}x{H}", f"size={PW}x{PH}")
                first = srv.get(f"/tile?{coarse}&tile=0,0&tile-size={PW}x{PH}&format=png",
                                timeout=600)
                assert first[0] == 200, first[0]
            kind = "format=png" if PNG else "data=smooth"
            with ThreadPoolExecutor(8) as pool:
                got = list(pool.map(lambda c: srv.get(
                    f"/tile?{q}&tile={c[0]},{c[1]}&tile-size={TW}x{TH}&{kind}", timeout=600),
                    tiles))
            serve_times.append(time.monotonic() - t)
            assert [g[0] for g in got] == [200] * len(tiles), [g[0] for g in got]
            if run == RUNS - 1 and PNG:
                prog = json.loads(srv.get(f"/api/progress?{q}")[2])
                same = "not checked (PNG)"
            elif run == RUNS - 1:
                prog = json.loads(srv.get(f"/api/progress?{q}")[2])
                # the tiles, cropped and assembled, against the CLI's data
                want = npy_floats(out)
                same = True
                for (tx, ty), g in zip(tiles, got):
                    for k in range(TH):
                        y = ty * TH + k
                        if y >= H:
                            break
                        w = min(TW, W - tx * TW)
                        row = g[2][k * TW * 4:k * TW * 4 + w * 4]
                        at = (y * W + tx * TW) * 4
                        same = same and row == want[at:at + w * 4]
                if name == "home" and not PNG:
                    for i in range(2000):
                        c = tiles[i % len(tiles)]
                        t = time.monotonic()
                        srv.get(f"/tile?{q}&tile={c[0]},{c[1]}&tile-size={TW}x{TH}&data=smooth")
                        lat.append(time.monotonic() - t)
                    lat.sort()
            srv.stop()
        print(f"{name:6} {v['iterations']:7} iterations: CLI best {min(cli_times):.3f} s, "
              f"serve {'the coarse tile, then ' if PNG else ''}{len(tiles)} "
              f"{'PNG ' if PNG else ''}tiles of {TW}x{TH} (8 clients) best "
              f"{min(serve_times):.3f} s, ratio "
              f"{min(serve_times) / min(cli_times):.2f}; progress {prog['phase']}, "
              f"{prog['tiles_done']} tiles; tiles = CLI data: {same}; load average "
              f"{load:.1f} -> {os.getloadavg()[0]:.1f}", flush=True)
if lat:
    print(f"cached tile ({TW * TH * 4 // 1024} KiB): p50 {lat[len(lat) // 2] * 1000:.2f} ms, "
          f"p99 {lat[int(len(lat) * 0.99)] * 1000:.2f} ms over {len(lat)} requests")
