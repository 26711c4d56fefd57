"""bench/serve_tiles.py - mandel serve's tiles against the CLI, on loopback:
  1. the home view at 1920x1080 (40 smooth tiles, 8 clients at once, cold cache) against
     `mandel render -s 1920x1080 --npy smooth` of the same view, interleaved, best of 3;
  2. cached tiles: latency of 2000 requests of tiles already computed (p50, p99).
Run under the bench lock:  flock /tmp/mandel-bench.lock python3 bench/serve_tiles.py build/mandel
"""
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "server"))
os.environ["MANDEL"] = sys.argv[1] if len(sys.argv) > 1 else "build/mandel"
from serve_common import Server  # noqa: E402

W, H, N = 1920, 1080, 1000
tiles = [(tx, ty) for ty in range(-(-H // 256)) for tx in range(-(-W // 256))]
cli_times, serve_times = [], []
with tempfile.TemporaryDirectory() as tmp:
    for run in range(3):
        t = time.monotonic()
        subprocess.run([os.environ["MANDEL"], "render", "-s", f"{W}x{H}", "-i", str(N), "--npy",
                        "smooth", "-o", os.path.join(tmp, "home.npy")], check=True)
        cli_times.append(time.monotonic() - t)
        srv = Server("--cache-mb", "64")   # a fresh server: cold cache, cold views
        t = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            codes = list(pool.map(lambda c: srv.get(
                f"/tile?size={W}x{H}&iterations={N}&tile={c[0]},{c[1]}&data=smooth",
                timeout=60)[0], tiles))
        serve_times.append(time.monotonic() - t)
        assert codes == [200] * len(tiles), codes
        if run == 2:
            lat = []
            for i in range(2000):
                c = tiles[i % len(tiles)]
                t = time.monotonic()
                srv.get(f"/tile?size={W}x{H}&iterations={N}&tile={c[0]},{c[1]}&data=smooth")
                lat.append(time.monotonic() - t)
            lat.sort()
        srv.stop()
print(f"home 1920x1080 smooth: CLI best {min(cli_times):.3f} s, serve 40 tiles (8 clients) "
      f"best {min(serve_times):.3f} s, ratio {min(serve_times) / min(cli_times):.2f}")
print(f"cached tile (256 KiB): p50 {lat[len(lat) // 2] * 1000:.2f} ms, "
      f"p99 {lat[int(len(lat) * 0.99)] * 1000:.2f} ms over {len(lat)} requests")
