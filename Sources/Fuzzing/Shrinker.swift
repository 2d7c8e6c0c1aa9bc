@_spi(Kernels) import LossSpec
import Conformance

/// Greedy shrinking of a failing case to a minimal one that still fails the same property.
///
/// Moves, tried in rounds until none applies (each accepted move strictly decreases
/// `Shrinker.measure`, so shrinking terminates):
/// 1. drop options (back to PyTorch's defaults) and optional tensor arguments (weights);
/// 2. shrink dimensions — every axis of a given size in every argument at once (keeps batch,
///    class and feature sizes consistent), then one axis of one argument — to 0, 1, half,
///    half + 1, size − 1 (leading or trailing slices); flatten arguments of equal shape to 1-D; remove axes of size 1;
/// 3. simplify values: 0, 1, −1, 2, the integer part, a quarter-step rounding (floats); 0, 1, −1,
///    smaller magnitudes (integers); grad_output last.
/// After a structural move `grad_output` is rebuilt in the Reference's output shape (kept if the
/// shape did not change, ones otherwise; absent when the Reference rejects the case).
package struct Shrinker: Sendable {
    package var reference: any Implementation
    /// Upper bound on re-checks of the property.
    package var maxEvaluations: Int

    package init(reference: any Implementation = ReferenceImplementation(), maxEvaluations: Int = 4000) {
        self.reference = reference
        self.maxEvaluations = maxEvaluations
    }

    /// The shrunk case and how many re-checks it took.
    package func shrink(_ original: LossCase, stillFails: (LossCase) -> Bool) -> (LossCase, evaluations: Int) {
        var current = original
        var evaluations = 0
        func attempt(_ candidate: LossCase, structural: Bool) -> Bool {
            guard evaluations < maxEvaluations else { return false }
            let c = structural ? withGradOutput(candidate, previous: current) : candidate
            guard Self.measure(c).lexicographicallyPrecedes(Self.measure(current)) else { return false }
            evaluations += 1
            guard stillFails(c) else { return false }
            current = c
            return true
        }
        var progress = true
        while progress && evaluations < maxEvaluations {
            progress = false
            // 1. Options and optional arguments.
            for key in current.options.keys.sorted() {
                var c = current
                c.options[key] = nil
                if attempt(c, structural: true) { progress = true }
            }
            for spec in current.loss.arguments where spec.isOptional && current.inputs[spec.name] != nil {
                var c = current
                c.inputs[spec.name] = nil
                if attempt(c, structural: true) { progress = true }
            }
            // 2. Dimensions.
            var shrunk = true
            while shrunk && evaluations < maxEvaluations {
                shrunk = false
                let sizes = Set(current.inputs.filter { $0.key != "grad_output" }.values.flatMap(\.shape)).sorted(by: >)
                outer: for s in sizes where s > 0 {
                    for k in Self.smaller(s) {
                        for fromEnd in [false, true] where !(fromEnd && k == 0) {
                            if attempt(resizeAll(current, from: s, to: k, fromEnd: fromEnd), structural: true) { shrunk = true; break outer }
                        }
                    }
                    for (name, value) in current.inputs.sorted(by: { $0.key < $1.key }) where name != "grad_output" {
                        for axis in value.shape.indices where value.shape[axis] == s {
                            for k in Self.smaller(s) {
                                for fromEnd in [false, true] where !(fromEnd && k == 0) {
                                    var c = current
                                    c.inputs[name] = Self.resize(value, axis: axis, to: k, fromEnd: fromEnd)
                                    if attempt(c, structural: true) { shrunk = true; break outer }
                                }
                            }
                        }
                    }
                }
                if !shrunk {
                    // Flatten: every argument of one shape to 1-D at once, then one at a time.
                    let shapes = Set(current.inputs.filter { $0.key != "grad_output" && $0.value.shape.count > 1 }.values.map(\.shape))
                    flatten: for shape in shapes.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                        var c = current
                        for (name, v) in current.inputs where name != "grad_output" && v.shape == shape {
                            c.inputs[name] = Self.reshape(v, [v.count])
                        }
                        if attempt(c, structural: true) { shrunk = true; break flatten }
                    }
                }
                if !shrunk {
                    outer: for (name, value) in current.inputs.sorted(by: { $0.key < $1.key }) where name != "grad_output" {
                        for axis in value.shape.indices where value.shape[axis] == 1 {
                            var all = current
                            for (other, v) in current.inputs where other != "grad_output" && v.shape.count == value.shape.count && v.shape[axis] == 1 {
                                all.inputs[other] = Self.removeAxis(v, axis)
                            }
                            if attempt(all, structural: true) { shrunk = true; break outer }
                            var c = current
                            c.inputs[name] = Self.removeAxis(value, axis)
                            if attempt(c, structural: true) { shrunk = true; break outer }
                        }
                    }
                }
                if shrunk { progress = true }
            }
            // 3. Values.
            let names = current.inputs.keys.sorted { ($0 == "grad_output" ? 1 : 0, $0) < ($1 == "grad_output" ? 1 : 0, $1) }
            for name in names {
                guard let value = current.inputs[name] else { continue }
                switch value {
                case .float64(let t):
                    for fill in [0.0, 1.0] where t.count > 1 {
                        var c = current
                        c.inputs[name] = .float64(Tensor(repeating: fill, shape: t.shape))
                        if attempt(c, structural: false) { progress = true; break }
                    }
                case .int64(let t):
                    for fill: Int64 in [0, 1] where t.count > 1 {
                        var c = current
                        c.inputs[name] = .int64(Tensor(repeating: fill, shape: t.shape))
                        if attempt(c, structural: false) { progress = true; break }
                    }
                }
                guard let value = current.inputs[name], value.count <= 64 else { continue }
                for i in 0..<value.count {
                    switch current.inputs[name] {
                    case .float64(let t)?:
                        for v in Self.simpler(t[i]) {
                            var u = t
                            u[i] = v
                            var c = current
                            c.inputs[name] = .float64(u)
                            if attempt(c, structural: false) { progress = true; break }
                        }
                    case .int64(let t)?:
                        for v in Self.simpler(t[i]) {
                            var u = t
                            u[i] = v
                            var c = current
                            c.inputs[name] = .int64(u)
                            if attempt(c, structural: false) { progress = true; break }
                        }
                    case nil: break
                    }
                }
            }
        }
        return (current, evaluations)
    }

    // MARK: Measure

    /// Lexicographic size: elements of the arguments, their dimensions, options and optional arguments given,
    /// value complexity of the arguments, of grad_output.
    package static func measure(_ c: LossCase) -> [Int] {
        var elements = 0, dims = 0, values = 0, grad = 0
        for (name, v) in c.inputs {
            if name != "grad_output" { dims += v.shape.count }
            var complexity = 0
            switch v {
            case .float64(let t): complexity = t.scalars.reduce(0) { $0 + Self.complexity($1) }
            case .int64(let t): complexity = t.scalars.reduce(0) { $0 + Self.complexity($1) }
            }
            if name == "grad_output" { grad += complexity } else { elements += v.count; values += complexity }
        }
        let optional = c.loss.arguments.filter { $0.isOptional && c.inputs[$0.name] != nil }.count
        return [elements, dims, c.options.count + optional, values, grad]
    }

    /// Number of elements of the case's largest argument (grad_output excluded).
    package static func largestArgument(_ c: LossCase) -> Int {
        c.inputs.filter { $0.key != "grad_output" }.values.map(\.count).max() ?? 0
    }

    static func complexity(_ x: Double) -> Int {
        switch x {
        case 0: return 0
        case 1: return 1
        case -1: return 2
        case 2: return 3
        case _ where x.isNaN || x.isInfinite: return 7
        case _ where x == x.rounded() && abs(x) <= 16: return 4
        case _ where x == x.rounded(): return 5
        case _ where (x * 4) == (x * 4).rounded() && abs(x) <= 16: return 6
        default: return 8
        }
    }

    static func complexity(_ x: Int64) -> Int {
        switch x {
        case 0: return 0
        case 1: return 1
        case -1: return 2
        default: return Int(min(3 + x.magnitude, 40))
        }
    }

    static func simpler(_ x: Double) -> [Double] {
        var out: [Double] = [0, 1, -1, 2]
        if x.isFinite {
            out.append(x.rounded(.towardZero))
            out.append(Double(Float((x * 4).rounded() / 4)))
            out.append(x.rounded())
        }
        var seen = Set<Double>()
        return out.filter { complexity($0) < complexity(x) && seen.insert($0).inserted }
    }

    static func simpler(_ x: Int64) -> [Int64] {
        var seen = Set<Int64>()
        return [0, 1, -1, x / 2, x > 0 ? x - 1 : x + 1].filter { complexity($0) < complexity(x) && seen.insert($0).inserted }
    }

    static func smaller(_ s: Int) -> [Int] {
        var seen = Set<Int>()
        return [0, 1, s / 2, s / 2 + 1, s - 1].filter { $0 >= 0 && $0 < s && seen.insert($0).inserted }
    }

    // MARK: Tensor surgery

    func resizeAll(_ c: LossCase, from s: Int, to k: Int, fromEnd: Bool = false) -> LossCase {
        var out = c
        for (name, v) in c.inputs where name != "grad_output" {
            var u = v
            for axis in v.shape.indices where v.shape[axis] == s { u = Self.resize(u, axis: axis, to: k, fromEnd: fromEnd) }
            out.inputs[name] = u
        }
        return out
    }

    /// The first (or last) `k` slices of `v` along `axis`.
    static func resize(_ v: TensorValue, axis: Int, to k: Int, fromEnd: Bool = false) -> TensorValue {
        func cut<S>(_ t: Tensor<S>) -> Tensor<S> {
            let outer = Shape.count(Array(t.shape[..<axis])), inner = Shape.count(Array(t.shape[(axis + 1)...]))
            let n = t.shape[axis], first = fromEnd ? n - k : 0
            var scalars: [S] = []
            for o in 0..<outer { scalars += t.scalars[((o * n + first) * inner)..<((o * n + first + k) * inner)] }
            var shape = t.shape
            shape[axis] = k
            return Tensor(shape: shape, scalars: scalars)
        }
        switch v {
        case .float64(let t): return .float64(cut(t))
        case .int64(let t): return .int64(cut(t))
        }
    }

    static func removeAxis(_ v: TensorValue, _ axis: Int) -> TensorValue {
        var shape = v.shape
        shape.remove(at: axis)
        return reshape(v, shape)
    }

    static func reshape(_ v: TensorValue, _ shape: [Int]) -> TensorValue {
        switch v {
        case .float64(let t): return .float64(t.reshaped(shape))
        case .int64(let t): return .int64(t.reshaped(shape))
        }
    }

    /// `grad_output` in the Reference's output shape: the previous one if the shape is unchanged,
    /// ones otherwise; none when the Reference rejects the case.
    func withGradOutput(_ c: LossCase, previous: LossCase) -> LossCase {
        var c = c
        let old = previous.inputs["grad_output"]
        c.inputs["grad_output"] = nil
        guard let out = try? reference.evaluate(c).output else { return c }
        if let old, old.shape == out.shape {
            c.inputs["grad_output"] = old
        } else {
            c.inputs["grad_output"] = .float64(Tensor(repeating: 1, shape: out.shape))
        }
        return c
    }
}
