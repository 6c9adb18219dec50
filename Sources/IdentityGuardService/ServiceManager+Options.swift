public import ClusterCache
public import IdentityRules
public import WebhookServer

extension ServiceManager {
    /// Everything `serve` is built from; each default is written here once, and the command line's flags
    /// show these values.
    public struct Options: Sendable {
        /// The server's settings; with ``developmentCertificates`` its certificate files are replaced.
        public var server: WebhookServerConfiguration
        /// Make a throwaway CA and certificate for localhost (`serve --dev`).
        public var developmentCertificates = false
        public var rules = RuleConfiguration.defaults
        public var cluster = ClusterSource.automatic
        /// How long an allowed email stays reserved (or its Lease claimed) while the watch has not shown it.
        public var reservationTTL: Duration = Self.defaultReservationTTL
        /// Where new emails are decided: Leases in the apiserver (exact across replicas; the default with a
        /// cluster) or this replica's reservations only.
        public var claims: EmailClaimsMode = .automatic
        /// Audit what the cache holds every so often (`--audit-interval`); nil: no periodic audit. Needs a cluster.
        public var auditInterval: Duration?
        /// How long the webhook keeps serving after SIGTERM with `/readyz` already 503, before it stops
        /// accepting (`--shutdown-delay`): endpoints and the apiserver's connection pool learn of the
        /// readiness change only after a while, and keep sending requests meanwhile.
        public var shutdownDelay: Duration = Self.defaultShutdownDelay
        /// The release, for the start-up log.
        public var version = ""

        public static let defaultReservationTTL: Duration = .seconds(30)
        public static let defaultShutdownDelay: Duration = .seconds(5)

        public init(server: WebhookServerConfiguration) {
            self.server = server
        }
    }
}
