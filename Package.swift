// swift-tools-version:6.1
import PackageDescription

// Release builds of the numeric code must vectorise: -Ounchecked drops the overflow checks that block it.
let fastMath: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]

let package = Package(
    name: "Quarry",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "quarry", targets: ["quarry"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.1.0"),
    ],
    targets: [
        // C libraries from Debian, each behind one shim header.
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CBZip2", providers: [.apt(["libbz2-dev"])]),
        .systemLibrary(name: "CLZMA", pkgConfig: "liblzma", providers: [.apt(["liblzma-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CDNNL", providers: [.apt(["libdnnl-dev"])]),

        .target(name: "QuarryText", dependencies: ["CZlib"]),
        .target(name: "QuarryStore", dependencies: [
            "QuarryText",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
        ]),
        .target(name: "QuarryIngest", dependencies: ["CLibXML2", "CBZip2", "CLZMA", "CZlib", "QuarryStore", "QuarryText"]),
        .target(name: "QuarryNN", dependencies: ["COpenBLAS", "CDNNL"], swiftSettings: fastMath),
        .target(name: "QuarryModels", dependencies: ["QuarryNN", "QuarryText"], swiftSettings: fastMath),
        .target(name: "QuarryRetrieval", dependencies: [
            "QuarryModels", "QuarryStore", "COpenBLAS",
            .product(name: "Collections", package: "swift-collections"),
        ], swiftSettings: fastMath),
        .target(name: "QuarryTraining", dependencies: ["QuarryRetrieval"], swiftSettings: fastMath),
        .target(name: "QuarryQA", dependencies: ["QuarryRetrieval"], swiftSettings: fastMath),
        .executableTarget(name: "quarry", dependencies: [
            "QuarryIngest", "QuarryTraining", "QuarryQA",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Benchmarks, kept apart from the tests: bench/*.sh drive this executable.
        .executableTarget(name: "quarry-bench", dependencies: [
            "QuarryNN", "QuarryRetrieval", "QuarryStore", "QuarryTraining", .product(name: "GRDB", package: "GRDB.swift"),
        ], swiftSettings: fastMath),

        .testTarget(name: "QuarryTextTests", dependencies: ["QuarryText", "QuarryTestSupport"]),
        .testTarget(name: "QuarryStoreTests", dependencies: ["QuarryStore", "QuarryTestSupport"]),
        .testTarget(name: "QuarryIngestTests", dependencies: ["QuarryIngest", "QuarryTestSupport"]),
        .testTarget(name: "QuarryNNTests", dependencies: ["QuarryNN", "QuarryTestSupport"]),
        .testTarget(name: "QuarryModelsTests", dependencies: ["QuarryModels", "QuarryTestSupport"]),
        .testTarget(name: "QuarryRetrievalTests", dependencies: ["QuarryRetrieval", "QuarryTestSupport"]),
        .testTarget(name: "QuarryTrainingTests", dependencies: ["QuarryTraining", "QuarryTestSupport"]),
        .testTarget(name: "QuarryQATests", dependencies: ["QuarryQA", "QuarryTestSupport"]),
        .testTarget(name: "QuarryCLITests", dependencies: ["QuarryStore", "QuarryRetrieval", "QuarryTestSupport"]),
        // Fuzzing and hostile-input tests across the modules that read untrusted files.
        .testTarget(name: "QuarryReliabilityTests", dependencies: [
            "QuarryIngest", "QuarryNN", "QuarryStore", "QuarryText", "QuarryTestSupport",
        ]),
        // Locating ../shared, the model folder and temporary databases for every test target.
        .target(name: "QuarryTestSupport", path: "Tests/Support"),
    ],
    swiftLanguageModes: [.v5]
)
