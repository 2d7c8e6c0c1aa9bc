import Foundation
import Testing
import Conformance
import FastABI
import FastDispatch
import Generator
import GoldenStore
import LossSpec
import Reference

/// The rule that picks a build from `LOSSBENCH_ISA`, checked against every kind of value.
@Suite struct ISAChoiceTests {
    let all = ISA.preference

    @Test(arguments: [nil, "", "  "])
    func unsetPicksTheFastestSupported(_ requested: String?) throws {
        #expect(try FastDispatch.choose(requested: requested, compiled: all, supported: { _ in true }) == .avx512)
        #expect(try FastDispatch.choose(requested: requested, compiled: all, supported: { $0 != .avx512 }) == .avx2)
        #expect(try FastDispatch.choose(requested: requested, compiled: all, supported: { $0 == .portable }) == .portable)
        #expect(try FastDispatch.choose(requested: requested, compiled: [.portable], supported: { _ in true }) == .portable)
    }

    @Test(arguments: [("avx2", ISA.avx2), ("AVX2", .avx2), (" portable ", .portable), ("avx512", .avx512)])
    func aSupportedRequestIsObeyed(_ requested: String, _ expected: ISA) throws {
        // Even where a faster build runs: the request is what the run must measure.
        #expect(try FastDispatch.choose(requested: requested, compiled: all, supported: { _ in true }) == expected)
    }

    @Test func anUnknownNameListsTheAllowedOnes() {
        #expect {
            try FastDispatch.choose(requested: "avx9", compiled: all, supported: { _ in true })
        } throws: { error in
            let text = "\(error)"
            return text.contains("LOSSBENCH_ISA='avx9' is not an instruction set") && text.contains("avx512, avx2, portable")
        }
    }

    @Test func aBuildTheBinaryLacksIsAnError() {
        #expect {
            try FastDispatch.choose(requested: "avx512", compiled: [.portable], supported: { _ in true })
        } throws: { "\($0)".contains("this binary has no avx512 build") && "\($0)".contains("it has portable") }
    }

    @Test func aBuildTheCPUCannotRunIsAnErrorNotAFallback() {
        #expect {
            try FastDispatch.choose(requested: "avx512", compiled: all, supported: { $0 != .avx512 })
        } throws: { "\($0)".contains("cannot execute the avx512 build") && "\($0)".contains("it can run avx2, portable") }
    }

    @Test func noRunnableBuildIsAnError() {
        #expect(throws: ISASelectionError.self) {
            try FastDispatch.choose(requested: nil, compiled: [.avx512, .avx2], supported: { _ in false })
        }
    }
}

/// The AVX-512 selection: its measured loss set, the override that replaces it, and the routing.
@Suite struct AVX512RoutingTests {
    @Test(arguments: [nil, "", " "])
    func unsetMeansTheMeasuredSet(_ value: String?) throws {
        #expect(try FastDispatch.avx512Losses(override: value) == FastDispatch.avx512Losses)
        #expect(FastDispatch.avx512Losses == [.multiMarginLoss, .ctcLoss, .multilabelMarginLoss, .poissonNLLLoss, .klDiv, .gaussianNLLLoss, .binaryCrossEntropy])
    }

    @Test func theOverrideTakesAllNoneOrNames() throws {
        #expect(try FastDispatch.avx512Losses(override: "ALL") == Set(LossKind.allCases))
        #expect(try FastDispatch.avx512Losses(override: "none") == [])
        #expect(try FastDispatch.avx512Losses(override: " MSELoss , ctc_loss") == [.mseLoss, .ctcLoss])
        #expect {
            try FastDispatch.avx512Losses(override: "mse_loss,,")
        } throws: { "\($0)".contains("'' is not a loss") }
        #expect {
            try FastDispatch.avx512Losses(override: "mse_loss,msel")
        } throws: { "\($0)".contains("LOSSBENCH_AVX512_LOSSES: 'msel' is not a loss; allowed: all, none") }
    }

    /// A routed value runs each loss with exactly one build's code: BCE's Float results differ
    /// between the AVX2 and portable builds (libmvec against PortableMath), so bit equality with
    /// one of them says which ran.
    @Test func routingRunsEachLossOnItsBuild() throws {
        let runnable = FastDispatch.runnable
        guard runnable.contains(.avx2), runnable.contains(.portable) else { return }
        let (avx2, portable) = (try FastDispatch.build(.avx2), try FastDispatch.build(.portable))
        let cases = RunnableBuildTests.cases.filter { $0.expectError == nil && $0.inputs.values.contains { $0.count >= 64 } }
        let bce = try #require(cases.first { c in
            c.loss == LossKind.binaryCrossEntropy.rawValue
                && (try? avx2.evaluate(c.lossCase()).outputs["output"]?.scalars) != (try? portable.evaluate(c.lossCase()).outputs["output"]?.scalars)
        })
        let routedToPortable = FastKernels(routing: [.binaryCrossEntropy], to: portable, otherwise: avx2)
        let routedToAVX2 = FastKernels(routing: [.mseLoss], to: portable, otherwise: avx2)
        #expect(routedToPortable.isa == .portable && routedToPortable.routing?.otherwise == .avx2)
        let bits = { (k: FastKernels) in try k.evaluate(bce.lossCase(), threads: 2).outputs["output"]!.scalars.map(\.bitPattern) }
        #expect(try bits(routedToPortable) == bits(portable))
        #expect(try bits(routedToAVX2) == bits(avx2))
        #expect(try routedToPortable.prepare(bce.lossCase()).loss == .binaryCrossEntropy)
        // The grain override reaches the build that runs the loss.
        let split = try routedToPortable.withGrainOverride(1) { try routedToPortable.evaluate(bce.lossCase(), threads: 3) }
        #expect(split.outputs["output"]!.scalars.map(\.bitPattern) == (try bits(portable)))
    }

    /// The names runs of the AVX-512 selection are recorded under.
    @Test func recordedNames() throws {
        guard let avx512 = FastDispatch.builds.first(where: { $0.isa == .avx512 }),
              let avx2 = FastDispatch.builds.first(where: { $0.isa == .avx2 }) else { return }
        #expect(FastDispatch.recordedName(FastKernels(routing: FastDispatch.avx512Losses, to: avx512, otherwise: avx2)) == "avx512")
        #expect(FastDispatch.recordedName(avx512) == "avx512[all]")
        #expect(FastDispatch.recordedName(FastKernels(routing: [.mseLoss, .ctcLoss], to: avx512, otherwise: avx2)) == "avx512[ctc_loss,mse_loss]")
        #expect(FastDispatch.recordedName(FastKernels(routing: [], to: avx512, otherwise: avx2)) == "avx512[]")
        #expect(FastDispatch.recordedName(avx2) == "avx2")
        if FastDispatch.requested == nil, FastDispatch.runnable.first == .avx512,
           ProcessInfo.processInfo.environment[FastDispatch.avx512LossesVariable] == nil {
            #expect(FastDispatch.current.routing?.losses == FastDispatch.avx512Losses)
            #expect(FastDispatch.current.routing?.otherwise == .avx2)
            #expect(FastDispatch.recordedName == "avx512")
        }
    }
}

/// What this binary holds and what this CPU runs.
@Suite struct BuildInventoryTests {
    @Test func buildsAreDistinctAndInPreferenceOrder() {
        let isas = FastDispatch.builds.map(\.isa)
        #expect(isas == ISA.preference.filter(isas.contains))
        #expect(Set(isas).count == isas.count)
        #expect(isas.contains(.portable), "every binary has a build that runs anywhere")
        #if arch(x86_64) && os(Linux)
        if ProcessInfo.processInfo.environment["LOSSBENCH_PORTABLE"] != "1" { #expect(isas == [.avx512, .avx2, .portable]) }
        #endif
    }

    @Test func theDefaultIsTheFastestRunnableBuild() throws {
        guard (ProcessInfo.processInfo.environment[FastDispatch.environmentVariable] ?? "").isEmpty else { return }
        #expect(try FastDispatch.selected().isa == FastDispatch.runnable.first)
    }

    /// CPUID as this process sees it against the kernel's view of the same CPU (/proc/cpuinfo's
    /// flags, which the kernel clears for a state it does not enable).
    @Test func detectionAgreesWithTheKernel() throws {
        #if arch(x86_64) && os(Linux)
        let info = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        guard let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return }
        let flags = Set(line.split(separator: ":")[1].split(separator: " ").map(String.init))
        let v3 = ["avx", "avx2", "fma", "f16c", "bmi1", "bmi2", "abm", "movbe", "osxsave"].allSatisfy(flags.contains)
            || ["avx", "avx2", "fma", "f16c", "bmi1", "bmi2", "abm", "movbe"].allSatisfy(flags.contains)
        let v4 = v3 && ["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"].allSatisfy(flags.contains)
        #expect(FastDispatch.cpuSupports(.avx2) == v3)
        #expect(FastDispatch.cpuSupports(.avx512) == v4)
        #endif
        #expect(FastDispatch.cpuSupports(.portable))
    }

    @Test func aBuildThisCPUCannotRunIsRefused() throws {
        for isa in ISA.allCases where !FastDispatch.cpuSupports(isa) {
            #expect(throws: ISASelectionError.self) { try FastDispatch.build(isa) }
        }
    }
}

/// Every build this CPU can execute, against the golden contract and against itself.
@Suite struct RunnableBuildTests {
    /// Every loss's catalogue without its large size sweeps, generated once.
    static let cases = try! Generator.generate(seed: 20261203, include: { !$0.contains("/sizes/") || $0.hasSuffix("/000") })

    static var runnable: [ISA] { FastDispatch.runnable }

    @Test(arguments: runnable)
    func buildConformsToTheGoldenVectors(_ isa: ISA) throws {
        let build = try FastDispatch.build(isa)
        #expect(build.isa == isa)
        let impl = ClosureImplementation(name: "fast-\(isa.rawValue)", computeType: .float32) { try build.evaluate($0, threads: 2) }
        let report = Checker.run(GoldenFile(meta: [:], cases: Self.cases), database: "generated", implementations: [impl])
        let failures = report.outcomes.filter { $0.status.isFailure }
        #expect(failures.isEmpty, "\(isa): \(failures.prefix(3).map(\.caseName))")
        #expect(report.outcomes.filter(\.passed).count > 1000)
    }

    /// Bit-identical for 1 and 3 threads with every chunk a work item of its own.
    @Test(arguments: runnable)
    func buildIsDeterministicAcrossThreadCounts(_ isa: ISA) throws {
        let build = try FastDispatch.build(isa)
        let big = Self.cases.filter { c in c.expectError == nil && c.inputs.values.contains { $0.count >= 4099 } }
        #expect(big.count >= 10)
        for c in big {
            let one = build.withGrainOverride(1) { Result { try build.evaluate(c.lossCase(), threads: 1) } }
            let three = build.withGrainOverride(1) { Result { try build.evaluate(c.lossCase(), threads: 3) } }
            switch (one, three) {
            case (.success(let a), .success(let b)):
                for (role, t) in a.outputs {
                    let u = try #require(b.outputs[role])
                    #expect(t.scalars.map(\.bitPattern) == u.scalars.map(\.bitPattern), "\(isa) \(c.name) \(role)")
                }
            case (.failure, .failure): break
            default: Issue.record("\(isa) \(c.name): one thread count threw and the other did not")
            }
        }
    }

    /// The builds really are different code: the portable build's vector log is not libmvec's, so
    /// somewhere in BCE's catalogue their Float results differ (while both conform).
    @Test func theBuildsAreDistinctCode() throws {
        let runnable = Self.runnable
        guard runnable.contains(.avx2), runnable.contains(.portable) else { return }
        let (avx2, portable) = (try FastDispatch.build(.avx2), try FastDispatch.build(.portable))
        let bce = Self.cases.filter { $0.loss == LossKind.binaryCrossEntropy.rawValue && $0.expectError == nil }
        let differs = bce.contains { c in
            guard let a = try? avx2.evaluate(c.lossCase()), let p = try? portable.evaluate(c.lossCase()) else { return false }
            return a.outputs["output"]?.scalars != p.outputs["output"]?.scalars
        }
        #expect(differs)
    }
}
