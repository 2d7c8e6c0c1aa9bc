import Foundation

/// The stable identity of a machine (Docs/Benchmarking.md): runs are comparable only within one key.
/// Variant fields (compiler, build configuration, threads, commit) are kept apart in `RunVariant`.
package struct MachineKey: Sendable, Hashable {
    package var cpuModel: String
    package var cores: Int
    /// Total memory rounded to whole GiB, so the key does not drift with what the kernel reserves.
    package var memoryGib: Int
    package var os: String
    package var arch: String

    package init(cpuModel: String, cores: Int, memoryGib: Int, os: String, arch: String) {
        self.cpuModel = cpuModel
        self.cores = cores
        self.memoryGib = memoryGib
        self.os = os
        self.arch = arch
    }

    /// The key as stored in `runs.machine_key`: 'AMD EPYC 7B13 | 2 cores | 24 GiB | Debian GNU/Linux 12 (bookworm) | x86_64'.
    package var key: String { "\(cpuModel) | \(cores) cores | \(memoryGib) GiB | \(os) | \(arch)" }

    /// This machine, read once from /proc/cpuinfo, /proc/meminfo, /etc/os-release and uname.
    package static let current: MachineKey = {
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let meminfo = (try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8)) ?? ""
        let osRelease = (try? String(contentsOfFile: "/etc/os-release", encoding: .utf8)) ?? ""
        let memKiB = field(meminfo, "MemTotal").flatMap { Double($0.split(separator: " ").first ?? "") }
        let memory = memKiB.map { Int(($0 / 1_048_576).rounded()) }
            ?? Int((Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824).rounded())
        var os = field(osRelease, "PRETTY_NAME", separator: "=").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        if os == nil || os!.isEmpty { os = ProcessInfo.processInfo.operatingSystemVersionString }
        return MachineKey(cpuModel: cpuModel(cpuinfo: cpuinfo), cores: ProcessInfo.processInfo.processorCount,
                          memoryGib: memory, os: os ?? "unknown OS", arch: architecture)
    }()

    /// The CPU as `/proc/cpuinfo` names it, with its x86 family and model numbers where it gives
    /// them: 'AMD EPYC (family 26, model 2)'. Virtual machines here report a bare 'AMD EPYC' for
    /// every generation (Zen 4 with family 25, Zen 5 with 26 were both seen), and runs of two
    /// generations must not share a key: the gate would hold one against the other.
    package static func cpuModel(cpuinfo: String) -> String {
        let name = field(cpuinfo, "model name") ?? field(cpuinfo, "Model") ?? field(cpuinfo, "CPU part") ?? "unknown CPU"
        guard let family = field(cpuinfo, "cpu family"), let model = field(cpuinfo, "model"),
              Int(family) != nil, Int(model) != nil else { return name }
        return "\(name) (family \(family), model \(model))"
    }

    static var architecture: String {
        var u = utsname()
        uname(&u)
        return withUnsafeBytes(of: &u.machine) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }

    /// The value of the first `name: value` (or `name=value`) line.
    static func field(_ text: String, _ name: String, separator: Character = ":") -> String? {
        for line in text.split(separator: "\n") {
            guard let i = line.firstIndex(of: separator) else { continue }
            if line[..<i].trimmingCharacters(in: .whitespaces) == name {
                let v = line[line.index(after: i)...].trimmingCharacters(in: .whitespaces)
                return v.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            }
        }
        return nil
    }
}

/// What may differ between runs on one machine: compiler, build configuration, instruction set,
/// threads, code.
package struct RunVariant: Sendable, Hashable {
    package var swiftVersion: String
    package var buildConfig: String
    package var threads: Int
    package var gitCommit: String?
    package var gitDirty: Bool?
    package var label: String?
    /// The build of Fast's kernels the run measured (`avx512`, `avx2`, `portable`); nil for runs
    /// recorded before the column existed.
    package var isa: String?

    package init(swiftVersion: String = RunVariant.compilerVersion, buildConfig: String = RunVariant.buildConfiguration,
                threads: Int, gitCommit: String?, gitDirty: Bool?, label: String?, isa: String? = nil) {
        self.isa = isa
        self.swiftVersion = swiftVersion
        self.buildConfig = buildConfig
        self.threads = threads
        self.gitCommit = gitCommit
        self.gitDirty = gitDirty
        self.label = label
    }

    /// This build's variant, with the commit of the git work tree in `directory` (nil outside one).
    ///
    /// Dirty means a tracked file outside `Reports/` has uncommitted changes: what the reports
    /// folder holds is output (recording a run changes `Reports/history.sqlite` itself, which
    /// marked every run after the first of a session dirty), not the code that was measured.
    package static func current(threads: Int, label: String?, isa: String? = nil,
                                directory: String = FileManager.default.currentDirectoryPath) -> RunVariant {
        let commit = git(["rev-parse", "HEAD"], in: directory)
        let status = commit == nil ? nil : git(["status", "--porcelain", "--untracked-files=no", "--", ":(top)", ":(top,exclude)Reports"],
                                               in: directory)
        return RunVariant(threads: threads, gitCommit: commit, gitDirty: status.map { !$0.isEmpty }, label: label, isa: isa)
    }

    /// The compiler that built this binary, known at compile time (running `swift --version` is slow
    /// and the toolchain may be absent where the binary runs).
    package static let compilerVersion: String = {
        #if compiler(>=6.5)
        return "≥6.5"
        #elseif compiler(>=6.4)
        return "6.4"
        #elseif compiler(>=6.3.1)
        return "6.3.1"
        #elseif compiler(>=6.3)
        return "6.3"
        #elseif compiler(>=6.2)
        return "6.2"
        #elseif compiler(>=6.1)
        return "6.1"
        #else
        return "<6.1"
        #endif
    }()

    package static let buildConfiguration: String = {
        #if DEBUG
        return "debug"
        #else
        return "release"
        #endif
    }()

    /// Runs git once; nil when git is missing, fails, or this is no work tree.
    static func git(_ arguments: [String], in directory: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory] + arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
