import CCPUFeatures
import FastABI
import Foundation

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

    /// The choice for this process's environment, made once.
    package static let selection = Result { () throws(ISASelectionError) -> FastKernels in try kernels(requested: requested) }

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
