//! Append-only sequences kept in bundles: the records, and the tree's stored hashes. A
//! value is written under its own key (the sequence's prefix and its index, 8 bytes big
//! endian) until the values of its group (8 records, 128 hashes) are all written; in
//! that same atomic batch the group becomes one bundle, under the sequence's bundle
//! prefix and the group's first index, and the single keys go. A walk of the log then
//! reads one key per 8 records and per 128 hashes: sled's cost is per key
//! (docs/PERFORMANCE.md, "sled's own floor"). The bundles live apart from the single
//! keys, which every append writes, and are small (`BUNDLE_BYTES_MAX`): sled rewrites a
//! page whole now and then, and keeps a large one in a blob file of its own.
//!
//! Ledgers written before bundles keep their values one a key; every read takes either
//! form, so nothing needs rewriting.

use super::{Store, StoreError};

const BUNDLE_VERSION: u8 = 1;
/// Largest bundle kept. sled 0.34 writes a page larger than a quarter of its 512 KiB
/// segment to a blob file of its own, rewrites it whole, and on a full disk hangs
/// writing one rather than failing; a leaf page holds up to 16 keys. Bundles no larger
/// than this keep every page of them under that size; a group whose values are larger
/// (a record with a long body) stays single values.
pub(super) const BUNDLE_BYTES_MAX: usize = 7 * 1024;

/// A value as read: its index (or the raw key, for a key that is not one of the
/// sequence's) and its bytes. A bundle that cannot be read gives its first index with
/// no bytes, which no reader takes for a value.
pub(super) type Item = (Result<u64, Vec<u8>>, Stored);

/// A stored value's bytes, where sled holds them: a walk of the log reads each bundle
/// once and copies none of its records.
#[derive(Clone)]
pub struct Stored {
    page: sled::IVec,
    at: std::ops::Range<usize>,
}

impl Stored {
    /// All of `page`; of an empty one, no bytes (a bundle that cannot be read).
    fn whole(page: sled::IVec) -> Stored {
        Stored { at: 0..page.len(), page }
    }
}

impl std::ops::Deref for Stored {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.page[self.at.clone()]
    }
}

/// One append-only sequence: where its single values and its bundles are kept, and the
/// index of its first value.
#[derive(Clone, Copy, Debug)]
pub(super) struct Sequence {
    pub prefix: &'static [u8],
    /// The key every single value's key sorts before.
    pub end: &'static [u8],
    pub bundles: &'static [u8],
    pub first: u64,
    /// Values in a bundle: as many as keep a bundle of typical values under
    /// `BUNDLE_BYTES_MAX`.
    pub len: u64,
}

/// The records, from seq 1, before the recorded head; their bundles (8 records, about
/// 4.5 KiB) under `rec/`.
pub(super) const RECORDS: Sequence = Sequence { prefix: b"", end: super::HEAD_KEY, bundles: b"rec/", first: 1, len: 8 };
/// The Merkle tree's stored hashes, from index 0; their bundles (128 hashes, 4.6 KiB)
/// under `mtreeb/`.
pub(super) const TREE_HASHES: Sequence =
    Sequence { prefix: b"mtree/", end: b"mtree0", bundles: b"mtreeb/", first: 0, len: 128 };

impl Sequence {
    pub fn key(&self, i: u64) -> Vec<u8> {
        [self.prefix, &i.to_be_bytes()].concat()
    }

    fn start_of(&self, i: u64) -> u64 {
        self.first + (i - self.first) / self.len * self.len
    }

    fn bundle_key(&self, start: u64) -> Vec<u8> {
        [self.bundles, &start.to_be_bytes()].concat()
    }

    /// The index a single value's key names.
    fn single(&self, key: &[u8]) -> Option<u64> {
        Some(u64::from_be_bytes(key.strip_prefix(self.prefix)?.try_into().ok()?))
    }

    /// A single value's key and bytes as read: its index, or the key if it names none.
    fn single_item(&self, key: &[u8], v: sled::IVec) -> Item {
        (self.single(key).ok_or_else(|| key.to_vec()), Stored::whole(v))
    }

    /// The first index of the bundle a key names, if it names one.
    fn bundle(&self, key: &[u8]) -> Option<u64> {
        let start = u64::from_be_bytes(key.strip_prefix(self.bundles)?.try_into().ok()?);
        (start >= self.first && self.start_of(start) == start).then_some(start)
    }

    fn bundles_end(&self) -> Vec<u8> {
        let mut end = self.bundles.to_vec();
        *end.last_mut().expect("a prefix") += 1;
        end
    }

    /// The value at `i`: under its own key, or in its bundle.
    pub fn get(&self, store: &Store, i: u64) -> Result<Option<Vec<u8>>, StoreError> {
        if let Some(v) = store.log.get(self.key(i)).map_err(|e| store.io(e))? {
            return Ok(Some(v.to_vec()));
        }
        if i < self.first {
            return Ok(None);
        }
        let start = self.start_of(i);
        let Some(bundle) = store.log.get(self.bundle_key(start)).map_err(|e| store.io(e))? else { return Ok(None) };
        Ok(Some(nth(&bundle, (i - start) as usize, self.len).map_or_else(Vec::new, <[u8]>::to_vec)))
    }

    /// The values from `from` up to, not including, `to` (`None`: that end), in order,
    /// single ones and each bundle's spread out; keys that are not the sequence's are
    /// yielded as such.
    pub fn range<'s>(
        &self,
        store: &'s Store,
        from: Option<u64>,
        to: Option<u64>,
    ) -> impl Iterator<Item = Result<Item, StoreError>> + 's {
        let seq = *self;
        let lo = from.map_or(seq.prefix.to_vec(), |f| seq.key(f));
        let hi = to.map_or(seq.end.to_vec(), |t| seq.key(t));
        let singles = store.log.range(lo, hi).map(move |item| {
            let (k, v) = item.map_err(|e| store.io(e))?;
            Ok(seq.single_item(&k, v))
        });
        let lo = from.map_or(seq.bundles.to_vec(), |f| seq.bundle_key(if f < seq.first { f } else { seq.start_of(f) }));
        let hi = to.map_or(seq.bundles_end(), |t| seq.bundle_key(t));
        let bundles = store.log.range(lo, hi).flat_map(move |item| {
            let (k, v) = match item {
                Ok(kv) => kv,
                Err(e) => return Values::One(Some(Err(store.io(e)))),
            };
            let Some(start) = seq.bundle(&k) else { return Values::One(Some(Ok((Err(k.to_vec()), Stored::whole(v))))) };
            if !whole(&v, seq.len) {
                return Values::One(Some(Ok((Ok(start), Stored::whole(sled::IVec::default())))));
            }
            let mut values = Values::Bundle { page: v, index: start, at: 1, to };
            // The first bundle may begin before `from`.
            (start..from.unwrap_or(start)).for_each(|_| drop(values.next()));
            values
        });
        Merged { a: singles.peekable(), b: bundles.peekable() }
    }

    /// The last value stored.
    pub fn last(&self, store: &Store) -> Result<Option<Item>, StoreError> {
        let last_of =
            |lo: Vec<u8>, hi: Vec<u8>| store.log.range_rev(lo, hi).next().transpose().map_err(|e| store.io(e));
        let single = last_of(self.prefix.to_vec(), self.end.to_vec())?.map(|(k, v)| self.single_item(&k, v));
        let bundled = last_of(self.bundles.to_vec(), self.bundles_end())?.map(|(k, v)| match self.bundle(&k) {
            Some(start) => match spans(&v, self.len).and_then(|mut s| s.pop()) {
                Some(at) => (Ok(start + self.len - 1), Stored { page: v, at }),
                None => (Ok(start), Stored::whole(sled::IVec::default())),
            },
            None => (Err(k.to_vec()), Stored::whole(v)),
        });
        Ok(match (single, bundled) {
            (Some(s), Some(b)) => Some(if matches!((&s.0, &b.0), (Ok(i), Ok(j)) if i < j) { b } else { s }),
            (s, b) => s.or(b),
        })
    }

    /// Stages in `batch` the values `new` (indexes `len` on, `len` the count stored) and
    /// `replaced` (values stored before, changed: erasures), bundling each group the new
    /// values complete.
    pub fn stage(
        &self,
        store: &Store,
        batch: &mut super::Batch,
        len: u64,
        new: &[Vec<u8>],
        replaced: &[(u64, Vec<u8>)],
    ) -> Result<(), StoreError> {
        let next = self.first + len;
        let end = next + new.len() as u64;
        let mut replaced: std::collections::BTreeMap<u64, &[u8]> =
            replaced.iter().map(|(i, v)| (*i, v.as_slice())).collect();
        assert!(replaced.keys().all(|i| (self.first..next).contains(i)), "only stored values are replaced");
        let mut at = next;
        while at < end {
            let start = self.start_of(at);
            let stop = (start + self.len).min(end);
            let mut bundle = None;
            if stop - start == self.len {
                let mut values = Vec::with_capacity(self.len as usize);
                for i in start..stop {
                    values.push(if i >= next {
                        new[(i - next) as usize].clone()
                    } else if let Some(v) = replaced.get(&i) {
                        v.to_vec()
                    } else {
                        self.get(store, i)?.ok_or_else(|| StoreError::Io {
                            path: store.path.clone(),
                            message: format!("value {i} of {:?} is missing where its group is bundled", self.prefix),
                        })?
                    });
                }
                bundle = Some(join(&values, self.len)).filter(|b| b.len() <= BUNDLE_BYTES_MAX);
            }
            if let Some(bundle) = bundle {
                for i in start..next.max(start) {
                    replaced.remove(&i);
                    batch.remove(self.key(i));
                }
                batch.insert(self.bundle_key(start), bundle);
            } else {
                for i in at..stop {
                    batch.insert(self.key(i), new[(i - next) as usize].as_slice());
                }
            }
            at = stop;
        }
        // The replaced values of groups not bundled now: where they are.
        while let Some((&i, _)) = replaced.first_key_value() {
            if store.log.contains_key(self.key(i)).map_err(|e| store.io(e))? {
                batch.insert(self.key(i), replaced.remove(&i).expect("present"));
                continue;
            }
            let start = self.start_of(i);
            let key = self.bundle_key(start);
            let bundle = store.log.get(&key).map_err(|e| store.io(e))?;
            let mut values: Vec<Vec<u8>> = match bundle.as_deref().and_then(|b| Some((b, spans(b, self.len)?))) {
                Some((b, spans)) => spans.into_iter().map(|at| b[at].to_vec()).collect(),
                None => {
                    return Err(StoreError::Io {
                        path: store.path.clone(),
                        message: format!("value {i} of {:?}, to be replaced, is not stored", self.prefix),
                    })
                }
            };
            for j in start..start + self.len {
                if let Some(v) = replaced.remove(&j) {
                    values[(j - start) as usize] = v.to_vec();
                }
            }
            // An erasure only shortens a value: the bundle stays within its bound.
            batch.insert(key, join(&values, self.len));
        }
        Ok(())
    }
}

/// Two walks in index order as one: a key that is not the sequence's first, as met.
struct Merged<A: Iterator, B: Iterator> {
    a: std::iter::Peekable<A>,
    b: std::iter::Peekable<B>,
}

impl<A, B> Iterator for Merged<A, B>
where
    A: Iterator<Item = Result<Item, StoreError>>,
    B: Iterator<Item = Result<Item, StoreError>>,
{
    type Item = Result<Item, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        let index = |x: Option<&Result<Item, StoreError>>| match x {
            Some(Ok((Ok(i), _))) => Some(*i),
            _ => None,
        };
        match (self.a.peek(), self.b.peek()) {
            (None, _) => self.b.next(),
            (_, None) => self.a.next(),
            (a, b) => match (index(a), index(b)) {
                (Some(i), Some(j)) if j < i => self.b.next(),
                (Some(_), None) => self.b.next(),
                _ => self.a.next(),
            },
        }
    }
}

/// The values one key of the bundles' prefix gives: a bundle's, each where sled holds
/// it, read one at a time from a bundle checked whole (a walk reads a hundred thousand
/// bundles, and a list of each one's values was a cost of its own); or one item.
enum Values {
    One(Option<Result<Item, StoreError>>),
    Bundle { page: sled::IVec, index: u64, at: usize, to: Option<u64> },
}

impl Iterator for Values {
    type Item = Result<Item, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Values::One(item) => item.take(),
            Values::Bundle { page, index, at, to } => {
                if to.is_some_and(|t| *index >= t) {
                    return None;
                }
                let span = spans_from(page, *at).next()?.ok()?;
                *at = span.end;
                *index += 1;
                Some(Ok((Ok(*index - 1), Stored { page: page.clone(), at: span })))
            }
        }
    }
}

/// A bundle's bytes: the version, then each value as a 4-byte big-endian length and the
/// value (FORMAT.md, "Stored form").
fn join(values: &[Vec<u8>], len: u64) -> Vec<u8> {
    assert_eq!(values.len() as u64, len, "a bundle holds a whole group");
    let mut out = Vec::with_capacity(1 + values.iter().map(|v| 4 + v.len()).sum::<usize>());
    out.push(BUNDLE_VERSION);
    for v in values {
        out.extend_from_slice(&u32::try_from(v.len()).expect("a value under 4 GiB").to_be_bytes());
        out.extend_from_slice(v);
    }
    assert!(whole(&out, len), "a bundle reads back whole");
    out
}

/// Where each value of a bundle lies, from byte `at` on: an error where a length runs past
/// the bundle's end.
fn spans_from(bytes: &[u8], mut at: usize) -> impl Iterator<Item = Result<std::ops::Range<usize>, ()>> + '_ {
    std::iter::from_fn(move || {
        bytes.get(at..).filter(|rest| !rest.is_empty())?;
        let len = bytes.get(at..at + 4).map(|l| u32::from_be_bytes(l.try_into().expect("4 bytes")) as usize);
        let end = len.and_then(|len| (at + 4).checked_add(len)).filter(|&end| end <= bytes.len());
        let span = end.map(|end| at + 4..end);
        at = end.unwrap_or(bytes.len());
        Some(span.ok_or(()))
    })
}

/// Whether a bundle is whole: of this version, `len` values, its lengths its bytes.
fn whole(bytes: &[u8], len: u64) -> bool {
    bytes.first() == Some(&BUNDLE_VERSION) && spans_from(bytes, 1).try_fold(0, |n, s| s.map(|_| n + 1)) == Ok(len)
}

/// Where a bundle's values lie in it, or none if it is not a whole bundle.
fn spans(bytes: &[u8], len: u64) -> Option<Vec<std::ops::Range<usize>>> {
    whole(bytes, len).then(|| spans_from(bytes, 1).map_while(Result::ok).collect())
}

/// The `n`-th value of a bundle (a proof reads one hash from each of many bundles), or
/// none if the bundle is not whole: a value is read only from a bundle that is.
fn nth(bytes: &[u8], n: usize, len: u64) -> Option<&[u8]> {
    whole(bytes, len).then(|| spans_from(bytes, 1).nth(n)?.ok().map(|at| &bytes[at])).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_reads_back_and_a_damaged_one_is_not_read() {
        let len = 128;
        let values: Vec<Vec<u8>> = (0..len).map(|i| vec![i as u8; (i % 7) as usize]).collect();
        let bytes = join(&values, len);
        let read: Vec<&[u8]> = spans(&bytes, len).unwrap().into_iter().map(|at| &bytes[at]).collect();
        assert_eq!(read, values.iter().map(Vec::as_slice).collect::<Vec<_>>());
        assert!(spans(&bytes[..bytes.len() - 1], len).is_none(), "cut short");
        assert!(spans(&[&bytes[..], &[0, 0, 0, 0]].concat(), len).is_none(), "a value too many");
        assert!(spans(&[&bytes[..], &[0, 0, 0]].concat(), len).is_none(), "a length cut short");
        let mut other = bytes.clone();
        other[0] = 2;
        assert!(spans(&other, len).is_none(), "another version");
        assert_eq!(nth(&bytes, 9, len), Some(&values[9][..]));
        assert_eq!(nth(&bytes, 128, len), None);
        assert_eq!(nth(&bytes[..bytes.len() - 1], 9, len), None, "a value of a bundle cut short is not read");
    }

    #[test]
    fn keys_name_values_and_aligned_bundles_only() {
        let s = RECORDS;
        assert_eq!(s.single(&s.key(5)), Some(5));
        assert_eq!(s.bundle(&s.bundle_key(9)), Some(9));
        assert_eq!(s.bundle(&s.bundle_key(10)), None, "a bundle starts a group");
        assert_eq!(s.single(b"head"), None);
        assert_eq!(TREE_HASHES.bundle(&TREE_HASHES.bundle_key(256)), Some(256));
        // A bundle of typical values, and the sixteen a leaf page may hold, stay under
        // what sled writes to a blob file.
        for seq in [RECORDS, TREE_HASHES] {
            let typical = if seq.len == RECORDS.len { 600 } else { 32 };
            assert!(seq.len as usize * (4 + typical) < BUNDLE_BYTES_MAX, "{seq:?}");
        }
        const { assert!(16 * BUNDLE_BYTES_MAX < 512 * 1024 / 4 - 20) };
        assert!(s.key(1 << 40).as_slice() < s.end);
        // Apart from the single keys, and from every other key the ledger keeps.
        for other in [&b"head"[..], b"idoc/", b"mtree", b"mtree/", b"mckpt", b"~"] {
            assert!(!other.starts_with(s.bundles) && !s.bundles.starts_with(other), "{other:?}");
        }
        assert!(s.bundles > s.end && s.bundles_end().as_slice() < b"~".as_slice());
        assert!(TREE_HASHES.bundles > TREE_HASHES.end, "tree bundles after the tree's single hashes");
    }
}
