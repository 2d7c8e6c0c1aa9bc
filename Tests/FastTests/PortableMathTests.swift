import Foundation
import Testing
@testable import Fast

/// The portable primitives (`PortableMath`), tested on every build: they are what Fast runs on
/// off x86-64 and with LOSSBENCH_PORTABLE=1, and the default build must not let them rot.
@Suite struct PortableMathTests {
    /// Error in units of the Float spacing at the exact value (2^−149 in the subnormal range).
    static func ulpError(_ got: Float, exact: Double) -> Double {
        if got.isInfinite, exact.magnitude >= Double(Float.greatestFiniteMagnitude) + Double(Float.greatestFiniteMagnitude.ulp) / 2,
           (got > 0) == (exact > 0) { return 0 }
        let spacing = max(Double(Float(exact).ulp), 0x1p-149)
        return abs(Double(got) - exact) / spacing
    }

    /// The worst ulp error of `f` against `exact` over every `stride`-th Float from `lo` to `hi`
    /// (walking bit patterns, so every exponent is visited), and where it occurs.
    static func sweep(_ lo: Float, _ hi: Float, stride: UInt32, _ f: (SIMD8<Float>) -> SIMD8<Float>,
                      _ exact: (Double) -> Double) -> (ulp: Double, at: Float) {
        var worst = (ulp: 0.0, at: Float.nan)
        var lanes = SIMD8<Float>(), count = 0
        func flush() {
            let got = f(lanes)
            for k in 0..<count {
                let e = ulpError(got[k], exact: exact(Double(lanes[k])))
                if !(e <= worst.ulp) { worst = (e, lanes[k]) }
            }
            count = 0
        }
        var x = lo
        while x <= hi {
            lanes[count] = x
            count += 1
            if count == 8 { flush() }
            // Step `stride` representable values up (toward +inf for either sign).
            let b = x.bitPattern
            let next: Float = x < 0 ? (b - 1 < 0x8000_0000 + stride ? 0 : Float(bitPattern: b - stride))
                                    : Float(bitPattern: b + stride)
            if next == x { break }
            x = x < 0 && next >= 0 ? 0 : next
            if x == 0 && lo < 0 { lanes[count] = 0; count += 1; if count == 8 { flush() }; x = Float.leastNonzeroMagnitude }
        }
        flush()
        return worst
    }

    /// 1.004 ulp worst (near x = 26.72): the reduction interval is ±ln2/2, so r's own rounding
    /// reaches a quarter ulp of the result.
    @Test func expIsWithinOneAndAHundredthUlp() {
        let w = Self.sweep(-104, 89, stride: 251, PortableMath.exp, Foundation.exp)
        #expect(w.ulp < 1.01, "worst \(w.ulp) ulp at \(w.at)")
    }

    @Test func logIsWithinOneUlpIncludingSubnormals() {
        let w = Self.sweep(Float.leastNonzeroMagnitude, Float.greatestFiniteMagnitude, stride: 251,
                           PortableMath.log, Foundation.log)
        #expect(w.ulp < 1, "worst \(w.ulp) ulp at \(w.at)")
    }

    @Test func log1pIsWithinOneAndAHalfUlp() {
        let w = Self.sweep(-0.99999994, 1e30, stride: 251, PortableMath.log1p, Foundation.log1p)
        #expect(w.ulp < 1.5, "worst \(w.ulp) ulp at \(w.at)")
    }

    @Test func expm1IsWithinOneAndAHalfUlp() {
        let w = Self.sweep(-104, 88.7, stride: 251, PortableMath.expm1, Foundation.expm1)
        #expect(w.ulp < 1.5, "worst \(w.ulp) ulp at \(w.at)")
    }

    @Test func specialValues() {
        let e = PortableMath.exp(SIMD8(0, -0.0, -.infinity, .infinity, .nan, 88.72283, 88.72284, -103.98))
        #expect(e[0] == 1 && e[1] == 1 && e[2] == 0 && e[2].sign == .plus && e[3] == .infinity && e[4].isNaN)
        #expect(e[5].isFinite && e[5] > 3.4e38 && e[6] == .infinity && e[7] == 0)
        #expect(PortableMath.exp(SIMD8(repeating: -103.2))[0] == 0x1p-149)
        let l = PortableMath.log(SIMD8(0, -0.0, -1, .infinity, .nan, 1, 0x1p-149, -.infinity))
        #expect(l[0] == -.infinity && l[1] == -.infinity && l[2].isNaN && l[3] == .infinity && l[4].isNaN)
        #expect(l[5] == 0 && l[6] == Float(Foundation.log(0x1p-149)) && l[7].isNaN)
        let p = PortableMath.log1p(SIMD8(0, -0.0, -1, -2, .infinity, .nan, 1e-30, -.infinity))
        #expect(p[0] == 0 && p[1] == 0 && p[1].sign == .minus && p[2] == -.infinity && p[3].isNaN)
        #expect(p[4] == .infinity && p[5].isNaN && p[6] == 1e-30 && p[7].isNaN)
        let m = PortableMath.expm1(SIMD8(0, -0.0, -.infinity, .infinity, .nan, 1e-30, 89, -200))
        #expect(m[0] == 0 && m[1] == 0 && m[1].sign == .minus && m[2] == -1 && m[3] == .infinity && m[4].isNaN)
        #expect(m[5] == 1e-30 && m[6] == .infinity && m[7] == -1)
    }

    /// The portable partial loads and stores touch exactly their lanes, next to a page the test
    /// maps without access.
    @Test(arguments: 0...8)
    func partialLoadsAndStoresTouchOnlyTheirLanes(_ n: Int) throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let base = try #require(mmap(nil, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0))
        try #require(base != MAP_FAILED)
        defer { munmap(base, 2 * page) }
        #expect(mprotect(base + page, page, PROT_NONE) == 0)
        let start = (base + page).assumingMemoryBound(to: Float.self) - n
        for k in 0..<n { start[k] = Float(k + 1) }
        let v = PortableMath.loadFirst8(UnsafePointer(start), n, -7)
        for k in 0..<8 { #expect(v[k] == (k < n ? Float(k + 1) : -7)) }
        (start - 1).pointee = 9
        PortableMath.storeFirst8(start, n, SIMD8(repeating: 5))
        for k in 0..<n { #expect(start[k] == 5) }
        #expect((start - 1).pointee == 9)
        #expect(PortableMath.loadFirst8(UnsafePointer(start), -3, 2) == SIMD8(repeating: 2))
    }
}
