"""tests/server/serve_common.py - starts `mandel serve --port 0` for a test, reads the port
it prints, talks raw HTTP to it over loopback, and stops it with SIGTERM (checking it exits
0 within a bound). Standard library only."""
import os
import re
import signal
import socket
import subprocess
import sys
import time


class Server:
    def __init__(self, *options):
        self.proc = subprocess.Popen([os.environ["MANDEL"], "serve", "--port", "0", *options],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            self.proc.kill()
            sys.exit(f"no URL in the first line of mandel serve: {line!r} "
                     f"{self.proc.stderr.read()!r}")
        self.port = int(m.group(1))

    def raw(self, data, timeout=5.0):
        """Sends raw bytes; returns (status or None if dropped, headers, body)."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        got = b""
        try:
            s.sendall(data)
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
        except (socket.timeout, ConnectionResetError, BrokenPipeError):
            pass
        finally:
            s.close()
        m = re.match(rb"HTTP/1\.[01] (\d{3})", got)
        if not m:
            return None, b"", b""
        head, _, body = got.partition(b"\r\n\r\n")
        return int(m.group(1)), head, body

    def get(self, target, method="GET", headers=(), timeout=5.0):
        text = f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        for h in headers:
            text += h + "\r\n"
        return self.raw((text + "\r\n").encode("latin-1"), timeout)

    def stop(self, bound=10.0):
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(bound)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            sys.exit(f"mandel serve did not stop within {bound} s of SIGTERM")
        if rc != 0:
            sys.exit(f"mandel serve exited {rc} after SIGTERM: {self.proc.stderr.read()!r}")
