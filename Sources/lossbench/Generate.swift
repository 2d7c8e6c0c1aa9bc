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

    @Option(name: .long, help: "Where to write the database.")
    var out = "Vectors/golden.sqlite"

    @Option(name: .long, help: "The run seed.")
    var seed: UInt64 = 20_261_129

    @Option(name: .long, parsing: .upToNextOption, help: "Only these losses (functional names, comma-separated or repeated).")
    var loss: [String] = []

    func run() throws {
        let losses = loss.isEmpty ? LossKind.allCases : try CLI.parseLosses(loss)
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
}
