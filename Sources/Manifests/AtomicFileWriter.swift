public import IdentityRules
import Foundation

/// Replaces a file's contents all at once: a temporary file beside it, then `rename(2)`.
///
/// `mutate --in-place` must never leave a half-written manifest: a reader (or a crash) sees the old file or the
/// new one. A file without write permission is refused before anything is written, even for root, because
/// renaming over it would silently replace a file its owner marked read-only. The new file keeps the old one's
/// permissions.
public enum AtomicFileWriter {
    public static func write(_ text: String, to path: String) throws(InputError) {
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw InputError(.unwritable, file: path, message: "cannot read the file's attributes")
        }
        let permissions = (attributes[.posixPermissions] as? NSNumber)?.uint16Value ?? 0o644
        guard permissions & 0o200 != 0, FileManager.default.isWritableFile(atPath: path) else {
            throw InputError(.unwritable, file: path, message: "the file is read-only; nothing was changed")
        }
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/.\((path as NSString).lastPathComponent)"
            + ".identity-guard-\(UInt32.random(in: 0...UInt32.max)).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(text.utf8),
                                             attributes: [.posixPermissions: NSNumber(value: permissions)])
        else {
            throw InputError(.unwritable, file: path,
                                message: "cannot write a temporary file in \(directory.isEmpty ? "." : directory)")
        }
        guard rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw InputError(.unwritable, file: path, message: "cannot replace the file: \(reason)")
        }
    }
}
