#!/usr/bin/python3
"""Hold docs/openapi.json to the server, in make test.

    check.py [--log FILE]

From the top of the tree.  Three checks, each failure one line naming the
route and the first error; exit status 1 when any fails:

  routes     every JSON route in server/http/routes.c (under /api/, /feeds/
             and /healthz) has an operation in the document, and every
             operation in the document is a route the server answers;
  document   each operation has an operationId (unique), a parameter for
             each {name} of its path, a schema for every JSON body it
             takes or gives, and every schema is a valid JSON Schema; a
             schema naming a table of core (x-linkdesk-table: the kinds of
             correspondence, task statuses, roles, error codes...) lists
             exactly that table's values;
  responses  each response the HTTP tests logged (tests/support/api.c,
             LINKDESK_API_LOG) is matched to its operation by the path's
             template and validated: its status must be documented (5xx,
             405, 413 and 429 may fall to "default"), its content type must
             be one the document gives, and a JSON body must validate
             against the schema for that status.  A 2xx answer's request
             body must validate against the operation's request schema.

Needs Debian's python3-jsonschema (scripts/deps.sh test).
"""
import argparse
import datetime
import json
import os
import re
import sys
from urllib.parse import urlsplit

import jsonschema

DOC = "docs/openapi.json"
ROUTES = "server/http/routes.c"
METHODS = ("get", "put", "post", "delete", "patch")
# Statuses any route may answer without listing them: the router's and the
# server's own (a method the address does not take, a body over the limit,
# too many attempts, the database away or a bug).
GENERIC = {405, 413, 429}


def api_route(path):
    return path.startswith(("/api/", "/feeds/")) or path == "/healthz"


def server_routes(text):
    """The (METHOD, pattern) pairs of http_routes[] that the API answers."""
    table = text[text.index("http_routes[]"):]
    pairs = re.findall(r'\{\s*"([A-Z]+)",\s*"([^"]+)"', table)
    return {(m, p) for m, p in pairs if api_route(p)}


def c_table(text, name):
    """The names a table of core lists: the first string of each row of a
    table of structs, or each string of a table of strings; for
    ld_err_name, the codes its switch returns (but "ok")."""
    if name == "ld_err_name":
        body = text[text.index("ld_err_name("):]
        codes = re.findall(r'return "([a-z_]+)";', body)
        return [c for c in dict.fromkeys(codes) if c != "ok"]
    m = re.search(r"\b" + re.escape(name) + r"\[\]\s*=\s*\{", text)
    if not m:
        return None
    depth, i, rows, strings = 1, m.end(), [], []
    row_start = None
    while depth and i < len(text):
        ch = text[i]
        if ch == '"':
            j = text.index('"', i + 1)
            if depth == 1:
                strings.append(text[i + 1:j])
            i = j + 1
            continue
        if ch == "{":
            depth += 1
            if depth == 2:
                row_start = i
        elif ch == "}":
            depth -= 1
            if depth == 1 and row_start is not None:
                first = re.match(r'\{\s*(?:\.name\s*=\s*)?"([^"]*)"',
                                 text[row_start:i])
                if first:
                    rows.append(first.group(1))
        i += 1
    return rows if rows else strings


def operations(doc):
    for path, item in doc.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                yield method.upper(), path, item[method], item


# Formats checked as the server writes them: PostgreSQL's JSON for a
# timestamptz is RFC 3339 with its offset.
formats = jsonschema.FormatChecker(())
DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@formats.checks("date", raises=ValueError)
def is_date(v):
    if not isinstance(v, str):
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        raise ValueError("not YYYY-MM-DD")
    datetime.date.fromisoformat(v)
    return True


@formats.checks("date-time", raises=ValueError)
def is_date_time(v):
    if not isinstance(v, str):
        return True
    if not DATE_TIME.match(v):
        raise ValueError("not an RFC 3339 time with its offset")
    datetime.datetime.fromisoformat(v.replace("Z", "+00:00"))
    return True


@formats.checks("email")
def is_email(v):
    return not isinstance(v, str) or re.fullmatch(r"[^@\s]+@[^@\s]+", v)


@formats.checks("uri")
def is_uri(v):
    return not isinstance(v, str) or re.match(r"^[a-z][a-z0-9+.-]*:", v)


class Checker:
    def __init__(self, doc):
        self.doc = doc
        self.failures = []
        self.seen = set()
        self.validators = {}
        self.checked = set()
        self.valid = set()

    def fail(self, where, msg):
        line = f"{where}: {msg}"
        if line not in self.seen:
            self.seen.add(line)
            self.failures.append(line)

    def validator(self, schema):
        # The whole document as the root, so that "#/components/..."
        # references resolve from any schema in it; one validator per
        # schema, as they are slow to make.
        v = self.validators.get(id(schema))
        if v is None:
            resolver = jsonschema.RefResolver("", self.doc)
            cls = jsonschema.Draft202012Validator
            v = cls(schema, resolver=resolver, format_checker=formats)
            self.validators[id(schema)] = v
        return v

    def first_error(self, schema, value, text=None):
        # Many answers repeat: each body is validated once per schema.
        key = (id(schema), text)
        if text is not None and key in self.valid:
            return None
        if self.validator(schema).is_valid(value):
            if text is not None:
                self.valid.add(key)
            return None
        errors = sorted(self.validator(schema).iter_errors(value),
                        key=lambda e: (len(list(e.absolute_path)), e.message))
        if not errors:
            return None
        e = errors[0]
        where = "$" + "".join(
            f"[{p}]" if isinstance(p, int) else f".{p}"
            for p in e.absolute_path)
        # A oneOf's message is the whole instance: its best branch's says
        # more.
        best = jsonschema.exceptions.best_match([e])
        msg = best.message if best is not e else e.message
        if len(msg) > 300:
            msg = msg[:300] + "..."
        return f"{where}: {msg}"

    # routes --------------------------------------------------------------

    def check_routes(self, routes):
        ops = {(m, p) for m, p, _, _ in operations(self.doc)}
        for m, p in sorted(routes - ops):
            self.fail(f"{m} {p}", "the server answers it: not in " + DOC)
        for m, p in sorted(ops - routes):
            self.fail(f"{m} {p}", "in " + DOC + ": no such route in " +
                      ROUTES)

    # document ------------------------------------------------------------

    def check_core_tables(self, root):
        """Each schema naming a table of core (x-linkdesk-table) lists
        exactly its values."""
        for name, schema in self.doc.get("components", {}).get(
                "schemas", {}).items():
            self.check_table(f"schema {name}", schema, root)
            for prop, sub in schema.get("properties", {}).items():
                self.check_table(f"schema {name}.{prop}", sub, root)
            for prop, sub in (schema.get("properties", {}).get(
                    "error", {}).get("properties", {}).items()):
                self.check_table(f"schema {name}.error.{prop}", sub, root)

    def check_table(self, where, schema, root):
        table = schema.get("x-linkdesk-table") if isinstance(
            schema, dict) else None
        if not table:
            return
        path, cname = table.split()
        try:
            with open(os.path.join(root, path), encoding="utf-8") as f:
                values = c_table(f.read(), cname)
        except OSError as e:
            self.fail(where, f"cannot read {path}: {e.strerror}")
            return
        if values is None:
            self.fail(where, f"no table {cname} in {path}")
            return
        doc = [v for v in schema.get("enum", []) if v is not None]
        missing = [v for v in values if v not in doc]
        extra = [v for v in doc if v not in values]
        if missing:
            self.fail(where, f"{path} {cname} has {', '.join(missing)}: "
                      "not in the enum")
        if extra:
            self.fail(where, f"the enum has {', '.join(extra)}: not in "
                      f"{path} {cname}")

    def check_document(self):
        ids = {}
        meta = jsonschema.Draft202012Validator
        for name, schema in self.doc.get("components", {}).get(
                "schemas", {}).items():
            try:
                meta.check_schema(schema)
            except jsonschema.SchemaError as e:
                self.fail(f"schema {name}", e.message)
        for m, p, op, item in operations(self.doc):
            where = f"{m} {p}"
            oid = op.get("operationId")
            if not oid:
                self.fail(where, "no operationId")
            elif oid in ids:
                self.fail(where, f"operationId {oid} also names {ids[oid]}")
            else:
                ids[oid] = where
            params = [self.deref(x) for x in
                      item.get("parameters", []) + op.get("parameters", [])]
            names = {x["name"] for x in params if x.get("in") == "path"}
            for want in re.findall(r"\{([^}]+)\}", p):
                if want not in names:
                    self.fail(where, f"no path parameter {want}")
            body = op.get("requestBody")
            if body:
                for ctype, c in self.deref(body).get("content", {}).items():
                    self.check_schema(where + " request " + ctype,
                                      c.get("schema"))
            responses = op.get("responses", {})
            if not any(s.startswith("2") for s in responses):
                self.fail(where, "no success response")
            for status, r in responses.items():
                for ctype, c in self.deref(r).get("content", {}).items():
                    self.check_schema(f"{where} {status} {ctype}",
                                      c.get("schema"))
                    self.check_closed(f"{where} {status}",
                                      c.get("schema"), set())

    def check_closed(self, where, schema, seen):
        """Every object of an answer that lists its properties says what
        else it may hold (additionalProperties: false where the shape is
        fixed), so that a field the server adds and the document does not
        name fails the check."""
        if isinstance(schema, list):
            for x in schema:
                self.check_closed(where, x, seen)
            return
        if not isinstance(schema, dict):
            return
        if "$ref" in schema:
            ref = schema["$ref"]
            if ref in seen:
                return
            seen.add(ref)
            self.check_closed(f"{where} {ref.split('/')[-1]}",
                              self.deref(schema), seen)
            return
        if "properties" in schema and "additionalProperties" not in schema:
            self.fail(where, "an object with properties and no "
                      "additionalProperties: an undocumented field would "
                      "pass (say false, or what else it may hold)")
        for key in ("properties", "patternProperties", "$defs"):
            for sub in schema.get(key, {}).values():
                self.check_closed(where, sub, seen)
        for key in ("items", "additionalProperties", "not", "if", "then",
                    "else", "anyOf", "oneOf", "allOf", "prefixItems"):
            if key in schema:
                self.check_closed(where, schema[key], seen)

    def check_schema(self, where, schema):
        if id(schema) in self.checked:
            return  # a shared one (components/responses), checked once
        self.checked.add(id(schema))
        if schema is None:
            self.fail(where, "no schema")
            return
        if schema == {} or schema == {"type": "object"}:
            self.fail(where, "an empty schema describes nothing")
            return
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as e:
            self.fail(where, e.message)

    def deref(self, obj):
        while isinstance(obj, dict) and "$ref" in obj:
            ref = obj["$ref"]
            if not ref.startswith("#/"):
                raise ValueError("only local references: " + ref)
            obj = self.doc
            for part in ref[2:].split("/"):
                obj = obj[part.replace("~1", "/").replace("~0", "~")]
        return obj

    # responses -----------------------------------------------------------

    def match(self, method, path):
        """The operation a request reaches, as the router finds it: the
        template with the most literal segments wins."""
        segs = path.split("/")
        best = None
        for m, p, op, _ in operations(self.doc):
            tsegs = p.split("/")
            if len(tsegs) != len(segs):
                continue
            literal = 0
            for t, s in zip(tsegs, segs):
                if t.startswith("{") and t.endswith("}"):
                    if not s:
                        break
                elif t != s:
                    break
                else:
                    literal += 1
            else:
                if m == method and (best is None or literal > best[0]):
                    best = (literal, p, op)
        return (best[1], best[2]) if best else (None, None)

    def check_log(self, lines):
        counted = set()
        for n, raw in enumerate(lines, 1):
            if not raw.strip():
                continue
            try:
                e = json.loads(raw)
            except ValueError as err:
                self.fail(f"log line {n}", f"not JSON: {err}")
                continue
            method = e["method"]
            method = "GET" if method == "HEAD" else method
            path = urlsplit(e["path"]).path
            if not api_route(path):
                continue
            template, op = self.match(method, path)
            status = e["status"]
            if status == 0:
                continue  # no answer at all: a test of timeouts
            if op is None:
                # Unknown addresses and methods answer the error body.
                if status in (404, 405):
                    self.check_error_body(e, f"{method} {path}")
                else:
                    # One line for every id: /cases/1 and /cases/2 alike.
                    shape = re.sub(r"/\d[^/]*(?=/|$)", "/{n}", path)
                    self.fail(f"{method} {shape}",
                              "answered, and no operation in " + DOC)
                continue
            counted.add((method, template))
            self.check_response(e, method, template, op)
        return counted

    def check_error_body(self, e, where):
        schema = {"$ref": "#/components/schemas/Error"}
        self.check_json(e, where, schema)

    def check_json(self, e, where, schema):
        if "body" not in e:
            self.fail(where, "a JSON answer that is not UTF-8")
            return
        try:
            body = json.loads(e["body"])
        except ValueError as err:
            self.fail(where, f"a body that is not JSON: {err}")
            return
        err = self.first_error(schema, body, e["body"])
        if err:
            self.fail(f"{where} ({e.get('test', '?')})", err)

    def check_response(self, e, method, template, op):
        status = e["status"]
        where = f"{method} {template} {status}"
        responses = op.get("responses", {})
        r = responses.get(str(status))
        if r is None:
            if status >= 500 or status in GENERIC:
                r = responses.get("default")
            if r is None:
                self.fail(where, "status not documented for this operation"
                          f" ({e.get('test', '?')})")
                return
        r = self.deref(r)
        content = r.get("content", {})
        ctype = e.get("content_type", "").split(";")[0].strip().lower()
        if not content:
            if e.get("body") or e.get("body_bytes"):
                self.fail(where, "a body where the document gives none")
            return
        if method == "HEAD":
            return
        ctype = self.media_range(ctype, content)
        if ctype is None:
            ctype = e.get("content_type", "")
            self.fail(where, f"content type {ctype or '(none)'}, the "
                      f"document gives {', '.join(sorted(content))}")
            return
        if ctype == "application/json":
            self.check_json(e, where, content[ctype].get("schema", {}))
        if 200 <= status < 300 and e.get("request"):
            self.check_request(e, method, template, op)

    @staticmethod
    def media_range(ctype, content):
        """The key of content that ctype falls under (exact, type/* or
        */*), or None."""
        if ctype in content:
            return ctype
        major = ctype.split("/")[0] + "/*"
        if ctype and major in content:
            return major
        if ctype and "*/*" in content:
            return "*/*"
        return None

    def check_request(self, e, method, template, op):
        body = self.deref(op.get("requestBody", {}))
        schema = body.get("content", {}).get("application/json", {}).get(
            "schema")
        where = f"{method} {template} request"
        if schema is None:
            if body:
                return  # a form or multipart body, not logged as JSON
            self.fail(where, "a body was sent and accepted, the document "
                      "gives none")
            return
        try:
            value = json.loads(e["request"])
        except ValueError:
            return  # not JSON, yet accepted: the response check says more
        err = self.first_error(schema, value)
        if err:
            self.fail(f"{where} ({e.get('test', '?')})", err)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", help="responses logged by the HTTP tests")
    ap.add_argument("--doc", default=DOC)
    ap.add_argument("--routes", default=ROUTES)
    args = ap.parse_args()
    with open(args.doc, encoding="utf-8") as f:
        doc = json.load(f)
    with open(args.routes, encoding="utf-8") as f:
        routes = server_routes(f.read())
    c = Checker(doc)
    c.check_routes(routes)
    c.check_document()
    c.check_core_tables(".")
    counted = set()
    logged = 0
    if args.log:
        try:
            with open(args.log, encoding="utf-8") as f:
                lines = f.readlines()
        except FileNotFoundError:
            lines = []
        logged = len(lines)
        counted = c.check_log(lines)
    for line in c.failures:
        print("openapi: " + line)
    if args.log:
        # Not a failure: the tests reach some operations only with
        # requests of their own (uploads, feeds), which api.c does not log.
        missed = sorted(f"{m} {p}" for m, p, _, _ in operations(doc)
                        if (m, p) not in counted)
        if missed and len(missed) <= 12:
            print("openapi: no logged response for: " + ", ".join(missed))
        elif missed:
            print(f"openapi: no logged response for {len(missed)} "
                  "operations")
    nops = sum(1 for _ in operations(doc))
    print(f"openapi: {len(routes)} routes, {nops} operations; "
          f"{logged} responses logged, reaching {len(counted)} operations; "
          f"{len(c.failures)} failures")
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
