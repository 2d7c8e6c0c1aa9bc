import Foundation

/// The rule for every file LossBench writes by rename (golden databases, JUnit, summaries,
/// reports): the target is a regular file or does not exist yet.
///
/// A write goes to a temporary file beside the target and is renamed over it, so a crash never
/// leaves half a file. The rename replaces whatever is at the path, though: a device node
/// (`/dev/null`), a FIFO, a directory or a symbolic link would be swapped for a regular file, which
/// as root turns `/dev/null` into a database. Such targets are refused instead.
package enum OutputFile {
    /// Why `path` cannot be written by rename, or nil if it can (absent or a regular file).
    /// Symbolic links are judged as links (`lstat`), not by what they point to.
    package static func refusal(_ path: String) -> String? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }  // absent (or unreadable: the write reports it)
        let kind: String
        switch st.st_mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFLNK: kind = "a symbolic link"
        case S_IFDIR: kind = "a directory"
        case S_IFCHR: kind = "a character device"
        case S_IFBLK: kind = "a block device"
        case S_IFIFO: kind = "a FIFO"
        case S_IFSOCK: kind = "a socket"
        default: kind = "not a regular file"
        }
        return "\(path) is \(kind); outputs are written to a temporary file and renamed into place, "
            + "which would replace it: give the path of a regular file (or one that does not exist yet)"
    }
}
