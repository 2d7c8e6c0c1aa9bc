@_spi(Kernels) import LossSpec

/// The reduce-and-differentiate tail shared by losses whose unreduced value at each element of the
/// broadcast shape depends only on the arguments' elements there (SoftMargin, PoissonNLL,
/// GaussianNLL, KLDiv, …): per-element values and scales, the reduction, the upstream gradient, and
/// each argument's gradient summed back over its broadcast dimensions (`Reduce.sumToShape`).
///
/// The loss reads its own broadcast arguments (`Reduce.expand`); this type only needs the element
/// index. Unlike `PointwiseRegression` it knows nothing about the arguments' meaning.
enum ElementwiseLoss {
    /// - Parameters:
    ///   - shape: the broadcast shape of the unreduced loss.
    ///   - divisor: what 'mean' (or 'batchmean') divides by.
    ///   - gradients: the differentiable arguments, by torch name, with their own shapes (each must
    ///     broadcast to `shape`).
    ///   - forward: element index ↦ (unreduced loss, its error scale).
    ///   - partial: (argument index into `gradients`, element index, upstream gradient of that
    ///     element) ↦ (upstream × ∂loss/∂argument at that element, its error scale).
    static func evaluate(
        shape: [Int], reduction: Reduction, divisor: Double, gradOutput: Tensor<Double>?,
        gradients: [(name: String, shape: [Int])],
        forward: (Int) -> (value: Double, scale: Double),
        partial: (_ argument: Int, _ element: Int, _ upstream: Double) -> (value: Double, scale: Double)
    ) throws -> LossResult {
        let n = Shape.count(shape)
        var values = [Double](repeating: 0, count: n)
        var scales = [Double](repeating: 0, count: n)
        for k in 0..<n {
            (values[k], scales[k]) = forward(k)
        }
        let (output, outputScale) = Reduce.apply(values, scales: scales, shape: shape, reduction: reduction,
                                                 divisor: divisor)
        var builder = ResultBuilder()
        builder.set("output", output, scale: outputScale)
        guard let up = try Reduce.upstream(gradOutput, reduction: reduction, shape: shape, divisor: divisor) else {
            return builder.result
        }
        for (i, argument) in gradients.enumerated() {
            var g = [Double](repeating: 0, count: n)
            var s = [Double](repeating: 0, count: n)
            for k in 0..<n {
                (g[k], s[k]) = partial(i, k, up[k])
            }
            builder.setGradient(argument.name, shape: argument.shape, full: shape, values: g, scales: s)
        }
        return builder.result
    }
}
