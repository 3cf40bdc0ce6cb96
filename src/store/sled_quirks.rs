//! What sled 0.34, the file system and the C allocator need from us that they do not do
//! themselves: a lock that survives a directory exchange, the exchange itself, the
//! removal of a snapshot sled left unfinished, and a heap that grows in large steps.

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

/// sled's segment, as it is configured by default (and so in every ledger).
const SEGMENT_BYTES: u64 = 512 * 1024;

/// What a write needs free beyond twice its own bytes: sled rewrites the page it lands
/// in whole, and a page holds up to 16 keys (records of up to a body's limit and their
/// envelope), with two segments for its log.
const HEADROOM_BYTES: u64 = 16 * (crate::envelope::BODY_BYTES_MAX as u64 + 1024) + 2 * SEGMENT_BYTES;

/// Refuses a write of about `bytes` unless the file system holding `path` has room for
/// it twice over and `HEADROOM_BYTES` more. sled 0.34 writes a page larger than a
/// quarter of its segment to a blob file of its own, and when that write fails for lack
/// of space it hangs rather than failing; a record or a page of them can be that large.
/// Where free space cannot be read (not Linux), sled is left to fail as it does. The
/// check races with other writers on the disk, so it narrows the hang to a disk filled
/// by someone else between the check and the write. Found by the full-disk test.
pub(super) fn ensure_room(path: &Path, bytes: u64) -> std::io::Result<()> {
    let needed = bytes.saturating_mul(2).saturating_add(HEADROOM_BYTES);
    match free_bytes(path) {
        Some(free) if free < needed => Err(std::io::Error::new(
            std::io::ErrorKind::StorageFull,
            format!(
                "No space left on device: {free} bytes free, and a write of {bytes} bytes needs {needed} (protokol keeps {HEADROOM_BYTES} spare for sled); nothing was written: free some space and retry"
            ),
        )),
        _ => Ok(()),
    }
}

#[cfg(target_os = "linux")]
fn free_bytes(path: &Path) -> Option<u64> {
    let s = rustix::fs::statvfs(path).ok()?;
    Some(s.f_bavail.saturating_mul(s.f_frsize))
}

#[cfg(not(target_os = "linux"))]
fn free_bytes(_: &Path) -> Option<u64> {
    None
}

/// Has glibc's malloc grow each heap by 64 MiB beyond what it needs (`M_TOP_PAD`),
/// rather than 128 KiB. A walk of the log has each of its threads read sled pages into
/// fresh memory (sled keeps a few hundred megabytes of them at a million events, beyond
/// its page cache); grown a little at a time, every growth of a thread's heap is an
/// `mprotect` that stops the other threads' page faults, and the first walk of a process
/// ran at 0.87-0.91M events/s on two cores instead of 1.1M (docs/PERFORMANCE.md, "Held
/// to account"). The pad is address space: only the pages touched become memory. Once
/// for the process, on the first open; nothing elsewhere.
pub(super) fn pad_heap_growth() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        const HEAP_GROWTH_PAD_BYTES: i32 = 64 * 1024 * 1024;
        static PADDED: std::sync::Once = std::sync::Once::new();
        // SAFETY: mallopt only sets a parameter of the allocator; it is thread-safe.
        PADDED.call_once(|| unsafe {
            libc::mallopt(libc::M_TOP_PAD, HEAP_GROWTH_PAD_BYTES);
        });
    }
}
