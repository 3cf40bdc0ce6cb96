//! The log as tiles (`tiles`): each resource read from the stored tree and records, and
//! `publish`, which writes them as static files for any web server to serve.

use super::Ledger;
use crate::error::Error;
use crate::ids::Seq;
use crate::proof;
use crate::tiles::{self, Resource};
use std::path::Path;

/// What `publish` wrote.
#[derive(Debug)]
pub struct Published {
    pub size: u64,
    /// The tree size the directory held before, if it held one.
    pub before: Option<u64>,
    pub files: usize,
}

impl Ledger {
    /// The bytes of `r` in the tree of `size` leaves (at most the head); `NotFound` if
    /// that tree does not have it.
    pub fn resource(&self, r: &Resource, size: u64) -> Result<Vec<u8>, Error> {
        let size = size.min(self.head_seq().0);
        if r.leaves_needed().is_none_or(|n| n > size) {
            return Err(Error::NotFound(format!("{}: not in the tree of {size} events", r.path())));
        }
        match r {
            Resource::Hashes { .. } => {
                let tile = r.tile().expect("a tile of hashes");
                tile.read_data(&self.store.tree()).map_err(|e| Error::from(self.store.tree_error(e)))
            }
            Resource::Entries { .. } => Ok(tiles::entry_bundle(self.bundle_records(r)?.iter().map(|r| &r.hash.0[..]))),
            Resource::Lines { .. } => {
                let records = self.bundle_records(r)?;
                let mut out = String::new();
                for rec in &records {
                    let line =
                        rec.to_export_line().map_err(|problem| crate::envelope::Fault { seq: rec.seq(), problem })?;
                    out.push_str(&line);
                    out.push('\n');
                }
                Ok(out.into_bytes())
            }
        }
    }

    /// The records of an entry bundle, each checked as it is read.
    fn bundle_records(&self, r: &Resource) -> Result<Vec<crate::envelope::Record>, Error> {
        let seqs = r.seqs().expect("a bundle");
        self.records_after(Seq(seqs.start() - 1), seqs.count())
    }

    /// Writes the log of the last signed checkpoint (or one signed now with `skey`) into
    /// `dir` as C2SP tlog-tiles static files: the tiles and bundles new since the
    /// checkpoint the directory holds, then that checkpoint, each file written whole and
    /// renamed into place. A directory holding a checkpoint this log does not extend is
    /// refused: a publication is never rewritten.
    pub fn publish(&self, dir: &Path, skey: Option<&str>) -> Result<Published, Error> {
        let note = match skey {
            Some(skey) => self.sign_checkpoint(skey)?,
            None => self.last_checkpoint()?.ok_or_else(|| {
                Error::Input("no checkpoint signed yet: give the key with --key, or run `protokol checkpoint`".into())
            })?,
        };
        let head = proof::read_checkpoint(&note, None).map_err(|e| Error::Input(e.to_string()))?;
        let io = |p: &Path, e: std::io::Error| Error::Input(format!("{}: {e}", p.display()));
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        let before = match std::fs::read_to_string(dir.join("checkpoint")) {
            Ok(text) => {
                let then = proof::read_checkpoint(&text, None)
                    .map_err(|e| Error::Input(format!("{}: {e}", dir.join("checkpoint").display())))?;
                if then.size > head.size || self.store.tree_root(then.size)? != then.root {
                    return Err(Error::Proof(format!(
                        "{} holds a checkpoint of {} events that this log does not extend; nothing was published",
                        dir.display(),
                        then.size
                    )));
                }
                Some(then.size)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io(&dir.join("checkpoint"), e)),
        };
        let mut files = 0;
        for r in tiles::new_resources(before.unwrap_or(0), head.size) {
            write_whole(&dir.join(r.path()), &self.resource(&r, head.size)?).map_err(|(p, e)| io(&p, e))?;
            files += 1;
        }
        // The checkpoint last: a reader never finds one whose tiles are not there yet.
        write_whole(&dir.join("checkpoint"), note.as_bytes()).map_err(|(p, e)| io(&p, e))?;
        Ok(Published { size: head.size, before, files: files + 1 })
    }
}

/// Writes `bytes` to a file beside `path`, flushed, then renames it into place.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), (std::path::PathBuf, std::io::Error)> {
    let at = |e| (path.to_path_buf(), e);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(at)?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".partial-write");
    let tmp = std::path::PathBuf::from(tmp);
    let mut f = std::fs::File::create(&tmp).map_err(at)?;
    use std::io::Write;
    f.write_all(bytes).and_then(|()| f.sync_all()).map_err(at)?;
    std::fs::rename(&tmp, path).map_err(at)
}
