import Foundation
import QuarryNN
import QuarryTestSupport
import XCTest

final class SafetensorsTests: XCTestCase {
    /// Writes a file with the given header text and data bytes; `declaredLength` overrides the length field.
    func craft(_ header: String, data: [UInt8] = [], declaredLength: UInt64? = nil) throws -> URL {
        let url = try TestResources.temporaryDirectory(for: self).appendingPathComponent("crafted.safetensors")
        var bytes = Data()
        var length = (declaredLength ?? UInt64(header.utf8.count)).littleEndian
        bytes.append(Data(bytes: &length, count: 8))
        bytes.append(Data(header.utf8))
        bytes.append(Data(data))
        try bytes.write(to: url)
        return url
    }

    func assertRejected(_ url: URL, mentioning fragment: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try SafetensorsFile(url: url), file: file, line: line) { error in
            let message = String(describing: error)
            XCTAssertTrue(message.contains(url.path), "error names the file: \(message)", file: file, line: line)
            XCTAssertTrue(message.contains(fragment), "\(message) should mention \(fragment)", file: file, line: line)
        }
    }

    func testRoundTrip() throws {
        let a: [Float] = [1, -2.5, 3e-8, .greatestFiniteMagnitude, 0, 7]
        let b: [Float] = [42]
        let url = try TestResources.temporaryDirectory(for: self).appendingPathComponent("t.safetensors")
        try a.withUnsafeBufferPointer { pa in
            try b.withUnsafeBufferPointer { pb in
                try SafetensorsWriter.write([
                    .init(name: "layer.weight", shape: [2, 3], data: pa.baseAddress!),
                    .init(name: "layer.bias", shape: [1], data: pb.baseAddress!),
                ], metadata: ["format": "pt"], to: url)
            }
        }
        let file = try SafetensorsFile(url: url)
        XCTAssertEqual(file.metadata, ["format": "pt"])
        XCTAssertEqual(file.entries["layer.weight"]?.shape, [2, 3])
        XCTAssertEqual(file.entries["layer.weight"]?.dtype, .F32)
        XCTAssertEqual(try file.floats("layer.weight"), a)
        XCTAssertEqual(try file.floats("layer.bias"), b)
        XCTAssertThrowsError(try file.floats("missing"))
    }

    func testHalfPrecisionTypesAreConvertedToFloat() throws {
        // F16 1.5 = 0x3E00, -2 = 0xC000; BF16 1.5 = 0x3FC0, -2 = 0xC000 (little-endian bytes).
        let header = #"{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]}}"#
        let url = try craft(header, data: [0x00, 0x3E, 0x00, 0xC0, 0xC0, 0x3F, 0x00, 0xC0])
        let file = try SafetensorsFile(url: url)
        XCTAssertEqual(try file.floats("h"), [1.5, -2])
        XCTAssertEqual(try file.floats("b"), [1.5, -2])
    }

    func testIntegerTensorsAreListedButNotReadAsFloat() throws {
        let url = try craft(#"{"ids":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8))
        let file = try SafetensorsFile(url: url)
        XCTAssertEqual(file.entries["ids"]?.dtype, .I64)
        XCTAssertThrowsError(try file.floats("ids"))
    }

    func testHostileHeadersAreErrors() throws {
        let four = [UInt8](repeating: 0, count: 8)
        assertRejected(try craft(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#, data: four), mentioning: "outside")
        assertRejected(try craft(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: four),
                       mentioning: "overlap")
        assertRejected(try craft(#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: four), mentioning: "needs 12 bytes")
        assertRejected(try craft(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}"#, data: four), mentioning: "outside")
        assertRejected(try craft(#"{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#, data: four), mentioning: "shape")
        assertRejected(try craft(#"{"a":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}"#, data: four),
                       mentioning: "shape")
        assertRejected(try craft(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0]}}"#, data: four), mentioning: "data_offsets")
        assertRejected(try craft(#"{"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}}"#, data: four), mentioning: "unknown dtype Q4")
        assertRejected(try craft(#"{"a":{"shape":[2],"data_offsets":[0,8]}}"#, data: four), mentioning: "missing dtype")
        assertRejected(try craft(#"{"a": [1, 2"#, data: four), mentioning: "not valid JSON")
        assertRejected(try craft(#"[1, 2]"#, data: four), mentioning: "not a JSON object")
        assertRejected(try craft(#"{}"#, declaredLength: 1 << 62), mentioning: "exceeds")
        assertRejected(try craft(#"{}"#, declaredLength: 1000), mentioning: "past the end")
        let tiny = try TestResources.temporaryDirectory(for: self).appendingPathComponent("tiny.safetensors")
        try Data([1, 2, 3]).write(to: tiny)
        assertRejected(tiny, mentioning: "too short")
        let missing = tiny.deletingLastPathComponent().appendingPathComponent("absent.safetensors")
        assertRejected(missing, mentioning: "cannot open")
    }
}
