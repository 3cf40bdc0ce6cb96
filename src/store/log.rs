//! The log tree as readers see it: a view pinned at the last durable write, which no
//! later write changes and which never shows a write before it is durable.
//! Over 400 lines: the view and the tests that it holds under any writes go together.
//!
//! sled shows a batch to every reader as soon as it is applied, before the flush that
//! makes it durable, and its iterators are not snapshots. A server that let readers read
//! sled directly while a writer appends would show events a crash could still take back
//! (a replica would take the crash for a fork), and a page read across an append would
//! mix two states. Holding one lock across every request instead made each write wait
//! for the slowest read, and every read behind it wait for the write.
//!
//! So every write goes through [`Log::apply`], which first reads the values the batch
//! replaces and keeps them in memory, numbered (its generation), for as long as a view
//! pinned before it lives. A view ([`Log::pinned`]) is pinned at the last generation
//! made durable ([`Log::made_durable`]); it reads sled, then, if anything was written
//! since, the value a later generation replaced. Views cost the writer nothing; the
//! writer costs a view one read of each key it writes. Rewrites of the whole projection
//! ([`Log::exclusive`]) would keep all of it in memory: they wait for the views instead.

use sled::IVec;
use std::collections::{BTreeMap, VecDeque};
use std::ops::Bound;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// A write's keys and values (`None` removes the key); the last write of a key wins.
#[derive(Default)]
pub(crate) struct Batch {
    writes: BTreeMap<Vec<u8>, Option<IVec>>,
}

impl Batch {
    pub fn insert(&mut self, key: impl Into<IVec>, value: impl Into<IVec>) {
        self.writes.insert(key.into().to_vec(), Some(value.into()));
    }

    pub fn remove(&mut self, key: impl Into<IVec>) {
        self.writes.insert(key.into().to_vec(), None);
    }
}

/// The values a generation's write replaced (`None`: the key was absent).
type Replaced = BTreeMap<Vec<u8>, Option<IVec>>;

#[derive(Default)]
struct Versions {
    /// The last generation whose replaced values are kept (or would be: see
    /// `exclusive`), set before its batch is applied: a view that reads it no later
    /// than this knows nothing was written since it was pinned.
    published: AtomicU64,
    inner: Mutex<Inner>,
    /// Signalled when the last view lets go.
    idle: Condvar,
}

#[derive(Default)]
struct Inner {
    applied: u64,
    durable: u64,
    /// Live views by the generation they were pinned at.
    pins: BTreeMap<u64, usize>,
    /// Each generation after the oldest pin, with the values it replaced.
    replaced: VecDeque<(u64, Replaced)>,
    exclusive: bool,
}

impl Versions {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Inner {
    /// Lets go of what no view can read any more.
    fn prune(&mut self) {
        let floor = self.pins.keys().next().map_or(self.durable, |&p| p.min(self.durable));
        while self.replaced.front().is_some_and(|(g, _)| *g <= floor) {
            self.replaced.pop_front();
        }
    }
}

/// A view's hold on its generation.
struct Pin {
    generation: u64,
    versions: Arc<Versions>,
    /// What the generations after the view's replaced, merged (the first one's value
    /// of each key), as far as the last it took in: read without the writer's lock.
    then: std::sync::RwLock<Then>,
}

#[derive(Default)]
struct Then {
    upto: u64,
    values: Replaced,
}

impl Pin {
    /// Whether anything was written after the view's generation. Read after sled: a
    /// value sled gave from a later batch was published before that batch was applied.
    fn written_since(&self) -> Option<u64> {
        let published = self.versions.published.load(Ordering::SeqCst);
        (published > self.generation).then_some(published)
    }

    /// Each key in the bounds that a generation after the view's replaced (up to
    /// `published` at least), with its value as of the view: what the first of them
    /// replaced.
    fn then_between(&self, published: u64, lo: Bound<&[u8]>, hi: Bound<&[u8]>) -> BTreeMap<Vec<u8>, Option<IVec>> {
        let read = |then: &Then| then.values.range::<[u8], _>((lo, hi)).map(|(k, v)| (k.clone(), v.clone())).collect();
        {
            let then = self.then.read().unwrap_or_else(|p| p.into_inner());
            if then.upto >= published {
                return read(&then);
            }
        }
        let mut then = self.then.write().unwrap_or_else(|p| p.into_inner());
        let inner = self.versions.lock();
        let after = then.upto.max(self.generation);
        for (g, replaced) in inner.replaced.iter().filter(|(g, _)| *g > after) {
            for (k, v) in replaced.iter() {
                then.values.entry(k.clone()).or_insert_with(|| v.clone());
            }
            then.upto = *g;
        }
        drop(inner);
        read(&then)
    }
}

impl Drop for Pin {
    fn drop(&mut self) {
        let mut inner = self.versions.lock();
        if let Some(n) = inner.pins.get_mut(&self.generation) {
            *n -= 1;
            if *n == 0 {
                inner.pins.remove(&self.generation);
            }
        }
        inner.prune();
        if inner.pins.is_empty() {
            self.versions.idle.notify_all();
        }
    }
}

/// The log tree: live (the writer's, and a process's that is the only one), or a view
/// pinned at a durable generation.
#[derive(Clone)]
pub(super) struct Log {
    tree: sled::Tree,
    versions: Arc<Versions>,
    pin: Option<Arc<Pin>>,
}

impl Log {
    pub fn new(tree: sled::Tree) -> Log {
        Log { tree, versions: Arc::default(), pin: None }
    }

    /// A view of the log as the last durable write left it (a view's own view is
    /// itself). Waits while the whole projection is being rewritten.
    pub fn pinned(&self) -> Log {
        if self.pin.is_some() {
            return self.clone();
        }
        let mut inner = self.versions.lock();
        while inner.exclusive {
            inner = self.versions.idle.wait(inner).unwrap_or_else(|p| p.into_inner());
        }
        let generation = inner.durable;
        *inner.pins.entry(generation).or_default() += 1;
        drop(inner);
        let pin = Pin { generation, versions: self.versions.clone(), then: Default::default() };
        Log { pin: Some(Arc::new(pin)), ..self.clone() }
    }

    pub fn get(&self, key: impl AsRef<[u8]>) -> sled::Result<Option<IVec>> {
        let key = key.as_ref();
        let now = self.tree.get(key)?;
        match &self.pin {
            Some(pin) => {
                let Some(published) = pin.written_since() else { return Ok(now) };
                let then = pin.then_between(published, Bound::Included(key), Bound::Included(key));
                Ok(then.into_values().next().unwrap_or(now))
            }
            _ => Ok(now),
        }
    }

    pub fn contains_key(&self, key: impl AsRef<[u8]>) -> sled::Result<bool> {
        Ok(self.get(key)?.is_some())
    }

    /// The pairs from `lo` up to, not including, `hi`, in key order.
    pub fn range(&self, lo: Vec<u8>, hi: Vec<u8>) -> Iter {
        self.iter(lo, Some(hi), true)
    }

    /// `range`, the last key first.
    pub fn range_rev(&self, lo: Vec<u8>, hi: Vec<u8>) -> Iter {
        self.iter(lo, Some(hi), false)
    }

    pub fn scan_prefix(&self, prefix: &[u8]) -> Iter {
        self.iter(prefix.to_vec(), after_prefix(prefix), true)
    }

    /// `scan_prefix`, from the key `from` (under `prefix`) on.
    pub fn scan_prefix_from(&self, prefix: &[u8], from: &[u8]) -> Iter {
        self.iter(from.to_vec(), after_prefix(prefix), true)
    }

    pub fn scan_prefix_rev(&self, prefix: &[u8]) -> Iter {
        self.iter(prefix.to_vec(), after_prefix(prefix), false)
    }

    fn iter(&self, lo: Vec<u8>, hi: Option<Vec<u8>>, forward: bool) -> Iter {
        let inner = match &hi {
            Some(hi) => self.tree.range(lo.clone()..hi.clone()),
            None => self.tree.range(lo.clone()..),
        };
        Iter { inner: Some(inner), forward, pin: self.pin.clone(), lo, hi, passed: None, held: None }
    }

    /// Applies a batch atomically (not yet durably: see `made_durable`), keeping the
    /// values it replaces for the views pinned before it.
    pub fn apply(&self, batch: Batch) -> sled::Result<()> {
        assert!(self.pin.is_none(), "a view is never written");
        let keep = !self.versions.lock().exclusive;
        let mut replaced = Replaced::new();
        if keep {
            // Only the writer writes (the ledger's write lock), so what is read here is
            // what the batch replaces.
            for k in batch.writes.keys() {
                replaced.insert(k.clone(), self.tree.get(k)?);
            }
        }
        let mut writes = sled::Batch::default();
        for (k, v) in batch.writes {
            match v {
                Some(v) => writes.insert(k, v),
                None => writes.remove(k),
            }
        }
        {
            let mut inner = self.versions.lock();
            inner.applied += 1;
            let generation = inner.applied;
            if keep {
                inner.replaced.push_back((generation, replaced));
            }
            self.versions.published.store(generation, Ordering::SeqCst);
        }
        self.tree.apply_batch(writes)
    }

    pub fn insert(&self, key: impl Into<IVec>, value: impl Into<IVec>) -> sled::Result<()> {
        let mut batch = Batch::default();
        batch.insert(key, value);
        self.apply(batch)
    }

    pub fn remove(&self, key: impl Into<IVec>) -> sled::Result<()> {
        let mut batch = Batch::default();
        batch.remove(key);
        self.apply(batch)
    }

    /// The last generation applied: what a flush begun now makes durable.
    pub fn applied(&self) -> u64 {
        self.versions.lock().applied
    }

    /// Every write up to `generation` is durable: views pinned from now on see it.
    pub fn made_durable(&self, generation: u64) {
        let mut inner = self.versions.lock();
        inner.durable = inner.durable.max(generation);
        inner.prune();
    }

    /// Runs `rewrite` (many batches, ending durable) with no view alive: it waits for
    /// the views to end, and new ones wait for it. Its values are not kept: the whole
    /// projection would be. Views pinned after it see whatever it left, durable or not
    /// (a rewrite cut short leaves a projection without its head, rebuilt on open).
    pub fn exclusive<T>(&self, rewrite: impl FnOnce() -> T) -> T {
        let mut inner = self.versions.lock();
        inner.exclusive = true;
        while !inner.pins.is_empty() {
            inner = self.versions.idle.wait(inner).unwrap_or_else(|p| p.into_inner());
        }
        drop(inner);
        let out = rewrite();
        let mut inner = self.versions.lock();
        inner.exclusive = false;
        inner.durable = inner.applied;
        inner.prune();
        self.versions.idle.notify_all();
        out
    }
}

/// The first key after every key that starts with `prefix`, if there is one.
fn after_prefix(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// A walk of a range, one way. A view's walk takes each pair sled gives as of the view,
/// drops the keys written since, and puts back those removed since, in order.
pub(super) struct Iter {
    /// sled's walk, until it first ends: it may give keys again after that.
    inner: Option<sled::Iter>,
    forward: bool,
    pin: Option<Arc<Pin>>,
    lo: Vec<u8>,
    hi: Option<Vec<u8>>,
    /// The last key given.
    passed: Option<Vec<u8>>,
    /// A pair read from sled and not yet given: a key removed since came before it.
    held: Option<(IVec, IVec)>,
}

impl Iter {
    /// The view's keys strictly between the last key given and `next` (included), or the
    /// range's end, with their values as of the view.
    fn then_before(&self, pin: &Pin, published: u64, next: Option<&[u8]>) -> BTreeMap<Vec<u8>, Option<IVec>> {
        let passed = |k: &[u8]| Bound::Excluded(k.to_vec());
        let (lo, hi) = if self.forward {
            let lo = self.passed.as_deref().map_or(Bound::Included(self.lo.clone()), passed);
            let hi = match (next, &self.hi) {
                (Some(n), _) => Bound::Included(n.to_vec()),
                (None, Some(hi)) => Bound::Excluded(hi.clone()),
                (None, None) => Bound::Unbounded,
            };
            (lo, hi)
        } else {
            let hi = match (&self.passed, &self.hi) {
                (Some(p), _) => passed(p),
                (None, Some(hi)) => Bound::Excluded(hi.clone()),
                (None, None) => Bound::Unbounded,
            };
            (next.map_or(Bound::Included(self.lo.clone()), |n| Bound::Included(n.to_vec())), hi)
        };
        if !bounds_hold(&lo, &hi) {
            return BTreeMap::new();
        }
        pin.then_between(published, borrowed(&lo), borrowed(&hi))
    }
}

fn borrowed(b: &Bound<Vec<u8>>) -> Bound<&[u8]> {
    match b {
        Bound::Included(k) => Bound::Included(k.as_slice()),
        Bound::Excluded(k) => Bound::Excluded(k.as_slice()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

/// Whether a range is not empty (BTreeMap's `range` panics on one that is reversed).
fn bounds_hold(lo: &Bound<Vec<u8>>, hi: &Bound<Vec<u8>>) -> bool {
    match (lo, hi) {
        (Bound::Included(l), Bound::Included(h)) => l <= h,
        (Bound::Included(l) | Bound::Excluded(l), Bound::Excluded(h)) | (Bound::Excluded(l), Bound::Included(h)) => {
            l < h
        }
        _ => true,
    }
}

impl Iter {
    /// sled's next pair beyond the last key given, if its walk has not ended.
    fn step(&mut self) -> Option<sled::Result<(IVec, IVec)>> {
        loop {
            let inner = self.inner.as_mut()?;
            let Some(item) = (if self.forward { inner.next() } else { inner.next_back() }) else {
                self.inner = None;
                return None;
            };
            let beyond = |k: &IVec| {
                self.passed.as_deref().is_none_or(|p| if self.forward { k.as_ref() > p } else { k.as_ref() < p })
            };
            match item {
                Ok((k, _)) if !beyond(&k) => continue, // given already, from what was removed since
                item => return Some(item),
            }
        }
    }
}

impl Iterator for Iter {
    type Item = sled::Result<(IVec, IVec)>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let next = match self.held.take() {
                Some(pair) => Some(pair),
                None => match self.step() {
                    Some(Ok(pair)) => Some(pair),
                    Some(Err(e)) => return Some(Err(e)),
                    None => None,
                },
            };
            let Some((pin, published)) = self.pin.clone().and_then(|p| p.written_since().map(|g| (p, g))) else {
                if let Some((k, _)) = &next {
                    self.passed = Some(k.to_vec());
                }
                return next.map(Ok);
            };
            let then = self.then_before(&pin, published, next.as_ref().map(|(k, _)| k.as_ref()));
            let before_next = |k: &[u8]| {
                next.as_ref().is_none_or(|(n, _)| if self.forward { k < n.as_ref() } else { k > n.as_ref() })
            };
            let mut removed_since = then.iter().filter(|(k, v)| v.is_some() && before_next(k));
            let first = if self.forward { removed_since.next() } else { removed_since.next_back() };
            if let Some((k, v)) = first {
                let pair = (IVec::from(k.as_slice()), v.clone().expect("filtered"));
                self.passed = Some(k.clone());
                self.held = next;
                return Some(Ok(pair));
            }
            let (k, v) = next?;
            self.passed = Some(k.to_vec());
            match then.get(k.as_ref()) {
                Some(Some(v)) => return Some(Ok((k, v.clone()))),
                Some(None) => continue, // written since
                None => return Some(Ok((k, v))),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn tree() -> (sled::Db, Log) {
        let db = sled::Config::new().temporary(true).open().unwrap();
        let log = Log::new(db.open_tree("t").unwrap());
        (db, log)
    }

    fn write(log: &Log, ops: &[(u8, Option<u8>)]) {
        let mut batch = Batch::default();
        for (k, v) in ops {
            match v {
                Some(v) => batch.insert(vec![b'k', *k], vec![*v]),
                None => batch.remove(vec![b'k', *k]),
            }
        }
        log.apply(batch).unwrap();
    }

    fn pairs(it: Iter) -> Vec<(Vec<u8>, Vec<u8>)> {
        it.map(|p| p.map(|(k, v)| (k.to_vec(), v.to_vec()))).collect::<sled::Result<_>>().unwrap()
    }

    #[test]
    fn a_view_sees_no_write_before_it_is_durable_and_none_after_it_was_pinned() {
        let (_db, log) = tree();
        write(&log, &[(1, Some(1)), (2, Some(2)), (3, Some(3))]);
        log.made_durable(log.applied());
        let before = log.pinned();
        // Applied, not yet durable: neither the view pinned before nor one pinned now
        // sees it.
        write(&log, &[(1, None), (2, Some(20)), (4, Some(4))]);
        let undurable = log.pinned();
        let old = vec![(b"k\x01".to_vec(), vec![1]), (b"k\x02".to_vec(), vec![2]), (b"k\x03".to_vec(), vec![3])];
        for view in [&before, &undurable] {
            assert_eq!(pairs(view.scan_prefix(b"k")), old);
            let mut rev = old.clone();
            rev.reverse();
            assert_eq!(pairs(view.scan_prefix_rev(b"k")), rev);
            assert_eq!(view.get(b"k\x01").unwrap().as_deref(), Some(&[1u8][..]));
            assert_eq!(view.get(b"k\x04").unwrap(), None);
        }
        log.made_durable(log.applied());
        let after = log.pinned();
        assert_eq!(
            pairs(after.scan_prefix(b"k")),
            vec![(b"k\x02".to_vec(), vec![20]), (b"k\x03".to_vec(), vec![3]), (b"k\x04".to_vec(), vec![4])]
        );
        assert_eq!(pairs(before.scan_prefix(b"k")), old, "a view never moves");
        // The live log sees everything at once.
        assert_eq!(log.get(b"k\x01").unwrap(), None);
    }

    #[test]
    fn what_no_view_can_read_is_let_go() {
        let (_db, log) = tree();
        let view = log.pinned();
        for i in 0..10 {
            write(&log, &[(i, Some(i))]);
            log.made_durable(log.applied());
        }
        assert_eq!(log.versions.lock().replaced.len(), 10);
        drop(view);
        assert_eq!(log.versions.lock().replaced.len(), 0);
        write(&log, &[(1, Some(9))]);
        log.made_durable(log.applied());
        assert_eq!(log.versions.lock().replaced.len(), 0, "kept only while a view is pinned before it");
    }

    #[test]
    fn a_rewrite_waits_for_the_views_and_keeps_nothing() {
        let (_db, log) = tree();
        let view = log.pinned();
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (l, d) = (log.clone(), done.clone());
        let rewrite = std::thread::spawn(move || {
            l.exclusive(|| {
                write(&l, &[(1, Some(1))]);
                d.store(true, Ordering::SeqCst);
            })
        });
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(!done.load(Ordering::SeqCst), "the rewrite waits while a view lives");
        assert_eq!(view.get(b"k\x01").unwrap(), None);
        drop(view);
        rewrite.join().unwrap();
        assert_eq!(log.versions.lock().replaced.len(), 0);
        assert_eq!(log.pinned().get(b"k\x01").unwrap().as_deref(), Some(&[1u8][..]));
    }

    proptest! {
        /// Any writes, any views: each view reads, forwards and backwards, with writes
        /// landing between its steps, exactly the state it was pinned at.
        #[test]
        fn a_view_reads_the_state_it_was_pinned_at(
            steps in prop::collection::vec(prop::collection::vec((0u8..12, prop::option::of(0u8..4)), 1..5), 1..12),
            durable_every in 1usize..3,
        ) {
            let (_db, log) = tree();
            let mut model: BTreeMap<Vec<u8>, Vec<u8>> = BTreeMap::new();
            let mut durable_model = model.clone();
            let mut views = Vec::new();
            for (i, ops) in steps.iter().enumerate() {
                views.push((log.pinned(), durable_model.clone(), log.pinned().scan_prefix(b"k"), log.pinned().scan_prefix_rev(b"k"), Vec::new(), Vec::new()));
                for (k, v) in ops {
                    match v {
                        Some(v) => model.insert(vec![b'k', *k], vec![*v]),
                        None => model.remove(&vec![b'k', *k]),
                    };
                }
                write(&log, ops);
                if i % durable_every == 0 {
                    log.made_durable(log.applied());
                    durable_model = model.clone();
                }
                // Each open walk takes one step between writes.
                for (_, _, fwd, rev, got_fwd, got_rev) in views.iter_mut() {
                    if let Some(p) = fwd.next() { let (k, v) = p.unwrap(); got_fwd.push((k.to_vec(), v.to_vec())); }
                    if let Some(p) = rev.next() { let (k, v) = p.unwrap(); got_rev.push((k.to_vec(), v.to_vec())); }
                }
            }
            for (view, then, fwd, rev, mut got_fwd, mut got_rev) in views {
                let want: Vec<(Vec<u8>, Vec<u8>)> = then.clone().into_iter().collect();
                prop_assert_eq!(pairs(view.scan_prefix(b"k")), want.clone());
                got_fwd.extend(pairs(fwd));
                prop_assert_eq!(got_fwd, want.clone());
                got_rev.extend(pairs(rev));
                let mut want_rev = want.clone();
                want_rev.reverse();
                prop_assert_eq!(got_rev, want_rev);
                for k in 0u8..12 {
                    let key = vec![b'k', k];
                    prop_assert_eq!(view.get(&key).unwrap().map(|v| v.to_vec()), then.get(&key).cloned());
                }
            }
        }
    }
}
