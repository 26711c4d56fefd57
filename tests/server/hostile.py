"""tests/server/hostile.py - strangers' requests against `mandel serve` on loopback: each
malformed or hostile request gets its 4xx (or is dropped), the server keeps serving, a slow
client is cut off, a full queue answers 503 with Retry-After, a request whose client went
away is cancelled, and SIGTERM stops it with exit 0. Every step is bounded in time."""
import os
import re
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from serve_common import Server  # noqa: E402

failures = []


def expect(name, got, allowed):
    status = got[0]
    if status not in allowed:
        failures.append(f"{name}: got {status}, wanted one of {sorted(allowed, key=str)}")


srv = Server("--timeout", "2", "--renders", "1", "--queue", "1", "--threads", "2",
             "--per-ip", "8")
T = "/tile?tile=0,0&size=256x256&"
R = "/render?format=npy&"
bad_queries = {
    "huge size": T + "size=70000x10",
    "zero size": "/tile?tile=0,0&size=0x0",
    "size no x": "/tile?tile=0,0&size=256",
    "absurd iterations": T + "iterations=99999999999",
    "negative iterations": T + "iterations=-1",
    "zero iterations": T + "iterations=0",
    "iterations above the limit": T + "iterations=1000001",
    "6000-digit centre": T + "center=0." + "1" * 6000 + ",0",
    "NaN centre": T + "center=nan,0",
    "inf centre": T + "center=inf,0",
    "hex centre": T + "center=0x1p3,0",
    "NaN radius": T + "radius=nan",
    "negative radius": T + "radius=-1",
    "zero radius": T + "radius=0.000",
    "zero zoom": T + "zoom=0",
    "radius and zoom": T + "radius=1&zoom=1",
    "too deep for the build": T + "radius=1e-999999999",
    "NaN julia": T + "julia=nan,nan",
    "huge tile index": "/tile?tile=99999999999,0",
    "tile letters": "/tile?tile=a,b",
    "tile too far from the anchor": "/tile?tile=9000000,0&size=256x256",
    "no tile": "/tile?size=256x256",
    "bad data": T + "data=bogus",
    "unknown parameter": T + "foo=1",
    "parameter twice": T + "iterations=5&iterations=6",
    "bad escape": T + "center=%zz,0",
    "NUL byte": T + "center=1%00,0",
    "power with tricorn": T + "formula=tricorn&power=3",
    "unknown formula": T + "formula=../../x",
    "render too many pixels": R + "size=65535x65535",
    "render aa too big": R + "aa=9",
    "render aa with npy": R + "aa=2&size=10x10",
    "render unknown format": R.replace("npy", "gif"),
    "render palette path": R + "palette=../../etc/passwd",
    "render bad interior": R + "interior=red",
    "render NaN period": R + "palette-period=nan",
    "distance of tricorn": T + "formula=tricorn&data=distance",
    "progress huge size": "/api/progress?size=70000x10",
    "progress with a tile": "/api/progress?tile=0,0",
    "progress with data": "/api/progress?data=counts",
    "progress NaN centre": "/api/progress?center=nan,0",
    "progress 6000-digit zoom": "/api/progress?zoom=1" + "0" * 6000,
    "progress absurd iterations": "/api/progress?iterations=99999999999",
    "progress bad escape": "/api/progress?center=%zz,0",
    "progress radius and zoom": "/api/progress?radius=1&zoom=1",
}
for name, target in bad_queries.items():
    got = srv.get(target, timeout=20)
    expect(name, got, {400})
    if got[0] == 400 and not (got[1].find(b"application/json") >= 0 and
                              got[2].startswith(b'{"error": "')):
        failures.append(f"{name}: the 400 is not a JSON error: {got[2][:80]!r}")

traversal = ["/../../etc/passwd", "/web/../CMakeLists.txt", "/%2e%2e/%2e%2e/etc/passwd",
             "/web/%2e%2e/%2e%2e/etc/passwd", "/%2E%2E%2Fetc%2Fpasswd", "/..%2f..%2fetc%2fpasswd",
             "/%252e%252e/etc/passwd", "//etc/passwd", "/etc/passwd", "/web/index.html%00.js",
             "/web/..\\..\\etc\\passwd", "/index.html/..", "/web/", "/web/./index.html",
             "/web/test/view.test.js", "/web/package.json", "/.%2e/.%2e/etc/passwd",
             "/%c0%ae%c0%ae/etc/passwd", "/web/%2fetc%2fpasswd", "/server/http.c"]
for size in ["0x10", "10x0", "1025x1024", "1024x1025", "10", "x10", "10x", "-1x10", "1e2x10",
             "10x10x10", "0x0", "99999999999x1", "%31%30%32%35x1"]:
    expect("tile-size " + size, srv.get(T + "tile-size=" + size), {400})
expect("tile-size twice", srv.get(T + "tile-size=8x8&tile-size=8x8"), {400})
expect("tile-size on /render", srv.get("/render?tile-size=8x8"), {400})
for target in traversal:
    expect("traversal " + target, srv.get(target), {404})
expect("absolute-form target", srv.get("http://evil.example/etc/passwd"), {400, 404})
expect("asterisk target", srv.get("*", method="OPTIONS"), {400, 404, 405})

for method in ["POST", "PUT", "DELETE", "PATCH", "TRACE", "FOO"]:
    expect(method, srv.get("/api/info", method=method), {400, 405, 501})
expect("POST with a body", srv.raw(b"POST /tile HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                                   b"Connection: close\r\n\r\nhello"), {400, 405, 413})
expect("GET with a body", srv.raw(b"GET /api/info HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                                  b"Connection: close\r\n\r\nhello"), {200, 400})

# Oversized: a million-digit centre, a 40 KB header, a thousand headers: refused or dropped.
expect("million-digit centre", srv.get(T + "center=0." + "1" * 1000000 + ",0", timeout=10),
       {None, 400, 413, 414, 431})
expect("40 KB header", srv.get("/api/info", headers=["X-Big: " + "a" * 40000]),
       {None, 400, 413, 431})
expect("1000 headers", srv.get("/api/info", headers=[f"X-{i}: {i}" for i in range(1000)]),
       {None, 400, 413, 431})
expect("garbage", srv.raw(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n"),
       {None, 400, 505})
expect("HTTP/0.9", srv.raw(b"GET /\r\n\r\n"), {None, 400, 505})
expect("HTTP/7", srv.raw(b"GET / HTTP/7.0\r\n\r\n"), {None, 400, 505})

# A slow client, one byte a second: cut off within --timeout (2 s) and a bit, not served;
# also after a first request answered on the same (kept-alive) connection, whose second
# request's headers must again arrive within --timeout.
def drip(first):
    start = time.monotonic()
    s = socket.create_connection(("127.0.0.1", srv.port), timeout=2)
    try:
        if first:
            s.sendall(first)
            got = b""
            while b"\r\n\r\n" not in got:
                got += s.recv(65536)
            head, _, body = got.partition(b"\r\n\r\n")
            length = int(re.search(rb"Content-Length: (\d+)", head, re.I).group(1))
            while len(body) < length:
                body += s.recv(65536)
            start = time.monotonic()
        for b in b"GET /api/info HTTP/1.1\r\nHost: x\r\n":
            try:
                s.send(bytes([b]))
                s.settimeout(1)
                if s.recv(1) == b"":
                    return True
            except socket.timeout:
                pass
            except (ConnectionResetError, BrokenPipeError):
                return True
            if time.monotonic() - start > 8:
                return False
        return False
    finally:
        s.close()


if not drip(b""):
    failures.append("a client sending one byte a second was not cut off within 8 s")
if not drip(b"GET /api/info HTTP/1.1\r\nHost: x\r\n\r\n"):
    failures.append("a kept-alive client sending its second request one byte a second was "
                    "not cut off within 8 s")

# Connections from one address beyond --per-ip (8) are closed at once; the others stay.
# (The 9th gets 5 s to be closed: stop 23's CI saw it open after 1 s once, on a loaded VM,
# and never again in 13 runs here, idle or loaded.)
held = [socket.create_connection(("127.0.0.1", srv.port), timeout=2) for _ in range(8)]
extra = socket.create_connection(("127.0.0.1", srv.port), timeout=5)
try:
    refused = extra.recv(1) == b""
except socket.timeout:
    refused = False
except ConnectionResetError:
    refused = True
extra.close()
for h in held:
    h.close()
if not refused:
    failures.append("a 9th connection from one address with --per-ip 8 was not closed")
time.sleep(0.3)
expect("info after the per-IP limit", srv.get("/api/info"), {200})

# A full queue: one render running, one waiting, the next answered 503 with Retry-After.
# Just outside the cusp at 1/4 every pixel escapes after about 700000 iterations: these
# tiles take seconds each unless cancelled.
slow = "/tile?tile=0,0&size=256x256&center=0.25000000002,0&radius=1e-9"
results = []


def slow_client(i):
    results.append(srv.get(slow + f"&data=counts&iterations={1000000 - i}", timeout=3))


threads = [threading.Thread(target=slow_client, args=(i,)) for i in range(4)]
for t in threads:
    t.start()
    time.sleep(0.3)
for t in threads:
    t.join()
busy = [r for r in results if r[0] == 503]
if not busy or b"Retry-After" not in busy[0][1]:
    failures.append(f"a full queue: wanted a 503 with Retry-After, got {[r[0] for r in results]}")
# The clients went away after 3 s: their renders must be cancelled, so a cheap tile comes
# back at once although there is one render thread. (A connection looks for its client
# every 100 ms.)
time.sleep(0.5)
start = time.monotonic()
got = srv.get("/tile?tile=0,0&size=64x64&iterations=50", timeout=10)
if got[0] != 200 or time.monotonic() - start > 5:
    failures.append(f"after cancelled renders: {got[0]} in {time.monotonic() - start:.1f} s")

# Still serving, byte for byte the same tile, and If-None-Match gives 304.
a = srv.get("/tile?tile=0,0&size=300x200&iterations=100&data=counts")
b = srv.get("/tile?tile=0,0&size=300x200&iterations=100&data=counts")
if a[0] != 200 or a[2] != b[2] or len(a[2]) != 256 * 256 * 4:
    failures.append("a tile asked twice is not the same 256 KiB")
etag = [line for line in a[1].split(b"\r\n") if line.lower().startswith(b"etag:")]
if not etag or b"immutable" not in a[1]:
    failures.append("a tile without ETag or Cache-Control immutable")
else:
    tag = etag[0].split(b":", 1)[1].strip().decode()
    expect("If-None-Match", srv.get("/tile?tile=0,0&size=300x200&iterations=100&data=counts",
                                    headers=[f"If-None-Match: {tag}"]), {304})
# The page is the embedded copy of web/, byte for byte; index.html (PAGE: the build's
# bundled copy when esbuild made one) with /api/info's JSON inside its info element (the
# page then starts without asking for it).
web = os.path.join(os.environ["SOURCE"], "web")
page = os.environ.get("PAGE") or os.path.join(web, "index.html")
info = srv.get("/api/info")[2]
mark = b'<script id="info" type="application/json"></script>'
for target, name in (("/", "index.html"), ("/web/index.html", "index.html"),
                     ("/web/ui.js", "ui.js"), ("/web/style.css", "style.css")):
    if not os.path.exists(os.path.join(web, name)):
        continue
    want = open(page if name == "index.html" else os.path.join(web, name), "rb").read()
    if name == "index.html":
        if want.count(mark) != 1:
            failures.append("web/index.html has no single info element")
        want = want.replace(mark, mark[:-len(b"</script>")] + info + b"</script>")
    got = srv.get(target)
    if got[0] != 200 or got[2] != want:
        failures.append(f"{target}: {got[0]}, not web/{name} byte for byte")
if b"<" in info:
    failures.append("/api/info holds a '<': it could close the page's script element")
# Keep-alive: two tiles and the info, one after another on one connection (the page asks
# for dozens of tiles; a new connection for each cost the browser more than the tiles).
import http.client
conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=10)
try:
    for target in ("/tile?tile=0,0&size=64x64&iterations=50", "/api/info",
                   "/tile?tile=1,0&size=64x64&iterations=50"):
        conn.request("GET", target)
        res = conn.getresponse()
        res.read()
        if res.status != 200 or (res.getheader("Connection") or "").lower() == "close":
            failures.append(f"keep-alive {target}: {res.status}, Connection: "
                            f"{res.getheader('Connection')}")
            break
except (OSError, http.client.HTTPException) as e:
    failures.append(f"keep-alive: {e!r}")
finally:
    conn.close()
expect("info after all that", srv.get("/api/info"), {200})

# /api/progress: JSON for any valid view, "ready" with a tile counted once a tile rendered.
import json  # noqa: E402
V = "size=300x200&iterations=100"
got = srv.get("/api/progress?" + V)
try:
    p = json.loads(got[2])
    if got[0] != 200 or p["phase"] != "ready" or p["tiles_done"] < 1 or p["fraction"] != 1:
        failures.append(f"progress after tiles: {got[0]} {got[2][:120]!r}")
except (ValueError, KeyError):
    failures.append(f"progress is not the JSON wanted: {got[0]} {got[2][:120]!r}")
got = srv.get("/api/progress?center=0.25,0.5&" + V)
if got[0] != 200 or b'"phase": "waiting"' not in got[2]:
    failures.append(f"progress of a view never asked for: {got[0]} {got[2][:120]!r}")

# SIGTERM during a render of seconds: cancelled, the server exits 0 within 3 s (a
# sanitizer build's Debug renders stop later: its next progress call comes later).
bound = float(os.environ.get("SERVE_STOP_BOUND", "3"))
busy = threading.Thread(target=lambda: srv.get(slow + "&iterations=999000", timeout=15))
busy.start()
time.sleep(1)
start = time.monotonic()
srv.stop(bound=bound)
busy.join()
if time.monotonic() - start > bound:
    failures.append(f"SIGTERM during a render took more than {bound} s")
for f in failures:
    print("FAIL", f)
print(f"{len(bad_queries) + len(traversal) + 20} hostile requests, {len(failures)} failures")
sys.exit(1 if failures else 0)
