import Testing
import LossSpec
@testable import Fast

/// The thread-determinism check every loss's tests share: Fast's outputs for 1, 2 and 8 threads
/// have the same roles and the same bit patterns.
enum ThreadInvariance {
    /// Runs under grain 1 (`Parallel.grainOverride`), so that even a small case is split across all
    /// the threads instead of staying on the calling one.
    static func expect(_ c: LossCase, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let runs = try Parallel.$grainOverride.withValue(1) {
            try [1, 2, 8].map { try Fast.evaluate(c, threads: $0).outputs }
        }
        for (threads, run) in zip([2, 8], runs.dropFirst()) {
            #expect(Set(run.keys) == Set(runs[0].keys), "roles with \(threads) threads", sourceLocation: sourceLocation)
            for (role, t) in runs[0] {
                #expect(run[role]?.scalars.map(\.bitPattern) == t.scalars.map(\.bitPattern),
                        "\(role) differs with \(threads) threads", sourceLocation: sourceLocation)
            }
        }
    }
}
