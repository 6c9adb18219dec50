// swift-tools-version:6.1
import PackageDescription

/// Compiler settings every target shares: the strict ones Hummingbird builds with.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "identity-guard",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "identity-guard", targets: ["identity-guard"]),
        .library(name: "IdentityRules", targets: ["IdentityRules"]),
        .library(name: "Admission", targets: ["Admission"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
    ],
    targets: [
        // Pure rule engine: JSON value model, rules, enforcement, mutations. No I/O.
        .target(
            name: "IdentityRules",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings
        ),
        // AdmissionReview wire types, evaluation per operation, responses, JSON Patch.
        .target(
            name: "Admission",
            dependencies: ["IdentityRules"],
            swiftSettings: strictSettings
        ),
        // The command line as a testable library.
        .target(
            name: "IdentityGuardCLI",
            dependencies: [
                "IdentityRules",
                "Admission",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "identity-guard",
            dependencies: ["IdentityGuardCLI"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "IdentityRulesTests",
            dependencies: ["IdentityRules"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "AdmissionTests",
            dependencies: ["Admission", "IdentityRules"],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "IdentityGuardCLITests",
            dependencies: ["IdentityGuardCLI", "IdentityRules"],
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
                "Admission",
                "IdentityRules",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/AdmissionBenchmarks",
            swiftSettings: strictSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    )
}
