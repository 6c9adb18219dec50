import IdentityGuardTesting
import Logging
import Testing
@testable import WebhookServer

/// The admission line's direct path (``LineLogHandler/emit(level:message:fields:)``) writes exactly the line
/// swift-log's own path writes for the same fields, in both formats and with the handler's metadata merged in.
@Suite("Log lines")
struct LineLogHandlerTests {
    /// The line each path writes, with its timestamp replaced by `T`.
    private static func lines(format: LogFormat, handlerMetadata: Logger.Metadata = [:]) -> (direct: String,
                                                                                            logged: String)
    {
        let written = Locked([String]())
        var handler = LineLogHandler(label: "test", format: format) { bytes in
            written.withLock { $0.append(String(decoding: bytes, as: UTF8.self)) }
        }
        handler.metadata = handlerMetadata
        handler.emit(level: .info, message: "admission") { line in
            line.add("decision", "denied")
            line.add("endpoint", "validate")
            line.add("name", "")
            line.add("note", "say \"hi\"\n")
            line.add("rules", list: ["user.email", "user.state"])
            line.add("uid", "u-1")
        }
        var logger = Logger(label: "test") { _ in handler }
        logger.logLevel = .info
        logger.info("admission", metadata: [
            "uid": "u-1", "rules": .array(["user.email", "user.state"]), "note": "say \"hi\"\n", "name": "",
            "endpoint": "validate", "decision": "denied",
        ])
        // The timestamp (`2026-11-29T04:05:06Z`, 20 characters) opens the line, after `{"time":"` in JSON.
        let lines = written.current.map { line in
            let start = line.hasPrefix(#"{"time":""#) ? 9 : 0
            return String(line.prefix(start)) + "T" + String(line.dropFirst(start + 20))
        }
        return (lines.first ?? "", lines.last ?? "")
    }

    @Test("JSON: fields in order, strings escaped, a list as an array; the same as swift-log's path")
    func json() {
        let (direct, logged) = Self.lines(format: .json)
        #expect(direct == #"{"time":"T","level":"info","logger":"test","msg":"admission","decision":"denied","#
            + #""endpoint":"validate","name":"","note":"say \"hi\"\n","rules":["user.email","user.state"],"#
            + #""uid":"u-1"}"# + "\n")
        #expect(direct == logged)
    }

    @Test("text: values quoted when empty or holding a space, quote or =; a list joined by commas")
    func text() {
        let (direct, logged) = Self.lines(format: .text)
        #expect(direct == #"T info admission decision=denied endpoint=validate name="" note="say \"hi\"\n" "#
            + "rules=user.email,user.state uid=u-1\n")
        #expect(direct == logged)
    }

    @Test("the handler's own metadata is merged in key order; a field the caller gives wins")
    func handlerMetadata() {
        let (direct, logged) = Self.lines(format: .json, handlerMetadata: ["pod": "a", "uid": "handler's"])
        #expect(direct == #"{"time":"T","level":"info","logger":"test","msg":"admission","decision":"denied","#
            + #""endpoint":"validate","name":"","note":"say \"hi\"\n","pod":"a","#
            + #""rules":["user.email","user.state"],"uid":"u-1"}"# + "\n")
        #expect(direct == logged)
    }
}
