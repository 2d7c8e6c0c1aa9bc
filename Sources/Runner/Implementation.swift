import Foundation
import LossSpec
import Reference
import Fast

/// An implementation under test: a name, how to evaluate a case, and its unit roundoff.
public struct Implementation: Sendable {
    public var name: String
    /// Unit roundoff of the implementation's arithmetic (2⁻⁵³ for Double, 2⁻²⁴ for Float).
    public var eps: Double
    public var evaluate: @Sendable (LossCase) throws -> LossResult

    public init(name: String, eps: Double, evaluate: @escaping @Sendable (LossCase) throws -> LossResult) {
        self.name = name
        self.eps = eps
        self.evaluate = evaluate
    }

    public static let reference = Implementation(name: "reference", eps: 0x1p-53, evaluate: Reference.evaluate)

    /// Float32, at the machine's default thread count.
    public static let fast = Implementation(name: "fast", eps: 0x1p-24) { try Fast.evaluate($0) }

    /// Fast at a fixed thread count (for determinism checks).
    public static func fast(threads: Int) -> Implementation {
        Implementation(name: "fast@\(threads)", eps: 0x1p-24) { try Fast.evaluate($0, threads: threads) }
    }

    /// Every implementation this build has, by name.
    public static let all: [Implementation] = [.reference, .fast]

    /// Parses a comma-separated list of implementation names.
    public static func parse(_ list: String) throws -> [Implementation] {
        try list.split(separator: ",").map { name in
            let n = name.trimmingCharacters(in: .whitespaces)
            guard let impl = all.first(where: { $0.name == n }) else {
                throw LossError(.invalidOption, argument: "impl",
                                "unknown implementation '\(n)'; available: \(all.map(\.name).joined(separator: ", "))")
            }
            return impl
        }
    }
}
