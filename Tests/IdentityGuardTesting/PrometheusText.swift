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

/// The samples of a Prometheus text exposition: `name{labels}` → value text.
package struct PrometheusText {
    package let text: String
    package let samples: [String: String]

    package init(_ text: String) {
        self.text = text
        var samples: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " ") else { continue }
            samples[String(line[..<space])] = String(line[line.index(after: space)...])
        }
        self.samples = samples
    }

    /// The value of the sample `series` (`name` or `name{label="value",…}` exactly as exposed).
    package func value(_ series: String) -> Double? {
        samples[series].flatMap { Double($0) }
    }
}
