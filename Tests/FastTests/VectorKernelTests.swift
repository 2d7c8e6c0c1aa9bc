import Testing
import Foundation
import Generator
@testable import Fast

/// The inline softmax exp, the masked tail loads and stores, and the horizontal reductions that
/// the row kernels are built from.
@Suite struct FastVectorKernelTests {
    /// The SIMD negative scan of gaussian_nll_loss's var check: a negative value anywhere (body,
    /// tail, any chunk, any thread count) is found; −0, NaN, +0 and +inf are not negative.
    @Test(arguments: [1, 2, 8])
    func anyNegativeFindsEveryPosition(threads: Int) {
        for n in [0, 1, 15, 16, 17, 4096, 40_000] {
            var a = [Float](repeating: 0.5, count: n)
            #expect(!Streams.anyNegative(a, threads: threads))
            if n > 0 {
                a[n - 1] = -.zero; a[0] = .nan; a[n / 2] = .infinity
                #expect(!Streams.anyNegative(a, threads: threads), "n \(n): -0, NaN and +inf are not negative")
            }
            for k in Set([0, n / 3, n - 1]) where n > 0 {
                var b = a
                b[k] = -.leastNonzeroMagnitude
                #expect(Streams.anyNegative(b, threads: threads), "n \(n), negative at \(k)")
            }
        }
    }

    /// Error of `got` against the exact `e^x` in units of the Float spacing at the exact value
    /// (the subnormal spacing 2^−149 below 2^−126).
    static func ulpError(_ got: Float, exact: Double) -> Double {
        let spacing = max(Double(Float(exact).ulp), 0x1p-149)
        return abs(Double(got) - exact) / spacing
    }

    /// Every 61st Float in [−104, 0] (about 18 million points, all exponents and both ends of every
    /// reduction interval) is within 1 ulp of e^x, including the subnormal results below −87.3.
    @Test func expNonPositiveIsWithinOneUlp() {
        var worst = 0.0, worstAt: Float = 0
        var bits = Float(-104).bitPattern
        let stop = Float(-0.0).bitPattern  // walking down the negative bit patterns toward −0
        var lanes = SIMD8<Float>(), count = 0
        func flush() {
            let got = VectorMath.expNonPositive(lanes)
            for k in 0..<count {
                let e = Self.ulpError(got[k], exact: Foundation.exp(Double(lanes[k])))
                if e > worst { worst = e; worstAt = lanes[k] }
            }
            count = 0
        }
        while bits > stop {
            lanes[count] = Float(bitPattern: bits)
            count += 1
            if count == 8 { flush() }
            bits = bits >= stop + 61 ? bits - 61 : stop
        }
        flush()
        #expect(worst < 1, "worst error \(worst) ulp at x = \(worstAt)")
    }

    /// The general exp: every 61st Float of [−104, 89] within 1 ulp (normal, subnormal and the
    /// largest finite results), against a Double exp rounded nowhere.
    @Test func expIsWithinOneUlpEverywhere() {
        var worst = 0.0, worstAt: Float = 0
        var lanes = SIMD8<Float>(), count = 0
        func flush() {
            let got = VectorMath.exp(lanes)
            for k in 0..<count {
                let exact = Foundation.exp(Double(lanes[k]))
                guard exact < Double(Float.greatestFiniteMagnitude) else {
                    #expect(got[k] == .infinity, "exp(\(lanes[k])) = \(got[k]), expected +inf")
                    continue
                }
                let e = Self.ulpError(got[k], exact: exact)
                if e > worst { worst = e; worstAt = lanes[k] }
            }
            count = 0
        }
        for (start, end) in [(Float(-104), Float(-0.0)), (Float(0), Float(89))] {
            // Walk the bit patterns: negative floats grow in magnitude as the pattern grows.
            var bits = start.bitPattern, stop = end.bitPattern
            if start < 0 { swap(&bits, &stop) }
            while bits < stop {
                lanes[count] = Float(bitPattern: bits)
                count += 1
                if count == 8 { flush() }
                bits = stop - bits > 61 ? bits + 61 : stop
            }
            flush()
        }
        // The portable build's exp (a wider reduction interval, no table) reaches 1.004 ulp.
        #if LOSSBENCH_AVX2
        #expect(worst < 1, "worst error \(worst) ulp at x = \(worstAt)")
        #else
        #expect(worst < 1.01, "worst error \(worst) ulp at x = \(worstAt)")
        #endif
    }

    @Test func expSpecialValuesAndBoundaries() {
        let got = VectorMath.exp(SIMD8(0, -0.0, -.infinity, .infinity, .nan, 88.72283, 88.72284, 1e30))
        #expect(got[0] == 1 && got[1] == 1)
        #expect(got[2] == 0 && got[2].sign == .plus)
        #expect(got[3] == .infinity && got[4].isNaN)
        #expect(got[5].isFinite && got[5] > 3.4e38)  // the largest x with a finite e^x
        #expect(got[6] == .infinity && got[7] == .infinity)
        let small = VectorMath.exp(SIMD8(-1e-30, 1e-30, -0x1p-149, 0x1p-149, -1e-7, 1e-7, -104, -103.2))
        #expect(small[0] == 1 && small[1] == 1 && small[2] == 1 && small[3] == 1)
        #expect(small[4] == Float(Foundation.exp(-1e-7 as Double)) && small[5] == Float(Foundation.exp(Double(Float(1e-7)))))
        #expect(small[6] == 0 && small[7] == 0x1p-149)
        // The inline softmax exp and the general one agree on the softmax domain.
        var x: Float = -90
        while x <= 0 {
            let v = SIMD8<Float>(repeating: x)
            #expect(VectorMath.exp(v) == VectorMath.expNonPositive(v), "at \(x)")
            x += 0.37
        }
    }

    /// exp(0) = 1 exactly (the row maximum's numerator), −inf → 0, NaN → NaN, and arguments past
    /// the subnormal range round to +0.
    @Test func expNonPositiveSpecialValues() {
        let got = VectorMath.expNonPositive(SIMD8(0, -0.0, -.infinity, .nan, -104, -1e30, -103.98, -0x1p-30))
        #expect(got[0] == 1 && got[1] == 1)
        #expect(got[2] == 0 && got[2].sign == .plus)
        #expect(got[3].isNaN)
        #expect(got[4] == 0 && got[5] == 0)
        #expect(got[6] == 0)  // e^−103.98 < 2^−150: half the smallest subnormal
        #expect(got[7] == Float(Foundation.exp(-0x1p-30)))
        // Monotone across the normal/subnormal boundary.
        var previous: Float = 0
        var x: Float = -95
        while x < -80 {
            let v = VectorMath.expNonPositive(SIMD8(repeating: x))[0]
            #expect(v >= previous, "exp not monotone at \(x)")
            previous = v
            x = x.nextUp.nextUp.nextUp.nextUp.nextUp.nextUp.nextUp.nextUp.nextUp.nextUp.nextUp.nextUp.nextUp
        }
    }

    /// `loadPartial` takes exactly the first n lanes and pads the rest, for every n, without reading
    /// past them (the source ends at a page the test maps without access), and `storePartial`
    /// writes exactly the first n.
    @Test(arguments: 0...16)
    func partialLoadsAndStoresTouchOnlyTheirLanes(_ n: Int) throws {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard let base = mmap(nil, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              base != MAP_FAILED else {
            Issue.record("mmap failed")
            return
        }
        defer { munmap(base, 2 * page) }
        // The second page is inaccessible: touching any lane beyond n would fault.
        #expect(mprotect(base + page, page, PROT_NONE) == 0)
        let end = (base + page).assumingMemoryBound(to: Float.self)
        let start = end - n
        for k in 0..<n { start[k] = Float(k + 1) }
        let v = Streams.loadPartial(UnsafePointer(start), 0, n, pad: -7)
        for k in 0..<16 { #expect(v[k] == (k < n ? Float(k + 1) : -7), "lane \(k) of \(n)") }
        let zero = Streams.loadPartial(UnsafePointer(start), 0, n)
        for k in n..<16 { #expect(zero[k] == 0) }

        for k in 0..<n { start[k] = -1 }
        Streams.storePartial(SIMD16<Float>(repeating: 5), start, 0, n)
        for k in 0..<n { #expect(start[k] == 5) }
        // The lanes before the window are untouched.
        (start - 1).pointee = 9
        Streams.storePartial(SIMD16<Float>(repeating: 6), start, 0, n)
        #expect((start - 1).pointee == 9)
    }

    @Test(arguments: [-3, 0, 1, 7, 8, 9, 15, 16, 17, 1_000])
    func laneMaskSelectsTheFirstLanes(_ n: Int) {
        let mask = Streams.laneMask(n)
        for k in 0..<16 { #expect(mask[k] == (k < n), "lane \(k) for n = \(n)") }
        let mask8 = Lanes8.mask(n)
        for k in 0..<8 { #expect(mask8[k] == (k < n), "lane \(k) of 8 for n = \(n)") }
    }

    /// The 8-lane tail load and store touch exactly their first n lanes.
    @Test(arguments: 1...8)
    func lanes8PartialLoadsAndStores(_ n: Int) {
        var src = (0..<16).map { Float($0 + 1) }
        let v = src.withUnsafeBufferPointer { Lanes8.load($0.baseAddress!, 3, n, pad: -2) }
        for k in 0..<8 { #expect(v[k] == (k < n ? Float(k + 4) : -2)) }
        src.withUnsafeMutableBufferPointer { Lanes8.store(SIMD8(repeating: 0), $0.baseAddress!, 3, n) }
        for k in 0..<16 { #expect(src[k] == ((3..<3 + n).contains(k) ? 0 : Float(k + 1))) }
    }

    /// The halving reductions agree with a plain loop, find the extreme in any lane, and skip NaN
    /// lanes in the max as `SoftmaxRow.max` documents (the NaN reaches the row through exp).
    @Test func horizontalReductions() {
        for lane in 0..<16 {
            var v = SIMD16<Float>(repeating: -5)
            v[lane] = 3
            #expect(SoftmaxRow.horizontalMax(v) == 3)
            v[(lane + 5) % 16] = .nan
            #expect(SoftmaxRow.horizontalMax(v) == 3)
        }
        #expect(SoftmaxRow.horizontalMax(SIMD16(repeating: -.infinity)) == -.infinity)
        #expect(SoftmaxRow.horizontalMax(SIMD16(repeating: .nan)) == -.infinity)
        var v = SIMD16<Float>()
        for k in 0..<16 { v[k] = Float(k) * 0.5 + 0.25 }
        #expect(SoftmaxRow.horizontalSum(v) == 64)
        #expect(abs(SoftmaxRow.horizontalSum(SIMD16(repeating: 1e-3)) - 16e-3) <= 2 * Float(16e-3).ulp)
    }

    /// The softmax sum over a row agrees with a Double sum of Double exponentials for every tail
    /// length, and the stored numerators equal the summed ones.
    @Test(arguments: [1, 2, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1000])
    func expSumMatchesDouble(_ n: Int) {
        var rng = SeededRNG(seed: UInt64(n))
        let x = (0..<n).map { _ in Float(rng.uniform(-30, 30)) }
        let m = x.max()!
        var e = [Float](repeating: .nan, count: n + 1)
        let (s, stored) = x.withUnsafeBufferPointer { xb in
            e.withUnsafeMutableBufferPointer { eb in
                (SoftmaxRow.expSum(xb.baseAddress!, n, max: m, store: nil),
                 SoftmaxRow.expSum(xb.baseAddress!, n, max: m, store: eb.baseAddress!))
            }
        }
        let exact = x.reduce(0.0) { $0 + Foundation.exp(Double($1 - m)) }
        #expect(abs(Double(s) - exact) <= 8 * Double(Float.ulpOfOne) * exact)
        #expect(s == stored)
        for k in 0..<n {
            #expect(Self.ulpError(e[k], exact: Foundation.exp(Double(x[k] - m))) <= 2)
        }
        #expect(e[n].isNaN, "wrote past the row")
    }
}
