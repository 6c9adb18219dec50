#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore

/// How many CPUs this process may run on: the smaller of its affinity mask (`taskset`, a cpuset) and what
/// NIO reads from the cgroup's CPU quota.
///
/// NIO sizes its shared event loop group by the quota alone, so a webhook pinned to one core ran two event
/// loops there, and a connection waited whenever the other loop's thread held the core — the long tail of
/// its p99 (README, "Performance"). The webhook listener runs one event loop per CPU it may use.
enum ProcessorAffinity {
    static var usableCPUCount: Int {
        var count = System.coreCount
        if let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }),
           let inMask = cpuCount(list: line.dropFirst("Cpus_allowed_list:".count)), inMask > 0
        {
            count = min(count, inMask)
        }
        return max(1, count)
    }

    /// The number of CPUs in a Linux CPU list such as `0-3,8,10-11`; nil when it does not parse.
    static func cpuCount(list: Substring) -> Int? {
        var count = 0
        for range in list.split(separator: ",") {
            let bounds = range.split(separator: "-").map { Int($0.filter { !$0.isWhitespace }) }
            switch bounds.count {
            case 1:
                guard bounds[0] != nil else { return nil }
                count += 1
            case 2:
                guard let low = bounds[0], let high = bounds[1], low <= high else { return nil }
                count += high - low + 1
            default:
                return nil
            }
        }
        return count
    }
}
