import IdentityRules
import KubeJSON
import Testing

@Suite("Findings name objects, not files")
struct FindingModelTests {
    static let stateFinding = Finding(
        violation: Violation(rule: "user.state", field: FieldPath("spec", "state"), type: .notSupported,
                             badValue: .string("sleeping"), detail: "nope"),
        enforcement: .deny)
    static let passwordFinding = Finding(
        violation: Violation(rule: "user.password-deprecated", field: FieldPath("spec", "password"),
                             type: .forbidden, detail: "deprecated"),
        enforcement: .warn)

    @Test("an object's reference is read from the object itself; a governed kind fills what is absent")
    func reference() {
        let stored: JSONValue = [
            "apiVersion": "auth.alauda.io/v1", "kind": "User",
            "metadata": ["name": "alice", "uid": "6c1f", "resourceVersion": "7"],
        ]
        #expect(ObjectReference(of: stored)
            == ObjectReference(apiVersion: "auth.alauda.io/v1", kind: "User", name: "alice", uid: "6c1f"))
        #expect(ObjectReference(of: ["metadata": ["name": "bob"]], governed: .identity)
            == ObjectReference(apiVersion: "user.openshift.io/v1", kind: "Identity", name: "bob"))
        #expect(ObjectReference(of: ["kind": "ConfigMap", "metadata": ["name": "c", "namespace": "ns"]])
            == ObjectReference(apiVersion: "", kind: "ConfigMap", namespace: "ns", name: "c"))
        #expect(ObjectReference(of: ["- 1"]) == ObjectReference(apiVersion: "", kind: "", name: ""))
    }

    @Test("a finding is placed at FILE:LINE:COLUMN when read from a file, at cluster:KIND/NAME when stored")
    func place() {
        let alice = ObjectReference(apiVersion: "auth.alauda.io/v1", kind: "User", name: "alice")
        let inFile = ObjectFinding(object: alice, location: FileLocation(
            file: "users/alice.yaml", position: SourcePosition(line: 7, column: 3)), finding: Self.stateFinding)
        #expect(inFile.place == "users/alice.yaml:7:3")
        #expect(inFile.rule == "user.state")
        #expect(inFile.enforcement == .deny)
        #expect(inFile.field == FieldPath("spec", "state"))
        #expect(inFile.message == #"spec.state: Unsupported value: "sleeping": nope"#)
        #expect(ObjectFinding(object: alice, location: nil, finding: Self.stateFinding).place == "cluster:User/alice")
        let namespaced = ObjectReference(apiVersion: "v1", kind: "ConfigMap", namespace: "ns", name: "c")
        #expect(ObjectFinding(object: namespaced, location: nil, finding: Self.stateFinding).place
            == "cluster:ConfigMap/ns/c")
    }

    @Test("a report grows a verdict at a time: each object counted once, denied or warned or clean, or skipped")
    func appendAndCount() {
        let alice = ObjectReference(apiVersion: "auth.alauda.io/v1", kind: "User", name: "alice")
        func verdict(_ ordinal: Int, _ kind: ResourceKind?, _ findings: [Finding]) -> ObjectVerdict {
            ObjectVerdict(object: alice, ordinal: ordinal, kind: kind,
                          findings: findings.map { ObjectFinding(object: alice, location: nil, finding: $0) })
        }
        var report = FindingReport(sections: [FindingReport.Section(name: "cluster:User")])
        #expect(report.exitStatus == 0)
        report.append(verdict(1, .user, [Self.passwordFinding]))
        #expect(report.exitStatus == 0)
        report.append(verdict(2, .user, [Self.passwordFinding, Self.stateFinding]))
        report.append(verdict(3, .user, []))
        report.append(verdict(4, nil, []))
        #expect(report.summary == CheckSummary(documents: 4, checked: 3, skipped: 1, denied: 1, warnings: 1))
        #expect(report.summary.line == "4 documents, 3 checked, 1 skipped, 1 denied, 1 warnings")
        #expect(report.sections.map(\.verdicts.count) == [4])
        #expect(report.findings.map(\.rule) == ["user.password-deprecated", "user.password-deprecated", "user.state"])
        #expect(report.exitStatus == 1)
        report.sections.append(FindingReport.Section(name: "bad.yaml", error: InputError(
            .syntax, file: "bad.yaml", position: SourcePosition(line: 3, column: 2), message: "YAML syntax error")))
        #expect(report.errors.map(\.description) == ["bad.yaml:3:2: YAML syntax error"])
        #expect(report.exitStatus == 2)
    }

    @Test("whether a finding denies or warns is the finding's to say (where an exemption will change it)")
    func deniesOrWarns() {
        #expect(Self.stateFinding.denies && !Self.stateFinding.warns)
        #expect(!Self.passwordFinding.denies && Self.passwordFinding.warns)
        #expect(Evaluation(findings: [Self.passwordFinding, Self.stateFinding]).denials
            == [Self.stateFinding.violation])
        #expect(Evaluation(findings: [Self.passwordFinding]).isAllowed)
    }

    @Test("the engine orders added findings as it orders its own: field, then catalogue order")
    func ordered() {
        let unique = Finding(violation: Violation(rule: "user.email-unique", field: FieldPath("spec", "email"),
                                                  type: .duplicate, badValue: .string("a@x.io"), detail: "x"),
                             enforcement: .deny)
        let format = Finding(violation: Violation(rule: "user.email", field: FieldPath("spec", "email"),
                                                  type: .invalid, badValue: .string("a@x.io"), detail: "y"),
                             enforcement: .deny)
        #expect(RuleEngine().ordered([Self.stateFinding, unique, Self.passwordFinding, format])
            == [format, unique, Self.passwordFinding, Self.stateFinding])
    }
}
