//! What sled 0.34 and the file system need from us that they do not do themselves: a
//! lock that survives a directory exchange, the exchange itself, and the removal of a
//! snapshot sled left unfinished.

use std::path::Path;

/// Whether `file` is the file now at `path`.
pub(super) fn is_same_file(file: &std::fs::File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::metadata(path)) {
            (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

/// Swaps two directories in one step, then makes the swap durable.
#[cfg(target_os = "linux")]
pub(super) fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE)?;
    let parent = a.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::File::open(parent)?.sync_all()
}

pub(super) const EXCHANGE_UNSUPPORTED: &str =
    "compacting needs an atomic exchange of two directories (Linux renameat2); the ledger is unchanged";

#[cfg(not(target_os = "linux"))]
pub(super) fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::new(std::io::ErrorKind::Unsupported, EXCHANGE_UNSUPPORTED))
}

/// sled 0.34 writes a snapshot to `snap.N.generating`, fsyncs it and renames it to
/// `snap.N`; but when it recovers it reads the newest file whose name starts with `snap.`,
/// `.generating` ones included. A process killed while writing one leaves an empty or
/// partial file that makes every later open fail with "Read corrupted data". A leftover
/// `.generating` file is by construction unfinished (the older snapshot and the log hold
/// everything), so it is removed. Found by the crash test.
pub(super) fn remove_unfinished_snapshots(path: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(path)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snap.") && name.ends_with(".generating") {
            std::fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}
