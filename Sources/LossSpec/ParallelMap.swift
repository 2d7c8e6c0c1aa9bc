import Dispatch
import Foundation

/// Result slots written concurrently, one index per iteration; the lock orders the writes with
/// the final read.
private final class Slots<R>: @unchecked Sendable {
    var values: [R?]
    let lock = NSLock()
    init(_ n: Int) { values = Array(repeating: nil, count: n) }
}

/// Maps `transform` over `items` on all cores, returning results in input order, so the result
/// never depends on scheduling. For independent, coarse work items (cases), not for kernels.
package func parallelMap<T: Sendable, R: Sendable>(_ items: [T], _ transform: @Sendable (T) -> R) -> [R] {
    let slots = Slots<R>(items.count)
    DispatchQueue.concurrentPerform(iterations: items.count) { i in
        let r = transform(items[i])
        slots.lock.lock()
        slots.values[i] = r
        slots.lock.unlock()
    }
    return slots.values.map { $0! }
}
