import NIOCore
import NIOHTTP2

/// What an HTTP/2 connection on the webhook port may do, besides the safeguards every connection has (cap,
/// back-pressure, read and idle timeouts, error log).
///
/// HTTP/1.1's per-connection limits — one request at a time, ``HTTPRequestHandler/answersPerTurn`` — mean
/// nothing when one connection carries many streams, and HTTP/2 adds frames that cost the server work without
/// being requests (RST_STREAM, PING, SETTINGS). NIOHTTP2 enforces each limit below and closes the connection
/// with GOAWAY when a client exceeds it (``ConnectionCloser`` then closes the socket):
///
/// - At most ``maxConcurrentStreams`` streams at once (`SETTINGS_MAX_CONCURRENT_STREAMS`), which also bounds
///   the requests one connection has answered per turn of its event loop. A client that opens more than it
///   was told gets GOAWAY `PROTOCOL_ERROR`: NIOHTTP2 treats it as a connection error, where RFC 9113 §5.1.2
///   also allows resetting the one stream; a client that honours the setting never meets either.
/// - Rapid reset (CVE-2023-44487): more than ``resetFramesPerWindow`` RST_STREAM frames from the client within
///   ``rateWindow`` is GOAWAY `ENHANCE_YOUR_CALM`, and so are more than ``streamErrorsPerWindow`` stream errors.
/// - PING and SETTINGS floods: more than ``controlFramesPerWindow`` PING, SETTINGS or PRIORITY frames within
///   ``rateWindow`` is GOAWAY `ENHANCE_YOUR_CALM`; at most ``maxBufferedControlFrames`` answers to them wait for
///   a client that does not read, and no more than ``maxSequentialContinuationFrames`` CONTINUATION frames may
///   follow a HEADERS frame.
/// - A request's headers at most ``maxHeaderListBytes``; its body at most the port's body limit, per stream
///   (``HTTPRequestHandler``); its arrival within the read timeout, per stream (``ReadTimeout``).
/// - Graceful shutdown: GOAWAY, then the streams already open are answered and the connection is closed
///   (NIOHTTP2's `NIOHTTP2ServerConnectionManagementHandler`, which handles `ChannelShouldQuiesceEvent`).
enum HTTP2Safeguards {
    /// Streams one connection may have open at once. RFC 9113 (§6.5.2) recommends no fewer than 100 so as not to
    /// limit parallelism needlessly; more would let one connection hold more bodies (each up to the body limit)
    /// than a client with a real need for parallelism uses. NIOHTTP2's default too.
    static let maxConcurrentStreams = 100
    /// The largest request header block accepted: an AdmissionReview's headers are a few hundred bytes.
    static let maxHeaderListBytes = 16 * 1024
    /// The window of the rate limits below.
    static let rateWindow = TimeAmount.seconds(30)
    /// RST_STREAM frames a client may send per ``rateWindow``: a reset is legitimate now and then (a client
    /// giving up on a request), hundreds a second is an attack.
    static let resetFramesPerWindow = 200
    /// Stream errors (protocol violations on one stream) a client may cause per ``rateWindow``.
    static let streamErrorsPerWindow = 200
    /// PING, SETTINGS and PRIORITY frames a client may send per ``rateWindow``; a client needs a handful.
    static let controlFramesPerWindow = 200
    /// Control frames the server may hold unsent for a client that does not read (PING and SETTINGS answers).
    static let maxBufferedControlFrames = 1_000
    /// CONTINUATION frames that may follow one HEADERS frame (the CONTINUATION flood).
    static let maxSequentialContinuationFrames = 5

    static var connection: NIOHTTP2Handler.ConnectionConfiguration {
        var connection = NIOHTTP2Handler.ConnectionConfiguration()
        connection.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: maxConcurrentStreams),
            HTTP2Setting(parameter: .maxHeaderListSize, value: maxHeaderListBytes),
        ]
        connection.maximumBufferedControlFrames = maxBufferedControlFrames
        connection.maximumSequentialContinuationFrames = maxSequentialContinuationFrames
        connection.controlFrameRateLimit.maximumCount = controlFramesPerWindow
        connection.controlFrameRateLimit.windowLength = rateWindow
        return connection
    }

    static var stream: NIOHTTP2Handler.StreamConfiguration {
        var stream = NIOHTTP2Handler.StreamConfiguration()
        stream.streamResetFrameRateLimit.maximumCount = resetFramesPerWindow
        stream.streamResetFrameRateLimit.windowLength = rateWindow
        stream.streamErrorRateLimit.maximumCount = streamErrorsPerWindow
        stream.streamErrorRateLimit.windowLength = rateWindow
        return stream
    }

    /// Graceful shutdown only: the idle timeout is the connection's ``IdleTimeoutHandler``, as on HTTP/1.1, and
    /// the streams still open at shutdown are bounded by the read timeout (requests) and the idle timeout
    /// (answers a client does not read).
    static var management: NIOHTTP2ServerConnectionManagementHandler.Configuration {
        .init(maxIdleTime: nil, maxAge: nil, maxGraceTime: nil, keepalive: nil)
    }
}
