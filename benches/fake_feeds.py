#!/usr/bin/env python3
"""Fake feed server for the daemon benchmarks: real-format payloads on 127.0.0.1 only.

Serves, for any user name, the real captures in fixtures/real/ (nothing is synthesised):

  GET /@<user>.rss
      fixtures/real/mastodon-rss/mastodon_social_pdxjohnny.rss (a real Mastodon v4.0.2 account
      feed), with a strong ETag and Last-Modified; a request carrying a matching If-None-Match
      (or If-Modified-Since when no If-None-Match is sent) gets 304 Not Modified.
  GET /xrpc/app.bsky.feed.getAuthorFeed?actor=<handle>[&cursor=...]
      fixtures/real/bluesky-appview/getAuthorFeed_chriskenny_2025-05-19.json (50 items) for the
      first page; any request with a cursor gets getAuthorFeed_2023-10_old_cursor_format.json
      (3 items, whose own cursor the client then sees twice and stops on). The rate-limit headers
      mirror the capture's (RateLimit-Limit 3000, Remaining well above 0), so they never block.
  GET /_stats
      JSON counters: requests by route and status, bytes sent.

Usage:
  python3 benches/fake_feeds.py [--port 0] [--port-file FILE] [--fixtures DIR]

The port (0: any free one) is printed on stdout and, with --port-file, written to FILE once the
socket is listening, so a script can wait for the file. It binds 127.0.0.1 only and stops on
SIGTERM or SIGINT. Python 3.11 standard library only.
"""

import argparse
import email.utils
import hashlib
import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

RSS_PATH = "mastodon-rss/mastodon_social_pdxjohnny.rss"
BSKY_FIRST = "bluesky-appview/getAuthorFeed_chriskenny_2025-05-19.json"
BSKY_LATER = "bluesky-appview/getAuthorFeed_2023-10_old_cursor_format.json"

# Fixed at start: feeds never change while the benchmark runs, so repeat polls can be 304s.
START = time.time()
LAST_MODIFIED = email.utils.formatdate(START - 3600, usegmt=True)


class Payloads:
    """The real captures, read once."""

    def __init__(self, fixtures):
        def read(rel):
            path = os.path.join(fixtures, rel)
            try:
                with open(path, "rb") as f:
                    return f.read()
            except OSError as e:
                sys.exit(f"fake_feeds: cannot read {path}: {e}")

        self.rss = read(RSS_PATH)
        self.rss_etag = '"' + hashlib.sha256(self.rss).hexdigest()[:32] + '"'
        self.bsky_first = read(BSKY_FIRST)
        self.bsky_later = read(BSKY_LATER)


class Stats:
    """Request counters, shared by the handler threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {}
        self.bytes_sent = 0

    def add(self, route, status, sent):
        with self.lock:
            key = f"{route} {status}"
            self.counts[key] = self.counts.get(key, 0) + 1
            self.bytes_sent += sent

    def snapshot(self):
        with self.lock:
            return {"requests": dict(self.counts), "bytes_sent": self.bytes_sent}


class Handler(BaseHTTPRequestHandler):
    # Keep-alive, as real servers do; the client's connection pool re-uses sockets.
    protocol_version = "HTTP/1.1"
    server_version = "fake-feeds/1"
    # An idle kept-alive connection frees its thread after this many seconds.
    timeout = 30
    # Headers and body go out in two writes; with Nagle's algorithm the second waits for the
    # client's delayed ACK (40 ms on Linux), which would make the fake server the bottleneck.
    disable_nagle_algorithm = True

    def log_message(self, format, *args):
        # Thousands of requests: no per-request log line.
        pass

    def send(self, route, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)
        self.server.stats.add(route, status, len(body))

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        p = self.server.payloads
        url = urlsplit(self.path)
        path = url.path
        if path.startswith("/@") and path.endswith(".rss") and len(path) > len("/@.rss"):
            validators = [("ETag", p.rss_etag), ("Last-Modified", LAST_MODIFIED)]
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            # RFC 9110 13.1.3: If-Modified-Since is ignored when If-None-Match is present.
            fresh = (
                p.rss_etag in [t.strip() for t in inm.split(",")]
                if inm is not None
                else ims is not None and ims.strip() == LAST_MODIFIED
            )
            if fresh:
                self.send("rss", 304, headers=validators)
            else:
                self.send(
                    "rss",
                    200,
                    p.rss,
                    [("Content-Type", "application/rss+xml; charset=utf-8")] + validators,
                )
        elif path == "/xrpc/app.bsky.feed.getAuthorFeed":
            query = parse_qs(url.query)
            if not query.get("actor"):
                body = b'{"error":"InvalidRequest","message":"Params must have the property \\"actor\\""}'
                self.send("bsky", 400, body, [("Content-Type", "application/json; charset=utf-8")])
                return
            body = p.bsky_later if query.get("cursor") else p.bsky_first
            reset = str(int(time.time()) + 300)
            self.send(
                "bsky",
                200,
                body,
                [
                    ("Content-Type", "application/json; charset=utf-8"),
                    ("RateLimit-Limit", "3000"),
                    ("RateLimit-Remaining", "2994"),
                    ("RateLimit-Reset", reset),
                    ("RateLimit-Policy", "3000;w=300"),
                ],
            )
        elif path == "/_stats":
            body = json.dumps(self.server.stats.snapshot(), sort_keys=True).encode()
            self.send("stats", 200, body, [("Content-Type", "application/json")])
        else:
            self.send("other", 404, b"not found\n", [("Content-Type", "text/plain")])


class Server(ThreadingHTTPServer):
    # The default listen backlog (5) refuses connections when a poller opens many at once;
    # it is read when the socket starts listening, so it is a class attribute.
    request_queue_size = 1024
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client closing a kept-alive connection is normal; anything else is printed.
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: any free one)")
    ap.add_argument("--port-file", help="write the port here once listening")
    ap.add_argument(
        "--fixtures",
        default=os.path.join(here, "..", "fixtures", "real"),
        help="the fixtures/real folder",
    )
    args = ap.parse_args()

    server = Server(("127.0.0.1", args.port), Handler)
    server.payloads = Payloads(args.fixtures)
    server.stats = Stats()
    port = server.server_address[1]

    def stop(signum, frame):
        # shutdown() waits for serve_forever to return: run it off the main thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    print(port, flush=True)
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.replace(tmp, args.port_file)
    server.serve_forever(poll_interval=0.5)
    server.server_close()


if __name__ == "__main__":
    main()
