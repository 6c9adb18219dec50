#!/usr/bin/env python3
"""Writes N User and Identity documents into a directory, for `identity-guard check` throughput runs.

Usage: Benchmarks/generate-manifests.py [--documents 100000] [--per-file 100] [--seed 1] OUTPUT_DIRECTORY

Half the documents are Users, half Identities, spread over files of --per-file documents each (multi-document
YAML, some files as `kind: List`, some as JSON), in subdirectories of 100 files. About 2% of the documents
break a rule (bad state, missing uid, duplicate email), so the run also exercises the reporting path.
Deterministic for a given seed.
"""
import argparse
import json
import os
import random


def user(index, rng):
    name = f"user-{index:06d}"
    state = rng.choice(["active", "active", "active", "disabled", "locked"])
    doc = {
        "apiVersion": "auth.alauda.io/v1",
        "kind": "User",
        "metadata": {"name": name, "labels": {"team": f"team-{index % 37}"}},
        "spec": {
            "email": f"{name}@example.com",
            "username": name,
            "account": f"acct-{index}",
            "mobile": f"+86-138-{index:08d}",
            "connector_type": "ldap",
            "connector_name": "corp-ldap",
            "groups": [f"group-{index % 11}", f"group-{index % 13 + 20}"],
            "state": state,
            "is_disabled": state == "disabled",
            "is_admin": index % 97 == 0,
        },
    }
    roll = rng.random()
    if roll < 0.005:
        doc["spec"]["state"] = "sleeping"
    elif roll < 0.01:
        doc["spec"]["email"] = f"user-{max(0, index - 2):06d}@example.com"
    return doc


def identity(index, rng):
    user_name = f"user-{index:06d}"
    doc = {
        "apiVersion": "user.openshift.io/v1",
        "kind": "Identity",
        "metadata": {"name": f"github:{user_name}"},
        "providerName": "github",
        "providerUserName": user_name,
        "user": {"name": user_name, "uid": f"6a1c9f4e-{index:04x}-4e1f-9d0c-{index:012x}"},
        "extra": {"email": f"{user_name}@example.com"},
    }
    if rng.random() < 0.01:
        del doc["user"]["uid"]
    return doc


def to_yaml(value, indent=0):
    pad = " " * indent
    lines = []
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict):
                lines.append(f"{pad}{key}:")
                lines.extend(to_yaml(item, indent + 2))
            elif isinstance(item, list):
                lines.append(f"{pad}{key}:")
                for element in item:
                    if isinstance(element, dict):
                        nested = to_yaml(element, indent + 2)
                        nested[0] = f"{pad}- " + nested[0].lstrip()
                        lines.extend(nested)
                    else:
                        lines.append(f"{pad}- {scalar(element)}")
            else:
                lines.append(f"{pad}{key}: {scalar(item)}")
    return lines


def scalar(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value) if (":" in value or value == "" or value[0] in "-0123456789") else value


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output")
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--per-file", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.output, exist_ok=True)
    written = 0
    file_index = 0
    while written < args.documents:
        count = min(args.per_file, args.documents - written)
        docs = []
        for offset in range(count):
            index = written + offset
            docs.append(user(index // 2, rng) if index % 2 == 0 else identity(index // 2, rng))
        directory = os.path.join(args.output, f"batch-{file_index // 100:03d}")
        os.makedirs(directory, exist_ok=True)
        if file_index % 10 == 9:
            path = os.path.join(directory, f"manifests-{file_index:05d}.json")
            text = json.dumps({"apiVersion": "v1", "kind": "List", "items": docs}, indent=2) + "\n"
        elif file_index % 10 == 8:
            path = os.path.join(directory, f"manifests-{file_index:05d}.yaml")
            text = "\n".join(to_yaml({"apiVersion": "v1", "kind": "List", "items": docs})) + "\n"
        else:
            path = os.path.join(directory, f"manifests-{file_index:05d}.yaml")
            text = "".join("---\n" + "\n".join(to_yaml(doc)) + "\n" for doc in docs)
        with open(path, "w") as handle:
            handle.write(text)
        written += count
        file_index += 1
    print(f"wrote {written} documents in {file_index} files under {args.output}")


if __name__ == "__main__":
    main()
