"""A Lambda Runtime API emulator for the system tests (standard library only).

It plays Lambda's side of a custom runtime on a free loopback port: hands out invocations to
GET /2018-06-01/runtime/invocation/next (with the request id, deadline, function ARN and trace
id headers), collects what the runtime posts to .../response, .../error and /runtime/init/error,
and accepts Lambda's Invoke API for asynchronous invocations
(POST /2015-03-31/functions/NAME/invocations with X-Amz-Invocation-Type: Event), which it
queues as invocations of the same function, as Lambda would.

Use:
    emu = LambdaEmulator()
    env = emu.env("k9-fn")                 # AWS_LAMBDA_RUNTIME_API, AWS_LAMBDA_FUNCTION_NAME, ...
    ... start the bootstrap with env ...
    result = emu.invoke({"httpMethod": ...}, timeout_ms=3000)   # waits for the runtime's answer
    result.ok, result.payload (parsed JSON), result.error_type
    emu.drain_async(timeout=10)            # waits until queued async invocations are answered
"""
import http.server
import itertools
import json
import queue
import select
import socket
import sys
import threading
import time
import uuid

PREFIX = "/2018-06-01"


class Result:
    def __init__(self):
        self.done = threading.Event()
        self.ok = None
        self.payload = None
        self.raw = None
        self.error_type = None


class LambdaEmulator:
    def __init__(self):
        self.pending = queue.Queue()  # (id, event bytes, deadline_ms)
        self.results = {}
        self.init_errors = []
        self.async_invocations = []   # payloads received through the Invoke API
        self.async_ids = []
        self.next_calls = 0
        self._lock = threading.Lock()
        self._seq = itertools.count(1)
        emu = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # head and body go out in two writes: no 40 ms delayed-ACK stall

            def log_message(self, *args):
                pass

            def _body(self):
                n = int(self.headers.get("Content-Length") or 0)
                return self.rfile.read(n) if n else b""

            def _answer(self, status, body=b"", headers=()):
                self.send_response(status)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                try:
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):  # the runtime exited (after an init error)
                    pass

            def _peer_closed(self):
                readable, _, _ = select.select([self.connection], [], [], 0)
                if not readable:
                    return False
                try:
                    return self.connection.recv(1, socket.MSG_PEEK) == b""
                except OSError:
                    return True

            def do_GET(self):
                if self.path != PREFIX + "/runtime/invocation/next":
                    return self._answer(404)
                with emu._lock:
                    emu.next_calls += 1
                # A runtime killed while it waits here must not take an invocation with it (the
                # next runtime would never see it): hand an event out only on a live connection.
                while True:
                    if self._peer_closed():
                        return
                    try:
                        rid, event, deadline = emu.pending.get(timeout=0.1)
                    except queue.Empty:
                        continue
                    if self._peer_closed():
                        emu.pending.put((rid, event, deadline))
                        return
                    break
                self._answer(200, event, [("Lambda-Runtime-Aws-Request-Id", rid),
                                          ("Lambda-Runtime-Deadline-Ms", str(deadline)),
                                          ("Lambda-Runtime-Invoked-Function-Arn",
                                           "arn:aws:lambda:us-east-1:000000000000:function:k9"),
                                          ("Lambda-Runtime-Trace-Id", f"Root=1-{rid[:8]};Sampled=0"),
                                          ("Content-Type", "application/json")])

            def do_POST(self):
                body = self._body()
                if self.path.startswith("/2015-03-31/functions/"):
                    if self.headers.get("X-Amz-Invocation-Type") != "Event" or \
                            not self.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 "):
                        return self._answer(400, b'{"message":"only signed Event invocations"}')
                    with emu._lock:
                        emu.async_invocations.append(json.loads(body))
                    emu.async_ids.append(emu.enqueue(body, 60_000))
                    return self._answer(202)
                if self.path == PREFIX + "/runtime/init/error":
                    emu.init_errors.append((self.headers.get("Lambda-Runtime-Function-Error-Type"), body))
                    return self._answer(202, b'{"status":"OK"}')
                parts = self.path[len(PREFIX):].split("/")  # "", runtime, invocation, id, response|error
                if len(parts) == 5 and parts[1:3] == ["runtime", "invocation"] and parts[4] in ("response", "error"):
                    res = emu.results.get(parts[3])
                    if res is None:
                        return self._answer(400, b'{"message":"unknown request id"}')
                    if len(body) > 6 * 1024 * 1024:  # Lambda refuses answers over 6 MB
                        return self._answer(413, b'{"errorMessage":"response too large","errorType":"RequestEntityTooLarge"}')
                    res.raw = body
                    res.ok = parts[4] == "response"
                    res.payload = json.loads(body) if body else None
                    if not res.ok:
                        res.error_type = self.headers.get("Lambda-Runtime-Function-Error-Type")
                    res.done.set()
                    return self._answer(202, b'{"status":"OK"}')
                return self._answer(404)

        class Quiet(http.server.ThreadingHTTPServer):
            def handle_error(self, request, client_address):  # a runtime killed mid-request: not news
                if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
                    super().handle_error(request, client_address)

        self.server = Quiet(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def env(self, function_name="k9"):
        return {"AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{self.port}", "AWS_LAMBDA_FUNCTION_NAME": function_name,
                "AWS_ENDPOINT_URL_LAMBDA": f"http://127.0.0.1:{self.port}"}

    def enqueue(self, event, timeout_ms):
        rid = str(uuid.uuid4())
        self.results[rid] = Result()
        body = event if isinstance(event, bytes) else json.dumps(event).encode()
        self.pending.put((rid, body, int(time.time() * 1000) + timeout_ms))
        return rid

    def invoke(self, event, timeout_ms=10_000, wait=90):
        """Queues an invocation and waits for the runtime's answer."""
        rid = self.enqueue(event, timeout_ms)
        res = self.results[rid]
        if not res.done.wait(wait):
            raise TimeoutError(f"no answer to invocation {rid} within {wait} s")
        return res

    def drain_async(self, timeout=30):
        deadline = time.time() + timeout
        for rid in list(self.async_ids):
            if not self.results[rid].done.wait(max(0.0, deadline - time.time())):
                raise TimeoutError(f"asynchronous invocation {rid} not answered")

    def close(self):
        self.server.shutdown()
        self.server.server_close()
