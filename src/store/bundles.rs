//! Append-only sequences kept in bundles: the records, and the tree's stored hashes. A
//! value is written under its own key (the sequence's prefix and its index, 8 bytes big
//! endian) until the 256 values of its group are all written; in that same atomic batch
//! the group becomes one bundle under the key of its first index followed by `B`, and
//! the single keys go. A walk of the log then reads one key per 256 records, not one per
//! record: sled's cost is per key (docs/PERFORMANCE.md, "sled's own floor").
//!
//! Ledgers written before bundles keep their values one a key; every read takes either
//! form, so nothing needs rewriting.

use super::{Store, StoreError};

/// Values in a bundle: a tlog-tiles bundle's 256 entries.
pub(super) const BUNDLE_LEN: u64 = 256;
const BUNDLE_MARK: u8 = b'B';
const BUNDLE_VERSION: u8 = 1;

/// A value as read: its index (or the raw key, for a key that is not one of the
/// sequence's) and its bytes. A bundle that cannot be read gives its first index with
/// no bytes, which no reader takes for a value.
pub(super) type Item = (Result<u64, Vec<u8>>, Vec<u8>);

/// One append-only sequence: its key prefix and the index of its first value.
#[derive(Clone, Copy, Debug)]
pub(super) struct Sequence {
    pub prefix: &'static [u8],
    pub first: u64,
    /// The key every key of the sequence sorts before.
    pub end: &'static [u8],
}

/// The records, from seq 1, before the recorded head.
pub(super) const RECORDS: Sequence = Sequence { prefix: b"", first: 1, end: super::HEAD_KEY };
/// The Merkle tree's stored hashes, from index 0.
pub(super) const TREE_HASHES: Sequence = Sequence { prefix: b"mtree/", first: 0, end: b"mtree0" };

impl Sequence {
    pub fn key(&self, i: u64) -> Vec<u8> {
        [self.prefix, &i.to_be_bytes()].concat()
    }

    fn start_of(&self, i: u64) -> u64 {
        self.first + (i - self.first) / BUNDLE_LEN * BUNDLE_LEN
    }

    fn bundle_key(&self, start: u64) -> Vec<u8> {
        let mut k = self.key(start);
        k.push(BUNDLE_MARK);
        k
    }

    /// What a key of the sequence names: one value, or the bundle from an index.
    fn read_key(&self, key: &[u8]) -> Option<(u64, bool)> {
        let rest = key.strip_prefix(self.prefix)?;
        let index = u64::from_be_bytes(rest.get(..8)?.try_into().ok()?);
        match &rest[8..] {
            [] => Some((index, false)),
            [BUNDLE_MARK] if index >= self.first && self.start_of(index) == index => Some((index, true)),
            _ => None,
        }
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
        Ok(Some(nth(&bundle, (i - start) as usize).map_or_else(Vec::new, <[u8]>::to_vec)))
    }

    /// The values from `from` up to, not including, `to` (`None`: that end), in order,
    /// each bundle's spread out; keys that are not the sequence's are yielded as such.
    pub fn range<'s>(
        &self,
        store: &'s Store,
        from: Option<u64>,
        to: Option<u64>,
    ) -> impl Iterator<Item = Result<Item, StoreError>> + 's {
        let seq = *self;
        // A bundle's key sorts right after the key of its first index: start there.
        let lo = from.map_or(seq.prefix.to_vec(), |f| seq.key(if f < seq.first { f } else { seq.start_of(f) }));
        let hi = to.map_or(seq.end.to_vec(), |t| seq.key(t));
        let wanted = move |i: u64| from.is_none_or(|f| i >= f) && to.is_none_or(|t| i < t);
        store.log.range(lo..hi).flat_map(move |item| -> Vec<Result<Item, StoreError>> {
            let (k, v) = match item {
                Ok(kv) => kv,
                Err(e) => return vec![Err(store.io(e))],
            };
            match seq.read_key(&k) {
                Some((i, false)) => {
                    if wanted(i) {
                        vec![Ok((Ok(i), v.to_vec()))]
                    } else {
                        Vec::new()
                    }
                }
                Some((start, true)) => match split(&v) {
                    Some(values) => (start..)
                        .zip(values)
                        .filter(|(i, _)| wanted(*i))
                        .map(|(i, value)| Ok((Ok(i), value.to_vec())))
                        .collect(),
                    None => vec![Ok((Ok(start), Vec::new()))],
                },
                None => vec![Ok((Err(k.to_vec()), v.to_vec()))],
            }
        })
    }

    /// The last value stored.
    pub fn last(&self, store: &Store) -> Result<Option<Item>, StoreError> {
        let Some((k, v)) = store
            .log
            .range(self.prefix.to_vec()..self.end.to_vec())
            .next_back()
            .transpose()
            .map_err(|e| store.io(e))?
        else {
            return Ok(None);
        };
        Ok(Some(match self.read_key(&k) {
            Some((i, false)) => (Ok(i), v.to_vec()),
            Some((start, true)) => match split(&v) {
                Some(values) => (Ok(start + BUNDLE_LEN - 1), values[values.len() - 1].to_vec()),
                None => (Ok(start), Vec::new()),
            },
            None => (Err(k.to_vec()), v.to_vec()),
        }))
    }

    /// Stages in `batch` the values `new` (indexes `len` on, `len` the count stored) and
    /// `replaced` (values stored before, changed: erasures), bundling each group the new
    /// values complete.
    pub fn stage(
        &self,
        store: &Store,
        batch: &mut sled::Batch,
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
            let stop = (start + BUNDLE_LEN).min(end);
            if stop - start == BUNDLE_LEN {
                let mut values = Vec::with_capacity(BUNDLE_LEN as usize);
                for i in start..stop {
                    values.push(if i >= next {
                        new[(i - next) as usize].clone()
                    } else if let Some(v) = replaced.remove(&i) {
                        batch.remove(self.key(i));
                        v.to_vec()
                    } else {
                        batch.remove(self.key(i));
                        self.get(store, i)?.ok_or_else(|| StoreError::Io {
                            path: store.path.clone(),
                            message: format!("value {i} of {:?} is missing where its group is bundled", self.prefix),
                        })?
                    });
                }
                batch.insert(self.bundle_key(start), join(&values));
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
            let mut values: Vec<Vec<u8>> = match bundle.as_deref().and_then(split) {
                Some(values) => values.into_iter().map(<[u8]>::to_vec).collect(),
                None => {
                    return Err(StoreError::Io {
                        path: store.path.clone(),
                        message: format!("value {i} of {:?}, to be replaced, is not stored", self.prefix),
                    })
                }
            };
            for j in start..start + BUNDLE_LEN {
                if let Some(v) = replaced.remove(&j) {
                    values[(j - start) as usize] = v.to_vec();
                }
            }
            batch.insert(key, join(&values));
        }
        Ok(())
    }
}

/// A bundle's bytes: the version, then each value as a 4-byte big-endian length and the
/// value (FORMAT.md, "Stored form").
fn join(values: &[Vec<u8>]) -> Vec<u8> {
    assert_eq!(values.len() as u64, BUNDLE_LEN, "a bundle holds a whole group");
    let mut out = Vec::with_capacity(1 + values.iter().map(|v| 4 + v.len()).sum::<usize>());
    out.push(BUNDLE_VERSION);
    for v in values {
        out.extend_from_slice(&u32::try_from(v.len()).expect("a value under 4 GiB").to_be_bytes());
        out.extend_from_slice(v);
    }
    assert_eq!(split(&out).map(|v| v.len()), Some(BUNDLE_LEN as usize), "a bundle reads back whole");
    out
}

/// The `n`-th value of a bundle, found by its lengths alone (a proof reads one hash
/// from each of many bundles), or none if the bundle is not whole.
fn nth(bytes: &[u8], n: usize) -> Option<&[u8]> {
    let (&version, mut rest) = bytes.split_first()?;
    if version != BUNDLE_VERSION {
        return None;
    }
    let mut found = None;
    let mut count = 0;
    while !rest.is_empty() {
        let len = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
        let value = rest.get(4..4 + len)?;
        if count == n {
            found = Some(value);
        }
        count += 1;
        rest = &rest[4 + len..];
    }
    // The whole bundle is walked: a value is read only from a bundle that is whole.
    if count as u64 == BUNDLE_LEN {
        found
    } else {
        None
    }
}

/// A bundle's values, or none if it is not a whole bundle.
fn split(bytes: &[u8]) -> Option<Vec<&[u8]>> {
    let (&version, mut rest) = bytes.split_first()?;
    if version != BUNDLE_VERSION {
        return None;
    }
    let mut values = Vec::with_capacity(BUNDLE_LEN as usize);
    while !rest.is_empty() {
        let len = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
        values.push(rest.get(4..4 + len)?);
        rest = &rest[4 + len..];
    }
    (values.len() as u64 == BUNDLE_LEN).then_some(values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_reads_back_and_a_damaged_one_is_not_read() {
        let values: Vec<Vec<u8>> = (0..BUNDLE_LEN).map(|i| vec![i as u8; (i % 7) as usize]).collect();
        let bytes = join(&values);
        assert_eq!(split(&bytes).unwrap(), values.iter().map(Vec::as_slice).collect::<Vec<_>>());
        assert!(split(&bytes[..bytes.len() - 1]).is_none(), "cut short");
        assert!(split(&[&bytes[..], &[0, 0, 0, 0]].concat()).is_none(), "a value too many");
        let mut other = bytes.clone();
        other[0] = 2;
        assert!(split(&other).is_none(), "another version");
        assert_eq!(nth(&bytes, 9), Some(&values[9][..]));
        assert_eq!(nth(&bytes, 256), None);
        assert_eq!(nth(&bytes[..bytes.len() - 1], 9), None, "a value of a bundle cut short is not read");
    }

    #[test]
    fn keys_name_values_and_aligned_bundles_only() {
        let s = RECORDS;
        assert_eq!(s.read_key(&s.key(5)), Some((5, false)));
        assert_eq!(s.read_key(&s.bundle_key(257)), Some((257, true)));
        assert_eq!(s.read_key(&s.bundle_key(258)), None, "a bundle starts a group");
        assert_eq!(s.read_key(b"head"), None);
        assert_eq!(TREE_HASHES.read_key(&TREE_HASHES.bundle_key(256)), Some((256, true)));
        assert!(s.bundle_key(1) < s.key(2) && s.key(1) < s.bundle_key(1), "a bundle sorts where its values would");
        assert!(s.bundle_key(1 << 40).as_slice() < s.end);
    }
}
