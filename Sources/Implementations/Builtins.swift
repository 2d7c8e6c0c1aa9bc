import Conformance
import FastABI
import FastDispatch
import LossSpec

/// Fast (Float32, SIMD, multithreaded) as an `Implementation`.
package struct FastImplementation: Implementation {
    /// The thread count, or nil for the machine's default.
    package var threads: Int?

    package init(threads: Int? = nil) { self.threads = threads }

    package var name: String { threads.map { "fast@\($0)" } ?? "fast" }
    package var computeType: ComputeType { .float32 }

    package func evaluate(_ lossCase: LossCase) throws -> LossResult {
        try FastDispatch.selected().evaluate(lossCase, threads: threads)
    }
}

/// The implementations `lossbench` can select by name (`--impl reference,fast`).
package enum Builtins {
    package static let reference: any Implementation = ReferenceImplementation()
    package static let fast: any Implementation = FastImplementation()

    /// Every built-in implementation, in the order reports list them.
    package static let all: [any Implementation] = [reference, fast]

    /// The built-in implementation called `name`, or nil.
    package static func named(_ name: String) -> (any Implementation)? {
        all.first { $0.name == name }
    }
}
