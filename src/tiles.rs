//! The log as C2SP `tlog-tiles` serves it: the resources (`tile/L/N[.p/W]`,
//! `tile/entries/N[.p/W]`), parsed from and spelt as their paths, the entry bundle's
//! encoding, and which resources a tree of a given size has. Tiles are 256 hashes wide.
//!
//! An entry is what a leaf hashes (RFC 6962, 2.1): for protokol, the event's 32-byte
//! `hash`. The events themselves, as export lines, are served beside each bundle at the
//! same path with `.jsonl` added (tlog-tiles: "differently-encoded entries at a different
//! URL"), since a line is not what its leaf hashes, and may be longer than an entry's
//! 16-bit length allows. No I/O here.

use tlog_tiles::tile::Tile;

/// Tiles and bundles are 2^8 = 256 wide.
pub const HEIGHT: u8 = 8;
pub const WIDTH: u64 = 1 << HEIGHT;
/// The highest level a tree of 2^64 leaves has.
const LEVEL_MAX: u8 = 7;

/// One resource of a tiled log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Resource {
    /// `tile/L/N[.p/W]`: W hashes of level L of the tiling.
    Hashes { level: u8, n: u64, width: u32 },
    /// `tile/entries/N[.p/W]`: the entries of leaves N*256 to N*256+W-1.
    Entries { n: u64, width: u32 },
    /// `tile/entries/N[.p/W].jsonl`: the export lines of the same events.
    Lines { n: u64, width: u32 },
}

impl Resource {
    /// Reads a path (without a leading `/`), as tlog-tiles spells it; `None` for any
    /// other.
    pub fn parse(path: &str) -> Option<Resource> {
        let rest = path.strip_prefix("tile/")?;
        let (lines, rest) = match rest.strip_suffix(".jsonl") {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let (kind, index) = rest.split_once('/')?;
        let (index, width) = match index.split_once(".p/") {
            Some((i, w)) => {
                let w: u32 = digits(w)?.try_into().ok()?;
                if w == 0 || u64::from(w) >= WIDTH {
                    return None;
                }
                (i, w)
            }
            None => (index, WIDTH as u32),
        };
        let n = index_of(index)?;
        let r = match kind {
            "entries" if lines => Resource::Lines { n, width },
            "entries" => Resource::Entries { n, width },
            _ if lines => return None,
            l => {
                let level: u8 = digits(l)?.try_into().ok()?;
                if level > LEVEL_MAX {
                    return None;
                }
                Resource::Hashes { level, n, width }
            }
        };
        // One spelling for each resource: "tile/0/1" is not "tile/0/001".
        (r.path() == path).then_some(r)
    }

    pub fn path(&self) -> String {
        let (head, n, width, tail) = match *self {
            Resource::Hashes { level, n, width } => (level.to_string(), n, width, ""),
            Resource::Entries { n, width } => ("entries".to_string(), n, width, ""),
            Resource::Lines { n, width } => ("entries".to_string(), n, width, ".jsonl"),
        };
        let mut digits = format!("{:03}", n % 1000);
        let mut rest = n / 1000;
        while rest > 0 {
            digits = format!("x{:03}/{digits}", rest % 1000);
            rest /= 1000;
        }
        let partial = if u64::from(width) == WIDTH { String::new() } else { format!(".p/{width}") };
        format!("tile/{head}/{digits}{partial}{tail}")
    }

    /// The leaves a tree needs to hold this resource: the last one it covers, plus one.
    pub fn leaves_needed(&self) -> Option<u64> {
        let (level, n, width) = match *self {
            Resource::Hashes { level, n, width } => (level, n, width),
            Resource::Entries { n, width } | Resource::Lines { n, width } => (0, n, width),
        };
        let span = 1u64.checked_shl(u32::from(HEIGHT) * u32::from(level))?;
        n.checked_mul(WIDTH)?.checked_add(u64::from(width))?.checked_mul(span)
    }

    /// The seqs of the events of an entry bundle or its lines.
    pub fn seqs(&self) -> Option<std::ops::RangeInclusive<u64>> {
        match *self {
            Resource::Entries { n, width } | Resource::Lines { n, width } => {
                let first = n * WIDTH + 1;
                Some(first..=first + u64::from(width) - 1)
            }
            Resource::Hashes { .. } => None,
        }
    }

    /// The tile of hashes as `tlog_tiles` reads it from the stored tree.
    pub fn tile(&self) -> Option<Tile> {
        match *self {
            Resource::Hashes { level, n, width } => Some(Tile::new(HEIGHT, level, n, width, false)),
            _ => None,
        }
    }
}

fn digits(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 20 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `x001/x234/067` as 1234067.
fn index_of(s: &str) -> Option<u64> {
    let parts: Vec<&str> = s.split('/').collect();
    let mut n: u64 = 0;
    for (i, p) in parts.iter().enumerate() {
        let p = if i + 1 < parts.len() { p.strip_prefix('x')? } else { p };
        if p.len() != 3 {
            return None;
        }
        n = n.checked_mul(1000)?.checked_add(digits(p)?)?;
    }
    Some(n)
}

/// Every resource a tree of `new` leaves has that one of `old` leaves did not (all of
/// them from 0): the tiles of hashes, and for each level-0 tile its entries and lines.
pub fn new_resources(old: u64, new: u64) -> Vec<Resource> {
    let mut out = Vec::new();
    for t in Tile::new_tiles(HEIGHT, old, new) {
        out.push(Resource::Hashes { level: t.level(), n: t.level_index(), width: t.width() });
        if t.level() == 0 {
            out.push(Resource::Entries { n: t.level_index(), width: t.width() });
            out.push(Resource::Lines { n: t.level_index(), width: t.width() });
        }
    }
    out
}

/// An entry bundle: each entry with its length as a big-endian u16 before it.
pub fn entry_bundle<'a>(entries: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        let len = u16::try_from(e.len()).expect("an entry is a 32-byte hash");
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(e);
    }
    out
}

/// The entries of a bundle; `None` if it is not one.
pub fn read_entry_bundle(mut bytes: &[u8]) -> Option<Vec<&[u8]>> {
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let len = usize::from(u16::from_be_bytes(bytes.get(..2)?.try_into().ok()?));
        out.push(bytes.get(2..2 + len)?);
        bytes = &bytes[2 + len..];
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_back_as_they_are_spelt_and_nothing_else_does() {
        for (path, r) in [
            ("tile/0/000", Resource::Hashes { level: 0, n: 0, width: 256 }),
            ("tile/1/x001/x234/067.p/17", Resource::Hashes { level: 1, n: 1_234_067, width: 17 }),
            ("tile/entries/003.p/5", Resource::Entries { n: 3, width: 5 }),
            ("tile/entries/x001/000.jsonl", Resource::Lines { n: 1000, width: 256 }),
            ("tile/entries/000.p/255.jsonl", Resource::Lines { n: 0, width: 255 }),
        ] {
            assert_eq!(Resource::parse(path), Some(r), "{path}");
            assert_eq!(r.path(), path);
        }
        for bad in [
            "tile/0/0",
            "tile/0/000.p/0",
            "tile/0/000.p/256",
            "tile/64/000",
            "tile/200/000",
            "tile/0/x000/001",
            "tile/0/001.jsonl",
            "tile/entries/000.p/05",
            "tile/8/0/000",
            "tile/entries/x999/x999/x999/x999/x999/x999/x999/999",
            "checkpoint",
        ] {
            assert_eq!(Resource::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_tree_of_70000_has_the_tiles_tlog_tiles_lists() {
        // The example of C2SP tlog-tiles: 273 full level-0 tiles, one of width 112, one
        // full level-1 tile, one of width 17 and one level-2 tile of width 1.
        let hashes: Vec<Resource> =
            new_resources(0, 70_000).into_iter().filter(|r| matches!(r, Resource::Hashes { .. })).collect();
        let count = |l: u8, w: u32| {
            hashes
                .iter()
                .filter(|r| matches!(r, Resource::Hashes { level, width, .. } if *level == l && *width == w))
                .count()
        };
        assert_eq!(count(0, 256), 273);
        assert_eq!(count(0, 112), 1);
        assert_eq!(count(1, 256), 1);
        assert_eq!(count(1, 17), 1);
        assert_eq!(count(2, 1), 1);
        assert_eq!(hashes.len(), 277);
        assert_eq!(Resource::Hashes { level: 1, n: 1, width: 17 }.leaves_needed(), Some(70_000 - 112));
    }

    #[test]
    fn an_entry_bundle_reads_back() {
        let a = [1u8; 32];
        let b = [2u8; 32];
        let bundle = entry_bundle([&a[..], &b[..]]);
        assert_eq!(bundle.len(), 68);
        assert_eq!(read_entry_bundle(&bundle), Some(vec![&a[..], &b[..]]));
        assert_eq!(read_entry_bundle(&bundle[..67]), None);
    }
}
