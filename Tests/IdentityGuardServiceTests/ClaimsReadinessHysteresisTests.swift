import ClusterCache
@testable import IdentityGuardService
import Testing

@Suite("email claims readiness: when it turns, and what it logs")
struct ClaimsReadinessHysteresisTests {
    typealias Hysteresis = ClaimsReadiness.Hysteresis

    @Test("unready until the first success; a failure before it is logged once per reason")
    func start() {
        var state = Hysteresis(failuresToUnready: 3)
        let missing = #"claims namespace "x" not found"#
        #expect(state.record(.notWritable(missing)) == .unready(reason: missing, isNews: true))
        #expect(state.record(.notWritable(missing)) == .unready(reason: missing, isNews: false))
        #expect(state.record(.notWritable("forbidden")) == .unready(reason: "forbidden", isNews: true))
        #expect(!state.isReady)
        #expect(state.record(.writable) == .becameReady)
        #expect(state.isReady)
        #expect(state.record(.writable) == .unchanged)
    }

    @Test("once ready, one or two failed checks do not flap it; three in a row do; a success resets the count")
    func hysteresis() {
        var state = Hysteresis(failuresToUnready: 3)
        _ = state.record(.writable)
        #expect(state.record(.notWritable("slow")) == .unchanged)
        #expect(state.record(.notWritable("slow")) == .unchanged)
        #expect(state.record(.writable) == .unchanged)
        #expect(state.record(.notWritable("slow")) == .unchanged)
        #expect(state.record(.notWritable("slow")) == .unchanged)
        #expect(state.isReady)
        #expect(state.record(.notWritable("gone")) == .unready(reason: "gone", isNews: true))
        #expect(!state.isReady)
        #expect(state.record(.writable) == .becameReady)
    }
}
