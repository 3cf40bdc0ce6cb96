//! How the history is laid out beside the state: each value's `since`, the undo records
//! and the versions (see the module above).

/// A stored value's `since`.
pub(super) fn since_of(key: &[u8], stored: &[u8]) -> Result<u64, String> {
    match stored.first_chunk::<SINCE_BYTES>() {
        Some(since) => Ok(u64::from_be_bytes(*since)),
        None => Err(format!("projection key {:?}: a value without its seq", lossy(key))),
    }
}

/// The length of a stored value's `since`.
pub(super) const SINCE_BYTES: usize = 8;

/// Where the history lives, beside the state: `undo/FIRST`, `ver/KEY<NUL>SEQ`.
pub(super) const UNDO: &[u8] = b"undo/";
pub(super) const VERSIONS: &[u8] = b"ver/";

/// Events whose undo records share a key: one key per event was a seventh of all keys,
/// and sled's page table, what opening reads and a query process holds, grows with them.
/// Not more: sled copies a leaf on every insert into it, and 64 made appends 40% slower.
pub(super) const UNDO_BUCKET_LEN: u64 = 16;
/// An entry's seq (8 bytes) and its list's length (4 bytes), big endian.
pub(super) const UNDO_ENTRY_HEAD: usize = 12;

/// The key holding the undo record of the event at `seq`, with those of the events
/// around it: one entry an event, in seq order, each its seq, its length and a JSON list
/// of the keys it changed.
pub(super) fn undo_key(seq: u64) -> Vec<u8> {
    format!("undo/{:016x}", seq / UNDO_BUCKET_LEN * UNDO_BUCKET_LEN).into_bytes()
}

/// The entries of an undo key's value, an error at the first malformed one.
pub(super) fn undo_entries(undo: &[u8]) -> impl Iterator<Item = Result<(u64, &[u8]), String>> + '_ {
    let mut rest = undo;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let entry = (|| {
            let head = rest.get(..UNDO_ENTRY_HEAD).ok_or("an entry cut short")?;
            let seq = u64::from_be_bytes(head[..8].try_into().expect("8 bytes"));
            let len = u32::from_be_bytes(head[8..].try_into().expect("4 bytes")) as usize;
            let list = rest.get(UNDO_ENTRY_HEAD..UNDO_ENTRY_HEAD + len).ok_or("an entry cut short")?;
            Ok((seq, list))
        })();
        match &entry {
            Ok((_, list)) => rest = &rest[UNDO_ENTRY_HEAD + list.len()..],
            Err(_) => rest = &[],
        }
        Some(entry.map_err(|e: &str| e.to_string()))
    })
}

pub(super) fn version_prefix(key: &[u8]) -> Vec<u8> {
    [VERSIONS, key, b"\0"].concat()
}

pub(super) fn version_key(key: &[u8], seq: u64) -> Vec<u8> {
    [version_prefix(key), format!("{seq:016x}").into_bytes()].concat()
}

/// A version key's key and seq.
pub(super) fn split_version(k: &[u8]) -> Option<(&[u8], u64)> {
    let rest = k.strip_prefix(VERSIONS)?;
    let nul = rest.iter().rposition(|b| *b == 0)?;
    let seq = u64::from_str_radix(std::str::from_utf8(&rest[nul + 1..]).ok()?, 16).ok()?;
    Some((&rest[..nul], seq))
}

pub(super) fn version_seq(k: &[u8]) -> Option<u64> {
    split_version(k).map(|(_, seq)| seq)
}

pub(super) fn is_history(key: &[u8]) -> bool {
    key.starts_with(UNDO) || key.starts_with(VERSIONS)
}

pub(super) fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
