//! sled's conf and the lock file, on their own.

use super::compact::Storage;
use super::sled_quirks::{exchange, is_same_file};
use super::{Store, CACHE_BYTES_MAX, LOCK_FILE};

/// sled's `conf` says how the pages are kept; a new directory is plain, and a conf
/// without a readable setting is an error naming it, never a guess.
#[test]
fn the_storage_is_read_from_sleds_conf() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(Storage::of(dir.path()).unwrap(), Storage::Plain);
    let conf = |text: &[u8]| {
        std::fs::write(dir.path().join("conf"), text).unwrap();
        Storage::of(dir.path())
    };
    let sled_wrote =
        |compressed: bool| format!("segment_size: 524288\nuse_compression: {compressed}\nversion: 0.34\n").into_bytes();
    assert_eq!(conf(&sled_wrote(true)).unwrap(), Storage::Compressed);
    assert_eq!(conf(&sled_wrote(false)).unwrap(), Storage::Plain);
    for damaged in [&b"segment_size: 524288\nversion: 0.34\n"[..], b"use_compression: yes\n", b""] {
        let err = conf(damaged).unwrap_err().to_string();
        assert!(err.contains("use_compression"), "{err}");
    }
    // What sled really writes, for both settings.
    for storage in [Storage::Plain, Storage::Compressed] {
        let path = dir.path().join(format!("{storage:?}"));
        drop(Store::open_sled(&path, CACHE_BYTES_MAX, Some(storage)).unwrap());
        assert_eq!(Storage::of(&path).unwrap(), storage);
    }
}

/// An opener that waited for the lock while `compact` exchanged the directories holds
/// the lock file of the database put aside, which no longer guards the ledger.
#[test]
fn a_lock_file_moved_aside_by_an_exchange_is_no_longer_the_ledgers() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for d in [&a, &b] {
        std::fs::create_dir(d).unwrap();
        std::fs::write(d.join(LOCK_FILE), b"").unwrap();
    }
    let held = std::fs::File::open(a.join(LOCK_FILE)).unwrap();
    assert!(is_same_file(&held, &a.join(LOCK_FILE)));
    exchange(&a, &b).unwrap();
    assert!(!is_same_file(&held, &a.join(LOCK_FILE)));
    assert!(is_same_file(&held, &b.join(LOCK_FILE)));
}
