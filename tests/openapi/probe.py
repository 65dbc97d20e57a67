#!/usr/bin/python3
"""Call the routes the HTTP tests reach only with requests of their own.

    probe.py LOG

Starts `$LINKDESK_BIN serve` on a free port against the suite's database
(tests/run.sh's environment, after the HTTP tests), calls /healthz, ping,
the document itself, the working-day calculator, a calendar feed (200, 304,
404, 410), a case of its own with a task, a multipart upload to it, its
download and removal, refused uploads, an unknown address
and a method an address does not take, and appends each call and its answer
to LOG in the lines tests/support/api.c writes, for check.py to validate.
Fails (exit 1) when the server does not start, when it serves another
document than docs/openapi.json, or when an answer's status is not the one
the call is for.
"""
import contextlib
import http.cookiejar
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

DEMO = "demo-linkdesk-2026"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    def __init__(self, base, log):
        self.base = base
        self.log = log
        self.csrf = None
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            NoRedirect())
        self.problems = []

    def call(self, method, path, body=None, want=200, headers=None,
             raw=None, ctype="application/json"):
        data = raw if raw is not None else (
            json.dumps(body).encode() if body is not None else None)
        req = urllib.request.Request(self.base + path, data=data,
                                     method=method)
        if data is not None:
            req.add_header("Content-Type", ctype)
        if self.csrf and method != "GET":
            req.add_header("X-CSRF-Token", self.csrf)
        for k, v in (headers or {}).items():
            req.add_header(k, v)
        try:
            with self.opener.open(req, timeout=30) as r:
                status, got, hdrs = r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            status, got, hdrs = e.code, e.read(), e.headers
        line = {"test": "probe", "method": method, "path": path,
                "status": status,
                "content_type": hdrs.get("Content-Type", "")}
        if body is not None:
            line["request"] = json.dumps(body)
        try:
            line["body"] = got.decode("utf-8")
        except UnicodeDecodeError:
            line["body_bytes"] = len(got)
        with open(self.log, "a", encoding="utf-8") as f:
            f.write(json.dumps(line) + "\n")
        if want is not None and status != want:
            self.problems.append(f"{method} {path}: {status}, want {want}:"
                                 f" {got[:300]!r}")
        return status, got, hdrs

    def json(self, *args, **kwargs):
        status, got, _ = self.call(*args, **kwargs)
        try:
            return json.loads(got)
        except ValueError:
            return None


def multipart(name, data, content_type):
    boundary = "probe-boundary-7d2a9c"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\";"
            f" filename=\"{name}\"\r\nContent-Type: {content_type}\r\n\r\n")
    body = head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, "multipart/form-data; boundary=" + boundary


PDF = (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n"
       b"trailer << /Root 1 0 R >>\n%%EOF\n")


def probe(c, root):
    c.json("GET", "/healthz")
    c.json("GET", "/api/v1/ping")
    _, served, _ = c.call("GET", "/api/v1/openapi.json")
    with open(os.path.join(root, "docs/openapi.json"), "rb") as f:
        if served != f.read():
            c.problems.append("GET /api/v1/openapi.json: the server serves "
                              "another document than docs/openapi.json "
                              "(rebuild it)")
    c.json("GET", "/api/v1/workdays?from=2026-11-23&days=15")
    c.json("GET", "/api/v1/workdays?from=2026-12-24&to=2026-12-29")
    c.json("GET", "/api/v1/workdays?from=2026-02-30&days=1", want=400)
    c.json("GET", "/api/v1/workdays?from=2026-11-23&days=1000000",
           want=400)
    c.json("POST", "/api/v1/workdays", {"from": "2026-11-23", "days": 15})
    c.json("POST", "/api/v1/workdays",
           {"from": "2026-12-24", "to": "2026-12-29"})
    c.json("POST", "/api/v1/workdays", {"from": "2026-11-23", "x": 1},
           want=400)
    c.json("GET", "/api/v1/no-such-thing", want=404)
    c.json("PUT", "/api/v1/ping", {}, want=405)
    c.json("GET", "/feeds/not-a-token.ics", want=404)

    me = c.json("POST", "/api/v1/session",
                {"email": "link.officer@demo.linkdesk.test",
                 "password": DEMO}, want=201)
    c.csrf = (me or {}).get("csrf_token")

    made = c.json("POST", "/api/v1/feeds", {"scope": "mine"}, want=201)
    url = (made or {}).get("url", "")
    path = url[url.find("/feeds/"):] if "/feeds/" in url else "/feeds/x"
    _, _, hdrs = c.call("GET", path)
    etag = hdrs.get("ETag")
    if etag:
        c.call("GET", path, headers={"If-None-Match": etag}, want=304)
    else:
        c.problems.append(f"GET {path}: no ETag")
    feed = (made or {}).get("feed", {}).get("id", 0)
    c.json("DELETE", f"/api/v1/feeds/{feed}")
    c.json("GET", path, want=410)

    # A case of the probe's own, so that no other test's data changes.
    areas = c.json("GET", "/api/v1/service-areas") or [{}]
    area = areas[0].get("id", 0)
    ref = "9%08d" % (os.getpid() % 100000000)
    complaint = c.json("POST", "/api/v1/complaints",
                       {"reference": "PROBE-" + ref, "category": "Repairs",
                        "service_area_id": area,
                        "received_on": "2026-11-02"}, want=201) or {}
    c.json("PUT", f"/api/v1/complaints/{complaint.get('id', 0)}/resident",
           {"name": "Probe Resident", "address": "1 Probe Street",
            "adjustments": "Large print"})
    case = c.json("POST", "/api/v1/cases",
                  {"complaint_id": complaint.get("id", 0),
                   "ombudsman": "HOS", "reference": ref,
                   "received_on": "2026-11-09"}, want=201) or {}
    case = c.json("POST", f"/api/v1/cases/{case.get('id', 0)}/"
                  "correspondence",
                  {"kind": "information_request", "dated_on": "2026-11-09",
                   "tasks": [{"title": "Repair records",
                              "service_area_id": area}]}, want=201) or {}
    task = next((t["id"] for t in case.get("tasks", [])), None)
    if task is None:
        c.problems.append("no task to upload to")
        return
    raw, ctype = multipart("probe.pdf", PDF, "application/pdf")
    up = c.json("POST", f"/api/v1/tasks/{task}/files", raw=raw, ctype=ctype,
                want=201) or {}
    files = [f for f in up.get("files", []) if f["name"] == "probe.pdf"]
    if not files:
        c.problems.append(f"POST /api/v1/tasks/{task}/files: no probe.pdf")
        return
    fid = files[-1]["id"]
    c.call("GET", f"/api/v1/files/{fid}")
    c.json("DELETE", f"/api/v1/files/{fid}")
    raw, ctype = multipart("setup.exe", b"MZ\x90\x00", "application/pdf")
    c.json("POST", f"/api/v1/tasks/{task}/files", raw=raw, ctype=ctype,
           want=422)
    c.json("POST", "/api/v1/tasks/999999999/files", raw=raw, ctype=ctype,
           want=404)
    c.json("DELETE", "/api/v1/session")

    # An administrator's own service area, renamed.
    admin = Client(c.base, c.log)
    me = admin.json("POST", "/api/v1/session",
                    {"email": "admin@demo.linkdesk.test", "password": DEMO},
                    want=201)
    admin.csrf = (me or {}).get("csrf_token")
    made = admin.json("POST", "/api/v1/service-areas",
                      {"name": "Probe area " + ref}, want=201)
    areas = made if isinstance(made, list) else [made or {}]
    area_id = next((a.get("id") for a in areas
                    if a.get("name") == "Probe area " + ref), 0)
    admin.json("PATCH", f"/api/v1/service-areas/{area_id}",
               {"name": "Probe area renamed " + ref, "digest_daily": True})
    admin.json("DELETE", "/api/v1/session")
    c.problems.extend(admin.problems)


@contextlib.contextmanager
def serving(name):
    """`$LINKDESK_BIN serve` on a free port, its address while it runs."""
    tmp = os.environ.get("LINKDESK_TEST_TMP", "/tmp")
    port = free_port()
    env = dict(os.environ, LINKDESK_LISTEN=f"127.0.0.1:{port}",
               LINKDESK_SCHEDULER="0")
    out = open(os.path.join(tmp, f"server-{name}.log"), "w")
    server = subprocess.Popen([os.environ["LINKDESK_BIN"], "serve"],
                              env=env, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(400):
            if server.poll() is not None:
                raise RuntimeError(f"{name}: the server exited at start")
            try:
                urllib.request.urlopen(base + "/api/v1/ping", timeout=2)
                break
            except OSError:
                time.sleep(0.05)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        out.close()
    if server.returncode not in (0, -15):
        raise RuntimeError(f"{name}: the server exited with"
                           f" {server.returncode}")


def main():
    log = sys.argv[1]
    root = os.environ.get("LINKDESK_ROOT", os.getcwd())
    try:
        with serving("probe") as base:
            c = Client(base, log)
            probe(c, root)
    except RuntimeError as e:
        print(f"probe: {e}")
        return 1
    for p in c.problems:
        print("probe: " + p)
    return 1 if c.problems else 0


if __name__ == "__main__":
    sys.exit(main())
