import ArgumentParser
import WebhookServer

/// `serve --log-format`.
enum LogFormatArgument: String, ExpressibleByArgument, CaseIterable {
    case json
    case text

    var format: LogFormat { self == .json ? .json : .text }
}
