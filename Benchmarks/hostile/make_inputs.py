#!/usr/bin/env python3
"""Writes the hostile inputs of issue 20 into DIRECTORY, and prints the node counts the alias bombs would
expand to, computed here independently of identity-guard (the tests pin the same numbers).

  bomb.yaml        billion laughs in a User (nine levels of nine aliases)
  list-bomb.yaml   the same inside a kind: List item
  key-bomb.yaml    the same with the last level used as a mapping key
  merge-bomb.yaml  nine levels of merge keys (<<) of nine aliases each
  config.yaml      the bomb in a --config file
  kubeconfig       the bomb in a kubeconfig
  duplicates.json  AdmissionReview: a User whose spec.groups repeats one group 200,000 times
  unknown.json     AdmissionReview: a User whose spec has 100,000 unknown keys
"""
import json
import os
import sys


def laughs(indent, levels=9, width=9):
    lines = [indent + "a0: &a0 lol"]
    for level in range(1, levels + 1):
        lines.append(indent + f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def sizes(levels=9, width=9):
    sizes = [1]
    for _ in range(levels):
        sizes.append(1 + width * sizes[-1])
    return sizes


USER_HEAD = "apiVersion: auth.alauda.io/v1\nkind: User\nmetadata:\n  name: bomb\nspec:\n"


def review(spec):
    user = {"apiVersion": "auth.alauda.io/v1", "kind": "User", "metadata": {"name": "flood"}, "spec": spec}
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": "flood", "kind": {"group": "auth.alauda.io", "version": "v1", "kind": "User"},
        "name": "flood", "operation": "CREATE", "object": user, "dryRun": True}}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    merge = ["  m0: &m0 {k: v}"] + [
        f"  m{level}: &m{level} {{<<: [" + ", ".join([f"*m{level - 1}"] * 9) + "]}" for level in range(1, 10)]
    files = {
        "bomb.yaml": USER_HEAD + laughs("  "),
        "list-bomb.yaml": "apiVersion: v1\nkind: List\nitems:\n- apiVersion: auth.alauda.io/v1\n  kind: User\n"
                          "  metadata:\n    name: bomb\n  spec:\n" + laughs("    "),
        "key-bomb.yaml": USER_HEAD + laughs("  ") + "  *a9 : boom\n",
        "merge-bomb.yaml": USER_HEAD + "\n".join(merge) + "\n",
        "config.yaml": "rules:\n" + laughs("  "),
        "kubeconfig": laughs(""),
    }
    for name, text in files.items():
        with open(os.path.join(out, name), "w") as handle:
            handle.write(text)
    with open(os.path.join(out, "duplicates.json"), "w") as handle:
        json.dump(review({"email": "flood@example.com", "groups": ["g"] * 200_001}), handle)
    with open(os.path.join(out, "unknown.json"), "w") as handle:
        json.dump(review(dict([("email", "flood@example.com")] + [(f"k{i}", 1) for i in range(100_000)])), handle)

    s = sizes()
    laughs_expanded = 2 + sum(1 + s[i] for i in range(1, 10))
    merge_sizes = [3]
    for _ in range(9):
        merge_sizes.append(3 + 9 * merge_sizes[-1])
    # Written nodes before the bomb: User 11, List 18, config 3, kubeconfig 1.
    print("bomb.yaml", 11 + laughs_expanded, "nodes from", 11 + 2 + 99)
    print("list-bomb.yaml", 18 + laughs_expanded, "nodes from", 18 + 2 + 99)
    print("key-bomb.yaml", 11 + laughs_expanded + s[9] + 1, "nodes from", 11 + 2 + 99 + 2)
    print("merge-bomb.yaml", 11 + 4 + sum(1 + merge_sizes[i] for i in range(1, 10)), "nodes from", 11 + 4 + 9 * 13)
    print("config.yaml", 3 + laughs_expanded, "nodes from", 3 + 2 + 99)
    print("kubeconfig", 1 + laughs_expanded, "nodes from", 1 + 2 + 99)


if __name__ == "__main__":
    main()
