public import ClusterCache
public import IdentityRules
public import Logging

/// `identity-guard audit` in bounded memory: the cluster is read in pages, three times for Users, and no page is
/// kept.
///
/// Two passes over the Users fill a ``CompactStoredUsers`` (hashes of names and emails, uids, and the names of
/// only the Users whose email may be shared — what the checks across objects need, about 55 bytes a User); the
/// third checks each User as its page arrives, then the Identities are checked the same way. Only the verdicts
/// with findings are kept (and, for a report that lists every object — JUnit — the clean ones too), so memory
/// follows the index and one page, not the cluster: Gatekeeper's audit lists in chunks for the same reason.
///
/// Objects are reported in the order the apiserver lists them, which is name order (etcd's key order); the
/// kept verdicts are sorted by name as well, so the report is the one ``ClusterAuditor/audit(users:identities:)``
/// gives for the same objects. A User written between two passes is seen by some of them only, as any audit
/// of a changing cluster sees a moment of it.
public struct PagedAudit: Sendable {
    public let auditor: ClusterAuditor
    public let pageSize: Int

    /// What an audit read: the report, and whether the cluster serves Identities at all.
    public struct Outcome: Sendable {
        public var report: FindingReport
        public var identitiesServed: Bool
    }

    public init(auditor: ClusterAuditor, pageSize: Int = 500) {
        self.auditor = auditor
        self.pageSize = pageSize
    }

    /// Audits what `client` reaches. `keepingClean`: keep the verdicts of objects without findings (a JUnit
    /// report has a test case per object); otherwise they are only counted.
    public func run(client: KubernetesClient, keepingClean: Bool = false, logger: Logger? = nil)
        async throws(KubernetesError) -> Outcome
    {
        var index = CompactStoredUsers()
        var counting = ListPager(client: client, kind: .user, pageSize: pageSize)
        while let page = try await counting.next(logger: logger) {
            if page.restarted { index = CompactStoredUsers() }
            for user in page.items { index.count(user: user) }
        }
        let counted = index
        var collecting = ListPager(client: client, kind: .user, pageSize: pageSize)
        while let page = try await collecting.next(logger: logger) {
            if page.restarted { index = counted }
            for user in page.items { index.collect(user: user) }
        }
        var report = FindingReport()
        try await check(.user, client: client, index: index, keepingClean: keepingClean, logger: logger,
                        into: &report)
        do throws(KubernetesError) {
            try await check(.identity, client: client, index: index, keepingClean: keepingClean, logger: logger,
                            into: &report)
        } catch where error.code == .notFound {
            report.sections.append(FindingReport.Section(name: Self.sectionName(.identity)))
            return Outcome(report: report, identitiesServed: false)
        }
        return Outcome(report: report, identitiesServed: true)
    }

    static func sectionName(_ kind: ResourceKind) -> String {
        "cluster:\(kind.kind)"
    }

    /// One paged pass over `kind`, each object checked against `index` as its page arrives.
    private func check(_ kind: ResourceKind, client: KubernetesClient, index: CompactStoredUsers, keepingClean: Bool,
                       logger: Logger?, into report: inout FindingReport) async throws(KubernetesError)
    {
        var section = FindingReport.Section(name: Self.sectionName(kind))
        var summary = CheckSummary()
        var ordinal = 0
        var pager = ListPager(client: client, kind: kind, pageSize: pageSize)
        while let page = try await pager.next(logger: logger) {
            if page.restarted {
                section.verdicts.removeAll()
                summary = CheckSummary()
                ordinal = 0
            }
            for object in page.items {
                ordinal += 1
                let verdict = auditor.verdict(on: object, kind: kind, ordinal: ordinal, index: index)
                summary.count(verdict)
                if keepingClean || !verdict.findings.isEmpty { section.verdicts.append(verdict) }
            }
        }
        section.verdicts.sort { $0.object.name < $1.object.name }
        report.sections.append(section)
        report.summary.add(summary)
    }
}
