// The load test's ceiling: the real webhook server (same TLS, HTTP/1.1, routing, probes) whose `/validate` and
// `/mutate` read the body and answer a fixed AdmissionReview without any JSON work. Built only on request
// (`IDENTITY_GUARD_BENCHMARKS=1`), so no production target contains it.
//
//   canned-webhook --port P [--log-level LEVEL]
//
// Like `identity-guard serve --dev`, it makes a throwaway certificate for localhost and prints its CA's path.
import Admission
import Foundation
import IdentityGuardService
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals
import WebhookServer

/// Answers every admission with the same allowed AdmissionReview; the transport has read the body.
struct CannedEndpoint: AdmissionEndpoint {
    static let answer = ByteBuffer(string: #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","#
        + #""response":{"uid":"00000000-0000-0000-0000-000000000000","allowed":true}}"#)

    func respond(to body: ByteBuffer, webhook: WebhookType) -> EndpointReply {
        .ready(.json(Self.answer))
    }
}

var arguments = CommandLine.arguments.dropFirst()
var port = 8443
var level = Logger.Level.warning
while let argument = arguments.popFirst() {
    switch argument {
    case "--port": port = Int(arguments.popFirst() ?? "") ?? port
    case "--log-level": level = Logger.Level(rawValue: arguments.popFirst() ?? "") ?? level
    default: break
    }
}
let logger = Logger(label: "canned-webhook") { label in LineLogHandler(label: label, format: .json, level: level) }
let files = try DevelopmentCertificates.write()
var configuration = WebhookServerConfiguration(certificateFile: files.certificateFile,
                                               privateKeyFile: files.privateKeyFile)
configuration.address = "127.0.0.1"
configuration.port = port
configuration.metricsPort = nil
let server = try WebhookServer(configuration: configuration, codec: ReviewCodec(),
                               endpoint: CannedEndpoint(), logger: logger)
print("  CA certificate: \(files.authorityFile)")
fflush(nil)
let group = ServiceGroup(configuration: .init(services: try server.services().map { .init(service: $0) },
                                              gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
try await group.run()
