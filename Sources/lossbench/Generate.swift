import ArgumentParser
import Foundation
import Generator
import GoldenStore
import LossSpec

/// `lossbench generate`: writes the golden database deterministically from a seed.
struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write randomized golden vectors into a SQLite database, deterministically from a seed.",
        discussion: """
            Every case's inputs come from the documented xoshiro256** generator seeded by the run \
            seed and the case name; expected outputs, gradients and error scales come from the \
            Reference. The same seed always gives the same content_sha256 (printed at the end). \
            The file is written to a temporary file and renamed into place.
            """
    )

    @Option(name: .long, help: ArgumentHelp("Where to write the database.", valueName: "file"))
    var out = "Vectors/golden.sqlite"

    @Option(name: .long, help: ArgumentHelp("The run seed.", valueName: "n"))
    var seed: UInt64 = 20_261_129

    @OptionGroup var lossSelection: LossSelection

    @Option(name: .long, help: ArgumentHelp(
        "Regenerate the database in memory from its own seed and compare digests instead of writing (exit 1 if they differ).",
        valueName: "file"))
    var verify: String?

    func run() throws {
        if let verify { return try verifyDigest(verify) }
        let losses = try lossSelection.selectedOrAll
        let start = Date()
        let cases: [GoldenCase]
        do {
            cases = try Generator.generate(seed: seed, losses: losses)
        } catch {
            CLI.printError("generation failed: \(error)")
            throw ExitCode.failure
        }
        let digest: String
        do {
            digest = try GoldenDatabase.write(cases, meta: Generator.meta(seed: seed), to: out)
        } catch {
            throw CLI.unusable("\(error)")
        }
        let byFamily = Dictionary(grouping: cases, by: \.family).mapValues(\.count)
        let families = CaseFamily.allCases.compactMap { f in byFamily[f].map { "\($0) \(f.rawValue)" } }
        print("wrote \(cases.count) cases (\(families.joined(separator: ", "))) for \(Set(cases.map(\.loss)).count) losses to \(out)")
        print(String(format: "content_sha256 %@  (%.1f s)", digest, Date().timeIntervalSince(start)))
    }

    /// Regenerates a database from its meta seed and compares content digests: the committed
    /// vectors must be exactly what this code writes.
    func verifyDigest(_ path: String) throws {
        let file = try CLI.readDatabase(path)
        guard let seedText = file.meta["seed"], let seed = UInt64(seedText) else {
            throw CLI.unusable("\(path): meta has no seed, so it cannot be regenerated")
        }
        let stored = file.meta["content_sha256"] ?? "(none)"
        let onDisk = GoldenDatabase.contentDigest(file.cases)
        let losses = Set(file.cases.compactMap { LossKind(rawValue: $0.loss) })
        let fresh: [GoldenCase]
        do {
            fresh = try Generator.generate(seed: seed, losses: LossKind.allCases.filter(losses.contains))
                + file.cases.filter { $0.family == .regression }
        } catch {
            CLI.printError("generation failed: \(error)")
            throw ExitCode.failure
        }
        let regenerated = GoldenDatabase.contentDigest(fresh)
        print("stored     \(stored)\non disk    \(onDisk)\nregenerated \(regenerated)")
        guard stored == onDisk, onDisk == regenerated else {
            let names = Set(file.cases.map(\.name)), freshNames = Set(fresh.map(\.name))
            let changed = fresh.filter { c in file.cases.first { $0.name == c.name } != c }.map(\.name)
            CLI.printError("""
                \(path) is not what this generator writes for seed \(seed): \
                \(freshNames.subtracting(names).count) new, \(names.subtracting(freshNames).count) removed, \
                \(changed.count) changed cases\(changed.isEmpty ? "" : " (e.g. \(changed.prefix(3).joined(separator: ", ")))"); \
                regenerate it with: lossbench generate --seed \(seed) --out \(path)
                """)
            throw ExitStatus.conformanceFailure
        }
        print("\(path): \(file.cases.count) cases regenerate bit for bit")
    }
}
