import Foundation
import QuarryText
import XCTest

/// Inputs the fuzz suite found, kept so that the fixes stay fixed.
final class FuzzRegressionTests: XCTestCase {
    /// "\r\n" is a single Character in Swift: a template of just "\r\n" trapped (removeLast(2) on one
    /// Character), a CRLF template lost the character before its last line end, and its lines were never
    /// split (split on "\n" does not see inside "\r\n").
    func testPromptTemplatesWithWindowsLineEnds() throws {
        let allowed: Set<String> = ["question", "title", "text"]
        XCTAssertEqual(try PromptTemplate("\r\n", source: "t", allowed: allowed).render([:]).text, "")
        let crlf = try PromptTemplate("{question}\r\n[SEP]\r\n{title}\r\n{text}\r\n", source: "t", allowed: allowed)
        let lf = try PromptTemplate("{question}\n[SEP]\n{title}\n{text}\n", source: "t", allowed: allowed)
        XCTAssertEqual(crlf, lf)
        XCTAssertEqual(crlf.render(["question": "q", "text": "x"]).text, lf.render(["question": "q", "text": "x"]).text)
        XCTAssertEqual(try PromptTemplate("ab\r\n", source: "t", allowed: allowed).render([:]).text, "ab")
        XCTAssertThrowsError(try PromptTemplate("ok\r\n{nope}\r\n", source: "t.txt", allowed: allowed)) {
            XCTAssertTrue("\($0)".contains("t.txt") && "\($0)".contains("2"), "\($0): the error names line 2")
        }
    }
}
