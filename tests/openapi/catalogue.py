#!/usr/bin/python3
"""One catalogue of bad inputs, fed to every command's JSON face.

    catalogue.py LOG

For each operation of docs/openapi.json that takes a JSON body, the last
call of it the HTTP tests made and the server took (from LOG, the lines
tests/support/api.c writes) is the well-formed body; each field of the
operation's schema is then spoiled one way at a time: left out (when
required), of the wrong type, too long in characters, with a control
character or a line break where a line is asked for, outside its allowed
values, below its minimum, an impossible date, a URL of another scheme,
and one unknown field.  Every spoiled body must be refused with 400 or
422 and a JSON error naming that field; and nothing may change: every
table's row count and the audit log's last id are the same after the
catalogue as before.  The forms take the same decoders (the page face is
tests/http/test_forms.c, test_bad_input_both_faces).

Starts `$LINKDESK_BIN serve` as probe.py does.  Exit 1 on any wrong answer,
or when an operation with a JSON body has neither a logged call nor a
reason in NOT_REACHED.
"""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from probe import DEMO, Client, serving  # noqa: E402

# Who tries each command, in turn, until one is let in.
USERS = ["link.officer", "admin", "head.disputes", "repairs.officer"]

# Operations whose refusals the catalogue cannot reach from a logged call,
# and why.
NOT_REACHED = {
    "POST /api/v1/tasks/{id}/files": "a multipart upload, not JSON "
                                     "(tests/http/test_files.c)",
    "POST /api/v1/holidays/import": "GOV.UK's feed as it is, no fields of"
                                    " its own: its parser's refusals are"
                                    " test_cli and fuzz_feed",
}


def resolve(doc, schema):
    while isinstance(schema, dict) and "$ref" in schema:
        node = doc
        for part in schema["$ref"].lstrip("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        schema = node
    return schema or {}


def template_re(path):
    return re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")


def spoilers(doc, schema, prefix, body):
    """(what, field, body) for every way to spoil each field of schema."""
    schema = resolve(doc, schema)
    props = schema.get("properties", {})
    for name, sub in props.items():
        sub = resolve(doc, sub)
        field = prefix + name
        kind = sub.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), None)

        def put(value, name=name):
            b = dict(body)
            b[name] = value
            return b
        if name in schema.get("required", []):
            b = dict(body)
            b.pop(name, None)
            yield "missing", field, b
        if kind == "string":
            yield "wrong type", field, put(12345)
            if "enum" in sub:
                yield "unknown value", field, put("no_such_value")
                continue
            fmt = sub.get("format")
            if fmt == "date":
                yield "bad date", field, put("2026-02-30")
                continue
            if fmt in ("uri", "url"):
                yield "other scheme", field, put("javascript:alert(1)")
            if fmt in ("email",):
                yield "bad email", field, put("not an address")
            limit = sub.get("maxLength")
            if limit and limit <= 20000:
                yield "too long in characters", field, put("\u00e9" *
                                                           (limit + 1))
            if sub.get("pattern") == "^[^\\r\\n]*$":
                yield "line break", field, put("one\ntwo")
            if name != "password":
                yield "control character", field, put("bell\u0007")
        elif kind == "integer":
            yield "wrong type", field, put("x")
            if "minimum" in sub:
                yield "below its minimum", field, put(sub["minimum"] - 1)
        elif kind == "boolean":
            yield "wrong type", field, put("yes")
        elif kind == "array":
            yield "wrong type", field, put({"a": 1})
            items = resolve(doc, sub.get("items", {}))
            first = body.get(name)
            if (items.get("type") == "object" and isinstance(first, list)
                    and first and isinstance(first[0], dict)):
                for what, f, inner in spoilers(doc, items, f"{field}[0].",
                                               first[0]):
                    yield what, f, put([inner] + first[1:])
            elif items.get("type") == "integer":
                yield "wrong type", field + "[0]", put(["x"])
    if schema.get("additionalProperties") is False:
        b = dict(body)
        b["no_such_field"] = 1
        yield "unknown field", prefix + "no_such_field", b


def names_field(error_field, field):
    if error_field == field:
        return True
    if not error_field:
        return False
    # An element of an array of ids is named by its array; an array may be
    # named by its element at fault.
    return (field.endswith("[0]") and error_field == field[:-3]) or \
        error_field.startswith(field + "[")


def fingerprint(owner):
    """Every table's row count, and the audit log's changes: the refusals
    are audited (a role refused, a sign-in), and only they may be added."""
    sql = ("SELECT string_agg(c.relname || '=' || (xpath('/row/n/text()',"
           " query_to_xml(format('SELECT count(*) AS n FROM %I', c.relname),"
           " false, true, '')))[1]::text, ',' ORDER BY c.relname)"
           " || ',changes=' || (SELECT count(*) FROM audit_log WHERE action"
           " NOT IN ('access_refused', 'signin', 'signin_failed'))"
           " FROM pg_class c WHERE c.relkind = 'r'"
           " AND c.relnamespace = 'public'::regnamespace"
           " AND c.relname NOT IN ('session', 'signin_attempt', 'audit_log')")
    return subprocess.run(["psql", "-X", "-q", "-t", "-A", owner, "-c", sql],
                          capture_output=True, text=True,
                          check=True).stdout.strip()


def logged_bodies(log):
    """The last call the server took for each (method, path), with body."""
    calls = []
    with open(log, encoding="utf-8") as f:
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if 200 <= e.get("status", 0) < 300 and e.get("request"):
                try:
                    body = json.loads(e["request"])
                except ValueError:
                    continue
                if isinstance(body, dict):
                    calls.append((e["method"], e["path"].split("?")[0],
                                  body))
    return calls


def run(c_for, doc, log, problems):
    calls = logged_bodies(log)
    tried = 0
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            if "application/json" not in op.get("requestBody", {}).get(
                    "content", {}):
                continue
            key = f"{method.upper()} {path}"
            if key in NOT_REACHED:
                continue
            match = template_re(path)
            base = next(((p, b) for m, p, b in reversed(calls)
                         if m == method.upper() and match.match(p)), None)
            if not base:
                problems.append(f"{key}: no call in the log to start from"
                                " (add one to a test, or a reason to"
                                " NOT_REACHED)")
                continue
            schema = op["requestBody"]["content"]["application/json"][
                "schema"]
            where, body = base
            client = None
            for what, field, bad in spoilers(doc, schema, "", body):
                if client is None:
                    for user in USERS:
                        c = c_for(user)
                        status, got, _ = c.call(method.upper(), where, bad,
                                                want=None)
                        if status not in (401, 403, 404):
                            client = c
                            break
                    if client is None:
                        problems.append(f"{key}: nobody may call {where}")
                        break
                else:
                    status, got, _ = client.call(method.upper(), where, bad,
                                                 want=None)
                tried += 1
                try:
                    err = json.loads(got).get("error", {})
                except (ValueError, AttributeError):
                    err = {}
                if status not in (400, 422) or not names_field(
                        err.get("field"), field):
                    problems.append(
                        f"{key} {what} ({field}): {status}"
                        f" {err.get('field')!r}: {err.get('message')!r}")
    return tried


def main():
    log = sys.argv[1]
    owner = os.environ["LINKDESK_OWNER_DATABASE_URL"]
    with open(os.path.join(os.environ.get("LINKDESK_ROOT", "."),
                           "docs/openapi.json"), encoding="utf-8") as f:
        doc = json.load(f)
    problems = []
    with serving("catalogue") as base:
        clients = {}

        def c_for(user):
            if user not in clients:
                c = Client(base, os.devnull)
                me = c.json("POST", "/api/v1/session",
                            {"email": f"{user}@demo.linkdesk.test",
                             "password": DEMO}, want=201)
                c.csrf = (me or {}).get("csrf_token")
                clients[user] = c
            return clients[user]
        for user in USERS:
            c_for(user)
        before = fingerprint(owner)
        tried = run(c_for, doc, log, problems)
        after = fingerprint(owner)
    if before != after:
        a = dict(x.split("=") for x in before.split(","))
        b = dict(x.split("=") for x in after.split(","))
        changed = [f"{k} {a.get(k)} -> {b.get(k)}" for k in sorted(b)
                   if a.get(k) != b.get(k)]
        problems.append("refused bodies changed data: " + ", ".join(changed))
    for p in problems:
        print("catalogue: " + p)
    print(f"catalogue: {tried} bad bodies, {len(problems)} wrong")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
