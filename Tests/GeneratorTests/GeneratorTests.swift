import Testing
import LossSpec
import GoldenStore
@testable import Generator

@Suite struct SeededRNGTests {
    /// xoshiro256** seeded by SplitMix64 from 0: the first outputs, fixed forever so that the
    /// golden inputs are reproducible by porters (Vectors/README.md documents the algorithm).
    @Test func firstOutputsAreFixed() {
        var r = SeededRNG(seed: 0)
        let first = (0..<3).map { _ in r.next() }
        var again = SeededRNG(seed: 0)
        #expect((0..<3).map { _ in again.next() } == first)
        // SplitMix64(0) state words are the published e220a8397b1dcdaf, 6e789e6aa1b965f4, ...
        var sm: UInt64 = 0
        sm &+= 0x9E37_79B9_7F4A_7C15
        var z = sm
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        #expect(z ^ (z >> 31) == 0xE220_A839_7B1D_CDAF)
        #expect(first[0] == 0x99EC_5F36_CB75_F2B4)
    }

    @Test func drawsAreFloat32ExactAndInRange() {
        var r = SeededRNG(seed: 42)
        for _ in 0..<10_000 {
            let u = r.uniform(-3, 5)
            #expect(u >= -3 && u <= 5 && Double(Float(u)) == u)
            let n = r.normal(0, 2)
            #expect(abs(n) <= 12 && Double(Float(n)) == n)
            let k = r.int(-2, 3)
            #expect((-2...3).contains(k))
        }
    }

    @Test func integerDrawsCoverTheRange() {
        var r = SeededRNG(seed: 1)
        var seen = Set<Int>()
        for _ in 0..<1000 { seen.insert(r.int(0, 9)) }
        #expect(seen == Set(0...9))
    }
}

/// One generation of the MSE catalogue, shared by the tests that only read it.
let mseCases = try! Generator.generate(seed: 3, losses: [.mseLoss])

@Suite struct GeneratorTests {
    @Test func sameSeedSameDigestOtherSeedOtherDigest() throws {
        let small = { (name: String) in !name.contains("/sizes/") }
        let a = try Generator.generate(seed: 5, losses: [.mseLoss], include: small)
        let b = try Generator.generate(seed: 5, losses: [.mseLoss], include: small)
        let c = try Generator.generate(seed: 6, losses: [.mseLoss], include: small)
        #expect(GoldenDatabase.contentDigest(a) == GoldenDatabase.contentDigest(b))
        #expect(GoldenDatabase.contentDigest(a) != GoldenDatabase.contentDigest(c))
    }

    @Test func caseSeedDependsOnlyOnRunSeedAndName() {
        #expect(Generator.caseSeed(1, name: "x") == Generator.caseSeed(1, name: "x"))
        #expect(Generator.caseSeed(1, name: "x") != Generator.caseSeed(1, name: "y"))
        #expect(Generator.caseSeed(1, name: "x") != Generator.caseSeed(2, name: "x"))
    }

    @Test func everyValidCaseHasRandomGradOutputGradientsAndScales() throws {
        for c in mseCases where c.expectError == nil {
            let g = try #require(c.inputs["grad_output"], "\(c.name)")
            #expect(g.shape == c.expected["output"]?.shape, "\(c.name)")
            if case .float64(let t) = g, t.count > 1 { #expect(Set(t.scalars).count > 1, "\(c.name)") }
            #expect(c.expected["grad_input"] != nil && c.expected["grad_target"] != nil, "\(c.name)")
            #expect(Set(c.scales.keys) == Set(c.expected.keys), "\(c.name)")
            // All options explicit.
            #expect(Set(c.options.keys) == Set(LossKind.mseLoss.optionNames), "\(c.name)")
            for (_, v) in c.inputs {
                if case .float64(let t) = v { #expect(t.scalars.allSatisfy { $0.isNaN || Double(Float($0)) == $0 }) }
            }
        }
    }

    @Test func errorCasesNameTheArgumentAndCarryNoOutputs() throws {
        let errors = mseCases.filter { $0.family == .error }
        #expect(!errors.isEmpty)
        for c in errors {
            #expect(c.expectError != nil && c.expected.isEmpty)
            #expect(c.note?.contains(":") == true, "\(c.name) note names the argument")
        }
    }

    @Test func aRecipeWhoseErrorTheReferenceDoesNotRaiseIsRejected() {
        var list = RecipeList(.mseLoss)
        list.error(.shapeMismatch, "wrong", argument: "target", "actually fine") { r in
            ["input": r.normal([3]), "target": r.normal([3])]
        }
        #expect(throws: Generator.RecipeFailure.self) { try Generator.build(list.recipes[0], seed: 1) }
    }
}
