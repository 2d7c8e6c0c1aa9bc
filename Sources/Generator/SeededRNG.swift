/// The generator's random number generator: xoshiro256** seeded through SplitMix64.
///
/// Bit-exact on every platform (integer arithmetic only; floats are derived from the top 24 bits,
/// so every draw is exactly representable in Float32). Documented in Vectors/README.md so that a
/// porter can regenerate the inputs independently:
/// - `splitmix64(s)`: `s += 0x9E3779B97F4A7C15; z = s; z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
///   z = (z ^ (z >> 27)) * 0x94D049BB133111EB; return z ^ (z >> 31)`;
/// - the state is four successive splitmix64 outputs of the seed;
/// - `next()` is xoshiro256** (Blackman & Vigna 2018).
package struct SeededRNG: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    package init(seed: UInt64) {
        var sm = seed
        func splitmix() -> UInt64 {
            sm &+= 0x9E37_79B9_7F4A_7C15
            var z = sm
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitmix(), splitmix(), splitmix(), splitmix())
    }

    package mutating func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// Uniform in [0, 1) with 24 random bits: exactly a Float32 value.
    package mutating func unit() -> Double { Double(next() >> 40) * 0x1p-24 }

    /// Uniform in [lo, hi), rounded to Float32.
    package mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        Double(Float(lo + (hi - lo) * unit()))
    }

    /// Approximately standard normal: the Irwin–Hall sum of 12 uniforms minus 6 (range ±6),
    /// rounded to Float32. Uses only integer arithmetic, + and ×, so it is bit-exact on every
    /// platform, unlike Box–Muller, whose log/cos differ in the last bit between libms.
    package mutating func normal(_ mean: Double = 0, _ std: Double = 1) -> Double {
        var sum = 0.0
        for _ in 0..<12 { sum += unit() }
        return Double(Float(mean + std * (sum - 6)))
    }

    /// Uniform integer in lo...hi, without modulo bias (Lemire's method).
    package mutating func int(_ lo: Int, _ hi: Int) -> Int {
        precondition(lo <= hi)
        let range = UInt64(hi - lo) &+ 1
        if range == 0 { return lo &+ Int(truncatingIfNeeded: next()) }
        var m = next().multipliedFullWidth(by: range)
        if m.low < range {
            let threshold = (0 &- range) % range
            while m.low < threshold { m = next().multipliedFullWidth(by: range) }
        }
        return lo + Int(m.high)
    }

    package mutating func bool(_ p: Double = 0.5) -> Bool { unit() < p }

    package mutating func pick<T>(_ items: [T]) -> T { items[int(0, items.count - 1)] }
}

/// FNV-1a of a string: a stable, platform-independent 64-bit hash for deriving per-case seeds.
package func fnv1a(_ s: String) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in s.utf8 {
        h ^= UInt64(b)
        h &*= 0x0000_0100_0000_01b3
    }
    return h
}
