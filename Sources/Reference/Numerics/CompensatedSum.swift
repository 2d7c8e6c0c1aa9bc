/// Neumaier's compensated summation (improved Kahan–Babuška).
///
/// For n finite terms the error of `value` is at most `2u·|Σx| + O(n·u²)·Σ|x|` (u = 2⁻⁵³), against
/// `(n−1)·u·Σ|x|` for a naive loop, so the result is within an ulp or two of the exact sum whenever
/// there is no catastrophic cancellation. Non-finite terms are summed apart in plain arithmetic,
/// so ±inf and NaN propagate exactly as IEEE addition would instead of poisoning the compensation
/// with `inf − inf`.
package struct CompensatedSum: Sendable {
    private var sum = 0.0
    private var compensation = 0.0
    private var nonFinite = 0.0
    private var sawNonFinite = false

    package init() {}

    @inlinable
    package static func sum<S: Sequence>(_ terms: S) -> Double where S.Element == Double {
        var s = CompensatedSum()
        for t in terms { s.add(t) }
        return s.value
    }

    package mutating func add(_ x: Double) {
        guard x.isFinite else {
            nonFinite += x
            sawNonFinite = true
            return
        }
        let t = sum + x
        if !t.isFinite {
            // Overflow of the running sum: keep it as the non-finite part.
            nonFinite += t
            sawNonFinite = true
            sum = 0
            compensation = 0
            return
        }
        if abs(sum) >= abs(x) {
            compensation += (sum - t) + x
        } else {
            compensation += (x - t) + sum
        }
        sum = t
    }

    package var value: Double {
        sawNonFinite ? nonFinite + (sum + compensation) : sum + compensation
    }
}
