import Foundation
import XCTest

/// Where the tests find what lives outside the package: ../shared (real data and reference fixtures),
/// the all-MiniLM-L6-v2 model folder, and scratch directories.
public enum TestResources {
    /// The package root, found from this file's path (Tests/Support/TestResources.swift).
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared` beside the package, or `$QUARRY_SHARED`.
    public static var shared: URL {
        if let path = ProcessInfo.processInfo.environment["QUARRY_SHARED"] { return URL(fileURLWithPath: path) }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared")
    }

    /// A file under ../shared/data, or an XCTSkip naming what is missing.
    public static func sharedData(_ relative: String) throws -> URL {
        let url = shared.appendingPathComponent("data").appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("real data not found at \(url.path): this test needs ../shared/data beside the package")
        }
        return url
    }

    /// A file under ../shared/fixtures, or an XCTSkip naming what is missing.
    public static func fixture(_ relative: String) throws -> URL {
        let url = shared.appendingPathComponent("fixtures").appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("reference fixture not found at \(url.path): this test needs ../shared/fixtures")
        }
        return url
    }

    /// The all-MiniLM-L6-v2 folder (`models/all-MiniLM-L6-v2`, or `$QUARRY_MODEL`), or an XCTSkip saying
    /// how to fetch it (`scripts/fetch-model`).
    public static func miniLM() throws -> URL {
        let url: URL
        if let path = ProcessInfo.processInfo.environment["QUARRY_MODEL"] {
            url = URL(fileURLWithPath: path)
        } else {
            url = packageRoot.appendingPathComponent("models/all-MiniLM-L6-v2")
        }
        guard FileManager.default.fileExists(atPath: url.appendingPathComponent("model.safetensors").path) else {
            throw XCTSkip("model not found at \(url.path): run scripts/fetch-model")
        }
        return url
    }

    /// A database path (`test.sqlite`) in a fresh directory removed when the test case ends.
    public static func temporaryDatabase(for testCase: XCTestCase) throws -> URL {
        try temporaryDirectory(for: testCase).appendingPathComponent("test.sqlite")
    }

    /// A fresh empty directory, removed when the test case ends.
    public static func temporaryDirectory(for testCase: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("quarry-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        testCase.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}
