import CCPUFeatures
import FastABI
import Foundation
import LossSpec

/// Which build of Fast's kernels this process runs, chosen once at run time.
///
/// On x86-64 Linux one binary holds three builds of the same sources: AVX-512 (x86-64-v4), AVX2
/// (x86-64-v3) and portable; elsewhere the portable build alone. The default is the fastest build
/// this CPU can execute, by CPUID and the operating system's enabled register state
/// (`CCPUFeatures`). `LOSSBENCH_ISA=avx512|avx2|portable` overrides it, so that CI can check
/// every build a machine can run and a benchmark can time one against another; naming a build
/// the binary lacks, or one this CPU cannot execute, is an error rather than a silent fallback,
/// because a run that says `avx512` must have run AVX-512 code.
///
/// Every build gives the same results for any thread count; builds differ from one another only
/// within the Float32 tolerance (their vector math is not the same code: libmvec on AVX2 and
/// AVX-512, `PortableMath` on the portable build).
package enum FastDispatch {
    /// The environment variable that overrides the default choice.
    package static let environmentVariable = "LOSSBENCH_ISA"

    /// Every build compiled into this binary, in `ISA.preference` order.
    package static let builds: [FastKernels] = {
        let all = [primaryBuild] + [avx512Build, portableBuild].compactMap { $0 }
        return ISA.preference.compactMap { isa in all.first { $0.isa == isa } }
    }()

    /// Whether the CPU this process runs on can execute `isa`'s build.
    package static func cpuSupports(_ isa: ISA) -> Bool {
        switch isa {
        case .avx512: return lb_cpu_supports_x86_64_v4() != 0
        case .avx2: return lb_cpu_supports_x86_64_v3() != 0
        case .portable: return true
        }
    }

    /// The builds of this binary that this CPU can execute, fastest first.
    package static var runnable: [ISA] { builds.map(\.isa).filter(cpuSupports) }

    /// The build to run for the override `requested` (LOSSBENCH_ISA's value, nil or empty when
    /// unset), given the builds compiled in and what the CPU supports: the pure rule behind
    /// `selected()`.
    package static func choose(requested: String?, compiled: [ISA], supported: (ISA) -> Bool) throws(ISASelectionError) -> ISA {
        let names = compiled.map(\.rawValue).joined(separator: ", ")
        guard let requested = normalizedOverride(requested) else {
            // The portable build runs everywhere, so a binary always has a choice.
            guard let best = compiled.first(where: supported) else {
                throw ISASelectionError("no build of Fast's kernels in this binary (\(names)) runs on this CPU")
            }
            return best
        }
        guard let isa = ISA(rawValue: requested.lowercased()) else {
            throw ISASelectionError("\(environmentVariable)='\(requested)' is not an instruction set; allowed: "
                + ISA.allCases.map(\.rawValue).joined(separator: ", ") + " (this binary has \(names))")
        }
        guard compiled.contains(isa) else {
            throw ISASelectionError("\(environmentVariable)=\(isa.rawValue): this binary has no \(isa.rawValue) build "
                + "of Fast's kernels; it has \(names)")
        }
        guard supported(isa) else {
            let runnable = compiled.filter(supported).map(\.rawValue).joined(separator: ", ")
            throw ISASelectionError("\(environmentVariable)=\(isa.rawValue): this CPU cannot execute the \(isa.rawValue) "
                + "build (\(isa.requirement)); it can run \(runnable)")
        }
        return isa
    }

    /// An override as `choose` reads it: trimmed, nil when unset or blank (blank means "not set").
    static func normalizedOverride(_ value: String?) -> String? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    /// `LOSSBENCH_ISA` as `choose` reads it: trimmed, nil when unset or blank.
    package static let requested = normalizedOverride(ProcessInfo.processInfo.environment[environmentVariable])

    /// The build of this binary `choose` picks for `requested`.
    static func kernels(requested: String?) throws(ISASelectionError) -> FastKernels {
        let isa = try choose(requested: requested, compiled: builds.map(\.isa), supported: cpuSupports)
        return builds.first { $0.isa == isa }!
    }

    /// The losses whose AVX-512 kernels measured faster than their AVX2 kernels; selecting the
    /// AVX-512 build runs these with its code and every other loss with the AVX2 build's.
    ///
    /// The AVX-512 build is the same sources compiled for x86-64-v4, so the difference is what
    /// the compiler makes of them with 32 vector registers, masked tails and zmm SIMD16
    /// operations. Measured on AMD EPYC (Zen 4, 2 threads) in three alternating release runs of
    /// the standard suite, each build's time over the AVX2 build's: `multi_margin_loss` 0.62–0.75
    /// forward and 0.83–0.89 backward, `ctc_loss` backward 0.88–0.93 (forward 0.99–1.04, kept
    /// with its backward so one loss runs one build). Slower in every round: `huber_loss` forward
    /// 1.17–1.33, `smooth_l1_loss` forward 1.14–1.41, `hinge_embedding_loss` forward 1.07–1.19,
    /// `nll_loss` backward 1.10–1.37. The others were within the machine's noise in both
    /// directions, so they stay on the AVX2 code the rest of the history measured. After its sweep
    /// was rewritten (four labels per pass), `multilabel_margin_loss` joined: 0.59–0.73 forward and
    /// 0.70–0.78 backward in three more alternating runs. When the AVX-512 build's elementwise
    /// likelihood losses went to 16 lanes (`LikelihoodLanes`: `lb_exp16`, libmvec's
    /// `_ZGVeN16v_logf`) and their step became a generic parameter instead of a closure, all three
    /// joined, in two rounds at 1 and at 2 threads each: `poisson_nll_loss` 0.57–0.62 forward,
    /// 0.76–0.90 backward; `kl_div` 0.66–0.71 and 0.80–0.84; `gaussian_nll_loss` 0.73–0.78
    /// forward, 0.87–0.89 backward at 1 thread and 1.00–1.04 at 2 (memory-bound there; kept with
    /// its forward). `binary_cross_entropy`, whose two logs per element the AVX-512 build now
    /// computes 16 lanes per libmvec call, joined at 0.81–0.88 forward and 0.78–0.96 backward.
    package static let avx512Losses: Set<LossKind> = [.multiMarginLoss, .ctcLoss, .multilabelMarginLoss,
                                                        .poissonNLLLoss, .klDiv, .gaussianNLLLoss, .binaryCrossEntropy]

    /// The environment variable that replaces `avx512Losses`: `all`, `none`, or loss names.
    package static let avx512LossesVariable = "LOSSBENCH_AVX512_LOSSES"

    /// The losses the AVX-512 selection runs with AVX-512 code for the override `value`
    /// (`LOSSBENCH_AVX512_LOSSES`; nil or blank: `avx512Losses`).
    package static func avx512Losses(override value: String?) throws(ISASelectionError) -> Set<LossKind> {
        guard let value = normalizedOverride(value) else { return avx512Losses }
        switch value.lowercased() {
        case "all": return Set(LossKind.allCases)
        case "none": return []
        default:
            var losses: Set<LossKind> = []
            for name in value.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }) {
                guard let loss = try? LossKind(name: name) else {
                    throw ISASelectionError("\(avx512LossesVariable): '\(name)' is not a loss; allowed: all, none, or "
                        + "a comma-separated list of " + LossKind.allCases.map(\.rawValue).joined(separator: ", "))
                }
                losses.insert(loss)
            }
            return losses
        }
    }

    /// What `selected()` runs for the build `chosen`: the AVX-512 build routes the losses outside
    /// `avx512` to the AVX2 build (which every x86-64-v4 CPU runs); every other build runs alone.
    static func dispatched(_ chosen: FastKernels, avx512 losses: Set<LossKind>) -> FastKernels {
        guard chosen.isa == .avx512, losses != Set(LossKind.allCases),
              let avx2 = builds.first(where: { $0.isa == .avx2 }) else { return chosen }
        return FastKernels(routing: losses, to: chosen, otherwise: avx2)
    }

    /// The choice for this process's environment, made once.
    package static let selection = Result { () throws(ISASelectionError) -> FastKernels in
        let chosen = try kernels(requested: requested)
        let override = ProcessInfo.processInfo.environment[avx512LossesVariable]
        // Its names first: a misspelt loss is the same error on every machine and binary.
        let losses = try avx512Losses(override: override)
        if normalizedOverride(override) != nil, chosen.isa != .avx512 {
            throw ISASelectionError("\(avx512LossesVariable) applies to the avx512 build only; this process runs the "
                + "\(chosen.isa.rawValue) build (set \(environmentVariable)=avx512 on a CPU that runs it)")
        }
        return dispatched(chosen, avx512: losses)
    }

    /// The name the history records for the selected kernels (`runs.isa`): the build's, with the
    /// AVX-512 losses in brackets when `LOSSBENCH_AVX512_LOSSES` replaced the measured set
    /// (`avx512[all]`, `avx512[ctc_loss,mse_loss]`), so runs of a different mix never compare as
    /// the same build.
    package static var recordedName: String { recordedName(current) }

    package static func recordedName(_ kernels: FastKernels) -> String {
        guard kernels.isa == .avx512 else { return kernels.isa.rawValue }
        let losses = kernels.routing?.losses ?? Set(LossKind.allCases)
        return losses == avx512Losses ? ISA.avx512.rawValue : RecordedBuild.avx512(replacedBy: losses)
    }

    /// The build this process runs, or the reason `LOSSBENCH_ISA` names none it can.
    package static func selected() throws(ISASelectionError) -> FastKernels { try selection.get() }

    /// The selected build, or the binary's primary build (`Fast`) when `LOSSBENCH_ISA` names none
    /// this process can run: for code that cannot throw. `lossbench` rejects such a value before
    /// any command runs (exit 64), so inside it this is always `selected()`.
    package static var current: FastKernels { (try? selected()) ?? primaryBuild }

    /// The build whose code times the benchmark's calibration kernel, whichever build runs the
    /// kernels under test: the binary's primary build (AVX2 on x86-64 Linux) where this CPU runs
    /// it, else the portable build. A calibration compiled per build would divide each build's
    /// times by a different yardstick (the AVX-512 build's sum runs up to 1.8× faster than the
    /// AVX2 build's on AMD EPYC), and the history's runs before the AVX-512 build all used the AVX2
    /// build's.
    package static let calibrationBuild: FastKernels =
        cpuSupports(primaryBuild.isa) ? primaryBuild : (builds.first { $0.isa == .portable } ?? primaryBuild)

    /// The build for `isa`, if this binary has it and this CPU can execute it.
    package static func build(_ isa: ISA) throws(ISASelectionError) -> FastKernels {
        try kernels(requested: isa.rawValue)
    }
}

/// Why `LOSSBENCH_ISA` names no build this process can run.
package struct ISASelectionError: Error, CustomStringConvertible, Equatable {
    package let description: String
    init(_ description: String) { self.description = description }
}

extension ISA {
    /// What the CPU must support to execute this build, for error messages.
    var requirement: String {
        switch self {
        case .avx512: "x86-64-v4: AVX-512 F, BW, CD, DQ and VL, enabled by the operating system"
        case .avx2: "x86-64-v3: AVX2, FMA, F16C, BMI1, BMI2, LZCNT and MOVBE"
        case .portable: "nothing"
        }
    }
}
