@_spi(Kernels) import LossSpec

extension ResultBuilder {
    /// The tail shared by losses with Docs/Semantics.md#reductions's generic reduction ('mean' divides by numel of the
    /// unreduced loss): stores the reduced `output` with its scale and returns the upstream gradient
    /// of every unreduced element, or nil when no `grad_output` was given (forward only).
    mutating func setGenericReducedOutput(_ values: [Double], scales: [Double], shape: [Int], reduction: Reduction,
                                          gradOutput: Tensor<Double>?) throws -> [Double]? {
        let numel = Double(values.count)
        let (output, scale) = Reduce.apply(values, scales: scales, shape: shape, reduction: reduction, divisor: numel)
        set("output", output, scale: scale)
        return try Reduce.upstream(gradOutput, reduction: reduction, shape: shape, divisor: numel)
    }
}
