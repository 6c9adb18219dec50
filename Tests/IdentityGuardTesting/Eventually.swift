import KubeJSON
import Admission
import AsyncHTTPClient
import Foundation
import IdentityRules
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOTLS
import ServiceLifecycle
import Testing
import WebhookServer
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Polls `condition` every 20 ms until it holds or `timeout` passes; returns whether it held.
/// The default is generous on purpose: every caller expects the condition to come true, so a passing test
/// returns as soon as it does, and only a failing one waits the whole time. A 5 s default once failed CI on a
/// loaded two-core machine, where five TLS round trips to the fake API server took longer than that.
package func eventually(within timeout: Duration = .seconds(30), _ condition: () async throws -> Bool)
    async rethrows -> Bool
{
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while true {
        if try await condition() { return true }
        if ContinuousClock.now >= deadline { return false }
        try? await Task.sleep(for: .milliseconds(20))
    }
}
