@_spi(Kernels) import LossSpec

/// Additions to the margin-loss test helpers (`MarginLossSupport.swift`) for the class-index
/// margin losses (multi_margin, multilabel_margin).
extension MarginTestRNG {
    /// Uniform integer in lo...hi.
    mutating func int(_ lo: Int, _ hi: Int) -> Int {
        min(hi, lo + Int(uniform(0, Double(hi - lo + 1))))
    }

    /// Class indices (int64) in lo...hi.
    mutating func indices(_ shape: [Int], _ lo: Int, _ hi: Int) -> TensorValue {
        .int64(Tensor(shape: shape, scalars: (0..<Shape.count(shape)).map { _ in Int64(int(lo, hi)) }))
    }
}

/// Hand-written tensors for the class-index margin-loss tests.
enum ClassMarginTensors {
    static func floats(_ shape: [Int], _ scalars: [Double]) -> TensorValue { .float64(Tensor(shape: shape, scalars: scalars)) }
    static func ints(_ shape: [Int], _ scalars: [Int64]) -> TensorValue { .int64(Tensor(shape: shape, scalars: scalars)) }
}
