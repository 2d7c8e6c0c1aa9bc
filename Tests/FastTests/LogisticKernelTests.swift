import Testing
import Foundation
@testable import Fast

@Suite struct FastLogisticKernelTests {
    /// Goldberg's log1p stays within a few ulps of the correctly rounded value over (−1, 1],
    /// including tiny arguments where log(1 + t) alone would lose every digit.
    @Test func log1pViaLogIsAccurate() {
        var values: [Float] = [0, -0.0, 1, 0x1p-149, 0x1p-126, 1e-30, 1e-8, -1e-8, 0x1p-24, -0x1p-25, 0.5, -0.5,
                               Float(1).nextDown, -Float(1).nextDown]
        var t: Float = 1e-12
        while t < 1 { values += [t, -t]; t *= 1.37 }
        for start in stride(from: 0, to: values.count, by: 8) {
            var v = SIMD8<Float>(repeating: 0.25)
            let n = min(8, values.count - start)
            for k in 0..<n { v[k] = values[start + k] }
            let got = VectorMath.log1pViaLog(v)
            for k in 0..<n {
                let exact = Foundation.log1p(Double(v[k]))
                let ulp = Double(Float(exact).ulp)
                #expect(abs(Double(got[k]) - exact) <= 4 * ulp, "log1p(\(v[k])): \(got[k]) vs \(exact)")
            }
        }
        let ends = VectorMath.log1pViaLog(SIMD8<Float>(-1, .nan, .infinity, 0, 0, 0, 0, 0))
        #expect(ends[0] == -.infinity && ends[1].isNaN && ends[2] == .infinity)
    }

    /// The two −logσ terms and σ from one exponential: exact limits at ±inf and |x| = 800.
    @Test func logisticTermsLimits() {
        let x = SIMD8<Float>(800, -800, .infinity, -.infinity, 0, .nan, 20, -20)
        let t = LogisticTerms(x)
        let s = t.sigmoid(x)
        #expect(t.negLogSigmoid[0] == 0 && t.negLogSigmoidOfNegative[0] == 800)
        #expect(t.negLogSigmoid[1] == 800 && t.negLogSigmoidOfNegative[1] == 0)
        #expect(t.negLogSigmoid[2] == 0 && t.negLogSigmoidOfNegative[2] == .infinity)
        #expect(t.negLogSigmoid[3] == .infinity && t.negLogSigmoidOfNegative[3] == 0)
        #expect(s[0] == 1 && s[1] == 0 && s[2] == 1 && s[3] == 0 && s[4] == 0.5 && s[5].isNaN)
        #expect(abs(Double(t.negLogSigmoid[6]) - Foundation.log1p(exp(-20.0))) <= 4 * Double(Float(2.06e-9).ulp))
        #expect(abs(Double(s[7]) - 1 / (1 + exp(20.0))) <= 4 * Double(Float(2.06e-9).ulp))
    }
}
