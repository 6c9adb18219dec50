#!/usr/bin/env python3
"""A minimal Kubernetes API server for users.auth.alauda.io/v1, for the cache memory measurement.

Serves GET /apis/auth.alauda.io/v1/users over HTTPS (bearer token required):
  - list: `limit` + `continue` paging over N generated Users (realistic objects, managedFields included),
    all at one resourceVersion;
  - watch (`watch=true`): a chunked stream that stays open for `timeoutSeconds`, sending a BOOKMARK every 10 s.
Objects are generated page by page, so the server itself stays small.
"""
import argparse
import base64
import json
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

PATH = "/apis/auth.alauda.io/v1/users"


def user(number, resource_version):
    name = "user-%06d" % number
    spec_fields = {"f:%s" % key: {} for key in (
        "account", "connector_id", "connector_name", "connector_type", "email", "groups", "is_admin",
        "is_disabled", "state", "username", "valid")}
    spec_fields["."] = {}
    return {
        "apiVersion": "auth.alauda.io/v1",
        "kind": "User",
        "metadata": {
            "annotations": {"cpaas.io/creator": "admin@cpaas.io", "cpaas.io/display-name": "User %d" % number},
            "creationTimestamp": "2024-05-06T07:08:09Z",
            "generation": 1,
            "labels": {
                "auth.cpaas.io/user.connector_id": "corp-ldap",
                "auth.cpaas.io/user.connector_type": "ldap",
                "auth.cpaas.io/user.state": "active",
                "auth.cpaas.io/user.username": name,
            },
            "managedFields": [
                {
                    "apiVersion": "auth.alauda.io/v1", "fieldsType": "FieldsV1", "manager": "dex",
                    "operation": "Update", "time": "2024-05-06T07:08:09Z",
                    "fieldsV1": {
                        "f:metadata": {
                            "f:annotations": {".": {}, "f:cpaas.io/creator": {}, "f:cpaas.io/display-name": {}},
                            "f:labels": {".": {}, "f:auth.cpaas.io/user.connector_id": {},
                                         "f:auth.cpaas.io/user.connector_type": {},
                                         "f:auth.cpaas.io/user.state": {}, "f:auth.cpaas.io/user.username": {}},
                        },
                        "f:spec": spec_fields,
                    },
                },
                {
                    "apiVersion": "auth.alauda.io/v1", "fieldsType": "FieldsV1", "manager": "apollo",
                    "operation": "Update", "time": "2024-06-01T10:11:12Z",
                    "fieldsV1": {"f:spec": {"f:last_login_time": {}}},
                },
            ],
            "name": name,
            "resourceVersion": str(resource_version - 100000 + number),
            "uid": "6f1c2d3e-%04x-4a5b-8c9d-%012x" % (number % 65536, number),
        },
        "spec": {
            "account": name,
            "connector_id": "corp-ldap",
            "connector_name": "Corporate LDAP",
            "connector_type": "ldap",
            "email": "%s@example.com" % name,
            "groups": ["developers", "platform"],
            "is_admin": False,
            "is_disabled": False,
            "last_login_time": "2024-06-01T10:11:12Z",
            "state": "active",
            "username": "User %d" % number,
            "valid": True,
        },
        "status": {},
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    users = 0
    token = ""
    resource_version = 5_000_000
    stats = {"lists": 0, "watches": 0}

    def log_message(self, *args):
        pass

    def send_json(self, status, body):
        data = json.dumps(body, separators=(",", ":")).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlparse(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        if self.headers.get("Authorization") != "Bearer " + self.token:
            return self.send_json(401, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                        "reason": "Unauthorized", "code": 401, "message": "Unauthorized"})
        if url.path != PATH:
            return self.send_json(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                        "reason": "NotFound", "code": 404,
                                        "message": "the server could not find the requested resource"})
        if query.get("watch") in ("true", "1"):
            return self.watch(query)
        Handler.stats["lists"] += 1
        limit = int(query.get("limit", "0")) or self.users
        offset = 0
        if query.get("continue"):
            offset = json.loads(base64.b64decode(query["continue"]))["offset"]
        end = min(self.users, offset + limit)
        metadata = {"resourceVersion": str(self.resource_version)}
        if end < self.users:
            metadata["continue"] = base64.b64encode(json.dumps(
                {"v": "meta.k8s.io/v1", "rv": self.resource_version, "offset": end}).encode()).decode()
            metadata["remainingItemCount"] = self.users - end
        self.send_json(200, {"kind": "UserList", "apiVersion": "auth.alauda.io/v1", "metadata": metadata,
                             "items": [user(number, self.resource_version) for number in range(offset, end)]})

    def watch(self, query):
        Handler.stats["watches"] += 1
        timeout = int(query.get("timeoutSeconds", "300"))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                time.sleep(min(10, max(0, deadline - time.monotonic())))
                event = json.dumps({"type": "BOOKMARK", "object": {
                    "kind": "User", "apiVersion": "auth.alauda.io/v1",
                    "metadata": {"resourceVersion": str(self.resource_version)}}}).encode() + b"\n"
                self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--token", default="memory-token")
    arguments = parser.parse_args()
    Handler.users = arguments.users
    Handler.token = arguments.token
    server = ThreadingHTTPServer(("127.0.0.1", arguments.port), Handler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(arguments.cert, arguments.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
