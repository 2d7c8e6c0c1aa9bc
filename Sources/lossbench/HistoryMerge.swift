import ArgumentParser
import Foundation
import History

/// `lossbench history merge`: the CI-artifact workflow's last step, many histories into one.
struct HistoryMerge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge other history files' runs into the history database.",
        discussion: """
            Each CI job benches into its own file (bench --history job.sqlite) and uploads it; a \
            final job merges them all into one history and gates on it. Every run whose uuid the \
            target does not hold yet is copied with its measurements, raw samples and calibration \
            times; runs it holds are skipped, so merging a file twice changes nothing. New runs are \
            added oldest first. The target is created when missing. Every source is validated \
            before anything is written, and everything is written in one transaction: on any \
            error the target is unchanged. \
            Exit codes: 0 merged; 3 a source is missing, not a history database, of another \
            format version or corrupt, or the target cannot be written.
            """
    )

    @OptionGroup var historyDatabase: HistoryDatabaseOption

    @Argument(help: ArgumentHelp("The history files to merge in.", valueName: "file"))
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one history file to merge") }
    }

    func run() throws {
        let sources = try files.map { try HistoryCLI.open($0) }
        let target = try BenchHistory.open(historyDatabase.history)
        let summaries = try HistoryCLI.run { try target.merge(sources) }
        for s in summaries {
            print("\(s.source): \(s.runsAdded) runs added (\(s.measurementsAdded) measurements, \(s.samplesAdded) samples), "
                  + "\(s.runsAlreadyPresent) already present")
        }
    }
}
