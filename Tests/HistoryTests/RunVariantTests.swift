import Foundation
import Testing
@testable import History

/// A run's commit and dirty flag: changes under Reports/ (the history file a run writes, the
/// generated reports) do not make the work tree dirty; any other tracked change does.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/git")))
struct RunVariantTests {
    @Test func reportsDoNotMakeTheTreeDirty() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("variant-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/Reports", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/Sources", withIntermediateDirectories: true)
        try "a".write(toFile: root + "/Reports/history.sqlite", atomically: true, encoding: .utf8)
        try "b".write(toFile: root + "/Sources/Fast.swift", atomically: true, encoding: .utf8)
        func git(_ arguments: String...) { _ = RunVariant.git(["-c", "user.email=t@t", "-c", "user.name=t"] + arguments, in: root) }
        git("init", "-q")
        git("add", "-A")
        git("commit", "-qm", "x")
        let clean = RunVariant.current(threads: 1, label: nil, directory: root)
        #expect(clean.gitCommit?.count == 40 && clean.gitDirty == false)
        try "c".write(toFile: root + "/Reports/history.sqlite", atomically: true, encoding: .utf8)
        #expect(RunVariant.current(threads: 1, label: nil, directory: root).gitDirty == false)
        // Untracked files never count; a change to tracked code does, seen from any subdirectory.
        try "d".write(toFile: root + "/Sources/New.swift", atomically: true, encoding: .utf8)
        #expect(RunVariant.current(threads: 1, label: nil, directory: root).gitDirty == false)
        try "e".write(toFile: root + "/Sources/Fast.swift", atomically: true, encoding: .utf8)
        #expect(RunVariant.current(threads: 1, label: nil, directory: root).gitDirty == true)
        #expect(RunVariant.current(threads: 1, label: nil, directory: root + "/Reports").gitDirty == true)
        // Outside a work tree: no commit, no flag.
        let outside = RunVariant.current(threads: 1, label: nil, directory: FileManager.default.temporaryDirectory.path)
        #expect(outside.gitCommit == nil && outside.gitDirty == nil)
    }
}
