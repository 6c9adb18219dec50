@testable import IdentityGuardCLI
import ClusterAudit
import IdentityRules
import KubeJSON
import Testing

/// The audit's output in every format, byte for byte, for stored objects that exercise every finding the audit
/// makes: the expectations were written by the audit before findings named objects (when it faked a file per
/// object in Manifests), so that the move to ``ClusterAudit`` and the findings model changed no byte.
@Suite("identity-guard audit: exact output of every format")
struct AuditOutputTests {
    static func user(_ name: String, uid: String, _ spec: JSONValue) -> JSONObject {
        let value: JSONValue = ["apiVersion": "auth.alauda.io/v1", "kind": "User",
                                "metadata": ["name": .string(name), "uid": .string(uid), "resourceVersion": "7"],
                                "spec": spec]
        return value.objectValue ?? JSONObject()
    }

    static func identity(_ name: String, user: String, uid: String?) -> JSONObject {
        var reference: JSONValue = ["name": .string(user)]
        if let uid { reference = ["name": .string(user), "uid": .string(uid)] }
        let value: JSONValue = [
            "apiVersion": "user.openshift.io/v1", "kind": "Identity",
            "metadata": ["name": .string(name), "uid": .string("uid-" + name)],
            "providerName": "github", "providerUserName": .string(String(name.dropFirst("github:".count))),
            "user": reference,
        ]
        return value.objectValue ?? JSONObject()
    }

    static let users = [
        user("dup-b", uid: "uid-dup-b", ["email": "dup@example.com"]),
        user("dup-a", uid: "uid-dup-a", ["email": "Dup@example.com"]),
        user("dup-c", uid: "uid-dup-c", ["email": " DUP@example.com", "state": "sleeping"]),
        user("secret", uid: "uid-secret", ["email": "secret@example.com", "password": "hunter2"]),
        user("contra", uid: "uid-contra", ["email": "contra@example.com", "state": "disabled", "is_disabled": false]),
        user("clean", uid: "uid-clean", ["email": "clean@example.com"]),
    ]
    static let identities = [
        identity("github:clean", user: "clean", uid: "uid-clean"),
        identity("github:ghost", user: "ghost", uid: "uid-of-nobody"),
        identity("github:wronguid", user: "clean", uid: "not-cleans"),
        identity("github-badname", user: "secret", uid: nil),
    ]

    static let auditor = ClusterAuditor()
    static var report: FindingReport { auditor.audit(users: users, identities: identities) }

    @Test("text: cluster:KIND/NAME per finding, then the summary; exit status 1")
    func text() {
        #expect(TextReporter.render(Self.report) == Self.expectedText)
        #expect(Self.report.exitStatus == 1)
    }

    @Test("json: the file is the object's cluster:KIND/NAME, no line or column")
    func json() {
        #expect(JSONReporter.render(Self.report) == Self.expectedJSON)
    }

    @Test("sarif: the artifact is the object, without a region")
    func sarif() {
        #expect(SARIFReporter.render(Self.report, configuration: Self.auditor.configuration) == Self.expectedSARIF)
    }

    @Test("junit: a suite per kind, a case per object")
    func junit() {
        #expect(JUnitReporter.render(Self.report) == Self.expectedJUnit)
    }

    @Test("policyreport past 1,000 results: a List of numbered reports of 1,000 each, pass in the first")
    func policyReportSplit() throws {
        // 1,201 Users with an unsupported state and 5 clean ones: 1,201 fail results.
        let users = (0..<1_201).map { Self.user("u\($0)", uid: "uid-\($0)", ["email": .string("u\($0)@x.com"),
                                                                                 "state": "zzz"]) }
            + (0..<5).map { Self.user("c\($0)", uid: "uid-c\($0)", ["email": .string("c\($0)@x.com")]) }
        let report = Self.auditor.audit(users: users, identities: [])
        let list = try JSONReader.parse(PolicyReportReporter.render(report, now: 1))
        #expect(list["kind"] == "List")
        let items = try #require(list["items"]?.arrayValue)
        #expect(items.map { $0["metadata"]?["name"] } == ["identity-guard-audit-1", "identity-guard-audit-2"])
        #expect(items.map { $0["results"]?.arrayValue?.count } == [1_000, 201])
        #expect(items[0]["summary"] == ["pass": 5, "fail": 1_000, "warn": 0, "error": 0, "skip": 0])
        #expect(items[1]["summary"] == ["pass": 0, "fail": 201, "warn": 0, "error": 0, "skip": 0])
        #expect(items.allSatisfy { $0["kind"] == "ClusterPolicyReport" })
        // At most 1,000 results: one report, as before.
        let small = Self.auditor.audit(users: Array(users.suffix(1_000)), identities: [])
        #expect(try JSONReader.parse(PolicyReportReporter.render(small, now: 1))["kind"] == "ClusterPolicyReport")
    }

    @Test("policyreport: a result per finding naming the object with its uid; pass counts clean objects")
    func policyReport() {
        #expect(PolicyReportReporter.render(Self.report, now: 1_800_000_000) == Self.expectedPolicyReport)
        #expect(!PolicyReportReporter.render(Self.report, now: 1_800_000_000).contains("hunter2"))
    }
}

extension AuditOutputTests {
    static let expectedText = #"""
        cluster:User/contra: user.state-consistency: spec.is_disabled: Invalid value: false: must be true when \#
        spec.state is "disabled"
        cluster:User/dup-a: user.email-unique: spec.email: Duplicate value: "Dup@example.com": already used by \#
        Users "dup-b", "dup-c"
        cluster:User/dup-b: user.email-unique: spec.email: Duplicate value: "dup@example.com": already used by \#
        Users "dup-a", "dup-c"
        cluster:User/dup-c: user.email: spec.email: Invalid value: " DUP@example.com": must not contain white space \#
        or control characters
        cluster:User/dup-c: user.email-unique: spec.email: Duplicate value: " DUP@example.com": already used by \#
        Users "dup-a", "dup-b"
        cluster:User/dup-c: user.state: spec.state: Unsupported value: "sleeping": supported values: "active", \#
        "disabled", "locked", "invalid"
        cluster:User/secret: user.password-deprecated: spec.password: Forbidden: deprecated: plain-text passwords \#
        must not be stored
        cluster:Identity/github-badname: identity.name: metadata.name: Invalid value: "github-badname": must be \#
        github:badname
        cluster:Identity/github-badname: identity.required: user.uid: Required value: uid is required when username \#
        is provided
        cluster:Identity/github:ghost: identity.user-exists: user.name: Invalid value: "ghost": no User named \#
        "ghost" exists
        cluster:Identity/github:wronguid: identity.user-exists: user.uid: Invalid value: "not-cleans": does not \#
        match the uid of User "clean" (uid-clean)
        10 documents, 10 checked, 0 skipped, 7 denied, 1 warnings

        """#

    static let expectedJSON = #"""
        {
          "summary": {
            "documents": 10,
            "checked": 10,
            "skipped": 0,
            "denied": 7,
            "warnings": 1
          },
          "results": [
            {
              "file": "cluster:User/contra",
              "document": 2,
              "kind": "User",
              "name": "contra",
              "rule": "user.state-consistency",
              "enforcement": "deny",
              "field": "spec.is_disabled",
              "message": "spec.is_disabled: Invalid value: false: must be true when spec.state is \"disabled\""
            },
            {
              "file": "cluster:User/dup-a",
              "document": 3,
              "kind": "User",
              "name": "dup-a",
              "rule": "user.email-unique",
              "enforcement": "deny",
              "field": "spec.email",
              "message": "spec.email: Duplicate value: \"Dup@example.com\": already used by Users \"dup-b\", \#
        \"dup-c\""
            },
            {
              "file": "cluster:User/dup-b",
              "document": 4,
              "kind": "User",
              "name": "dup-b",
              "rule": "user.email-unique",
              "enforcement": "deny",
              "field": "spec.email",
              "message": "spec.email: Duplicate value: \"dup@example.com\": already used by Users \"dup-a\", \#
        \"dup-c\""
            },
            {
              "file": "cluster:User/dup-c",
              "document": 5,
              "kind": "User",
              "name": "dup-c",
              "rule": "user.email",
              "enforcement": "deny",
              "field": "spec.email",
              "message": "spec.email: Invalid value: \" DUP@example.com\": must not contain white space or control \#
        characters"
            },
            {
              "file": "cluster:User/dup-c",
              "document": 5,
              "kind": "User",
              "name": "dup-c",
              "rule": "user.email-unique",
              "enforcement": "deny",
              "field": "spec.email",
              "message": "spec.email: Duplicate value: \" DUP@example.com\": already used by Users \"dup-a\", \#
        \"dup-b\""
            },
            {
              "file": "cluster:User/dup-c",
              "document": 5,
              "kind": "User",
              "name": "dup-c",
              "rule": "user.state",
              "enforcement": "deny",
              "field": "spec.state",
              "message": "spec.state: Unsupported value: \"sleeping\": supported values: \"active\", \"disabled\", \#
        \"locked\", \"invalid\""
            },
            {
              "file": "cluster:User/secret",
              "document": 6,
              "kind": "User",
              "name": "secret",
              "rule": "user.password-deprecated",
              "enforcement": "warn",
              "field": "spec.password",
              "message": "spec.password: Forbidden: deprecated: plain-text passwords must not be stored"
            },
            {
              "file": "cluster:Identity/github-badname",
              "document": 1,
              "kind": "Identity",
              "name": "github-badname",
              "rule": "identity.name",
              "enforcement": "deny",
              "field": "metadata.name",
              "message": "metadata.name: Invalid value: \"github-badname\": must be github:badname"
            },
            {
              "file": "cluster:Identity/github-badname",
              "document": 1,
              "kind": "Identity",
              "name": "github-badname",
              "rule": "identity.required",
              "enforcement": "deny",
              "field": "user.uid",
              "message": "user.uid: Required value: uid is required when username is provided"
            },
            {
              "file": "cluster:Identity/github:ghost",
              "document": 3,
              "kind": "Identity",
              "name": "github:ghost",
              "rule": "identity.user-exists",
              "enforcement": "deny",
              "field": "user.name",
              "message": "user.name: Invalid value: \"ghost\": no User named \"ghost\" exists"
            },
            {
              "file": "cluster:Identity/github:wronguid",
              "document": 4,
              "kind": "Identity",
              "name": "github:wronguid",
              "rule": "identity.user-exists",
              "enforcement": "deny",
              "field": "user.uid",
              "message": "user.uid: Invalid value: \"not-cleans\": does not match the uid of User \"clean\" \#
        (uid-clean)"
            }
          ]
        }

        """#

    static let expectedSARIF = #"""
        {
          "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
          "version": "2.1.0",
          "runs": [
            {
              "tool": {
                "driver": {
                  "name": "identity-guard",
                  "version": "0.1.0",
                  "informationUri": "https://github.com/alauda/identity-guard",
                  "rules": [
                    {
                      "id": "user.schema",
                      "shortDescription": {
                        "text": "Only the seed's fields, each with its declared type; no duplicate keys; \#
        cluster-scoped."
                      },
                      "defaultConfiguration": {
                        "level": "error"
                      }
                    },
                    {
                      "id": "user.email",
                      "shortDescription": {
                        "text": "spec.email is set, at most 254 characters, no white space; with \"@\", a plausible \#
        address."
                      },
                      "defaultConfiguration": {
                        "level": "error"
                      }
                    },
                    {
                      "id": "user.email-unique",
                      "shortDescription": {
                        "text": "No two Users share an email (trimmed, Unicode-aware case-insensitive)."
                      },
                      "defaultConfiguration": {
                        "level": "error"
                      }
                    },
                    {
                      "id": "user.password-deprecated",
                      "shortDescription": {
                        "text": "spec.password and spec.old_password are deprecated; the mutating webhook removes \#
        them."
                      },
                      "defaultConfiguration": {
                        "level": "warning"
                      }
                    },
                    {
                      "id": "user.state",
                      "shortDescription": {
                        "text": "spec.state, when set, is active, disabled, locked or invalid."
                      },
                      "defaultConfiguration": {
                        "level": "error"
                      }
                    },
                    {
                      "id": "user.state-consistency",
                      "shortDescription": {
                        "text": "spec.is_disabled is true exactly when spec.state is \"disabled\"; the missing one \#
        is filled."
                      },
                      "defaultConfiguration": {
                        "level": "error"
                      }
                    },
                    {
                      "id": "user.formats",
                      "shortDescription": {
                        "text": "last_login_time is RFC 3339, webhookUrl an absolute https URL, groups unique and \#
        non-empty."
                      },
                      "defaultConfiguration": {
                        "level": "error"
                      }
                    },
                    {
                      "id": "user.name-hash",
                      "shortDescription": {
                        "text": "metadata.name equals md5(lowercased spec.email) in hex (off by default)."
                      },
                      "defaultConfiguration": {
                        "level": "none"
                      }
                    },
                    {
                      "id": "identity.schema",
                      "shortDescription": {
                        "text": "Only Identity's fields with their types: extra is string→string, user an \#
        ObjectReference."
                      },
                      "defaultConfiguration": {
                        "level": "error"
                      }
                    },
                    {
                      "id": "identity.required",
                      "shortDescription": {
                        "text": "providerName, providerUserName and user are set; user.name and user.uid both."
                      },
                      "defaultConfiguration": {
                        "level": "error"
                      }
                    },
                    {
                      "id": "identity.name",
                      "shortDescription": {
                        "text": "metadata.name is providerName:providerUserName; OpenShift's path-segment name rules."
                      },
                      "defaultConfiguration": {
                        "level": "error"
                      }
                    },
                    {
                      "id": "identity.immutable",
                      "shortDescription": {
                        "text": "On UPDATE, providerName and providerUserName do not change."
                      },
                      "defaultConfiguration": {
                        "level": "error"
                      }
                    },
                    {
                      "id": "identity.user-exists",
                      "shortDescription": {
                        "text": "user.name names a known User (off by default: Users often come after identities)."
                      },
                      "defaultConfiguration": {
                        "level": "error"
                      }
                    }
                  ]
                }
              },
              "invocations": [
                {
                  "executionSuccessful": true,
                  "toolExecutionNotifications": []
                }
              ],
              "results": [
                {
                  "ruleId": "user.state-consistency",
                  "ruleIndex": 5,
                  "level": "error",
                  "message": {
                    "text": "spec.is_disabled: Invalid value: false: must be true when spec.state is \"disabled\""
                  },
                  "locations": [
                    {
                      "physicalLocation": {
                        "artifactLocation": {
                          "uri": "cluster%3AUser/contra"
                        }
                      }
                    }
                  ]
                },
                {
                  "ruleId": "user.email-unique",
                  "ruleIndex": 2,
                  "level": "error",
                  "message": {
                    "text": "spec.email: Duplicate value: \"Dup@example.com\": already used by Users \"dup-b\", \#
        \"dup-c\""
                  },
                  "locations": [
                    {
                      "physicalLocation": {
                        "artifactLocation": {
                          "uri": "cluster%3AUser/dup-a"
                        }
                      }
                    }
                  ]
                },
                {
                  "ruleId": "user.email-unique",
                  "ruleIndex": 2,
                  "level": "error",
                  "message": {
                    "text": "spec.email: Duplicate value: \"dup@example.com\": already used by Users \"dup-a\", \#
        \"dup-c\""
                  },
                  "locations": [
                    {
                      "physicalLocation": {
                        "artifactLocation": {
                          "uri": "cluster%3AUser/dup-b"
                        }
                      }
                    }
                  ]
                },
                {
                  "ruleId": "user.email",
                  "ruleIndex": 1,
                  "level": "error",
                  "message": {
                    "text": "spec.email: Invalid value: \" DUP@example.com\": must not contain white space or \#
        control characters"
                  },
                  "locations": [
                    {
                      "physicalLocation": {
                        "artifactLocation": {
                          "uri": "cluster%3AUser/dup-c"
                        }
                      }
                    }
                  ]
                },
                {
                  "ruleId": "user.email-unique",
                  "ruleIndex": 2,
                  "level": "error",
                  "message": {
                    "text": "spec.email: Duplicate value: \" DUP@example.com\": already used by Users \"dup-a\", \#
        \"dup-b\""
                  },
                  "locations": [
                    {
                      "physicalLocation": {
                        "artifactLocation": {
                          "uri": "cluster%3AUser/dup-c"
                        }
                      }
                    }
                  ]
                },
                {
                  "ruleId": "user.state",
                  "ruleIndex": 4,
                  "level": "error",
                  "message": {
                    "text": "spec.state: Unsupported value: \"sleeping\": supported values: \"active\", \#
        \"disabled\", \"locked\", \"invalid\""
                  },
                  "locations": [
                    {
                      "physicalLocation": {
                        "artifactLocation": {
                          "uri": "cluster%3AUser/dup-c"
                        }
                      }
                    }
                  ]
                },
                {
                  "ruleId": "user.password-deprecated",
                  "ruleIndex": 3,
                  "level": "warning",
                  "message": {
                    "text": "spec.password: Forbidden: deprecated: plain-text passwords must not be stored"
                  },
                  "locations": [
                    {
                      "physicalLocation": {
                        "artifactLocation": {
                          "uri": "cluster%3AUser/secret"
                        }
                      }
                    }
                  ]
                },
                {
                  "ruleId": "identity.name",
                  "ruleIndex": 10,
                  "level": "error",
                  "message": {
                    "text": "metadata.name: Invalid value: \"github-badname\": must be github:badname"
                  },
                  "locations": [
                    {
                      "physicalLocation": {
                        "artifactLocation": {
                          "uri": "cluster%3AIdentity/github-badname"
                        }
                      }
                    }
                  ]
                },
                {
                  "ruleId": "identity.required",
                  "ruleIndex": 9,
                  "level": "error",
                  "message": {
                    "text": "user.uid: Required value: uid is required when username is provided"
                  },
                  "locations": [
                    {
                      "physicalLocation": {
                        "artifactLocation": {
                          "uri": "cluster%3AIdentity/github-badname"
                        }
                      }
                    }
                  ]
                },
                {
                  "ruleId": "identity.user-exists",
                  "ruleIndex": 12,
                  "level": "error",
                  "message": {
                    "text": "user.name: Invalid value: \"ghost\": no User named \"ghost\" exists"
                  },
                  "locations": [
                    {
                      "physicalLocation": {
                        "artifactLocation": {
                          "uri": "cluster%3AIdentity/github%3Aghost"
                        }
                      }
                    }
                  ]
                },
                {
                  "ruleId": "identity.user-exists",
                  "ruleIndex": 12,
                  "level": "error",
                  "message": {
                    "text": "user.uid: Invalid value: \"not-cleans\": does not match the uid of User \"clean\" \#
        (uid-clean)"
                  },
                  "locations": [
                    {
                      "physicalLocation": {
                        "artifactLocation": {
                          "uri": "cluster%3AIdentity/github%3Awronguid"
                        }
                      }
                    }
                  ]
                }
              ]
            }
          ]
        }

        """#

    static let expectedJUnit = #"""
        <?xml version="1.0" encoding="UTF-8"?>
        <testsuites name="identity-guard" tests="10" failures="7" errors="0" skipped="0">
          <testsuite name="cluster:User" tests="6" failures="4" errors="0" skipped="0">
            <testcase classname="cluster:User" name="document 1: User clean"/>
            <testcase classname="cluster:User" name="document 2: User contra">
              <failure message="1 violation" type="deny">cluster:User/contra: user.state-consistency: \#
        spec.is_disabled: Invalid value: false: must be true when spec.state is &quot;disabled&quot;</failure>
            </testcase>
            <testcase classname="cluster:User" name="document 3: User dup-a">
              <failure message="1 violation" type="deny">cluster:User/dup-a: user.email-unique: spec.email: \#
        Duplicate value: &quot;Dup@example.com&quot;: already used by Users &quot;dup-b&quot;, \#
        &quot;dup-c&quot;</failure>
            </testcase>
            <testcase classname="cluster:User" name="document 4: User dup-b">
              <failure message="1 violation" type="deny">cluster:User/dup-b: user.email-unique: spec.email: \#
        Duplicate value: &quot;dup@example.com&quot;: already used by Users &quot;dup-a&quot;, \#
        &quot;dup-c&quot;</failure>
            </testcase>
            <testcase classname="cluster:User" name="document 5: User dup-c">
              <failure message="3 violations" type="deny">cluster:User/dup-c: user.email: spec.email: Invalid \#
        value: &quot; DUP@example.com&quot;: must not contain white space or control characters
        cluster:User/dup-c: user.email-unique: spec.email: Duplicate value: &quot; DUP@example.com&quot;: already \#
        used by Users &quot;dup-a&quot;, &quot;dup-b&quot;
        cluster:User/dup-c: user.state: spec.state: Unsupported value: &quot;sleeping&quot;: supported values: \#
        &quot;active&quot;, &quot;disabled&quot;, &quot;locked&quot;, &quot;invalid&quot;</failure>
            </testcase>
            <testcase classname="cluster:User" name="document 6: User secret">
              <system-out>cluster:User/secret: user.password-deprecated: spec.password: Forbidden: deprecated: \#
        plain-text passwords must not be stored</system-out>
            </testcase>
          </testsuite>
          <testsuite name="cluster:Identity" tests="4" failures="3" errors="0" skipped="0">
            <testcase classname="cluster:Identity" name="document 1: Identity github-badname">
              <failure message="2 violations" type="deny">cluster:Identity/github-badname: identity.name: \#
        metadata.name: Invalid value: &quot;github-badname&quot;: must be github:badname
        cluster:Identity/github-badname: identity.required: user.uid: Required value: uid is required when username \#
        is provided</failure>
            </testcase>
            <testcase classname="cluster:Identity" name="document 2: Identity github:clean"/>
            <testcase classname="cluster:Identity" name="document 3: Identity github:ghost">
              <failure message="1 violation" type="deny">cluster:Identity/github:ghost: identity.user-exists: \#
        user.name: Invalid value: &quot;ghost&quot;: no User named &quot;ghost&quot; exists</failure>
            </testcase>
            <testcase classname="cluster:Identity" name="document 4: Identity github:wronguid">
              <failure message="1 violation" type="deny">cluster:Identity/github:wronguid: identity.user-exists: \#
        user.uid: Invalid value: &quot;not-cleans&quot;: does not match the uid of User &quot;clean&quot; \#
        (uid-clean)</failure>
            </testcase>
          </testsuite>
        </testsuites>

        """#

    static let expectedPolicyReport = #"""
        {
          "apiVersion": "wgpolicyk8s.io/v1alpha2",
          "kind": "ClusterPolicyReport",
          "metadata": {
            "name": "identity-guard-audit",
            "labels": {
              "app.kubernetes.io/managed-by": "identity-guard"
            }
          },
          "summary": {
            "pass": 2,
            "fail": 10,
            "warn": 1,
            "error": 0,
            "skip": 0
          },
          "results": [
            {
              "policy": "user.state-consistency",
              "rule": "user.state-consistency",
              "result": "fail",
              "severity": "high",
              "category": "identity",
              "source": "identity-guard",
              "scored": true,
              "message": "spec.is_disabled: Invalid value: false: must be true when spec.state is \"disabled\"",
              "properties": {
                "field": "spec.is_disabled"
              },
              "resources": [
                {
                  "apiVersion": "auth.alauda.io/v1",
                  "kind": "User",
                  "name": "contra",
                  "uid": "uid-contra"
                }
              ],
              "timestamp": {
                "seconds": 1800000000,
                "nanos": 0
              }
            },
            {
              "policy": "user.email-unique",
              "rule": "user.email-unique",
              "result": "fail",
              "severity": "high",
              "category": "identity",
              "source": "identity-guard",
              "scored": true,
              "message": "spec.email: Duplicate value: \"Dup@example.com\": already used by Users \"dup-b\", \#
        \"dup-c\"",
              "properties": {
                "field": "spec.email"
              },
              "resources": [
                {
                  "apiVersion": "auth.alauda.io/v1",
                  "kind": "User",
                  "name": "dup-a",
                  "uid": "uid-dup-a"
                }
              ],
              "timestamp": {
                "seconds": 1800000000,
                "nanos": 0
              }
            },
            {
              "policy": "user.email-unique",
              "rule": "user.email-unique",
              "result": "fail",
              "severity": "high",
              "category": "identity",
              "source": "identity-guard",
              "scored": true,
              "message": "spec.email: Duplicate value: \"dup@example.com\": already used by Users \"dup-a\", \#
        \"dup-c\"",
              "properties": {
                "field": "spec.email"
              },
              "resources": [
                {
                  "apiVersion": "auth.alauda.io/v1",
                  "kind": "User",
                  "name": "dup-b",
                  "uid": "uid-dup-b"
                }
              ],
              "timestamp": {
                "seconds": 1800000000,
                "nanos": 0
              }
            },
            {
              "policy": "user.email",
              "rule": "user.email",
              "result": "fail",
              "severity": "high",
              "category": "identity",
              "source": "identity-guard",
              "scored": true,
              "message": "spec.email: Invalid value: \" DUP@example.com\": must not contain white space or control \#
        characters",
              "properties": {
                "field": "spec.email"
              },
              "resources": [
                {
                  "apiVersion": "auth.alauda.io/v1",
                  "kind": "User",
                  "name": "dup-c",
                  "uid": "uid-dup-c"
                }
              ],
              "timestamp": {
                "seconds": 1800000000,
                "nanos": 0
              }
            },
            {
              "policy": "user.email-unique",
              "rule": "user.email-unique",
              "result": "fail",
              "severity": "high",
              "category": "identity",
              "source": "identity-guard",
              "scored": true,
              "message": "spec.email: Duplicate value: \" DUP@example.com\": already used by Users \"dup-a\", \#
        \"dup-b\"",
              "properties": {
                "field": "spec.email"
              },
              "resources": [
                {
                  "apiVersion": "auth.alauda.io/v1",
                  "kind": "User",
                  "name": "dup-c",
                  "uid": "uid-dup-c"
                }
              ],
              "timestamp": {
                "seconds": 1800000000,
                "nanos": 0
              }
            },
            {
              "policy": "user.state",
              "rule": "user.state",
              "result": "fail",
              "severity": "high",
              "category": "identity",
              "source": "identity-guard",
              "scored": true,
              "message": "spec.state: Unsupported value: \"sleeping\": supported values: \"active\", \"disabled\", \#
        \"locked\", \"invalid\"",
              "properties": {
                "field": "spec.state"
              },
              "resources": [
                {
                  "apiVersion": "auth.alauda.io/v1",
                  "kind": "User",
                  "name": "dup-c",
                  "uid": "uid-dup-c"
                }
              ],
              "timestamp": {
                "seconds": 1800000000,
                "nanos": 0
              }
            },
            {
              "policy": "user.password-deprecated",
              "rule": "user.password-deprecated",
              "result": "warn",
              "severity": "medium",
              "category": "identity",
              "source": "identity-guard",
              "scored": true,
              "message": "spec.password: Forbidden: deprecated: plain-text passwords must not be stored",
              "properties": {
                "field": "spec.password"
              },
              "resources": [
                {
                  "apiVersion": "auth.alauda.io/v1",
                  "kind": "User",
                  "name": "secret",
                  "uid": "uid-secret"
                }
              ],
              "timestamp": {
                "seconds": 1800000000,
                "nanos": 0
              }
            },
            {
              "policy": "identity.name",
              "rule": "identity.name",
              "result": "fail",
              "severity": "high",
              "category": "identity",
              "source": "identity-guard",
              "scored": true,
              "message": "metadata.name: Invalid value: \"github-badname\": must be github:badname",
              "properties": {
                "field": "metadata.name"
              },
              "resources": [
                {
                  "apiVersion": "user.openshift.io/v1",
                  "kind": "Identity",
                  "name": "github-badname",
                  "uid": "uid-github-badname"
                }
              ],
              "timestamp": {
                "seconds": 1800000000,
                "nanos": 0
              }
            },
            {
              "policy": "identity.required",
              "rule": "identity.required",
              "result": "fail",
              "severity": "high",
              "category": "identity",
              "source": "identity-guard",
              "scored": true,
              "message": "user.uid: Required value: uid is required when username is provided",
              "properties": {
                "field": "user.uid"
              },
              "resources": [
                {
                  "apiVersion": "user.openshift.io/v1",
                  "kind": "Identity",
                  "name": "github-badname",
                  "uid": "uid-github-badname"
                }
              ],
              "timestamp": {
                "seconds": 1800000000,
                "nanos": 0
              }
            },
            {
              "policy": "identity.user-exists",
              "rule": "identity.user-exists",
              "result": "fail",
              "severity": "high",
              "category": "identity",
              "source": "identity-guard",
              "scored": true,
              "message": "user.name: Invalid value: \"ghost\": no User named \"ghost\" exists",
              "properties": {
                "field": "user.name"
              },
              "resources": [
                {
                  "apiVersion": "user.openshift.io/v1",
                  "kind": "Identity",
                  "name": "github:ghost",
                  "uid": "uid-github:ghost"
                }
              ],
              "timestamp": {
                "seconds": 1800000000,
                "nanos": 0
              }
            },
            {
              "policy": "identity.user-exists",
              "rule": "identity.user-exists",
              "result": "fail",
              "severity": "high",
              "category": "identity",
              "source": "identity-guard",
              "scored": true,
              "message": "user.uid: Invalid value: \"not-cleans\": does not match the uid of User \"clean\" \#
        (uid-clean)",
              "properties": {
                "field": "user.uid"
              },
              "resources": [
                {
                  "apiVersion": "user.openshift.io/v1",
                  "kind": "Identity",
                  "name": "github:wronguid",
                  "uid": "uid-github:wronguid"
                }
              ],
              "timestamp": {
                "seconds": 1800000000,
                "nanos": 0
              }
            }
          ]
        }

        """#
}

/// The audit with exemptions: `users` and `labels` apply (an audit has no requester), the checks across
/// objects included; exempted findings become PolicyReport results with `result: skip` naming the exemption.
@Suite("identity-guard audit with exemptions")
struct AuditExemptionTests {
    static func auditor() throws -> ClusterAuditor {
        ClusterAuditor(configuration: try RuleConfiguration(document: [
            "exemptions": [
                ["name": "shared-mailbox", "rules": ["user.email-unique"], "users": ["dup-a", "dup-b"]],
                ["name": "ci-bot", "rules": ["*"], "requesters": ["ci"]],
                ["name": "migration", "rules": ["user.password-deprecated"], "users": ["secret"]],
            ],
        ]))
    }

    @Test("text and PolicyReport: skip results with the exemption; dup-c is still reported; the summary counts them")
    func policyReport() throws {
        let report = try Self.auditor().audit(users: AuditOutputTests.users, identities: [])
        let text = TextReporter.render(report)
        #expect(text.contains(#"cluster:User/dup-a: user.email-unique: spec.email: Duplicate value: "Dup@example.com": "#))
        #expect(text.split(separator: "\n").filter { $0.hasSuffix(#"(exempted by "shared-mailbox")"#) }.count == 2)
        #expect(text.contains(#"cluster:User/secret: user.password-deprecated: spec.password: Forbidden: deprecated: "#
            + #"plain-text passwords must not be stored (exempted by "migration")"#))
        #expect(!text.contains("ci-bot"))
        #expect(text.hasSuffix(", 3 exempted\n"))

        let document = try JSONReader.parse(Array(PolicyReportReporter.render(report, now: 1_700_000_000).utf8))
        let results = document["results"]?.arrayValue ?? []
        let skipped = results.filter { $0["result"] == "skip" }
        #expect(skipped.map { $0["resources"]?.arrayValue?.first?["name"]?.stringValue ?? "" }
            == ["dup-a", "dup-b", "secret"])
        #expect(skipped.map { $0["properties"]?["exemption"]?.stringValue ?? "" }
            == ["shared-mailbox", "shared-mailbox", "migration"])
        #expect(skipped.first?["message"]?.stringValue?.hasSuffix(#"(exempted by "shared-mailbox")"#) == true)
        #expect(document["summary"]?["skip"] == 3)
        // dup-c shares the email and is not exempted: still a failure.
        #expect(results.contains { $0["result"] == "fail" && $0["rule"] == "user.email-unique"
            && $0["resources"]?.arrayValue?.first?["name"] == "dup-c" })
    }
}
