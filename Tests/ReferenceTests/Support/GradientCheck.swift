import Testing
import LossSpec
@testable import Reference

/// Test support shared by every Reference loss test.

/// Builds a case from float tensors (and optional integer tensors) with a grad_output.
func makeCase(_ loss: LossKind, options: [String: JSONValue] = [:],
              floats: [String: Tensor<Double>] = [:], ints: [String: Tensor<Int64>] = [:]) -> LossCase {
    var inputs: [String: TensorValue] = [:]
    for (k, v) in floats { inputs[k] = .float64(v) }
    for (k, v) in ints { inputs[k] = .int64(v) }
    return LossCase(loss: loss, options: options, inputs: inputs)
}

/// Shorthand tensor constructors.
func T(_ shape: [Int], _ scalars: [Double]) -> Tensor<Double> { Tensor(shape: shape, scalars: scalars) }
func I(_ shape: [Int], _ scalars: [Int64]) -> Tensor<Int64> { Tensor(shape: shape, scalars: scalars) }

/// Expects `actual` to equal `expected` elementwise within `rtol` (relative) or `atol`;
/// NaN matches NaN and infinities must be equal.
func expectClose(_ actual: [Double]?, _ expected: [Double], rtol: Double = 1e-13, atol: Double = 0,
                 _ what: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
    guard let actual else {
        Issue.record("\(what): no value", sourceLocation: sourceLocation)
        return
    }
    guard actual.count == expected.count else {
        Issue.record("\(what): \(actual.count) elements, expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let ok = (a.isNaN && e.isNaN) || a == e || (a.isFinite && e.isFinite && abs(a - e) <= atol + rtol * abs(e))
        if !ok {
            Issue.record("\(what)[\(i)]: got \(a), expected \(e)", sourceLocation: sourceLocation)
        }
    }
}

/// Σ grad_output · output, the scalar whose gradient the Reference returns.
private func objective(_ c: LossCase) throws -> Double {
    let r = try Reference.evaluate(c)
    guard let out = r.output, case .float64(let g)? = c.inputs["grad_output"] else { return .nan }
    var s = CompensatedSum()
    for (o, w) in zip(out.scalars, g.scalars) { s.add(o * w) }
    return s.value
}

/// Compares every gradient the Reference returns for `c` (which must carry `grad_output`) with
/// central finite differences of Σ grad_output · output, element by element.
///
/// Choose points away from kinks: a step of `h·max(1, |v|)` must not cross one.
/// `skip` names arguments whose returned gradient is by convention not the partial derivative
/// (CTC's log_probs).
func checkGradientsByFiniteDifferences(
    _ c: LossCase, h: Double = 1e-6, rtol: Double = 1e-6, atol: Double = 1e-8, skip: Set<String> = [],
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let result = try Reference.evaluate(c)
    var checked = 0
    for arg in c.loss.arguments where arg.isDifferentiable && !skip.contains(arg.name) {
        guard case .float64(let t)? = c.inputs[arg.name] else { continue }
        guard let grad = result.outputs["grad_\(arg.name)"] else {
            Issue.record("no grad_\(arg.name) returned", sourceLocation: sourceLocation)
            continue
        }
        #expect(grad.shape == t.shape, "grad_\(arg.name) shape", sourceLocation: sourceLocation)
        for i in 0..<t.count {
            let step = h * max(1, abs(t[i]))
            var plus = t, minus = t
            plus[i] += step
            minus[i] -= step
            var cp = c, cm = c
            cp.inputs[arg.name] = .float64(plus)
            cm.inputs[arg.name] = .float64(minus)
            let fd = (try objective(cp) - objective(cm)) / (2 * step)
            let an = grad[i]
            let tol = atol + rtol * max(abs(fd), abs(an), 1)
            if !(abs(fd - an) <= tol) {
                Issue.record("grad_\(arg.name)[\(i)]: analytic \(an), finite difference \(fd)",
                             sourceLocation: sourceLocation)
            }
            checked += 1
        }
    }
    #expect(checked > 0, "no gradient element was checked", sourceLocation: sourceLocation)
}

/// Expects evaluating `c` to throw a `LossError` of `kind` naming `argument` (when given).
func expectError(_ c: LossCase, _ kind: ErrorKind, argument: String? = nil,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        let r = try Reference.evaluate(c)
        Issue.record("expected \(kind.rawValue), got output \(r.output?.scalars.prefix(4) ?? [])",
                     sourceLocation: sourceLocation)
    } catch let e as LossError {
        #expect(e.kind == kind, "\(e)", sourceLocation: sourceLocation)
        if let argument { #expect(e.argument == argument, "\(e)", sourceLocation: sourceLocation) }
        #expect(!e.message.isEmpty, sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected error type: \(error)", sourceLocation: sourceLocation)
    }
}
