//! What sled 0.34 alone costs for the work behind the targets of issue 7 that protokol
//! does not meet, with protokol left out: durable batches of inserts, opening a tree of
//! many keys and reading one, reads of keys anywhere on two threads, walking stored
//! values through BLAKE3; and a million keys in batches of several sizes, since sled's
//! `apply_batch` (which holds one epoch guard and pegs its log for the whole batch)
//! costs more a key the larger the batch. protokol's own figures can come near these,
//! not below them. Prints tables; see docs/PERFORMANCE.md.
//! Run: `cargo bench --bench sled_floor` (1M and 3M keys);
//! `PROTOKOL_FLOOR_KEYS=1000000,3000000,6000000 cargo bench --bench sled_floor` adds the
//! 6M keys of a generated million-event ledger (about 10 minutes in all).
//!
//! sled is configured as `store.rs` opens a plain ledger: a 64 MiB cache, no background
//! flush. Each batch ends as an append does: sled's flush, then an fdatasync of its file.
//! Keys are written two ways, which bound a ledger's mix: in key order (the log, undo
//! records, a meeting's events), and scattered (a person's attendance, a decision by id).
//! Each open runs in a process of its own, after a first open that replays what the
//! writes left in sled's log (as `Ledger::checkpoint` does), so its peak memory is its own.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Keys in one durable batch: a 50-event meeting at six keys an event, the generated
/// workload's shape (a million events make about six million keys).
const BATCH_KEYS: u64 = 300;
/// Batch sizes tried on `BATCH_SIZES_KEYS` keys: a meeting, and the larger batches an
/// import or a bulk writer could make (1,000 events at two keys an event and more).
const BATCH_KEYS_TRIED: [u64; 5] = [300, 1_000, 2_000, 6_000, 20_000];
const BATCH_SIZES_KEYS: u64 = 1_000_000;
/// A projection value's size: most are ids, dates and short rows.
const VALUE_BYTES: usize = 100;
/// A stored record's size: the generated workload's average.
const RECORD_BYTES: usize = 560;
/// Reads timed on a tree of written keys.
const READS: u64 = 1_000_000;
/// Records walked for the verify floor.
const RECORDS: u64 = 1_000_000;
const CACHE_BYTES: u64 = 64 * 1024 * 1024;
/// Set in the child process that opens a tree and reads one key.
const OPEN_ENV: &str = "PROTOKOL_FLOOR_OPEN";
/// The key it reads.
const OPEN_KEY_ENV: &str = "PROTOKOL_FLOOR_KEY";

fn config(path: &Path) -> sled::Config {
    sled::Config::new().path(path).cache_capacity(CACHE_BYTES).flush_every_ms(None)
}

/// The i-th key written: in key order, or scattered over the key space.
fn key(i: u64, scattered: bool) -> Vec<u8> {
    let n = if scattered { i.wrapping_mul(0x9E37_79B9_7F4A_7C15) } else { i };
    format!("k{n:020}").into_bytes()
}

fn sync(db: &sled::Db, path: &Path) {
    db.flush().unwrap();
    std::fs::File::open(path.join("db")).unwrap().sync_data().unwrap();
}

/// Writes `keys` keys in durable batches of `batch_keys`: keys a second, all told and
/// counting sled's `apply_batch` alone.
fn write(path: &Path, keys: u64, batch_keys: u64, scattered: bool) -> (f64, f64) {
    let db = config(path).open().unwrap();
    let tree = db.open_tree("log").unwrap();
    let value = vec![1u8; VALUE_BYTES];
    let t = Instant::now();
    let mut apply = std::time::Duration::ZERO;
    let mut i = 0;
    while i < keys {
        let mut batch = sled::Batch::default();
        for _ in 0..batch_keys.min(keys - i) {
            batch.insert(key(i, scattered), value.clone());
            i += 1;
        }
        let a = Instant::now();
        tree.apply_batch(batch).unwrap();
        apply += a.elapsed();
        sync(&db, path);
    }
    let per_s = keys as f64 / t.elapsed().as_secs_f64();
    drop(tree);
    drop(db);
    // The first open replays sled's log since its last snapshot and writes a new one.
    drop(config(path).open().unwrap());
    (per_s, keys as f64 / apply.as_secs_f64())
}

/// Opens the tree in a process of its own and reads the first key written: (ms, peak RSS
/// in MiB).
fn open(path: &Path, scattered: bool) -> (f64, f64) {
    let out = Command::new(std::env::current_exe().unwrap())
        .env(OPEN_ENV, path)
        .env(OPEN_KEY_ENV, String::from_utf8(key(0, scattered)).unwrap())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.split_whitespace().map(|p| p.parse::<f64>().unwrap());
    (parts.next().unwrap(), parts.next().unwrap())
}

/// The child: open, read one key, print the ms it took and the peak RSS.
fn open_and_read(path: &Path, key: &str) {
    let t = Instant::now();
    let db = config(path).open().unwrap();
    let tree = db.open_tree("log").unwrap();
    let found = tree.get(key).unwrap();
    let ms = t.elapsed().as_secs_f64() * 1e3;
    assert!(found.is_some(), "{key} in {path:?}");
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let hwm_kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    println!("{ms} {}", hwm_kib / 1024.0);
}

/// Reads `READS` keys of the `keys` written, spread over all of them, on two threads,
/// each read a key of its own: reads a second. What replaying an event over the stored
/// state does about fifteen times (docs/PERFORMANCE.md).
fn reads(path: &Path, keys: u64) -> f64 {
    let db = config(path).open().unwrap();
    let tree = db.open_tree("log").unwrap();
    let t = Instant::now();
    std::thread::scope(|s| {
        for thread in 0..2u64 {
            let tree = &tree;
            s.spawn(move || {
                for j in 0..READS / 2 {
                    let i = (j * 2 + thread).wrapping_mul(0x2545_F491_4F6C_DD1D) % keys;
                    assert!(tree.get(key(i, true)).unwrap().is_some(), "key {i} was written");
                }
            });
        }
    });
    READS as f64 / t.elapsed().as_secs_f64()
}

/// Stores `RECORDS` record-sized values under 8-byte big-endian seqs, as the log is
/// kept, and walks them through BLAKE3 with `threads` threads, each over its own range:
/// values a second, the best of three walks.
fn walks(path: &Path) -> (f64, f64) {
    let db = config(path).open().unwrap();
    let tree = db.open_tree("log").unwrap();
    let record = vec![7u8; RECORD_BYTES];
    let mut seq = 1u64;
    while seq <= RECORDS {
        let mut batch = sled::Batch::default();
        for _ in 0..1000 {
            batch.insert(&seq.to_be_bytes(), record.clone());
            seq += 1;
        }
        tree.apply_batch(batch).unwrap();
    }
    sync(&db, path);
    drop(tree);
    drop(db);
    let db = config(path).open().unwrap();
    let tree = db.open_tree("log").unwrap();
    let walk = |threads: u64| {
        (0..3)
            .map(|_| {
                let t = Instant::now();
                std::thread::scope(|s| {
                    for i in 0..threads {
                        let tree = &tree;
                        s.spawn(move || {
                            let from = 1 + RECORDS * i / threads;
                            let to = 1 + RECORDS * (i + 1) / threads;
                            let mut hasher = blake3::Hasher::new();
                            let mut n = 0;
                            for item in tree.range(from.to_be_bytes()..to.to_be_bytes()) {
                                hasher.update(&item.unwrap().1);
                                n += 1;
                            }
                            assert_eq!(n, to - from, "every record walked");
                        });
                    }
                });
                RECORDS as f64 / t.elapsed().as_secs_f64()
            })
            .fold(0.0, f64::max)
    };
    (walk(1), walk(2))
}

fn main() {
    if let Some(path) = std::env::var_os(OPEN_ENV) {
        return open_and_read(Path::new(&path), &std::env::var(OPEN_KEY_ENV).unwrap());
    }
    let sizes: Vec<u64> = std::env::var("PROTOKOL_FLOOR_KEYS")
        .unwrap_or_else(|_| "1000000,3000000".into())
        .split(',')
        .map(|s| s.trim().parse().expect("PROTOKOL_FLOOR_KEYS: keys, comma-separated"))
        .collect();
    let dir = tempfile::tempdir_in(".").unwrap();

    println!("| keys | in key order: durable batches of {BATCH_KEYS} | open + one read, peak RSS | scattered: durable batches of {BATCH_KEYS} | open + one read, peak RSS | reads of keys anywhere, two threads |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for &keys in &sizes {
        let mut row = format!("| {keys} |");
        for scattered in [false, true] {
            let path = dir.path().join(format!("{keys}-{scattered}"));
            let (per_s, _) = write(&path, keys, BATCH_KEYS, scattered);
            let (ms, rss) = (0..3)
                .map(|_| open(&path, scattered))
                .fold((f64::MAX, 0.0), |(m, r), (ms, rss)| (m.min(ms), rss.max(r)));
            row += &format!(" {per_s:.0} keys/s | {ms:.0} ms, {rss:.0} MiB |");
            if scattered {
                row += &format!(" {:.0} reads/s |", reads(&path, keys));
            }
            std::fs::remove_dir_all(&path).unwrap();
        }
        println!("{row}");
    }

    println!();
    println!("| {BATCH_SIZES_KEYS} keys in key order, in durable batches of | keys/s | `apply_batch` alone, keys/s |");
    println!("| --- | --- | --- |");
    for batch_keys in BATCH_KEYS_TRIED {
        let path = dir.path().join(format!("batches-{batch_keys}"));
        let (per_s, apply_per_s) = write(&path, BATCH_SIZES_KEYS, batch_keys, false);
        println!("| {batch_keys} | {per_s:.0} | {apply_per_s:.0} |");
        std::fs::remove_dir_all(&path).unwrap();
    }

    let (one, two) = walks(&dir.path().join("records"));
    println!();
    println!("| {RECORDS} values of {RECORD_BYTES} bytes, walked through BLAKE3 | 1 thread | 2 threads |");
    println!("| --- | --- | --- |");
    println!("| values/s | {one:.0} | {two:.0} |");
}
