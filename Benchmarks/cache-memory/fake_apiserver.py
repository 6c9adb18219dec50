#!/usr/bin/env python3
"""A minimal Kubernetes API server for users.auth.alauda.io/v1 and identities.user.openshift.io/v1, for the
cache memory and audit measurements.

Serves over HTTPS (bearer token required):
  GET /apis/auth.alauda.io/v1/users          N generated Users (realistic objects, managedFields included)
  GET /apis/user.openshift.io/v1/identities  an Identity for 9 Users in 10 (`--no-identities`: not served, 404)
Each collection: list with `limit` + `continue` paging, all at one resourceVersion; watch (`watch=true`): a
chunked stream that stays open for `timeoutSeconds`, sending a BOOKMARK every 10 s. SIGUSR1 ends every open
watch with an ERROR event 410 Expired, as an apiserver does when a watch falls behind compaction, so that the
client must list again (the relist measurement of cache-memory/run.sh). Discovery (/version, /apis,
/apis/GROUP, /apis/GROUP/v1) is answered for both groups.

Nothing is held per object: User n and its Identity are functions of n, formatted from a JSON template page by
page (1,000,000 Users cost the server no more memory than 100), and Identity j is the one of User
(j // 9) * 10 + j % 9 (User n has none when n % 10 == 9), so both lists are in name order, as an apiserver lists.

Defects, so that the audit's checks across objects have something to find (`--no-defects`: none), one each per
DEFECT_PERIOD (5,000) Users, i.e. 20 of each per 100,000 Users:
  - n % 5000 == 3456: User n has User n-1's email in other letter case (both are reported: user.email-unique);
  - n % 5000 == 1234: User n's Identity names a User that no longer exists, `deleted-user-NNNNNN`
    (identity.user-exists);
  - n % 5000 == 2345: User n's Identity carries the uid of an earlier User of that name (identity.user-exists).
"""
import argparse
import base64
import json
import signal
import ssl
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

USERS_GROUP, IDENTITIES_GROUP = "auth.alauda.io", "user.openshift.io"
PATH = "/apis/auth.alauda.io/v1/users"
IDENTITIES_PATH = "/apis/user.openshift.io/v1/identities"
PROVIDER = "corp-ldap"
DEFECT_PERIOD = 5000
SHARED_EMAIL, DANGLING_IDENTITY, UID_MISMATCH = 3456, 1234, 2345
# A User's resourceVersion is OBJECT_RV_BASE + n; the lists' is above every object's.
OBJECT_RV_BASE = 4_900_000


def user_name(number):
    return "user-%06d" % number


def user_uid(number):
    return "6f1c2d3e-%04x-4a5b-8c9d-%012x" % (number % 65536, number)


def user_email(number, defects=True):
    if defects and number % DEFECT_PERIOD == SHARED_EMAIL:
        return "User-%06d@Example.com" % (number - 1)  # the same person's second account
    return "%s@example.com" % user_name(number)


def has_identity(number):
    return number % 10 != 9


def identity_count(users):
    return users // 10 * 9 + users % 10


def identity_owner(index):
    """The number of the User whose Identity is the index-th one listed."""
    return index // 9 * 10 + index % 9


def user_object(name, display_name, resource_version, uid, email):
    spec_fields = {"f:%s" % key: {} for key in (
        "account", "connector_id", "connector_name", "connector_type", "email", "groups", "is_admin",
        "is_disabled", "state", "username", "valid")}
    spec_fields["."] = {}
    return {
        "apiVersion": "auth.alauda.io/v1",
        "kind": "User",
        "metadata": {
            "annotations": {"cpaas.io/creator": "admin@cpaas.io", "cpaas.io/display-name": display_name},
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
            "resourceVersion": resource_version,
            "uid": uid,
        },
        "spec": {
            "account": name,
            "connector_id": "corp-ldap",
            "connector_name": "Corporate LDAP",
            "connector_type": "ldap",
            "email": email,
            "groups": ["developers", "platform"],
            "is_admin": False,
            "is_disabled": False,
            "last_login_time": "2024-06-01T10:11:12Z",
            "state": "active",
            "username": display_name,
            "valid": True,
        },
        "status": {},
    }


def identity_object(name, provider_user_name, resource_version, uid, user, user_uid_, email, display_name):
    return {
        "apiVersion": "user.openshift.io/v1",
        "kind": "Identity",
        "metadata": {
            "creationTimestamp": "2024-05-06T07:08:09Z",
            "managedFields": [{
                "apiVersion": "user.openshift.io/v1", "fieldsType": "FieldsV1", "manager": "oauth-server",
                "operation": "Update", "time": "2024-05-06T07:08:09Z",
                "fieldsV1": {"f:extra": {".": {}, "f:email": {}, "f:name": {}, "f:preferred_username": {}},
                             "f:providerName": {}, "f:providerUserName": {},
                             "f:user": {".": {}, "f:name": {}, "f:uid": {}}},
            }],
            "name": name,
            "resourceVersion": resource_version,
            "uid": uid,
        },
        "extra": {"email": email, "name": display_name, "preferred_username": provider_user_name},
        "providerName": PROVIDER,
        "providerUserName": provider_user_name,
        "user": {"name": user, "uid": user_uid_},
    }


def user_fields(number, defects=True):
    name = user_name(number)
    return dict(name=name, display_name="User %d" % number, resource_version=str(OBJECT_RV_BASE + number),
                uid=user_uid(number), email=user_email(number, defects))


def identity_fields(number, defects=True):
    name = user_name(number)
    user, uid = name, user_uid(number)
    if defects and number % DEFECT_PERIOD == DANGLING_IDENTITY:
        user, uid = "deleted-user-%06d" % number, "0d15ea5e-%04x-4a5b-8c9d-%012x" % (number % 65536, number)
    elif defects and number % DEFECT_PERIOD == UID_MISMATCH:
        uid = "5ca1ab1e-%04x-4a5b-8c9d-%012x" % (number % 65536, number)  # the User was deleted and recreated
    return dict(name="%s:%s" % (PROVIDER, name), provider_user_name=name,
                resource_version=str(OBJECT_RV_BASE + number), uid="1d3e7f9a-%04x-4b5c-9d8e-%012x" % (
                    number % 65536, number), user=user, user_uid_=uid, email=user_email(number, defects),
                display_name="User %d" % number)


def template(build, keys):
    """`build`'s object as compact JSON with a %(key)s slot per string field (fields need no JSON escaping)."""
    text = json.dumps(build(**{key: "@@%s@@" % key for key in keys}), separators=(",", ":")).replace("%", "%%")
    for key in keys:
        text = text.replace("@@%s@@" % key, "%%(%s)s" % key)
    return text


USER_TEMPLATE = template(user_object, ("name", "display_name", "resource_version", "uid", "email"))
IDENTITY_TEMPLATE = template(identity_object, ("name", "provider_user_name", "resource_version", "uid", "user",
                                               "user_uid_", "email", "display_name"))


def user(number, defects=True):
    """User `number` as a dict (the reference for the JSON the server sends)."""
    return user_object(**user_fields(number, defects))


def identity(number, defects=True):
    """The Identity of User `number` as a dict."""
    return identity_object(**identity_fields(number, defects))


def user_json(number, defects=True):
    return USER_TEMPLATE % user_fields(number, defects)


def identity_json(number, defects=True):
    return IDENTITY_TEMPLATE % identity_fields(number, defects)


def self_check():
    numbers = [0, 1, 9, 10, 99_999, 999_999, DANGLING_IDENTITY, UID_MISMATCH, SHARED_EMAIL, SHARED_EMAIL - 1]
    for number in numbers:
        for defects in (True, False):
            assert json.loads(user_json(number, defects)) == user(number, defects), number
            assert json.loads(identity_json(number, defects)) == identity(number, defects), number
    assert [identity_owner(index) for index in range(identity_count(21))] == [
        number for number in range(21) if has_identity(number)]


def status(code, reason, message):
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "reason": reason,
            "code": code, "message": message}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    users = 0
    identities = True
    defects = True
    token = ""
    resource_version = 5_000_000
    stats = {"lists": 0, "watches": 0}
    # Bumped by SIGUSR1: a watch opened under an older value ends with 410 Expired.
    expiry = 0

    def log_message(self, *args):
        pass

    def send_body(self, code, data):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def send_json(self, code, body):
        self.send_body(code, json.dumps(body, separators=(",", ":")).encode())

    def collections(self):
        """{path: (group, kind, resource, count, json of the index-th object)}"""
        served = {PATH: (USERS_GROUP, "User", "users", self.users,
                         lambda index: user_json(index, self.defects))}
        if self.identities:
            served[IDENTITIES_PATH] = (IDENTITIES_GROUP, "Identity", "identities", identity_count(self.users),
                                       lambda index: identity_json(identity_owner(index), self.defects))
        return served

    def discovery(self, path):
        groups = [USERS_GROUP] + ([IDENTITIES_GROUP] if self.identities else [])
        kinds = {USERS_GROUP: ("users", "User"), IDENTITIES_GROUP: ("identities", "Identity")}

        def group(name):
            version = {"groupVersion": name + "/v1", "version": "v1"}
            return {"name": name, "versions": [version], "preferredVersion": version}
        if path == "/version":
            return {"major": "1", "minor": "30", "gitVersion": "v1.30.0-fake", "platform": "linux/amd64"}
        if path == "/apis":
            return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [group(name) for name in groups]}
        for name in groups:
            if path == "/apis/" + name:
                return dict(kind="APIGroup", apiVersion="v1", **group(name))
            if path == "/apis/%s/v1" % name:
                resource, kind = kinds[name]
                return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": name + "/v1", "resources": [
                    {"name": resource, "singularName": kind.lower(), "namespaced": False, "kind": kind,
                     "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]}]}
        return None

    def do_GET(self):
        url = urlparse(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        if self.headers.get("Authorization") != "Bearer " + self.token:
            return self.send_json(401, status(401, "Unauthorized", "Unauthorized"))
        path = url.path.rstrip("/") or "/"
        collection = self.collections().get(path)
        if collection is None:
            found = self.discovery(path)
            if found is not None:
                return self.send_json(200, found)
            return self.send_json(404, status(404, "NotFound", "the server could not find the requested resource"))
        group, kind, _, count, render = collection
        if query.get("watch") in ("true", "1"):
            return self.watch(query, group, kind)
        Handler.stats["lists"] += 1
        limit = int(query.get("limit", "0")) or count
        offset = 0
        if query.get("continue"):
            offset = json.loads(base64.b64decode(query["continue"]))["offset"]
        end = min(count, offset + limit)
        metadata = {"resourceVersion": str(self.resource_version)}
        if end < count:
            metadata["continue"] = base64.b64encode(json.dumps(
                {"v": "meta.k8s.io/v1", "rv": self.resource_version, "offset": end}).encode()).decode()
            metadata["remainingItemCount"] = count - end
        head = json.dumps({"kind": kind + "List", "apiVersion": group + "/v1", "metadata": metadata},
                          separators=(",", ":"))
        body = head[:-1] + ',"items":[' + ",".join(render(index) for index in range(offset, end)) + "]}"
        self.send_body(200, body.encode())

    def watch(self, query, group, kind):
        Handler.stats["watches"] += 1
        timeout = int(query.get("timeoutSeconds", "300"))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        deadline = time.monotonic() + timeout
        expiry = Handler.expiry
        next_bookmark = time.monotonic() + 10
        try:
            while time.monotonic() < deadline:
                time.sleep(0.2)
                if Handler.expiry != expiry:
                    event = json.dumps({"type": "ERROR", "object": status(
                        410, "Expired", "too old resource version: watch fell behind")}).encode() + b"\n"
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
                    break
                if time.monotonic() < next_bookmark:
                    continue
                next_bookmark = time.monotonic() + 10
                event = json.dumps({"type": "BOOKMARK", "object": {
                    "kind": kind, "apiVersion": group + "/v1",
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
    parser.add_argument("--identities", action=argparse.BooleanOptionalAction, default=True,
                        help="serve identities.user.openshift.io (default: yes)")
    parser.add_argument("--defects", action=argparse.BooleanOptionalAction, default=True,
                        help="shared emails, dangling Identities, uid mismatches (default: yes)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--token", default="memory-token")
    arguments = parser.parse_args()
    self_check()
    Handler.users = arguments.users
    Handler.identities = arguments.identities
    Handler.defects = arguments.defects
    Handler.token = arguments.token
    Handler.resource_version = 5_000_000 + max(0, arguments.users - 100_000)

    def expire_watches(*_):
        Handler.expiry += 1
        Handler.resource_version += 1
    signal.signal(signal.SIGUSR1, expire_watches)
    server = ThreadingHTTPServer(("127.0.0.1", arguments.port), Handler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(arguments.cert, arguments.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
