// swift-tools-version:6.1
import PackageDescription

/// Compiler settings every target shares: the strict ones Hummingbird builds with.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// The test-support library re-exports what its helpers take and return, so its imports stay public.
let testSupportSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "identity-guard",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "identity-guard", targets: ["identity-guard"]),
        .library(name: "KubeJSON", targets: ["KubeJSON"]),
        .library(name: "IdentityRules", targets: ["IdentityRules"]),
        .library(name: "Admission", targets: ["Admission"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-http2.git", from: "1.46.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
    ],
    targets: [
        // The JSON core: value model, RFC 8259 reader and writer, JSON Pointer, JSON Patch. No dependencies.
        .target(
            name: "KubeJSON",
            swiftSettings: strictSettings
        ),
        // Pure rule engine: rules, enforcement, mutations, the email index. No I/O.
        .target(
            name: "IdentityRules",
            dependencies: ["KubeJSON", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        // The rules' CEL forms as ValidatingAdmissionPolicy / MutatingAdmissionPolicy objects. No I/O.
        .target(
            name: "NativePolicies",
            dependencies: ["KubeJSON", "IdentityRules"],
            swiftSettings: strictSettings
        ),
        // AdmissionReview wire types, evaluation per operation, responses.
        .target(
            name: "Admission",
            dependencies: ["KubeJSON", "IdentityRules"],
            swiftSettings: strictSettings
        ),
        // What the process asks of the system, below every server module: UTC time in the forms Kubernetes and
        // HTTP write it, returning freed memory.
        .target(
            name: "SystemSupport",
            swiftSettings: strictSettings
        ),
        // The HTTPS admission webhook, transport only: one SwiftNIO stack for every port (HTTP/1.1, HTTP/2
        // through NIOHTTP2's HTTP/1 codec, the plain metrics port), TLS with certificate reload, probes, metrics,
        // logs. Knows no cluster.
        .target(
            name: "WebhookServer",
            dependencies: [
                "KubeJSON",
                "IdentityRules",
                "Admission",
                "SystemSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSettings
        ),
        // The one bound on YAML aliases every YAML reader applies before Yams composes (billion laughs).
        .target(
            name: "YAMLBounds",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings
        ),
        // The cluster's Users through the Kubernetes list/watch protocol: client, credentials, watcher, index.
        .target(
            name: "ClusterCache",
            dependencies: [
                "KubeJSON",
                "IdentityRules",
                "SystemSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                "YAMLBounds",
            ],
            swiftSettings: strictSettings
        ),
        // YAML and JSON documents as the engine's JSON values, with positions (offline checker, config files).
        .target(
            name: "Manifests",
            dependencies: ["KubeJSON", "IdentityRules", "YAMLBounds", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings
        ),
        // The audit of stored objects: each by the rules, plus the checks across objects over an index of the
        // stored Users; once (`audit`) or periodically over the cluster cache's objects (`serve --audit-interval`).
        .target(
            name: "ClusterAudit",
            dependencies: [
                "KubeJSON",
                "IdentityRules",
                "ClusterCache",
                "SystemSupport",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // The composition root of `serve` (controller-runtime's manager, in small): builds the object graph from
        // options, owns the apiserver client and the metrics registry, and decides the start and stop order.
        .target(
            name: "IdentityGuardService",
            dependencies: [
                "KubeJSON",
                "IdentityRules",
                "Admission",
                "ClusterCache",
                "ClusterAudit",
                "WebhookServer",
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // The command line as a testable library.
        .target(
            name: "IdentityGuardCLI",
            dependencies: [
                "KubeJSON",
                "IdentityRules",
                "IdentityGuardService",
                "WebhookServer",
                "Manifests",
                "ClusterCache",
                "ClusterAudit",
                "NativePolicies",
                "SystemSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "identity-guard",
            dependencies: ["IdentityGuardCLI"],
            swiftSettings: strictSettings
        ),
        // What the test targets share: PKI made in code, waiting, subprocesses, review builders, the fake API
        // server, running servers and caches. A library for tests only; no production target depends on it.
        .target(
            name: "IdentityGuardTesting",
            dependencies: [
                "KubeJSON",
                "IdentityRules",
                "Admission",
                "ClusterCache",
                "Manifests",
                "WebhookServer",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Tests/IdentityGuardTesting",
            swiftSettings: testSupportSettings
        ),
        .testTarget(
            name: "KubeJSONTests",
            dependencies: ["KubeJSON"],
            resources: [.copy("JSONTestSuite")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "IdentityRulesTests",
            dependencies: ["KubeJSON", "IdentityRules"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "AdmissionTests",
            dependencies: ["KubeJSON", "IdentityRules", "Admission", "IdentityGuardTesting"],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "NativePoliciesTests",
            dependencies: ["KubeJSON", "IdentityRules", "NativePolicies"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ManifestsTests",
            dependencies: ["KubeJSON", "IdentityRules", "Manifests", "YAMLBounds"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ClusterAuditTests",
            dependencies: ["KubeJSON", "IdentityRules", "ClusterAudit"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ClusterCacheTests",
            dependencies: [
                "KubeJSON",
                "IdentityRules",
                "Admission",
                "ClusterCache",
                "SystemSupport",
                "IdentityGuardTesting",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "WebhookServerTests",
            dependencies: [
                "KubeJSON",
                "IdentityRules",
                "Admission",
                "WebhookServer",
                "SystemSupport",
                "IdentityGuardTesting",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "IdentityGuardServiceTests",
            dependencies: [
                "ClusterCache",
                "IdentityGuardService",
                "WebhookServer",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "IdentityGuardCLITests",
            dependencies: ["KubeJSON", "IdentityRules", "IdentityGuardCLI", "IdentityGuardTesting", "ClusterAudit"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "DeploymentTests",
            dependencies: [
                "KubeJSON",
                "IdentityRules",
                "Manifests",
                "WebhookServer",
                "Admission",
                "IdentityGuardTesting",
                "NativePolicies",
                "IdentityGuardCLI",
                .product(name: "Yams", package: "Yams"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strictSettings
        ),
        // Whole flows across modules: the webhook with the cluster cache, check against a cluster.
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "KubeJSON",
                "IdentityRules",
                "Admission",
                "ClusterCache",
                "WebhookServer",
                "IdentityGuardService",
                "IdentityGuardCLI",
                "IdentityGuardTesting",
                "ClusterAudit",
                "NativePolicies",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)

// Benchmarks (ordo-one/benchmark) are built only on request, so that `swift build` and `swift test` (and CI)
// never resolve or build the benchmark package: `IDENTITY_GUARD_BENCHMARKS=1 swift package benchmark`,
// or simply `Benchmarks/run.sh`.
if Context.environment["IDENTITY_GUARD_BENCHMARKS"] != nil {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"])
    )
    package.targets.append(
        .executableTarget(
            name: "AdmissionBenchmarks",
            dependencies: [
                "KubeJSON",
                "Admission",
                "IdentityRules",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/AdmissionBenchmarks",
            swiftSettings: strictSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    )
    // The load test's ceiling: the real server with a canned AdmissionResponder (Benchmarks/load.sh).
    package.targets.append(
        .executableTarget(
            name: "canned-webhook",
            dependencies: [
                "Admission",
                "WebhookServer",
                "IdentityGuardService",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Benchmarks/CannedWebhook",
            swiftSettings: strictSettings
        )
    )
    // What an email claim costs, against a real apiserver (needs KUBEBUILDER_ASSETS).
    package.targets.append(
        .executableTarget(
            name: "claim-latency",
            dependencies: [
                "KubeJSON",
                "IdentityRules",
                "Admission",
                "ClusterCache",
                "IdentityGuardTesting",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Benchmarks/ClaimLatency",
            swiftSettings: strictSettings
        )
    )
}

// libFuzzer targets (Fuzz/), built only on request with the fuzzer sanitizer: `Fuzz/run.sh TARGET SECONDS`.
if Context.environment["IDENTITY_GUARD_FUZZ"] != nil {
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("JSONReaderFuzz", ["KubeJSON"]),
        ("JSONPatchFuzz", ["KubeJSON"]),
        ("AdmissionFuzz", ["KubeJSON", "Admission"]),
        ("ManifestFuzz", ["Manifests"]),
        ("RuleConfigurationFuzz", ["IdentityRules", "Manifests"]),
    ]
    for target in fuzzTargets {
        package.targets.append(
            .executableTarget(
                name: target.name,
                dependencies: target.dependencies,
                path: "Fuzz/\(target.name)",
                swiftSettings: strictSettings + [.unsafeFlags(["-parse-as-library"])]
            )
        )
    }
}

