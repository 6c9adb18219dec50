import IdentityGuardTesting
import NIOCore
import NIOSSL
import Testing

/// HTTP/2 frames as bytes (RFC 9113 §4.1), for clients that break the protocol on purpose: a real client
/// library would refuse to send what these tests send, or would hide what the server answered.
enum HTTP2Wire {
    static let preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    enum FrameType: UInt8 {
        case data = 0x0
        case headers = 0x1
        case rstStream = 0x3
        case settings = 0x4
        case ping = 0x6
        case goAway = 0x7
        case windowUpdate = 0x8
    }

    /// Error codes (RFC 9113 §7).
    enum ErrorCode: UInt32 {
        case noError = 0x0
        case protocolError = 0x1
        case cancel = 0x8
        case refusedStream = 0x7
        case enhanceYourCalm = 0xb
    }

    static let endStream: UInt8 = 0x1
    static let ack: UInt8 = 0x1
    static let endHeaders: UInt8 = 0x4
    /// The largest stream ID, the last stream ID of a first graceful GOAWAY.
    static let maxStreamID: UInt32 = 0x7fff_ffff

    static func frame(_ type: FrameType, flags: UInt8 = 0, stream: UInt32 = 0, _ payload: [UInt8] = []) -> [UInt8] {
        let length = UInt32(payload.count)
        return [UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff), type.rawValue, flags]
            + bigEndian(stream) + payload
    }

    static func settings(_ values: [(UInt16, UInt32)] = []) -> [UInt8] {
        frame(.settings, values.flatMap { [UInt8($0.0 >> 8), UInt8($0.0 & 0xff)] + bigEndian($0.1) })
    }

    static let settingsAck = frame(.settings, flags: ack)

    /// A request's HEADERS frame, its fields as HPACK literals without indexing (RFC 7541 §6.2.2).
    static func headers(stream: UInt32, method: String = "POST", path: String = "/validate",
                        contentLength: Int? = nil, endStream: Bool = false) -> [UInt8]
    {
        var fields = [(":method", method), (":scheme", "https"), (":path", path), (":authority", "localhost")]
        if method == "POST" { fields.append(("content-type", "application/json")) }
        if let contentLength { fields.append(("content-length", String(contentLength))) }
        var block: [UInt8] = []
        for (name, value) in fields {
            block.append(0x00)
            for string in [name, value] {
                precondition(string.utf8.count < 127)
                block.append(UInt8(string.utf8.count))
                block += Array(string.utf8)
            }
        }
        return frame(.headers, flags: endHeaders | (endStream ? Self.endStream : 0), stream: stream, block)
    }

    static func data(stream: UInt32, _ bytes: [UInt8], endStream: Bool = false) -> [UInt8] {
        frame(.data, flags: endStream ? Self.endStream : 0, stream: stream, bytes)
    }

    static func rstStream(stream: UInt32, _ code: ErrorCode = .cancel) -> [UInt8] {
        frame(.rstStream, stream: stream, bigEndian(code.rawValue))
    }

    static func ping(_ data: [UInt8], ack: Bool = false) -> [UInt8] {
        frame(.ping, flags: ack ? Self.ack : 0, data)
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24 & 0xff), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }

    /// One frame as received.
    struct Frame: Equatable {
        var type: UInt8
        var flags: UInt8
        var stream: UInt32
        var payload: [UInt8]

        func isA(_ type: FrameType) -> Bool { self.type == type.rawValue }

        /// A GOAWAY's last stream ID and error code.
        var goAway: (lastStream: UInt32, code: UInt32)? {
            guard self.isA(.goAway), payload.count >= 8 else { return nil }
            return (Self.uint32(payload[0..<4]) & HTTP2Wire.maxStreamID, Self.uint32(payload[4..<8]))
        }

        /// A RST_STREAM's error code.
        var resetCode: UInt32? {
            guard self.isA(.rstStream), payload.count == 4 else { return nil }
            return Self.uint32(payload[0..<4])
        }

        /// A SETTINGS frame's values by parameter.
        var settings: [UInt16: UInt32] {
            guard self.isA(.settings) else { return [:] }
            var values: [UInt16: UInt32] = [:]
            var index = payload.startIndex
            while index + 6 <= payload.endIndex {
                let parameter = UInt16(payload[index]) << 8 | UInt16(payload[index + 1])
                values[parameter] = Self.uint32(payload[index + 2..<index + 6])
                index += 6
            }
            return values
        }

        static func uint32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
            bytes.reduce(0) { $0 << 8 | UInt32($1) }
        }
    }

    /// The complete frames in what the server sent (a client connection receives no preface).
    static func frames(in bytes: [UInt8]) -> [Frame] {
        var frames: [Frame] = []
        var index = 0
        while index + 9 <= bytes.count {
            let length = Int(bytes[index]) << 16 | Int(bytes[index + 1]) << 8 | Int(bytes[index + 2])
            guard index + 9 + length <= bytes.count else { break }
            frames.append(Frame(type: bytes[index + 3], flags: bytes[index + 4],
                                stream: Frame.uint32(bytes[index + 5..<index + 9]) & maxStreamID,
                                payload: Array(bytes[index + 9..<index + 9 + length])))
            index += 9 + length
        }
        return frames
    }
}

/// A raw TLS connection that negotiated `h2` and exchanged SETTINGS with the server.
struct RawHTTP2Connection {
    let connection: RawConnection

    /// Connects, sends the preface and SETTINGS, waits for the server's SETTINGS and acknowledges them — unless
    /// `acknowledging` is false: a client that is to stay silent sends nothing more, so that a server closing it
    /// (at a short read timeout, on a loaded machine) cannot make the acknowledgement fail.
    static func open(_ server: RunningServer, acknowledging: Bool = true) async throws -> RawHTTP2Connection {
        var tls = try server.rawClientTLS()
        tls.applicationProtocols = ["h2"]
        let connection = try await RawConnection.connect(port: server.webhookPort, tls: tls)
        let raw = RawHTTP2Connection(connection: connection)
        try await connection.send(HTTP2Wire.preface + HTTP2Wire.settings())
        guard await eventually({ raw.frames.contains { $0.isA(.settings) && $0.flags & HTTP2Wire.ack == 0 } }) else {
            connection.close()
            throw TestFailure("the server sent no SETTINGS: \(raw.frames)")
        }
        if acknowledging { try await connection.send(HTTP2Wire.settingsAck) }
        return raw
    }

    var frames: [HTTP2Wire.Frame] { HTTP2Wire.frames(in: connection.receivedBytes) }

    /// The GOAWAY frames received so far.
    var goAways: [(lastStream: UInt32, code: UInt32)] { frames.compactMap(\.goAway) }

    func send(_ bytes: [UInt8]) async throws {
        try await connection.send(bytes)
    }

    /// The DATA a stream received, concatenated.
    func body(of stream: UInt32) -> String {
        String(decoding: frames.filter { $0.isA(.data) && $0.stream == stream }.flatMap(\.payload), as: UTF8.self)
    }

    /// Whether the stream's answer is complete (a frame with END_STREAM).
    func answered(_ stream: UInt32) -> Bool {
        frames.contains { frame in
            frame.stream == stream && (frame.isA(.data) || frame.isA(.headers)) && frame.flags & HTTP2Wire.endStream != 0
        }
    }
}
