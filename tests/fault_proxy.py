"""A fault-injecting HTTP proxy for DynamoDB's JSON protocol (standard library only).

It sits between a client (K9) and DynamoDB Local and, per request, by configurable rates:
  throttle    answers 400 ThrottlingException itself (the request is not forwarded)
  error500    answers 500 InternalServerError itself (not forwarded)
  cut_before  closes the connection without forwarding and without answering
  cut_after   forwards, lets DynamoDB apply the request, then closes the connection without
              answering: the write happened but the client saw a network error
  stall       waits `stall_seconds` before forwarding (to provoke client timeouts)
and forwards everything else unchanged (status, headers and body, x-amz-crc32 included).

Besides the random rates, `cut_after_first` names operations whose *first* attempt is always
forwarded and then cut: an attempt is recognised by the exact request body, so a client that
retries with the same body (and the same ClientRequestToken) gets the real answer on its second
try, while one that changes its body on every retry never does.

Every decision is counted (`counts[(operation, outcome)]`), and the ClientRequestToken of every
forwarded TransactWriteItems is recorded (`tokens[token] = times forwarded`).

Use from a test:
    proxy = FaultProxy("http://127.0.0.1:8000", seed=1)
    proxy.set(throttle=0.1, cut_after=0.1)   # rates are probabilities per request
    ... point the client at proxy.endpoint ...
    proxy.close()
or from a shell:
    python3 tests/fault_proxy.py --upstream http://127.0.0.1:8000 --port 8001 --throttle 0.1
"""
import argparse
import collections
import hashlib
import http.client
import json
import random
import socket
import socketserver
import threading
import time
import urllib.parse
import zlib

OUTCOMES = ("throttle", "error500", "cut_before", "cut_after", "stall")
JSON_TYPE = "application/x-amz-json-1.0"
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "expect", "te", "trailer",
              "proxy-connection", "upgrade"}


def _error_body(error_type, message):
    return json.dumps({"__type": "com.amazonaws.dynamodb.v20120810#" + error_type, "message": message}).encode()


class _Closed(Exception):
    pass


class _Handler(socketserver.BaseRequestHandler):
    def setup(self):
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.upstream = None

    def _recv_until(self, marker):
        while marker not in self.buf:
            chunk = self.request.recv(65536)
            if not chunk:
                raise _Closed()
            self.buf += chunk
        head, self.buf = self.buf.split(marker, 1)
        return head

    def _recv_exactly(self, n):
        while len(self.buf) < n:
            chunk = self.request.recv(65536)
            if not chunk:
                raise _Closed()
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def _read_request(self):
        head = self._recv_until(b"\r\n\r\n").decode("latin-1")
        lines = head.split("\r\n")
        method, target, _ = lines[0].split(" ", 2)
        headers = []
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
        lower = {k.lower(): v for k, v in headers}
        if lower.get("expect", "").lower() == "100-continue":
            self.request.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        body = self._recv_exactly(int(lower.get("content-length", "0")))
        return method, target, headers, lower, body

    def _answer(self, status, reason, headers, body, close):
        out = [f"HTTP/1.1 {status} {reason}"]
        out += [f"{k}: {v}" for k, v in headers if k.lower() not in HOP_BY_HOP]
        out.append(f"Content-Length: {len(body)}")
        if close:
            out.append("Connection: close")
        self.request.sendall(("\r\n".join(out) + "\r\n\r\n").encode("latin-1") + body)

    def _answer_error(self, status, reason, error_type, message, close):
        body = _error_body(error_type, message)
        headers = [("Content-Type", JSON_TYPE), ("x-amzn-RequestId", "fault-proxy"),
                   ("x-amz-crc32", str(zlib.crc32(body) & 0xFFFFFFFF))]
        self._answer(status, reason, headers, body, close)

    def _cut(self):
        # An abortive close (RST), as when a load balancer or the network drops the connection.
        try:
            self.request.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        except OSError:
            pass
        raise _Closed()

    def _forward(self, method, target, headers, body):
        proxy = self.server.proxy
        for attempt in (1, 2):  # a kept-alive upstream connection may have gone stale
            if self.upstream is None:
                self.upstream = http.client.HTTPConnection(proxy.upstream_host, proxy.upstream_port, timeout=30)
            try:
                self.upstream.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
                for k, v in headers:  # Host as the client sent it: it is part of the signature
                    if k.lower() not in HOP_BY_HOP:
                        self.upstream.putheader(k, v)
                self.upstream.putheader("Content-Length", str(len(body)))
                self.upstream.endheaders(body)
                resp = self.upstream.getresponse()
                return resp.status, resp.reason, resp.getheaders(), resp.read()
            except (OSError, http.client.HTTPException):
                self.upstream.close()
                self.upstream = None
                if attempt == 2:
                    raise

    def handle(self):
        proxy = self.server.proxy
        try:
            while True:
                method, target, headers, lower, body = self._read_request()
                close = lower.get("connection", "").lower() == "close"
                op = lower.get("x-amz-target", "").rpartition(".")[2] or "?"
                outcome = proxy._decide(op, body)
                proxy._count(op, outcome or "forwarded")
                if outcome == "throttle":
                    self._answer_error(400, "Bad Request", "ThrottlingException", "Rate exceeded", close)
                elif outcome == "error500":
                    self._answer_error(500, "Internal Server Error", "InternalServerError",
                                       "Internal server error", close)
                elif outcome == "cut_before":
                    self._cut()
                else:
                    if outcome == "stall":
                        time.sleep(proxy.stall_seconds)
                    if op == "TransactWriteItems":
                        proxy._token_seen(body)
                    status, reason, resp_headers, resp_body = self._forward(method, target, headers, body)
                    if outcome == "cut_after":
                        self._cut()
                    self._answer(status, reason, resp_headers, resp_body, close)
                if close:
                    return
        except (_Closed, OSError, ValueError, http.client.HTTPException):
            return
        finally:
            if self.upstream is not None:
                self.upstream.close()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class FaultProxy:
    def __init__(self, upstream, host="127.0.0.1", port=0, seed=None, stall_seconds=5.0):
        u = urllib.parse.urlsplit(upstream)
        self.upstream_host, self.upstream_port = u.hostname, u.port or 80
        self.stall_seconds = stall_seconds
        self.rates = dict.fromkeys(OUTCOMES, 0.0)
        self.only_ops = None          # None: faults apply to every operation
        self.cut_after_first = set()  # operations whose first attempt is forwarded, then cut
        self.counts = collections.Counter()
        self.tokens = collections.Counter()
        self._seen_bodies = set()
        self._lock = threading.Lock()
        self._random = random.Random(seed)
        self._server = _Server((host, port), _Handler)
        self._server.proxy = self
        self.port = self._server.server_address[1]
        self.endpoint = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def set(self, only_ops=None, cut_after_first=(), **rates):
        """Replaces every rate (unnamed ones become 0) and the operation filters."""
        unknown = set(rates) - set(OUTCOMES)
        if unknown:
            raise ValueError(f"unknown faults {unknown}; known: {OUTCOMES}")
        if sum(rates.values()) > 1.0 + 1e-9:
            raise ValueError("fault rates add up to more than 1")
        with self._lock:
            self.rates = {k: float(rates.get(k, 0.0)) for k in OUTCOMES}
            self.only_ops = set(only_ops) if only_ops is not None else None
            self.cut_after_first = set(cut_after_first)

    def clear(self):
        self.set()

    def _decide(self, op, body):
        with self._lock:
            if op in self.cut_after_first:
                digest = hashlib.sha256(op.encode() + b"\0" + body).digest()
                if digest not in self._seen_bodies:
                    self._seen_bodies.add(digest)
                    return "cut_after"
                return None
            if self.only_ops is not None and op not in self.only_ops:
                return None
            x = self._random.random()
            for outcome in OUTCOMES:
                x -= self.rates[outcome]
                if x < 0:
                    return outcome
            return None

    def _count(self, op, outcome):
        with self._lock:
            self.counts[(op, outcome)] += 1

    def _token_seen(self, body):
        try:
            token = json.loads(body).get("ClientRequestToken")
        except ValueError:
            token = None
        with self._lock:
            self.tokens[token] += 1

    def total(self, outcome, op=None):
        with self._lock:
            return sum(n for (o, out), n in self.counts.items() if out == outcome and (op is None or o == op))

    def close(self):
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--upstream", required=True, help="e.g. http://127.0.0.1:8000 (DynamoDB Local)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--stall-seconds", type=float, default=5.0)
    parser.add_argument("--only", nargs="*", help="operations faults apply to (default: all)")
    for outcome in OUTCOMES:
        parser.add_argument("--" + outcome.replace("_", "-"), type=float, default=0.0, metavar="RATE")
    args = parser.parse_args()
    proxy = FaultProxy(args.upstream, args.host, args.port, args.seed, args.stall_seconds)
    proxy.set(only_ops=args.only, **{o: getattr(args, o) for o in OUTCOMES})
    print(f"fault proxy on {proxy.endpoint} -> {args.upstream}", flush=True)
    try:
        while True:
            time.sleep(10)
            print(dict(proxy.counts), flush=True)
    except KeyboardInterrupt:
        proxy.close()


if __name__ == "__main__":
    main()
