import Foundation
import XCTest
import QuarryTestSupport
@testable import QuarryText

final class PromptsTests: XCTestCase {
    func testDefaultsMatchTheRepositoryFilesAndRender() throws {
        let directory = TestResources.packageRoot.appendingPathComponent("prompts")
        for (name, text) in Prompts.defaultTexts {
            XCTAssertEqual(try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8), text, name)
        }
        let prompts = try Prompts(directory: directory)
        XCTAssertEqual(prompts, Prompts())
        XCTAssertEqual(prompts.renderQuery("who wrote hamlet?"), "who wrote hamlet?")
        XCTAssertEqual(prompts.renderPassage(title: "Hamlet", text: "A tragedy."), "Hamlet\nA tragedy.")
        XCTAssertEqual(prompts.renderPassage(title: nil, text: "A tragedy."), "A tragedy.")
        XCTAssertEqual(prompts.renderPassage(title: "", text: "A tragedy."), "A tragedy.")
        let reader = prompts.renderReader(question: "Who?", title: "Zürich", text: "Käse {not a placeholder}")
        XCTAssertEqual(reader.question.text, "Who?")
        XCTAssertEqual(reader.passage.text, "Zürich\nKäse {not a placeholder}")
        XCTAssertEqual(reader.passage.text.substring(utf8Offsets: reader.passage.ranges["text"]!), "Käse {not a placeholder}")
    }

    func testTokenizerSeesTheDefaultPassageAsTitleSpaceText() throws {
        let tokenizer = try BertTokenizer(modelDirectory: TestResources.miniLM())
        XCTAssertEqual(tokenizer.encode(Prompts().renderPassage(title: "Hamlet", text: "A tragedy.")),
                       tokenizer.encode("Hamlet A tragedy."))
    }

    func testUnknownPlaceholderNamesFileLineAndName() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        let url = directory.appendingPathComponent("passage.txt")
        try "Title: {title}\nBody: {body}\n".write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Prompts(directory: directory)) { error in
            XCTAssertEqual(error as? PromptError, .unknownPlaceholder(source: url.path, line: 2, name: "body", allowed: ["text", "title"]))
            XCTAssertEqual("\(error)", "\(url.path):2: unknown placeholder {body}; this template may use {text}, {title}")
        }
        try "{question} {{literal}} {title}\n".write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Prompts(directory: directory)) { error in
            XCTAssertEqual(error as? PromptError, .unknownPlaceholder(source: url.path, line: 1, name: "question", allowed: ["text", "title"]))
        }
        try "{title\n".write(to: url, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Prompts(directory: directory)) { error in
            XCTAssertEqual(error as? PromptError, .unbalancedBrace(source: url.path, line: 1))
        }
    }

    func testOverriddenTemplatesAndReaderSeparator() throws {
        let directory = try TestResources.temporaryDirectory(for: self)
        try "query: {question}".write(to: directory.appendingPathComponent("query.txt"), atomically: true, encoding: .utf8)
        try "{{{title}}} {text}".write(to: directory.appendingPathComponent("passage.txt"), atomically: true, encoding: .utf8)
        let prompts = try Prompts.load(from: directory)
        XCTAssertEqual(prompts.renderQuery("q"), "query: q")
        XCTAssertEqual(prompts.renderPassage(title: "T", text: "x"), "{T} x")
        XCTAssertEqual(prompts.readerPassage, Prompts().readerPassage, "reader.txt absent: built-in default")
        try "{question} {text}\n".write(to: directory.appendingPathComponent("reader.txt"), atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try Prompts(directory: directory)) { error in
            XCTAssertEqual(error as? PromptError, .missingSeparator(source: directory.appendingPathComponent("reader.txt").path))
        }
    }
}
