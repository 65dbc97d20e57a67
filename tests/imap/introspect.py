"""An OAuth2 token introspection endpoint (RFC 7662) for the tests'
Dovecot, whose oauth2 passdb asks it whether an XOAUTH2 bearer token is
live: the one token given is, for the one user given; any other is not.

    python3 introspect.py PORT TOKEN USER
"""
import json
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

port, token, user = int(sys.argv[1]), sys.argv[2], sys.argv[3]


class Introspect(BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(n).decode())
        live = form.get("token", [""])[0] == token
        body = json.dumps({"active": True, "username": user} if live
                          else {"active": False}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


HTTPServer(("127.0.0.1", port), Introspect).serve_forever()
