import Foundation
@_spi(Kernels) import LossSpec

extension Reference {
    /// Gaussian negative log-likelihood, mirroring
    /// `torch.nn.functional.gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction)`
    /// with a tensor `var` (the Python-float form of `var` is not modelled).
    ///
    /// **Checks, in PyTorch's order.** 1. Any `var < 0` → `invalid_value` (NaN passes). 2. If
    /// `var.shape != input.shape`: `var.shape == input.shape[:-1]` → `var` is unsqueezed at −1
    /// (homoscedastic); else if `var` has the input's rank and its sizes summed over the dimensions
    /// where they differ from the input's equal 1 (exactly one mismatching dimension, of size 1 in
    /// `var`) → accepted as is; else `shape_mismatch` "var is of incorrect size". Then input, target
    /// and `var` must broadcast together (the target is not otherwise checked).
    ///
    /// **Definition.** `v = max(var, eps)` (NaN stays NaN), `d = x − y`:
    /// `l = ½·(log v + d²/v)`, plus `½·log(2π)` with `full`. Output on the broadcast shape of input,
    /// target and (unsqueezed) var.
    ///
    /// **Reduction.** Generic over the broadcast shape; 'elementwise_mean' is rejected (the
    /// functional compares strings).
    ///
    /// **Gradients.** The clamp is done on a copy under `no_grad`, so autograd sees `v` as if it were
    /// `var` and evaluates the derivative **at the clamped value**, clamped entries included:
    /// `∂/∂x = d/v`, `∂/∂y = −d/v`, `∂/∂var = ½·(1/v − d²/v²)`, each × upstream (÷numel for mean);
    /// `grad_var` is summed over the dimensions along which `var` was broadcast and has `var`'s own
    /// shape.
    ///
    /// **Edge cases.** `var = 0` (or `−0`) is clamped to eps. Empty: 'mean' NaN, 'sum' 0.
    ///
    /// **Error scale.** `l` adds two non-negative-or-log terms: `½(|log v| + d²/v)`; where the clamp
    /// applied, a Float32 port's rounded eps shifts `log v` by up to u, so `½` is added; `full` adds
    /// the constant's own magnitude. Gradients: `|d/v|` and `½(1/v + d²/v²)`.
    public static func gaussianNLLLoss(input: Tensor<Double>, target: Tensor<Double>, variance: Tensor<Double>,
                                       full: Bool = false, eps: Double = 1e-6, reduction: Reduction = .mean,
                                       gradOutput: Tensor<Double>? = nil) throws -> LossResult {
        let (varShape, shape) = try GaussianNLLValidation.shapes(input: input.shape, target: target.shape,
                                                                 variance: variance)
        let xs = Reduce.expand(input, to: shape)
        let ys = Reduce.expand(target, to: shape)
        let raw = Reduce.expand(variance.reshaped(varShape), to: shape)
        let vs = raw.map { $0.isNaN || $0 >= eps ? $0 : eps }
        let halfLog2Pi = 0.5 * log(2 * Double.pi)
        var result = try ElementwiseLoss.evaluate(
            shape: shape, reduction: reduction, divisor: Double(xs.count), gradOutput: gradOutput,
            gradients: [("input", input.shape), ("target", target.shape), ("var", varShape)],
            forward: { k in
                let d = xs[k] - ys[k], v = vs[k]
                let lg = log(v), q = d * d / v
                var l = 0.5 * (lg + q)
                var s = 0.5 * (abs(lg) + q) + (raw[k] < eps ? 0.5 : 0)
                if full {
                    l += halfLog2Pi
                    s += halfLog2Pi
                }
                return (l, s)
            },
            partial: { argument, k, u in
                let d = xs[k] - ys[k], v = vs[k]
                switch argument {
                case 0: return (u * d / v, abs(u * d / v))
                case 1: return (-u * d / v, abs(u * d / v))
                default:
                    let a = 0.5 * u / v, b = 0.5 * u * d * d / (v * v)
                    return (a - b, abs(a) + abs(b))
                }
            })
        if let g = result.outputs["grad_var"], let s = result.scales["grad_var"] {
            result.outputs["grad_var"] = g.reshaped(variance.shape)
            result.scales["grad_var"] = s.reshaped(variance.shape)
        }
        return result
    }

    static func gaussianNLLLoss(_ c: LossCase, _ o: LossOptions) throws -> LossResult {
        try gaussianNLLLoss(input: c.requiredFloat("input"), target: c.requiredFloat("target"),
                            variance: c.requiredFloat("var"), full: o.full, eps: o.eps, reduction: o.reduction,
                            gradOutput: c.float("grad_output"))
    }
}
