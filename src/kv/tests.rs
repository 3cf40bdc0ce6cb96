//! The history layer on its own: versions, views of the past and undo records.

use super::layout::*;
use super::*;
use std::sync::Arc;

fn event(kv: &mut Kv, seq: u64, writes: &[(&str, Option<&str>)]) {
    kv.begin_journal(seq);
    for (k, v) in writes {
        kv.set(k.as_bytes().to_vec(), v.map(|v| v.as_bytes().to_vec())).unwrap();
    }
    kv.end_journal().unwrap();
}

fn history(kv: &Kv) -> Vec<String> {
    kv.writes().keys().filter(|k| k.starts_with(VERSIONS)).map(|k| lossy(k).replace('\0', "@")).collect()
}

fn at(kv: &Kv, seq: u64, key: &str) -> Option<String> {
    let base: Arc<dyn KvRead> = Arc::new(Frozen(kv.writes().clone()));
    Kv::as_of(base, seq).get(key.as_bytes()).unwrap().map(|v| lossy(&v))
}

struct Frozen(Writes);

impl KvRead for Frozen {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, ReadError> {
        Ok(self.0.get(key).cloned().flatten())
    }
    fn scan<'a>(&'a self, prefix: &[u8]) -> Box<dyn Iterator<Item = Result<Pair, ReadError>> + 'a> {
        let prefix = prefix.to_vec();
        Box::new(
            self.0
                .range(prefix.clone()..)
                .take_while(move |(k, _)| k.starts_with(&prefix))
                .filter_map(|(k, v)| Some(Ok((k.clone(), v.clone()?)))),
        )
    }
}

/// Most events only create keys: those cost no version, yet every past state reads
/// back, removals and re-creations included.
#[test]
fn versions_are_kept_only_for_values_overwritten_or_removed() {
    let mut kv = Kv::default();
    event(&mut kv, 1, &[("a", Some("1")), ("b", Some("x"))]);
    event(&mut kv, 2, &[("c", Some("y"))]);
    assert!(history(&kv).is_empty(), "creations need no version: {:?}", history(&kv));
    event(&mut kv, 3, &[("a", Some("2")), ("b", Some("x"))]);
    assert_eq!(history(&kv), ["ver/a@0000000000000003"], "b was written back unchanged");
    event(&mut kv, 4, &[("a", None)]);
    event(&mut kv, 5, &[("a", Some("3"))]);
    assert_eq!(kv.get(b"b").unwrap().as_deref(), Some(&b"x"[..]));
    let a: Vec<_> = (0..=5).map(|seq| at(&kv, seq, "a")).collect();
    let want = [None, Some("1"), Some("1"), Some("2"), None, Some("3")];
    assert_eq!(a, want.map(|v| v.map(String::from)));
    assert_eq!(at(&kv, 1, "c"), None);
    assert_eq!(at(&kv, 2, "c").as_deref(), Some("y"));
    assert_eq!(at(&kv, 0, "b"), None);
    // Stepping back from 5 to 2 gives the state after 2 exactly.
    let mut rewound = Kv::over(Arc::new(Frozen(kv.writes().clone())));
    rewound.rewind(5, 2).unwrap();
    assert_eq!(
        rewound.scan(b"").unwrap(),
        [(b"a".to_vec(), b"1".to_vec()), (b"b".to_vec(), b"x".to_vec()), (b"c".to_vec(), b"y".to_vec())]
    );
}

/// Undo records share a key per 16 events: stepping back across those keys' bounds
/// gives every earlier state, and a damaged one is an error, never a guess.
#[test]
fn undo_records_shared_by_neighbouring_events_rewind_across_their_bounds() {
    let mut kv = Kv::default();
    for seq in 1..=40u64 {
        let v = seq.to_string();
        event(&mut kv, seq, &[("n", Some(v.as_str())), (&format!("k{seq:02}"), Some("x"))]);
    }
    assert_eq!(kv.writes().keys().filter(|k| k.starts_with(UNDO)).count(), 3, "seqs 1-15, 16-31, 32-40");
    for to in [0, 9, 15, 16, 31, 32, 39] {
        let mut rewound = Kv::over(Arc::new(Frozen(kv.writes().clone())));
        rewound.rewind(40, to).unwrap();
        let n = rewound.get(b"n").unwrap().map(|v| lossy(&v));
        assert_eq!(n, (to > 0).then(|| to.to_string()), "n after {to}");
        assert_eq!(rewound.scan(b"k").unwrap().len() as u64, to, "the keys created up to {to}");
    }
    let mut damaged = kv.writes().clone();
    let bucket = damaged.get_mut(&undo_key(20)).unwrap().as_mut().unwrap();
    bucket.truncate(bucket.len() - 1);
    let mut rewound = Kv::over(Arc::new(Frozen(damaged)));
    let err = rewound.rewind(40, 10).unwrap_err();
    assert!(err.0.contains("undo record 31"), "{err}");
}

/// A reverse scan is the forward one turned, whether it reads the base alone, the base
/// under an overlay, or a view of the past; and a failed read is its only answer.
#[test]
fn a_reverse_scan_is_the_forward_scan_turned() {
    let mut kv = Kv::default();
    event(&mut kv, 1, &[("d/1", Some("a")), ("d/2", Some("b")), ("e/1", Some("z"))]);
    event(&mut kv, 2, &[("d/1", Some("a2")), ("d/3", Some("c"))]);
    let base: Arc<dyn KvRead> = Arc::new(Frozen(kv.writes().clone()));
    let turned = |kv: &Kv| {
        let mut forward = kv.scan(b"d/").unwrap();
        forward.reverse();
        let backward: Vec<Pair> = kv.scan_iter_rev(b"d/").collect::<Result<_, _>>().unwrap();
        assert_eq!(backward, forward);
        backward.into_iter().map(|(k, v)| format!("{}={}", lossy(&k), lossy(&v))).collect::<Vec<_>>()
    };
    assert_eq!(turned(&Kv::over(base.clone())), ["d/3=c", "d/2=b", "d/1=a2"]);
    assert_eq!(turned(&Kv::as_of(base.clone(), 1)), ["d/2=b", "d/1=a"]);
    let mut overlaid = Kv::over(base);
    overlaid.set(b"d/0".to_vec(), Some(b"new".to_vec())).unwrap();
    overlaid.set(b"d/2".to_vec(), None).unwrap();
    assert_eq!(turned(&overlaid), ["d/3=c", "d/1=a2", "d/0=new"]);

    struct Failing;
    impl KvRead for Failing {
        fn get(&self, _: &[u8]) -> Result<Option<Vec<u8>>, ReadError> {
            Err("unreadable".into())
        }
        fn scan<'a>(&'a self, _: &[u8]) -> Box<dyn Iterator<Item = Result<Pair, ReadError>> + 'a> {
            Box::new([Ok((b"d/1".to_vec(), vec![0; 8])), Err("unreadable".into())].into_iter())
        }
    }
    let failing = Kv::over(Arc::new(Failing));
    let walk: Vec<_> = failing.scan_iter_rev(b"d/").collect();
    assert!(matches!(walk.as_slice(), [Err(e)] if e.0 == "unreadable"), "{walk:?}");
}

/// A store that seeks, counting the pairs its scans hand out.
struct Counting {
    pairs: Writes,
    scanned: std::sync::atomic::AtomicUsize,
}

impl KvRead for Counting {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, ReadError> {
        Ok(self.pairs.get(key).cloned().flatten())
    }
    fn scan<'a>(&'a self, prefix: &[u8]) -> Box<dyn Iterator<Item = Result<Pair, ReadError>> + 'a> {
        self.scan_from(prefix, prefix)
    }
    fn scan_from<'a>(&'a self, prefix: &[u8], from: &[u8]) -> Box<dyn Iterator<Item = Result<Pair, ReadError>> + 'a> {
        let prefix = prefix.to_vec();
        Box::new(self.pairs.range(from.to_vec()..).take_while(move |(k, _)| k.starts_with(&prefix)).filter_map(
            |(k, v)| {
                self.scanned.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Some(Ok((k.clone(), v.clone()?)))
            },
        ))
    }
}

/// Regression: a key rewritten by every event (the count of open actions) was read as
/// of a seq by scanning its versions from the first, so verify, which reads it before
/// each event, took time in the square of the log (a 100k log took 106 s, 17.6 s after).
#[test]
fn a_key_read_as_of_a_seq_is_found_by_seeking_its_versions_not_reading_them_all() {
    let mut kv = Kv::default();
    for seq in 1..=1000u64 {
        event(&mut kv, seq, &[("count", Some(&seq.to_string()))]);
    }
    let base = Arc::new(Counting { pairs: kv.writes().clone(), scanned: Default::default() });
    for seq in [1, 2, 500, 998, 999, 1000] {
        base.scanned.store(0, std::sync::atomic::Ordering::Relaxed);
        let then = Kv::as_of(base.clone(), seq).get(b"count").unwrap();
        assert_eq!(then.as_deref(), Some(seq.to_string().as_bytes()), "as of {seq}");
        let scanned = base.scanned.load(std::sync::atomic::Ordering::Relaxed);
        assert!(scanned <= 2, "as of {seq}, {scanned} versions read for one value");
    }
    assert_eq!(Kv::as_of(base, 0).get(b"count").unwrap(), None);
}
