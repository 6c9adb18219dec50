#!/usr/bin/env python3
"""Generates deploy/base/crd-users.yaml from the User API seed (the UserSpec section of alauda-user-api.md).

    python3 deploy/hack/generate-crd.py [SEED.md] > deploy/base/crd-users.yaml

Every UserSpec field of the seed becomes a property with the seed's type and description. `spec` keeps unknown
fields (x-kubernetes-preserve-unknown-fields) so that the apiserver does not prune them silently: the webhook's
user.schema rule reports them by name instead. `spec.groups` has user.formats' `maxItems` (10,000). The status
subresource is enabled. Standard library only.
"""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEFAULT_SEED = os.path.join(ROOT, "..", "shared", "seeds", "alauda-user-api.md")

FIELD = re.compile(r"^- `([A-Za-z_]+)` : `([^`]+)`")


def user_spec_fields(text):
    """(name, type, description) for each field of the seed's `## UserSpec` section, in seed order."""
    section = text.split("## UserSpec", 1)[1].split("\n## ", 1)[0]
    fields = []
    current = None
    for line in section.splitlines():
        match = FIELD.match(line.strip())
        if match:
            current = [match.group(1), match.group(2), []]
            fields.append(current)
        elif current and line.strip():
            current[2].append(line.strip())
    return [(name, kind, " ".join(words)) for name, kind, words in fields]


def schema(kind, description):
    """The OpenAPI v3 schema of a seed type."""
    base = {"description": description} if description else {}
    if kind in ("string", "integer", "boolean"):
        return {**base, "type": kind}
    if kind == "object":
        return {**base, "type": "object", "x-kubernetes-preserve-unknown-fields": True}
    if kind == "[]string":
        return {**base, "type": "array", "items": {"type": "string"}}
    if kind == "[]object":
        return {**base, "type": "array", "items": {"type": "object", "x-kubernetes-preserve-unknown-fields": True}}
    raise SystemExit(f"unknown seed type {kind!r}")


def emit(value, indent=0):
    """A small YAML writer for the dict/list/scalar tree below (keys in insertion order)."""
    pad = "  " * indent
    lines = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{key}:")
                lines.extend(emit(item, indent + 1))
            else:
                lines.append(f"{pad}{key}: {scalar(item)}")
    else:
        for item in value:
            if isinstance(item, dict):
                inner = emit(item, indent + 1)
                lines.append(f"{pad}- {inner[0].strip()}")
                lines.extend(inner[1:])
            else:
                lines.append(f"{pad}- {scalar(item)}")
    return lines


def scalar(value):
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value == {}:
        return "{}"
    if value == []:
        return "[]"
    return json.dumps(value, ensure_ascii=False)


def main():
    seed = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_SEED
    with open(seed, encoding="utf-8") as handle:
        fields = user_spec_fields(handle.read())
    if len(fields) != 22:
        raise SystemExit(f"expected the 22 UserSpec fields of the seed, found {len(fields)}")
    properties = {name: schema(kind, description) for name, kind, description in fields}
    # user.formats' limit (UserFormatsRule.maximumGroups): the apiserver refuses longer lists before admission.
    properties["groups"]["maxItems"] = 10000
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "users.auth.alauda.io"},
        "spec": {
            "group": "auth.alauda.io",
            "scope": "Cluster",
            "names": {"plural": "users", "singular": "user", "kind": "User", "listKind": "UserList"},
            "versions": [{
                "name": "v1",
                "served": True,
                "storage": True,
                "subresources": {"status": {}},
                "schema": {"openAPIV3Schema": {
                    "description": "User is the Schema for the users API",
                    "type": "object",
                    "properties": {
                        "apiVersion": {"type": "string"},
                        "kind": {"type": "string"},
                        "metadata": {"type": "object"},
                        "spec": {
                            "type": "object",
                            "x-kubernetes-preserve-unknown-fields": True,
                            "properties": properties,
                        },
                        "status": {
                            "description": "UserStatus defines the observed state of User",
                            "type": "object",
                            "x-kubernetes-preserve-unknown-fields": True,
                        },
                    },
                }},
            }],
        },
    }
    print("# Generated by deploy/hack/generate-crd.py from the User API seed (alauda-user-api.md); do not edit.")
    print("\n".join(emit(crd)))


if __name__ == "__main__":
    main()
