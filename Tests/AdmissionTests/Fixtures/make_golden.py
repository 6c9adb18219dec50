#!/usr/bin/env python3
"""Writes the golden AdmissionReview fixtures in golden/ (python3, stdlib only).

Each fixture is one request body and the exact response identity-guard must give. The request bodies are
built from the real kube-apiserver captures in captures/ beside this script (same metadata shape with
managedFields, same userInfo/options per operation), with other specs. The expected responses are written by
hand from the README's rule catalogue and webhook protocol and the rule sources: every message below is spelled out literally, every patch
operation is written out literally, and this script only base64-encodes the patch and applies it with its
own small JSON Patch applier. It never runs the Swift code, so the fixtures are an independent check.

Usage: python3 make_golden.py [CAPTURES_DIR]
"""

import base64
import copy
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "golden")
DEFAULT_CAPTURES = os.path.join(HERE, "captures")
CAPTURES = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_CAPTURES

V1 = "admission.k8s.io/v1"
V1BETA1 = "admission.k8s.io/v1beta1"


def capture(name):
    with open(os.path.join(CAPTURES, name + ".request.json"), encoding="utf-8") as handle:
        return json.load(handle)["body"]


CAP_DELETE_ALICE = capture("01-delete-users")
CAP_CREATE_ALICE = capture("02-create-users")
CAP_UPDATE_ALICE = capture("03-update-users")
CAP_CREATE_BOB = capture("04-create-users")
CAP_DELETE_BOB = capture("05-delete-users")

# ---------------------------------------------------------------------------------------------------------
# Request bodies, shaped like the captures
# ---------------------------------------------------------------------------------------------------------

ADMIN = CAP_CREATE_ALICE["request"]["userInfo"]
DEVELOPER = CAP_CREATE_BOB["request"]["userInfo"]
CREATE_OPTIONS = CAP_CREATE_ALICE["request"]["options"]
UPDATE_OPTIONS = {"kind": "UpdateOptions", "apiVersion": "meta.k8s.io/v1", "fieldManager": "kubectl-edit"}
DELETE_OPTIONS = CAP_DELETE_ALICE["request"]["options"]

USER_GVK = {"group": "auth.alauda.io", "version": "v1", "kind": "User"}
USER_GVR = {"group": "auth.alauda.io", "version": "v1", "resource": "users"}
IDENTITY_GVK = {"group": "user.openshift.io", "version": "v1", "kind": "Identity"}
IDENTITY_GVR = {"group": "user.openshift.io", "version": "v1", "resource": "identities"}
CONFIGMAP_GVK = {"group": "", "version": "v1", "kind": "ConfigMap"}
CONFIGMAP_GVR = {"group": "", "version": "v1", "resource": "configmaps"}


def fields_v1(keys, prefix=""):
    """A managedFields `fieldsV1` set for the given keys (nested dicts give nested sets)."""
    result = {".": {}} if prefix else {}
    for key, value in keys.items():
        result["f:" + key] = fields_v1(value, key) if isinstance(value, dict) and value else {}
    return result


def managed_entry(manager, time, fields, operation="Update", subresource=None):
    entry = {"apiVersion": fields.pop("__apiVersion"), "fieldsType": "FieldsV1", "fieldsV1": fields,
             "manager": manager, "operation": operation}
    if subresource:
        entry["subresource"] = subresource
    entry["time"] = time
    return entry


def user(name, spec, uid="38fd79e1-0a1e-44c1-a038-fa21b052fe1d", time="2026-11-24T04:19:05Z",
         resource_version=None, namespace=None, manager="kubectl-create", top=None):
    """A User the way the apiserver sends it: labels, managedFields for the spec keys, uid."""
    metadata = {"creationTimestamp": time, "generation": 1,
                "labels": {"auth.cpaas.io/user.connector_id": "local"}}
    f_spec = {".": {}}
    if isinstance(spec, dict):
        for key in spec:
            f_spec["f:" + key] = {}
    fields = {"__apiVersion": "auth.alauda.io/v1",
              "f:metadata": {"f:labels": {".": {}, "f:auth.cpaas.io/user.connector_id": {}}}}
    if spec is not None:
        fields["f:spec"] = f_spec
    metadata["managedFields"] = [managed_entry(manager, time, fields)]
    metadata["name"] = name
    if namespace is not None:
        metadata["namespace"] = namespace
    if resource_version is not None:
        metadata["resourceVersion"] = resource_version
    metadata["uid"] = uid
    obj = {"apiVersion": "auth.alauda.io/v1", "kind": "User", "metadata": metadata}
    if spec is not None:
        obj["spec"] = spec
    for key, value in (top or {}).items():
        obj[key] = value
    return obj


def identity(name, body, uid="7c3b1d0e-5a0f-4f7e-9a55-0e8a1c2f6b11", time="2026-11-24T04:21:40Z",
             resource_version=None, namespace=None):
    """An Identity as oauth-server creates it on a first login (top-level fields, no spec)."""
    metadata = {"creationTimestamp": time}
    fields = {"__apiVersion": "user.openshift.io/v1"}
    for key, value in body.items():
        if key == "extra" and isinstance(value, dict):
            fields["f:extra"] = {".": {}, **{"f:" + k: {} for k in value}}
        elif key == "user" and isinstance(value, dict):
            fields["f:user"] = {}
        else:
            fields["f:" + key] = {}
    metadata["managedFields"] = [managed_entry("oauth-server", time, fields)]
    metadata["name"] = name
    if namespace is not None:
        metadata["namespace"] = namespace
    if resource_version is not None:
        metadata["resourceVersion"] = resource_version
    metadata["uid"] = uid
    obj = {"apiVersion": "user.openshift.io/v1", "kind": "Identity", "metadata": metadata}
    obj.update(body)
    return obj


def review(uid, gvk, gvr, name, operation, obj, old=None, version=V1, user_info=None, options=None,
           dry_run=False, sub_resource=None):
    """An AdmissionReview request body in the captures' member order."""
    request = {"uid": uid, "kind": gvk, "resource": gvr}
    if sub_resource is not None:
        request["subResource"] = sub_resource
    request["requestKind"] = gvk
    request["requestResource"] = gvr
    if sub_resource is not None:
        request["requestSubResource"] = sub_resource
    request["name"] = name
    request["operation"] = operation
    request["userInfo"] = user_info or ADMIN
    request["object"] = obj
    request["oldObject"] = old
    request["dryRun"] = dry_run
    if options is None:
        options = {"CREATE": CREATE_OPTIONS, "UPDATE": UPDATE_OPTIONS, "DELETE": DELETE_OPTIONS}.get(operation)
    if options is not None:
        request["options"] = options
    return {"kind": "AdmissionReview", "apiVersion": version, "request": copy.deepcopy(request)}


def user_review(uid, name, operation, obj, old=None, **kwargs):
    return review(uid, USER_GVK, USER_GVR, name, operation, obj, old, **kwargs)


def identity_review(uid, name, operation, obj, old=None, **kwargs):
    return review(uid, IDENTITY_GVK, IDENTITY_GVR, name, operation, obj, old, **kwargs)


def as_version(body, version):
    body = copy.deepcopy(body)
    body["apiVersion"] = version
    return body


def with_uid(body, uid):
    body = copy.deepcopy(body)
    body["request"]["uid"] = uid
    return body


def spec_of(body, **changes):
    """A copy of the capture's object with spec members replaced (None removes)."""
    obj = copy.deepcopy(body["request"]["object"])
    for key, value in changes.items():
        if value is None:
            obj["spec"].pop(key, None)
        else:
            obj["spec"][key] = value
    return obj


BASE_SPEC = {"connector_type": "local", "email": "alice@example.com", "username": "alice", "valid": True}


def alice_spec(**extra):
    spec = dict(BASE_SPEC)
    for key, value in extra.items():
        if value is None:
            spec.pop(key, None)
        else:
            spec[key] = value
    return spec


# ---------------------------------------------------------------------------------------------------------
# Expected responses, written by hand
# ---------------------------------------------------------------------------------------------------------

USER_KIND = ("User", "auth.alauda.io")
IDENTITY_KIND = ("Identity", "user.openshift.io")


def response_body(version, response):
    return {"apiVersion": version, "kind": "AdmissionReview", "response": response}


def allowed(version, uid, warnings=None):
    response = {"uid": uid, "allowed": True}
    if warnings:
        response["warnings"] = warnings
    return response_body(version, response)


def denied(version, uid, kind, name, causes, warnings=None, more=None):
    """causes: (field, reason, body) in the expected order; the message is `field: body`. `more`: the sentence
    that counts the violations past the 100-cause cap, as the last cause and the message's last entry."""
    kind_name, group = kind
    messages = [f"{field}: {body}" for field, _, body in causes]
    if more:
        messages.append(more)
        causes = causes + [("", "TooManyViolations", more)]
    joined = messages[0] if len(messages) == 1 else "[" + ", ".join(messages) + "]"
    details = {}
    if name:
        details["name"] = name
    details["group"] = group
    details["kind"] = kind_name
    details["causes"] = [{"reason": reason, "message": body, "field": field} for field, reason, body in causes]
    status = {"metadata": {}, "status": "Failure",
              "message": f'{kind_name}.{group} {go_quote(name)} is invalid: {joined}',
              "reason": "Forbidden", "details": details, "code": 403}
    response = {"uid": uid, "allowed": False, "status": status}
    if warnings:
        response["warnings"] = warnings
    return response_body(version, response)


def errored(version, uid, message):
    status = {"metadata": {}, "status": "Failure", "message": message, "reason": "BadRequest", "code": 400}
    return response_body(version, {"uid": uid, "allowed": False, "status": status})


def patched(version, uid, ops, warnings=None, audit=None):
    response = {"uid": uid, "allowed": True, "patch": patch_base64(ops), "patchType": "JSONPatch"}
    if audit:
        response["auditAnnotations"] = audit
    if warnings:
        response["warnings"] = warnings
    return response_body(version, response)


def go_quote(text):
    """Go's %q for the plain printable strings these fixtures use."""
    assert all(ch.isprintable() for ch in text), text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def patch_json(ops):
    return json.dumps(ops, separators=(",", ":"), ensure_ascii=False)


def patch_base64(ops):
    return base64.b64encode(patch_json(ops).encode("utf-8")).decode("ascii")


# --- a small RFC 6902 applier (add / remove / replace are all these fixtures need) -----------------------

def pointer_tokens(pointer):
    if pointer == "":
        return []
    assert pointer.startswith("/"), pointer
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/")]


def apply_patch(document, ops):
    document = copy.deepcopy(document)
    for op in ops:
        tokens = pointer_tokens(op["path"])
        parent = document
        for token in tokens[:-1]:
            parent = parent[int(token)] if isinstance(parent, list) else parent[token]
        last = tokens[-1]
        if op["op"] == "add":
            if isinstance(parent, list):
                parent.insert(len(parent) if last == "-" else int(last), op["value"])
            else:
                parent[last] = op["value"]
        elif op["op"] == "remove":
            if isinstance(parent, list):
                del parent[int(last)]
            else:
                assert last in parent, op
                del parent[last]
        elif op["op"] == "replace":
            if isinstance(parent, list):
                parent[int(last)] = op["value"]
            else:
                assert last in parent, op
                parent[last] = op["value"]
        else:
            raise ValueError(op)
    return document


# ---------------------------------------------------------------------------------------------------------
# Literal messages (SPEC §1 wording, details as the rule sources word them)
# ---------------------------------------------------------------------------------------------------------

NOT_DECLARED = "Forbidden: field not declared in schema"
NAMESPACE_FORBIDDEN = "Forbidden: not allowed on this type"
PASSWORD_BODY = "Forbidden: deprecated: plain-text passwords must not be stored"
WARN_PASSWORD = "spec.password: Forbidden: deprecated: plain-text passwords must not be stored"
WARN_OLD_PASSWORD = "spec.old_password: Forbidden: deprecated: plain-text passwords must not be stored"
SCRUB_BOTH = "removed deprecated spec.password, spec.old_password: plain-text passwords are not stored"
SCRUB_PASSWORD = "removed deprecated spec.password: plain-text passwords are not stored"
STATES = 'supported values: "active", "disabled", "locked", "invalid"'

CASES = []


def case(slug, description, path, request, response, config=None, users=None, ops=None):
    CASES.append({"slug": slug, "description": description, "path": path, "config": config, "users": users,
                  "request": request, "response": response, "ops": ops})


# =========================================================================================================
# Allowed traffic: the captures themselves, UPDATE, DELETE, CONNECT, other kinds, status, dry run
# =========================================================================================================

case("user-create-capture-allowed",
     "The captured CREATE of alice (v1): a valid User is allowed with nothing else in the response.",
     "/validate", CAP_CREATE_ALICE, allowed(V1, "4f2e209e-fc89-4ebb-8b53-825f81262544"))

case("user-update-capture-allowed",
     "The captured UPDATE (kubectl label) with oldObject: allowed.",
     "/validate", CAP_UPDATE_ALICE, allowed(V1, "a25d5c75-de36-4d68-9214-b7e4a40b06e7"))

case("user-delete-capture-allowed",
     "The captured DELETE: object is null, oldObject set; DELETE is allowed without rules.",
     "/validate", CAP_DELETE_ALICE, allowed(V1, "3d2813a2-0ec2-4b5f-978b-42550b5dfb9a"))

case("user-create-capture-bob-no-index-allowed",
     "The captured CREATE of bob with alice's email, when the index knows no other User: allowed "
     "(this is what the capture's webhook answered).",
     "/validate", CAP_CREATE_BOB, allowed(V1, "c1df51fe-96f0-4601-8d26-a56cfa7c7f5f"))

case("user-delete-capture-v1beta1-mutate",
     "The captured DELETE of bob, sent as admission.k8s.io/v1beta1 to /mutate: allowed, no patch, "
     "answered in v1beta1.",
     "/mutate", as_version(CAP_DELETE_BOB, V1BETA1), allowed(V1BETA1, "10a2a18a-efb7-4705-be60-a49c6ba0cb16"))

case("user-delete-invalid-old-object-allowed-v1beta1",
     "DELETE of a User whose stored object breaks several rules: DELETE is allowed regardless (v1beta1).",
     "/validate",
     user_review("e0d5c2a4-6b1f-4c1a-8f3e-1d2c3b4a5f60", "alice", "DELETE", None,
                 user("alice", alice_spec(state="sleeping", nickname="al"), resource_version="301"),
                 version=V1BETA1),
     allowed(V1BETA1, "e0d5c2a4-6b1f-4c1a-8f3e-1d2c3b4a5f60"))

case("user-connect-allowed",
     "CONNECT is allowed without rules (no object).",
     "/validate",
     user_review("0b6a6f5e-2f6d-4a51-9d0f-7c3c6f1e9a01", "alice", "CONNECT", None,
                 options={"kind": "PodExecOptions", "apiVersion": "v1"}),
     allowed(V1, "0b6a6f5e-2f6d-4a51-9d0f-7c3c6f1e9a01"))

CONFIGMAP = {"apiVersion": "v1", "kind": "ConfigMap",
             "metadata": {"creationTimestamp": "2026-11-24T04:22:10Z",
                          "managedFields": [{"apiVersion": "v1", "fieldsType": "FieldsV1",
                                             "fieldsV1": {"f:data": {".": {}, "f:password": {}}},
                                             "manager": "kubectl-create", "operation": "Update",
                                             "time": "2026-11-24T04:22:10Z"}],
                          "name": "alice", "namespace": "default",
                          "uid": "5b0c1e77-3f0e-4e5b-8a42-97c1d2e3f4a5"},
             "data": {"password": "hunter2", "state": "sleeping"}}

case("configmap-not-governed-validate",
     "A ConfigMap (a kind identity-guard does not govern) with password/state keys and a namespace: allowed "
     "untouched.",
     "/validate",
     review("9a1f0c55-7d1e-4c2b-b3e0-4f5a6b7c8d90", CONFIGMAP_GVK, CONFIGMAP_GVR, "alice", "CREATE", CONFIGMAP),
     allowed(V1, "9a1f0c55-7d1e-4c2b-b3e0-4f5a6b7c8d90"))

case("configmap-not-governed-mutate-v1beta1",
     "The same ConfigMap at /mutate in v1beta1: allowed, no patch.",
     "/mutate",
     review("9a1f0c55-7d1e-4c2b-b3e0-4f5a6b7c8d91", CONFIGMAP_GVK, CONFIGMAP_GVR, "alice", "CREATE", CONFIGMAP,
            version=V1BETA1),
     allowed(V1BETA1, "9a1f0c55-7d1e-4c2b-b3e0-4f5a6b7c8d91"))

case("user-other-version-not-governed",
     "A User of auth.alauda.io/v2 is not a governed kind (only v1 is): allowed untouched.",
     "/validate",
     review("1c2d3e4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5", {"group": "auth.alauda.io", "version": "v2", "kind": "User"},
            {"group": "auth.alauda.io", "version": "v2", "resource": "users"}, "alice", "CREATE",
            dict(user("alice", alice_spec(state="sleeping")), apiVersion="auth.alauda.io/v2")),
     allowed(V1, "1c2d3e4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5"))

STATUS_OLD = user("alice", alice_spec(), resource_version="402")
STATUS_NEW = user("alice", alice_spec(state="sleeping", nickname="al", password="hunter2"), resource_version="402",
                  top={"status": {"lastSync": "2026-11-24T05:00:00Z"}})
case("user-status-subresource-skips-spec",
     "UPDATE on users/status: every rule about spec is skipped (schema, state, password), so a spec with an "
     "unknown field, an unsupported state and a password is allowed.",
     "/validate",
     user_review("2f3e4d5c-6b7a-4988-a7b6-c5d4e3f2a1b0", "alice", "UPDATE", STATUS_NEW, STATUS_OLD,
                 sub_resource="status"),
     allowed(V1, "2f3e4d5c-6b7a-4988-a7b6-c5d4e3f2a1b0"))

case("user-status-subresource-mutate-no-patch",
     "The same status UPDATE at /mutate: the password is about spec, so nothing is patched.",
     "/mutate",
     user_review("2f3e4d5c-6b7a-4988-a7b6-c5d4e3f2a1b1", "alice", "UPDATE", STATUS_NEW, STATUS_OLD,
                 sub_resource="status"),
     allowed(V1, "2f3e4d5c-6b7a-4988-a7b6-c5d4e3f2a1b1"))

case("user-dry-run-create-warns",
     "dryRun: true CREATE with a password: same answer as without dry run (allowed with the deprecation "
     "warning); dry run changes only side effects.",
     "/validate",
     user_review("3a4b5c6d-7e8f-4a0b-9c1d-2e3f4a5b6c7d", "alice", "CREATE",
                 user("alice", alice_spec(password="hunter2")), dry_run=True),
     allowed(V1, "3a4b5c6d-7e8f-4a0b-9c1d-2e3f4a5b6c7d", [WARN_PASSWORD]))

case("user-dry-run-create-denied-v1beta1",
     "dryRun: true CREATE with an unsupported state (v1beta1): denied exactly like a real CREATE.",
     "/validate",
     user_review("3a4b5c6d-7e8f-4a0b-9c1d-2e3f4a5b6c7e", "alice", "CREATE",
                 user("alice", alice_spec(state="asleep")), dry_run=True, version=V1BETA1),
     denied(V1BETA1, "3a4b5c6d-7e8f-4a0b-9c1d-2e3f4a5b6c7e", USER_KIND, "alice",
            [("spec.state", "FieldValueNotSupported", f'Unsupported value: "asleep": {STATES}')]))

# =========================================================================================================
# user.schema
# =========================================================================================================

case("user-schema-unknown-fields",
     "user.schema: an unknown spec field (isAdmin for is_admin, nickname) and an unknown top-level field are "
     "each Forbidden with their full path, in field order.",
     "/validate",
     user_review("4b5c6d7e-8f90-4a1b-8c2d-3e4f5a6b7c8d", "alice", "CREATE",
                 user("alice", alice_spec(nickname="al", isAdmin=True), top={"data": {"team": "infra"}})),
     denied(V1, "4b5c6d7e-8f90-4a1b-8c2d-3e4f5a6b7c8d", USER_KIND, "alice",
            [("data", "FieldValueForbidden", NOT_DECLARED),
             ("spec.isAdmin", "FieldValueForbidden", NOT_DECLARED),
             ("spec.nickname", "FieldValueForbidden", NOT_DECLARED)]))

case("user-schema-wrong-types",
     "user.schema: \"true\" for a boolean, 1.0 for continuity_errors, a string for an object, groups[2] not a "
     "string, ids[1] not an object; each with its type.",
     "/validate",
     user_review("5c6d7e8f-9a0b-4c1d-9e2f-4a5b6c7d8e9f", "alice", "CREATE",
                 user("alice", alice_spec(is_admin="true", continuity_errors=1.0, expired="2027-01-01",
                                          groups=["dev", "ops", 42], ids=[{"ldap": "uid=alice"}, "alice"]))),
     denied(V1, "5c6d7e8f-9a0b-4c1d-9e2f-4a5b6c7d8e9f", USER_KIND, "alice",
            [("spec.continuity_errors", "FieldValueTypeInvalid", "Invalid value: 1.0: must be of type integer"),
             ("spec.expired", "FieldValueTypeInvalid", 'Invalid value: "2027-01-01": must be of type object'),
             ("spec.groups[2]", "FieldValueTypeInvalid", "Invalid value: 42: must be of type string"),
             ("spec.ids[1]", "FieldValueTypeInvalid", 'Invalid value: "alice": must be of type object'),
             ("spec.is_admin", "FieldValueTypeInvalid", 'Invalid value: "true": must be of type boolean')]))

case("user-schema-string-integer-namespace-secret-type",
     "user.schema: \"3\" for continuity_errors, metadata.namespace set on a cluster-scoped kind, and a "
     "password of the wrong type (its value is never printed, only its type); the password also warns.",
     "/validate",
     user_review("6d7e8f90-a1b2-4c3d-8e4f-5a6b7c8d9e0f", "alice", "CREATE",
                 user("alice", alice_spec(continuity_errors="3", password=123456), namespace="default")),
     denied(V1, "6d7e8f90-a1b2-4c3d-8e4f-5a6b7c8d9e0f", USER_KIND, "alice",
            [("metadata.namespace", "FieldValueForbidden", NAMESPACE_FORBIDDEN),
             ("spec.continuity_errors", "FieldValueTypeInvalid", 'Invalid value: "3": must be of type integer'),
             ("spec.password", "FieldValueTypeInvalid", 'Invalid value: "integer": must be of type string')],
            warnings=[WARN_PASSWORD]))

case("user-schema-negative-continuity-errors-v1beta1",
     "user.schema: continuity_errors is a non-negative integer (v1beta1).",
     "/validate",
     user_review("7e8f9a0b-b1c2-4d3e-9f4a-6b7c8d9e0f1a", "alice", "CREATE",
                 user("alice", alice_spec(continuity_errors=-1)), version=V1BETA1),
     denied(V1BETA1, "7e8f9a0b-b1c2-4d3e-9f4a-6b7c8d9e0f1a", USER_KIND, "alice",
            [("spec.continuity_errors", "FieldValueInvalid",
              "Invalid value: -1: must be greater than or equal to 0")]))

case("user-schema-all-fields-allowed",
     "Every one of the 22 UserSpec fields with its declared type, consistent and well-formed: allowed "
     "(only the password warns).",
     "/validate",
     user_review("8f9a0b1c-c2d3-4e4f-8a5b-7c8d9e0f1a2b", "alice", "CREATE",
                 user("alice", {"account": "alice", "connector_id": "ldap-1", "connector_name": "corp-ldap",
                                "connector_type": "ldap", "continuity_errors": 0, "email": "alice@example.com",
                                "expired": {"from": "2026-01-01T00:00:00Z", "to": "2027-01-01T00:00:00Z"},
                                "extra": {"department": "infra"}, "groups": ["dev", "ops"],
                                "ids": [{"system": "hr", "id": "4711"}], "is_admin": False,
                                "is_disabled": False, "last_login_time": "2026-11-24T06:19:05.123+02:00",
                                "mail": "alice@mail.example.com", "mobile": "+49 170 0000000",
                                "password": "hunter2", "state": "active", "username": "alice",
                                "valid": True, "webhookType": "slack",
                                "webhookUrl": "https://hooks.example.com:8443/services/T0K3N?x=1"})),
     allowed(V1, "8f9a0b1c-c2d3-4e4f-8a5b-7c8d9e0f1a2b", [WARN_PASSWORD]))

# =========================================================================================================
# user.email
# =========================================================================================================

case("user-email-missing-spec",
     "user.email: a User without spec has no email: Required value.",
     "/validate",
     user_review("9a0b1c2d-d3e4-4f5a-9b6c-8d9e0f1a2b3c", "alice", "CREATE", user("alice", None)),
     denied(V1, "9a0b1c2d-d3e4-4f5a-9b6c-8d9e0f1a2b3c", USER_KIND, "alice",
            [("spec.email", "FieldValueRequired", "Required value")]))

case("user-email-empty-v1beta1",
     "user.email: an empty email is Required value (v1beta1).",
     "/validate",
     user_review("a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d", "alice", "CREATE", user("alice", alice_spec(email="")),
                 version=V1BETA1),
     denied(V1BETA1, "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d", USER_KIND, "alice",
            [("spec.email", "FieldValueRequired", "Required value")]))

LONG_EMAIL = "a" * 243 + "@example.com"
assert len(LONG_EMAIL) == 255
case("user-email-too-long",
     "user.email: 255 characters is one over the limit of 254: Too long (the value is not repeated).",
     "/validate",
     user_review("b1c2d3e4-f5a6-4b7c-9d8e-0f1a2b3c4d5e", "alice", "CREATE",
                 user("alice", alice_spec(email=LONG_EMAIL))),
     denied(V1, "b1c2d3e4-f5a6-4b7c-9d8e-0f1a2b3c4d5e", USER_KIND, "alice",
            [("spec.email", "FieldValueTooLong", "Too long: may not be more than 254 characters")]))

USERNAME_254 = "a" * 254
case("user-email-254-username-allowed",
     "user.email: exactly 254 characters without \"@\" (a username, which Alauda allows): allowed.",
     "/validate",
     user_review("c2d3e4f5-a6b7-4c8d-8e9f-1a2b3c4d5e6f", "alice", "CREATE",
                 user("alice", alice_spec(email=USERNAME_254))),
     allowed(V1, "c2d3e4f5-a6b7-4c8d-8e9f-1a2b3c4d5e6f"))

case("user-email-white-space",
     "user.email: white space inside the email.",
     "/validate",
     user_review("d3e4f5a6-b7c8-4d9e-9f0a-2b3c4d5e6f7a", "alice", "CREATE",
                 user("alice", alice_spec(email="alice smith@example.com"))),
     denied(V1, "d3e4f5a6-b7c8-4d9e-9f0a-2b3c4d5e6f7a", USER_KIND, "alice",
            [("spec.email", "FieldValueInvalid",
              'Invalid value: "alice smith@example.com": must not contain white space or control characters')]))

case("user-email-bad-domain",
     "user.email: with \"@\", the domain must be dot-separated labels (here one label is empty).",
     "/validate",
     user_review("e4f5a6b7-c8d9-4e0f-8a1b-3c4d5e6f7a8b", "alice", "CREATE",
                 user("alice", alice_spec(email="alice@example..com"))),
     denied(V1, "e4f5a6b7-c8d9-4e0f-8a1b-3c4d5e6f7a8b", USER_KIND, "alice",
            [("spec.email", "FieldValueInvalid",
              'Invalid value: "alice@example..com": must have a domain of dot-separated labels of letters, '
              'digits and hyphens after the last "@"')]))

case("user-email-trailing-dot-v1beta1",
     "user.email: a domain ending in \".\" (v1beta1).",
     "/validate",
     user_review("e4f5a6b7-c8d9-4e0f-8a1b-3c4d5e6f7a8c", "alice", "CREATE",
                 user("alice", alice_spec(email="alice@example.com.")), version=V1BETA1),
     denied(V1BETA1, "e4f5a6b7-c8d9-4e0f-8a1b-3c4d5e6f7a8c", USER_KIND, "alice",
            [("spec.email", "FieldValueInvalid", 'Invalid value: "alice@example.com.": must not end with "."')]))

case("user-email-empty-local-part",
     "user.email: nothing before the last \"@\".",
     "/validate",
     user_review("e4f5a6b7-c8d9-4e0f-8a1b-3c4d5e6f7a8d", "alice", "CREATE",
                 user("alice", alice_spec(email="@example.com"))),
     denied(V1, "e4f5a6b7-c8d9-4e0f-8a1b-3c4d5e6f7a8d", USER_KIND, "alice",
            [("spec.email", "FieldValueInvalid",
              'Invalid value: "@example.com": must have 1 to 64 characters before the last "@"')]))

# SPEC §1 counts characters: "at most 254 characters", "local part 1-64 characters".
LOCAL_40_CHARS = "\u00eb" * 40 + "@example.com"          # 52 characters, 92 bytes; local part 40 chars / 80 bytes
assert len(LOCAL_40_CHARS) == 52 and len(LOCAL_40_CHARS.split("@")[0].encode()) == 80
case("user-email-non-ascii-local-part-within-64-characters",
     "user.email per SPEC §1: the local part may have 1-64 characters; 40 characters (80 UTF-8 bytes) of "
     "\u00eb is allowed.",
     "/validate",
     user_review("e4f5a6b7-c8d9-4e0f-8a1b-3c4d5e6f7a8e", "alice", "CREATE",
                 user("alice", alice_spec(email=LOCAL_40_CHARS))),
     allowed(V1, "e4f5a6b7-c8d9-4e0f-8a1b-3c4d5e6f7a8e"))

IDN_132_CHARS = "a@" + ("\u00fc" * 31 + ".") * 4 + "de"   # 132 characters, 256 bytes
assert len(IDN_132_CHARS) == 132 and len(IDN_132_CHARS.encode()) == 256
case("user-email-non-ascii-within-254-characters",
     "user.email per SPEC §1: at most 254 characters; an internationalized address of 132 characters (256 "
     "UTF-8 bytes) is allowed.",
     "/validate",
     user_review("e4f5a6b7-c8d9-4e0f-8a1b-3c4d5e6f7a8f", "alice", "CREATE",
                 user("alice", alice_spec(email=IDN_132_CHARS))),
     allowed(V1, "e4f5a6b7-c8d9-4e0f-8a1b-3c4d5e6f7a8f"))

# =========================================================================================================
# user.email-unique
# =========================================================================================================

case("user-email-unique-case-clash",
     "user.email-unique: two other Users hold the same email in other case (and with surrounding spaces in "
     "the index); the message names both, sorted.",
     "/validate",
     user_review("f5a6b7c8-d9e0-4f1a-9b2c-4d5e6f7a8b9c", "alice", "CREATE", user("alice", alice_spec())),
     denied(V1, "f5a6b7c8-d9e0-4f1a-9b2c-4d5e6f7a8b9c", USER_KIND, "alice",
            [("spec.email", "FieldValueDuplicate",
              'Duplicate value: "alice@example.com": already used by Users "carol", "dave"')]),
     users=[{"name": "dave", "email": " ALICE@example.com "}, {"name": "carol", "email": "Alice@Example.COM"},
            {"name": "erin", "email": "erin@example.com"}])

case("user-email-unique-capture-bob",
     "user.email-unique on the captured CREATE of bob, when the index knows alice holds alice@example.com.",
     "/validate", CAP_CREATE_BOB,
     denied(V1, "c1df51fe-96f0-4601-8d26-a56cfa7c7f5f", USER_KIND, "bob",
            [("spec.email", "FieldValueDuplicate", 'Duplicate value: "alice@example.com": already used by User "alice"')]),
     users=[{"name": "alice", "email": "alice@example.com"}])

case("user-email-unique-update-own-email-allowed",
     "user.email-unique: the captured UPDATE of alice keeps her own email, which the index holds for alice "
     "herself: a User never clashes with itself.",
     "/validate", CAP_UPDATE_ALICE, allowed(V1, "a25d5c75-de36-4d68-9214-b7e4a40b06e7"),
     users=[{"name": "alice", "email": "alice@example.com"}, {"name": "bob", "email": "bob@example.com"}])

case("user-email-unique-unicode-case-v1beta1",
     "user.email-unique compares with Unicode-aware lowercasing: zoë@example.com clashes with ZOË@EXAMPLE.COM "
     "(v1beta1; non-ASCII printed as is).",
     "/validate",
     user_review("a6b7c8d9-e0f1-4a2b-8c3d-5e6f7a8b9c0d", "zoe2", "CREATE",
                 user("zoe2", alice_spec(email="zoë@example.com", username="zoe2")), version=V1BETA1),
     denied(V1BETA1, "a6b7c8d9-e0f1-4a2b-8c3d-5e6f7a8b9c0d", USER_KIND, "zoe2",
            [("spec.email", "FieldValueDuplicate", 'Duplicate value: "zoë@example.com": already used by User "zoe"')]),
     users=[{"name": "zoe", "email": "ZOË@EXAMPLE.COM"}])

case("user-email-same-field-two-rules",
     "Two rules on the same field: the leading space breaks user.email and, trimmed, the email clashes with "
     "carol's (user.email-unique); ties are in rule-catalogue order, joined in brackets.",
     "/validate",
     user_review("b7c8d9e0-f1a2-4b3c-9d4e-6f7a8b9c0d1e", "alice", "CREATE",
                 user("alice", alice_spec(email=" alice@example.com"))),
     denied(V1, "b7c8d9e0-f1a2-4b3c-9d4e-6f7a8b9c0d1e", USER_KIND, "alice",
            [("spec.email", "FieldValueInvalid",
              'Invalid value: " alice@example.com": must not contain white space or control characters'),
             ("spec.email", "FieldValueDuplicate",
              'Duplicate value: " alice@example.com": already used by User "carol"')]),
     users=[{"name": "carol", "email": "alice@example.com"}])

# =========================================================================================================
# user.state, user.state-consistency, user.formats
# =========================================================================================================

case("user-state-unsupported",
     "user.state: the SPEC's own example, word for word.",
     "/validate",
     user_review("c8d9e0f1-a2b3-4c4d-8e5f-7a8b9c0d1e2f", "alice", "CREATE",
                 user("alice", alice_spec(state="sleeping"))),
     denied(V1, "c8d9e0f1-a2b3-4c4d-8e5f-7a8b9c0d1e2f", USER_KIND, "alice",
            [("spec.state", "FieldValueNotSupported", f'Unsupported value: "sleeping": {STATES}')]))

case("user-state-consistency-update-v1beta1",
     "user.state-consistency on UPDATE (v1beta1): state disabled but is_disabled false, reported on "
     "spec.is_disabled.",
     "/validate",
     user_review("d9e0f1a2-b3c4-4d5e-9f6a-8b9c0d1e2f3a", "alice", "UPDATE",
                 user("alice", alice_spec(state="disabled", is_disabled=False), resource_version="512"),
                 user("alice", alice_spec(state="active", is_disabled=False), resource_version="512"),
                 version=V1BETA1),
     denied(V1BETA1, "d9e0f1a2-b3c4-4d5e-9f6a-8b9c0d1e2f3a", USER_KIND, "alice",
            [("spec.is_disabled", "FieldValueInvalid",
              'Invalid value: false: must be true when spec.state is "disabled"')]))

case("user-state-consistency-disabled-but-active",
     "user.state-consistency: is_disabled true with state locked.",
     "/validate",
     user_review("e0f1a2b3-c4d5-4e6f-8a7b-9c0d1e2f3a4b", "alice", "CREATE",
                 user("alice", alice_spec(state="locked", is_disabled=True))),
     denied(V1, "e0f1a2b3-c4d5-4e6f-8a7b-9c0d1e2f3a4b", USER_KIND, "alice",
            [("spec.is_disabled", "FieldValueInvalid",
              'Invalid value: true: must be false when spec.state is "locked"')]))

WEBHOOK_SECRET_URL = "http://hooks.example.com/services/T0K3N-s3cr3t"
case("user-formats",
     "user.formats: an impossible date (February 30), an http webhookUrl (its value, which may carry a token, "
     "is never printed), an empty and a duplicate group.",
     "/validate",
     user_review("f1a2b3c4-d5e6-4f7a-9b8c-0d1e2f3a4b5c", "alice", "CREATE",
                 user("alice", alice_spec(groups=["dev", "", "ops", "dev"], last_login_time="2026-02-30T10:00:00Z",
                                          webhookUrl=WEBHOOK_SECRET_URL))),
     denied(V1, "f1a2b3c4-d5e6-4f7a-9b8c-0d1e2f3a4b5c", USER_KIND, "alice",
            [("spec.groups[1]", "FieldValueInvalid", 'Invalid value: "": must not be empty'),
             ("spec.groups[3]", "FieldValueDuplicate", 'Duplicate value: "dev"'),
             ("spec.last_login_time", "FieldValueInvalid",
              'Invalid value: "2026-02-30T10:00:00Z": must be an RFC 3339 date-time such as "2026-01-02T15:04:05Z"'),
             ("spec.webhookUrl", "FieldValueInvalid", "Invalid value: must be an absolute https URL")]))

case("user-formats-not-rfc3339-v1beta1",
     "user.formats: a date-time without offset is not RFC 3339 (v1beta1).",
     "/validate",
     user_review("a2b3c4d5-e6f7-4a8b-8c9d-1e2f3a4b5c6d", "alice", "UPDATE",
                 user("alice", alice_spec(last_login_time="2026-11-24 04:19:05"), resource_version="77"),
                 user("alice", alice_spec(last_login_time="2026-11-24T04:19:05Z"), resource_version="77"),
                 version=V1BETA1),
     denied(V1BETA1, "a2b3c4d5-e6f7-4a8b-8c9d-1e2f3a4b5c6d", USER_KIND, "alice",
            [("spec.last_login_time", "FieldValueInvalid",
              'Invalid value: "2026-11-24 04:19:05": must be an RFC 3339 date-time such as "2026-01-02T15:04:05Z"')]))

# =========================================================================================================
# user.name-hash (off by default) and user.password-deprecated
# =========================================================================================================

ALICE_MD5 = hashlib.md5(b"alice@example.com").hexdigest()
case("user-name-hash-enabled-denied",
     "user.name-hash turned on by config: metadata.name alice is not md5(spec.email).",
     "/validate", CAP_CREATE_ALICE,
     denied(V1, "4f2e209e-fc89-4ebb-8b53-825f81262544", USER_KIND, "alice",
            [("metadata.name", "FieldValueInvalid",
              f'Invalid value: "alice": must be md5 of the lowercased spec.email: "{ALICE_MD5}"')]),
     config={"rules": {"user.name-hash": "deny"}})

case("user-name-hash-enabled-allowed",
     "user.name-hash on: a User named md5(spec.email) is allowed.",
     "/validate",
     user_review("b3c4d5e6-f7a8-4b9c-9d0e-2f3a4b5c6d7e", ALICE_MD5, "CREATE", user(ALICE_MD5, alice_spec())),
     allowed(V1, "b3c4d5e6-f7a8-4b9c-9d0e-2f3a4b5c6d7e"),
     config={"rules": {"user.name-hash": "deny"}})

case("user-password-deprecated-warns",
     "user.password-deprecated at its default (warn) on /validate: allowed with one warning per field, in "
     "field order; the values are never printed.",
     "/validate",
     user_review("c4d5e6f7-a8b9-4c0d-8e1f-3a4b5c6d7e8f", "alice", "UPDATE",
                 user("alice", alice_spec(password="hunter2", old_password="hunter1"), resource_version="88"),
                 user("alice", alice_spec(password="hunter1"), resource_version="88")),
     allowed(V1, "c4d5e6f7-a8b9-4c0d-8e1f-3a4b5c6d7e8f", [WARN_OLD_PASSWORD, WARN_PASSWORD]))

case("user-password-deprecated-deny-by-config-v1beta1",
     "user.password-deprecated set to deny by config (v1beta1): both fields deny, no warnings.",
     "/validate",
     user_review("d5e6f7a8-b9c0-4d1e-9f2a-4b5c6d7e8f9a", "alice", "CREATE",
                 user("alice", alice_spec(password="hunter2", old_password="hunter1")), version=V1BETA1),
     denied(V1BETA1, "d5e6f7a8-b9c0-4d1e-9f2a-4b5c6d7e8f9a", USER_KIND, "alice",
            [("spec.old_password", "FieldValueForbidden", PASSWORD_BODY),
             ("spec.password", "FieldValueForbidden", PASSWORD_BODY)]),
     config={"rules": {"user.password-deprecated": "deny"}})

case("user-rules-turned-off-by-config",
     "Config turns user.state off and user.schema to warn: an unsupported state passes silently and an "
     "unknown field only warns.",
     "/validate",
     user_review("e6f7a8b9-c0d1-4e2f-8a3b-5c6d7e8f9a0b", "alice", "CREATE",
                 user("alice", alice_spec(state="sleeping", isAdmin=True))),
     allowed(V1, "e6f7a8b9-c0d1-4e2f-8a3b-5c6d7e8f9a0b", ["spec.isAdmin: Forbidden: field not declared in schema"]),
     config={"rules": {"user.state": "off", "user.schema": "warn"}})

# =========================================================================================================
# Several violations at once
# =========================================================================================================

case("user-many-violations",
     "Every violation at once, in field-path order (byte order of names: isAdmin before is_disabled; "
     "indexes numerically: groups[2] before groups[10]), joined in brackets; the password warns alongside.",
     "/validate",
     user_review("f7a8b9c0-d1e2-4f3a-9b4c-6d7e8f9a0b1c", "alice", "CREATE",
                 user("alice", {"state": "sleeping", "password": "hunter2", "is_disabled": "true",
                                "groups": ["a", "b", "a", "c", "d", "e", "f", "g", "h", "i", "b"],
                                "isAdmin": True, "email": "", "connector_type": "local"},
                      namespace="kube-system")),
     denied(V1, "f7a8b9c0-d1e2-4f3a-9b4c-6d7e8f9a0b1c", USER_KIND, "alice",
            [("metadata.namespace", "FieldValueForbidden", NAMESPACE_FORBIDDEN),
             ("spec.email", "FieldValueRequired", "Required value"),
             ("spec.groups[2]", "FieldValueDuplicate", 'Duplicate value: "a"'),
             ("spec.groups[10]", "FieldValueDuplicate", 'Duplicate value: "b"'),
             ("spec.isAdmin", "FieldValueForbidden", NOT_DECLARED),
             ("spec.is_disabled", "FieldValueTypeInvalid", 'Invalid value: "true": must be of type boolean'),
             ("spec.state", "FieldValueNotSupported", f'Unsupported value: "sleeping": {STATES}')],
            warnings=[WARN_PASSWORD]))

# =========================================================================================================
# Identity
# =========================================================================================================

ALICE_IDENTITY = {"providerName": "github", "providerUserName": "alice",
                  "user": {"name": "alice", "uid": "38fd79e1-0a1e-44c1-a038-fa21b052fe1d"},
                  "extra": {"email": "alice@example.com", "name": "Alice Liddell"}}


def alice_identity(name="github:alice", **changes):
    body = copy.deepcopy(ALICE_IDENTITY)
    for key, value in changes.items():
        if value is None:
            body.pop(key, None)
        else:
            body[key] = value
    return identity(name, body)


case("identity-create-allowed",
     "A valid Identity as oauth-server creates it: allowed.",
     "/validate",
     identity_review("0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", "github:alice", "CREATE", alice_identity()),
     allowed(V1, "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"))

case("identity-update-allowed-v1beta1",
     "UPDATE of an Identity that only changes extra and the user reference (v1beta1): allowed.",
     "/validate",
     identity_review("1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e", "github:alice", "UPDATE",
                     dict(alice_identity(extra={"email": "alice@example.org"}),
                          metadata=dict(alice_identity()["metadata"], resourceVersion="901")),
                     dict(alice_identity(), metadata=dict(alice_identity()["metadata"], resourceVersion="901")),
                     version=V1BETA1),
     allowed(V1BETA1, "1b2c3d4e-5f6a-4b7c-9d8e-9f0a1b2c3d4e"))

case("identity-schema",
     "identity.schema: an unknown top-level field, an extra value that is not a string, an unknown field in "
     "the user reference.",
     "/validate",
     identity_review("2c3d4e5f-6a7b-4c8d-8e9f-0a1b2c3d4e5f", "github:alice", "CREATE",
                     alice_identity(providerUserID="1234567",
                                    extra={"email": "alice@example.com", "verified": True},
                                    user={"name": "alice", "uid": "38fd79e1-0a1e-44c1-a038-fa21b052fe1d",
                                          "foo": "bar"})),
     denied(V1, "2c3d4e5f-6a7b-4c8d-8e9f-0a1b2c3d4e5f", IDENTITY_KIND, "github:alice",
            [("extra[verified]", "FieldValueTypeInvalid", "Invalid value: true: must be of type string"),
             ("providerUserID", "FieldValueForbidden", NOT_DECLARED),
             ("user.foo", "FieldValueForbidden", NOT_DECLARED)]))

case("identity-required-all-missing",
     "identity.required: providerName, providerUserName and user all missing.",
     "/validate",
     identity_review("3d4e5f6a-7b8c-4d9e-9f0a-1b2c3d4e5f6a", "github:alice", "CREATE",
                     identity("github:alice", {"extra": {"email": "alice@example.com"}})),
     denied(V1, "3d4e5f6a-7b8c-4d9e-9f0a-1b2c3d4e5f6a", IDENTITY_KIND, "github:alice",
            [("providerName", "FieldValueRequired", "Required value"),
             ("providerUserName", "FieldValueRequired", "Required value"),
             ("user", "FieldValueRequired", "Required value")]))

case("identity-required-uid-missing",
     "identity.required: user.name without user.uid, in OpenShift's words.",
     "/validate",
     identity_review("4e5f6a7b-8c9d-4e0f-8a1b-2c3d4e5f6a7b", "github:alice", "CREATE",
                     alice_identity(user={"name": "alice"})),
     denied(V1, "4e5f6a7b-8c9d-4e0f-8a1b-2c3d4e5f6a7b", IDENTITY_KIND, "github:alice",
            [("user.uid", "FieldValueRequired", "Required value: uid is required when username is provided")]))

case("identity-required-name-missing-v1beta1",
     "identity.required: user.uid without user.name (empty string), in OpenShift's words (v1beta1).",
     "/validate",
     identity_review("5f6a7b8c-9d0e-4f1a-9b2c-3d4e5f6a7b8c", "github:alice", "CREATE",
                     alice_identity(user={"name": "", "uid": "38fd79e1-0a1e-44c1-a038-fa21b052fe1d"}),
                     version=V1BETA1),
     denied(V1BETA1, "5f6a7b8c-9d0e-4f1a-9b2c-3d4e5f6a7b8c", IDENTITY_KIND, "github:alice",
            [("user.name", "FieldValueRequired", "Required value: username is required when uid is provided")]))

case("identity-name-dot-segments-and-tilde",
     "identity.name: providerName \".\", providerUserName \"..\" and user.name \"~\" (metadata.name matches "
     "provider:user, so only the segment rules fire).",
     "/validate",
     identity_review("6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d", ".:..", "CREATE",
                     alice_identity(".:..", providerName=".", providerUserName="..",
                                    user={"name": "~", "uid": "38fd79e1-0a1e-44c1-a038-fa21b052fe1d"})),
     denied(V1, "6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d", IDENTITY_KIND, ".:..",
            [("providerName", "FieldValueInvalid", "Invalid value: \".\": may not be '.'"),
             ("providerUserName", "FieldValueInvalid", "Invalid value: \"..\": may not be '..'"),
             ("user.name", "FieldValueInvalid", 'Invalid value: "~": may not equal "~"')]))

case("identity-name-colon-slash-percent-namespace",
     "identity.name: \":\" in providerName, \"/\" and \"%\" in providerUserName, \":\" in user.name, a "
     "metadata.name that is not provider:user, and metadata.namespace set (name sorts before namespace).",
     "/validate",
     identity_review("7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d0e", "corp-ldap:alice", "CREATE",
                     identity("corp-ldap:alice",
                              {"providerName": "corp:ldap", "providerUserName": "ou=eng/alice%40",
                               "user": {"name": "corp:alice", "uid": "38fd79e1-0a1e-44c1-a038-fa21b052fe1d"}},
                              namespace="openshift-authentication")),
     denied(V1, "7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d0e", IDENTITY_KIND, "corp-ldap:alice",
            [("metadata.name", "FieldValueInvalid",
              'Invalid value: "corp-ldap:alice": must be corp:ldap:ou=eng/alice%40'),
             ("metadata.namespace", "FieldValueForbidden", NAMESPACE_FORBIDDEN),
             ("providerName", "FieldValueInvalid", 'Invalid value: "corp:ldap": may not contain ":"'),
             ("providerUserName", "FieldValueInvalid",
              "Invalid value: \"ou=eng/alice%40\": may not contain '/', may not contain '%'"),
             ("user.name", "FieldValueInvalid", 'Invalid value: "corp:alice": may not contain ":"')]))

case("identity-immutable-update",
     "identity.immutable: UPDATE changes providerUserName (and so metadata.name no longer matches).",
     "/validate",
     identity_review("8c9d0e1f-2a3b-4c4d-8e5f-6a7b8c9d0e1f", "github:alice", "UPDATE",
                     alice_identity(providerUserName="alice2"), alice_identity()),
     denied(V1, "8c9d0e1f-2a3b-4c4d-8e5f-6a7b8c9d0e1f", IDENTITY_KIND, "github:alice",
            [("metadata.name", "FieldValueInvalid", 'Invalid value: "github:alice": must be github:alice2'),
             ("providerUserName", "FieldValueInvalid", 'Invalid value: "alice2": may not change providerUserName')]))

case("identity-immutable-provider-name-v1beta1",
     "identity.immutable: UPDATE changes providerName; the new name matches, so only immutability fires "
     "(v1beta1).",
     "/validate",
     identity_review("9d0e1f2a-3b4c-4d5e-9f6a-7b8c9d0e1f2a", "gitlab:alice", "UPDATE",
                     alice_identity("gitlab:alice", providerName="gitlab"),
                     alice_identity("gitlab:alice", providerName="github"), version=V1BETA1),
     denied(V1BETA1, "9d0e1f2a-3b4c-4d5e-9f6a-7b8c9d0e1f2a", IDENTITY_KIND, "gitlab:alice",
            [("providerName", "FieldValueInvalid", 'Invalid value: "gitlab": may not change providerName')]))

case("identity-user-exists-enabled-denied",
     "identity.user-exists turned on: user.name names no User the index knows.",
     "/validate",
     identity_review("0e1f2a3b-4c5d-4e6f-8a7b-8c9d0e1f2a3b", "github:alice", "CREATE", alice_identity()),
     denied(V1, "0e1f2a3b-4c5d-4e6f-8a7b-8c9d0e1f2a3b", IDENTITY_KIND, "github:alice",
            [("user.name", "FieldValueInvalid", 'Invalid value: "alice": no User named "alice" exists')]),
     config={"rules": {"identity.user-exists": "deny"}},
     users=[{"name": "bob", "email": "bob@example.com"}])

case("identity-user-exists-enabled-allowed",
     "identity.user-exists turned on: the User exists in the index.",
     "/validate",
     identity_review("1f2a3b4c-5d6e-4f7a-9b8c-9d0e1f2a3b4c", "github:alice", "CREATE", alice_identity()),
     allowed(V1, "1f2a3b4c-5d6e-4f7a-9b8c-9d0e1f2a3b4c"),
     config={"rules": {"identity.user-exists": "deny"}},
     users=[{"name": "alice", "email": "alice@example.com"}])

case("identity-user-exists-off-by-default",
     "identity.user-exists is off by default: an unknown user.name is allowed.",
     "/validate",
     identity_review("2a3b4c5d-6e7f-4a8b-8c9d-0e1f2a3b4c5d", "github:alice", "CREATE", alice_identity()),
     allowed(V1, "2a3b4c5d-6e7f-4a8b-8c9d-0e1f2a3b4c5d"))

case("identity-mutate-no-patch-v1beta1",
     "/mutate on an Identity (no mutating rules for Identity), even an invalid one: allowed, no patch.",
     "/mutate",
     identity_review("3b4c5d6e-7f8a-4b9c-9d0e-1f2a3b4c5d6e", "github:alice", "CREATE",
                     alice_identity(providerUserID="1234567"), version=V1BETA1),
     allowed(V1BETA1, "3b4c5d6e-7f8a-4b9c-9d0e-1f2a3b4c5d6e"))

# =========================================================================================================
# Requests that cannot be evaluated but carry a uid: refused with 400 (fail closed)
# =========================================================================================================

case("errored-update-without-old-object",
     "UPDATE of a User without oldObject cannot be evaluated: allowed false, 400 BadRequest, no details.",
     "/validate",
     user_review("4c5d6e7f-8a9b-4c0d-8e1f-2a3b4c5d6e7f", "alice", "UPDATE", user("alice", alice_spec()), None),
     errored(V1, "4c5d6e7f-8a9b-4c0d-8e1f-2a3b4c5d6e7f",
             "request.oldObject is missing or not an object; UPDATE of a User needs it"))

case("errored-unknown-operation-v1beta1",
     "An operation the protocol does not have: 400 BadRequest (v1beta1).",
     "/mutate",
     user_review("5d6e7f8a-9b0c-4d1e-9f2a-3b4c5d6e7f8a", "alice", "PATCH", user("alice", alice_spec()),
                 version=V1BETA1, options={}),
     errored(V1BETA1, "5d6e7f8a-9b0c-4d1e-9f2a-3b4c5d6e7f8a",
             'request.operation "PATCH" is not one of CREATE, UPDATE, DELETE, CONNECT'))

case("errored-create-without-object",
     "CREATE of a User with object null: 400 BadRequest.",
     "/validate",
     user_review("6e7f8a9b-0c1d-4e2f-8a3b-4c5d6e7f8a9b", "alice", "CREATE", None),
     errored(V1, "6e7f8a9b-0c1d-4e2f-8a3b-4c5d6e7f8a9b",
             "request.object is missing; CREATE of a User needs the object"))

# =========================================================================================================
# /mutate
# =========================================================================================================

SCRUB_OPS = [{"op": "remove", "path": "/spec/password"}, {"op": "remove", "path": "/spec/old_password"}]
case("mutate-password-scrub",
     "user.password-deprecated mutating: both fields removed by the patch, one warning and the "
     "scrubbed-fields audit annotation naming them (never their values).",
     "/mutate",
     user_review("7f8a9b0c-1d2e-4f3a-9b4c-5d6e7f8a9b0c", "alice", "CREATE",
                 user("alice", {"connector_type": "local", "email": "alice@example.com", "password": "hunter2",
                                "old_password": "hunter1", "username": "alice", "valid": True})),
     patched(V1, "7f8a9b0c-1d2e-4f3a-9b4c-5d6e7f8a9b0c", SCRUB_OPS, [SCRUB_BOTH],
             {"scrubbed-fields": "spec.password,spec.old_password"}),
     ops=SCRUB_OPS)

PASSWORD_ONLY_OPS = [{"op": "remove", "path": "/spec/password"}]
case("mutate-password-only-update-v1beta1",
     "UPDATE with only spec.password (v1beta1): one remove, the warning and annotation name only it.",
     "/mutate",
     user_review("8a9b0c1d-2e3f-4a4b-8c5d-6e7f8a9b0c1d", "alice", "UPDATE",
                 user("alice", alice_spec(password="hunter3"), resource_version="1001"),
                 user("alice", alice_spec(), resource_version="1001"), version=V1BETA1),
     patched(V1BETA1, "8a9b0c1d-2e3f-4a4b-8c5d-6e7f8a9b0c1d", PASSWORD_ONLY_OPS, [SCRUB_PASSWORD],
             {"scrubbed-fields": "spec.password"}),
     ops=PASSWORD_ONLY_OPS)

FILL_IS_DISABLED_TRUE = [{"op": "add", "path": "/spec/is_disabled", "value": True}]
case("mutate-state-disabled-fills-is-disabled-v1beta1",
     "user.state-consistency mutating: state disabled alone → is_disabled true (v1beta1). No warning.",
     "/mutate",
     user_review("9b0c1d2e-3f4a-4b5c-9d6e-7f8a9b0c1d2e", "alice", "CREATE",
                 user("alice", alice_spec(state="disabled")), version=V1BETA1),
     patched(V1BETA1, "9b0c1d2e-3f4a-4b5c-9d6e-7f8a9b0c1d2e", FILL_IS_DISABLED_TRUE),
     ops=FILL_IS_DISABLED_TRUE)

FILL_STATE = [{"op": "add", "path": "/spec/state", "value": "disabled"}]
case("mutate-is-disabled-fills-state",
     "user.state-consistency mutating: is_disabled true alone → state disabled.",
     "/mutate",
     user_review("0c1d2e3f-4a5b-4c6d-8e7f-8a9b0c1d2e3f", "alice", "CREATE",
                 user("alice", alice_spec(is_disabled=True))),
     patched(V1, "0c1d2e3f-4a5b-4c6d-8e7f-8a9b0c1d2e3f", FILL_STATE),
     ops=FILL_STATE)

FILL_FALSE = [{"op": "add", "path": "/spec/is_disabled", "value": False}]
case("mutate-state-locked-fills-false-update",
     "user.state-consistency mutating on UPDATE: state locked (any state but disabled) → is_disabled false.",
     "/mutate",
     user_review("1d2e3f4a-5b6c-4d7e-9f8a-9b0c1d2e3f4a", "alice", "UPDATE",
                 user("alice", alice_spec(state="locked"), resource_version="1100"),
                 user("alice", alice_spec(state="active", is_disabled=False), resource_version="1100")),
     patched(V1, "1d2e3f4a-5b6c-4d7e-9f8a-9b0c1d2e3f4a", FILL_FALSE),
     ops=FILL_FALSE)

REPLACE_NULL_STATE = [{"op": "replace", "path": "/spec/state", "value": "disabled"}]
case("mutate-null-state-counts-as-missing",
     "A null state counts as missing (the apiserver prunes null): is_disabled true fills it, replacing the "
     "null.",
     "/mutate",
     user_review("2e3f4a5b-6c7d-4e8f-8a9b-0c1d2e3f4a5b", "alice", "CREATE",
                 user("alice", alice_spec(state=None, is_disabled=True) | {"state": None})),
     patched(V1, "2e3f4a5b-6c7d-4e8f-8a9b-0c1d2e3f4a5b", REPLACE_NULL_STATE),
     ops=REPLACE_NULL_STATE)

case("mutate-noop-capture",
     "The captured CREATE of alice at /mutate: nothing to change, so no patch and no patchType.",
     "/mutate", CAP_CREATE_ALICE, allowed(V1, "4f2e209e-fc89-4ebb-8b53-825f81262544"))

case("mutate-noop-is-disabled-false-alone",
     "is_disabled false alone is left as is: no patch.",
     "/mutate",
     user_review("3f4a5b6c-7d8e-4f9a-9b0c-1d2e3f4a5b6c", "alice", "CREATE",
                 user("alice", alice_spec(is_disabled=False))),
     allowed(V1, "3f4a5b6c-7d8e-4f9a-9b0c-1d2e3f4a5b6c"))

case("mutate-noop-consistent-pair-v1beta1",
     "Both state and is_disabled set (even contradicting): the mutating webhook leaves them (v1beta1).",
     "/mutate",
     user_review("4a5b6c7d-8e9f-4a0b-8c1d-2e3f4a5b6c7d", "alice", "CREATE",
                 user("alice", alice_spec(state="active", is_disabled=True)), version=V1BETA1),
     allowed(V1BETA1, "4a5b6c7d-8e9f-4a0b-8c1d-2e3f4a5b6c7d"))

DENIED_OBJECT_OPS = [{"op": "remove", "path": "/spec/password"},
                     {"op": "add", "path": "/spec/is_disabled", "value": False}]
case("mutate-invalid-object-only-patches",
     "/mutate on an object /validate would deny (unknown field, unsupported state, empty email, namespace): "
     "still allowed, and only the mutating rules' patch (scrub + fill) is returned.",
     "/mutate",
     user_review("5b6c7d8e-9f0a-4b1c-9d2e-3f4a5b6c7d8e", "alice", "CREATE",
                 user("alice", {"connector_type": "local", "email": "", "nickname": "al", "password": "hunter2",
                                "state": "sleeping", "username": "alice"}, namespace="default")),
     patched(V1, "5b6c7d8e-9f0a-4b1c-9d2e-3f4a5b6c7d8e", DENIED_OBJECT_OPS, [SCRUB_PASSWORD],
             {"scrubbed-fields": "spec.password"}),
     ops=DENIED_OBJECT_OPS)

BOTH_OPS = [{"op": "remove", "path": "/spec/old_password"}, {"op": "remove", "path": "/spec/password"},
            {"op": "add", "path": "/spec/state", "value": "disabled"}]
case("mutate-dry-run-scrub-and-fill",
     "dryRun: true at /mutate, both mutating rules at once: removes first (in the object's key order), then "
     "the added state; same patch as without dry run. The warning names the fields in the rule's order.",
     "/mutate",
     user_review("6c7d8e9f-0a1b-4c2d-8e3f-4a5b6c7d8e9f", "alice", "CREATE",
                 user("alice", {"connector_type": "local", "email": "alice@example.com", "is_disabled": True,
                                "old_password": "hunter1", "password": "hunter2", "username": "alice"}),
                 dry_run=True),
     patched(V1, "6c7d8e9f-0a1b-4c2d-8e3f-4a5b6c7d8e9f", BOTH_OPS, [SCRUB_BOTH],
             {"scrubbed-fields": "spec.password,spec.old_password"}),
     ops=BOTH_OPS)

case("mutate-delete-v1",
     "DELETE at /mutate: allowed, no patch.",
     "/mutate", with_uid(CAP_DELETE_ALICE, "7d8e9f0a-1b2c-4d3e-9f4a-5b6c7d8e9f0a"),
     allowed(V1, "7d8e9f0a-1b2c-4d3e-9f4a-5b6c7d8e9f0a"))

# =========================================================================================================
# Bounded answers (README, "The admission protocol": at most 100 causes, then one that counts the rest)
# =========================================================================================================

case("user-violation-cap",
     "105 copies of one group: 104 duplicates, of which the first 100 are causes and the other 4 are counted "
     "by rule in one last cause (TooManyViolations) and at the end of status.message.",
     "/validate",
     user_review("8e9f0a1b-2c3d-4e4f-8a5b-6c7d8e9f0a1b", "alice", "CREATE",
                 user("alice", {"email": "alice@example.com", "groups": ["g"] * 105})),
     denied(V1, "8e9f0a1b-2c3d-4e4f-8a5b-6c7d8e9f0a1b", USER_KIND, "alice",
            [(f"spec.groups[{index}]", "FieldValueDuplicate", 'Duplicate value: "g"') for index in range(1, 101)],
            more="4 more violations not shown (user.formats: 4)"))

# =========================================================================================================
# Writing
# =========================================================================================================


def field_key(field):
    """SPEC §1 field order: segment by segment, names by bytes, indexes numerically, parent first."""
    key = []
    for part in field.replace("[", ".[").split("."):
        if part.startswith("[") and part[1:-1].isdigit():
            key.append((0, int(part[1:-1]), b""))
        else:
            key.append((1, 0, part.encode()))
    return key


def check_case(entry):
    response = entry["response"]["response"]
    request = entry["request"]
    assert response["uid"] == request["request"]["uid"], entry["slug"]
    assert entry["response"]["apiVersion"] == request["apiVersion"], entry["slug"]
    if entry["path"] == "/validate":
        assert "patch" not in response and "patchType" not in response, entry["slug"]
    causes = response.get("status", {}).get("details", {}).get("causes", [])
    if causes and causes[-1]["reason"] == "TooManyViolations":
        causes = causes[:-1]
    assert len(causes) <= 100, entry["slug"]
    keys = [field_key(cause["field"]) for cause in causes]
    assert keys == sorted(keys), entry["slug"] + ": causes not in field order"
    text = json.dumps(entry["response"], ensure_ascii=False)
    for secret in ("hunter1", "hunter2", "hunter3", "T0K3N", "123456"):
        assert secret not in text, entry["slug"] + ": secret in response"
    for warning in response.get("warnings", []):
        assert len(warning.encode()) <= 120, warning
    assert ("patch" in response) == (entry["ops"] is not None), entry["slug"]


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if name.endswith(".json") or name == ".keep":
            os.remove(os.path.join(OUT, name))
    for number, entry in enumerate(CASES, start=1):
        check_case(entry)
        fixture = {"description": entry["description"], "path": entry["path"]}
        if entry["config"] is not None:
            fixture["config"] = entry["config"]
        if entry["users"] is not None:
            fixture["users"] = entry["users"]
        fixture["request"] = entry["request"]
        fixture["response"] = entry["response"]
        if entry["ops"] is not None:
            fixture["patched"] = apply_patch(entry["request"]["request"]["object"], entry["ops"])
        name = f"{number:02d}-{entry['slug']}.json"
        with open(os.path.join(OUT, name), "w", encoding="utf-8") as handle:
            json.dump(fixture, handle, indent=2, ensure_ascii=False)
            handle.write("\n")
    print(f"wrote {len(CASES)} fixtures to {OUT}")


if __name__ == "__main__":
    main()
