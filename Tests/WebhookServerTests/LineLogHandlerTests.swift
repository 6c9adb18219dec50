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

    @Test("JSON lines open with their own time, level, logger and message when these change from line to line")
    func openingsChange() async throws {
        let written = Locked([String]())
        func handler(_ label: String) -> LineLogHandler {
            LineLogHandler(label: label, format: .json, level: .trace) { bytes in
                written.withLock { $0.append(String(decoding: bytes, as: UTF8.self)) }
            }
        }
        let (first, second) = (handler("first"), handler("second"))
        // Alternating loggers, levels and messages on one thread: each line has its own opening.
        first.emit(level: .info, message: "admission") { $0.add("uid", "1") }
        second.emit(level: .info, message: "admission") { $0.add("uid", "2") }
        second.emit(level: .warning, message: "admission") { $0.add("uid", "3") }
        second.emit(level: .warning, message: "other") { $0.add("uid", "4") }
        first.emit(level: .info, message: "admission") { $0.add("uid", "5") }
        let time = LineLogHandler.timestamp()
        #expect(written.current.map { $0.replacingTime(with: "T") } == [
            #"{"time":"T","level":"info","logger":"first","msg":"admission","uid":"1"}"# + "\n",
            #"{"time":"T","level":"info","logger":"second","msg":"admission","uid":"2"}"# + "\n",
            #"{"time":"T","level":"warning","logger":"second","msg":"admission","uid":"3"}"# + "\n",
            #"{"time":"T","level":"warning","logger":"second","msg":"other","uid":"4"}"# + "\n",
            #"{"time":"T","level":"info","logger":"first","msg":"admission","uid":"5"}"# + "\n",
        ])
        // The next second's line carries the next second's time, not the one its opening was made with.
        #expect(await eventually(within: .seconds(3)) { LineLogHandler.timestamp() != time })
        let later = LineLogHandler.timestamp()
        first.emit(level: .info, message: "admission") { $0.add("uid", "6") }
        let last = try #require(written.current.last)
        let lastTime = String(last.dropFirst(9).prefix(20))
        #expect(lastTime >= later && lastTime != time, "\(last)")  // RFC 3339 in UTC sorts as time does
        #expect(last.replacingTime(with: "T")
            == #"{"time":"T","level":"info","logger":"first","msg":"admission","uid":"6"}"# + "\n")
    }
}

private extension String {
    /// The line with the 20-character timestamp after `{"time":"` replaced.
    func replacingTime(with replacement: String) -> String {
        String(prefix(9)) + replacement + String(dropFirst(29))
    }
}
