//! A replica of a served log, and a witness of it: `follow` reads a log's signed
//! checkpoint and its tiles (from `serve`, or a directory `publish` wrote, over HTTP or on
//! disk), takes in the events it has not seen with every hash, link and rule checked,
//! and accepts the checkpoint only if the replica's own tree has its root. A log that
//! forked, was truncated or had an event rewritten is refused: nothing is taken in, and
//! the first seq that differs is named. `cosign` then adds a witness's cosignature
//! (C2SP tlog-cosignature) to a checkpoint so checked.

use crate::envelope::Record;
use crate::error::Error;
use crate::ids::{Hash, Seq};
use crate::ledger::Ledger;
use crate::proof::{self, Head};
use crate::tiles::{self, Resource};
use std::path::PathBuf;

/// Most bytes of a checkpoint read.
pub const NOTE_BYTES_MAX: u64 = 1 << 20;
/// Most bytes of one resource read: 256 events of the largest body, with room.
pub const RESOURCE_BYTES_MAX: u64 = 128 << 20;

/// Where a followed log is read from.
pub trait Source {
    /// The resource at `path` (e.g. `checkpoint`, `tile/entries/000.p/5`); `None` if the
    /// source does not have it. A failed read is an error, never an absence.
    fn get(&self, path: &str, bytes_max: u64) -> Result<Option<Vec<u8>>, Error>;
    /// The source as a person would name it.
    fn name(&self) -> String;
    /// Sends a cosigned checkpoint to the log (only a served log takes one).
    fn send_cosignature(&self, note: &str) -> Result<String, Error>;
}

/// A URL prefix (`http://` or `https://`) or a directory.
pub fn source(at: &str) -> Box<dyn Source> {
    if at.starts_with("http://") || at.starts_with("https://") {
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(std::time::Duration::from_secs(60)))
            .http_status_as_error(false)
            .build()
            .into();
        Box::new(Http { prefix: at.trim_end_matches('/').to_string(), agent })
    } else {
        Box::new(Dir(PathBuf::from(at)))
    }
}

struct Dir(PathBuf);

impl Source for Dir {
    fn get(&self, path: &str, bytes_max: u64) -> Result<Option<Vec<u8>>, Error> {
        let file = self.0.join(path);
        let f = match std::fs::File::open(&file) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Error::Input(format!("{}: {e}", file.display()))),
        };
        let mut bytes = Vec::new();
        use std::io::Read;
        f.take(bytes_max + 1).read_to_end(&mut bytes).map_err(|e| Error::Input(format!("{}: {e}", file.display())))?;
        if bytes.len() as u64 > bytes_max {
            return Err(Error::Input(format!("{}: more than {bytes_max} bytes", file.display())));
        }
        Ok(Some(bytes))
    }

    fn name(&self) -> String {
        self.0.display().to_string()
    }

    fn send_cosignature(&self, _: &str) -> Result<String, Error> {
        Err(Error::Input(format!("{}: a directory takes no cosignatures; send them to the server", self.name())))
    }
}

struct Http {
    prefix: String,
    agent: ureq::Agent,
}

impl Source for Http {
    fn get(&self, path: &str, bytes_max: u64) -> Result<Option<Vec<u8>>, Error> {
        let url = format!("{}/{path}", self.prefix);
        let mut response = self.agent.get(&url).call().map_err(|e| Error::Input(format!("{url}: {e}")))?;
        match response.status().as_u16() {
            200 => {}
            404 => return Ok(None),
            s => return Err(Error::Input(format!("{url}: the server answered {s}"))),
        }
        let bytes = response
            .body_mut()
            .with_config()
            .limit(bytes_max)
            .read_to_vec()
            .map_err(|e| Error::Input(format!("{url}: {e}")))?;
        Ok(Some(bytes))
    }

    fn name(&self) -> String {
        self.prefix.clone()
    }

    fn send_cosignature(&self, note: &str) -> Result<String, Error> {
        let url = format!("{}/api/cosignatures", self.prefix);
        let mut response = self
            .agent
            .post(&url)
            .header("content-type", "text/plain; charset=utf-8")
            .send(note)
            .map_err(|e| Error::Input(format!("{url}: {e}")))?;
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().map_err(|e| Error::Input(format!("{url}: {e}")))?;
        if status != 200 {
            return Err(Error::Input(format!("{url}: the server answered {status}: {text}")));
        }
        Ok(text)
    }
}

/// What one run of `follow` did.
#[derive(Debug)]
pub struct Followed {
    /// The replica's events before and after.
    pub from: u64,
    pub to: u64,
    /// The checkpoint accepted, as served (with any cosignatures).
    pub note: String,
    pub head: Head,
}

fn missing(src: &dyn Source, path: &str) -> Error {
    Error::Proof(format!("{}: {path} is not there, though the checkpoint needs it", src.name()))
}

/// The served checkpoint, its signature checked with `vkey`.
pub fn served_checkpoint(src: &dyn Source, vkey: &str) -> Result<(String, Head), Error> {
    let bytes = src
        .get("checkpoint", NOTE_BYTES_MAX)?
        .ok_or_else(|| Error::NotFound(format!("{}: no checkpoint", src.name())))?;
    let note =
        String::from_utf8(bytes).map_err(|_| Error::Proof(format!("{}: the checkpoint is not text", src.name())))?;
    let head = proof::read_checkpoint(&note, Some(vkey))
        .map_err(|e| Error::Proof(format!("{}: the served checkpoint: {e}", src.name())))?;
    Ok((note, head))
}

/// Brings `replica` up to the log served at `src`, signed by `vkey` (see the module).
pub fn follow(replica: &mut Ledger, src: &dyn Source, vkey: &str) -> Result<Followed, Error> {
    let (note, head) = served_checkpoint(src, vkey)?;
    let from = replica.head_seq().0;
    if let Some((accepted, before)) = replica.accepted_checkpoint()? {
        let then = proof::read_checkpoint(&before, None).map_err(|e| Error::Input(e.to_string()))?;
        if then.origin != head.origin {
            return Err(Error::Proof(format!(
                "{}: serves the log {}, and this replica follows {}; nothing was taken in",
                src.name(),
                head.origin,
                then.origin
            )));
        }
        debug_assert!(accepted <= from);
    }
    if head.size < from {
        let differs = first_difference(replica, src, head.size, head.size)?;
        return Err(Error::Proof(format!(
            "{}: the log was truncated: its checkpoint is of {} events, and this replica holds {from} it accepted \
             (seqs {} to {from} are gone){}; nothing was taken in, the replica keeps what it had",
            src.name(),
            head.size,
            head.size + 1,
            differs.map_or(String::new(), |d| format!(", and {d}"))
        )));
    }
    // Every new event is held until the tree they make is the checkpoint's: a first run
    // of a log of a million events holds about 600 MB.
    let upto = head.size;
    let records = lines(src, from, upto, head.size)?;
    let root = replica.tree_root_with(records.iter().map(|(_, r)| r))?;
    if root != head.root {
        let differs = first_difference(replica, src, from, head.size)?;
        return Err(Error::Proof(match differs {
            Some(d) => format!(
                "{}: the log was rewritten: {d}; the checkpoint of {} events is not consistent with the {from} \
                 this replica accepted; nothing was taken in, the replica keeps what it had",
                src.name(),
                head.size
            ),
            None => format!(
                "{}: the events served after seq {from} do not make the tree of the checkpoint (size {}, root {}); \
                 nothing was taken in",
                src.name(),
                head.size,
                proof::to_base64(&head.root)
            ),
        }));
    }
    replica.extend(&src.name(), records)?;
    replica.record_accepted(&head, &note)?;
    Ok(Followed { from, to: replica.head_seq().0, note, head })
}

/// The export lines of seqs `from + 1` to `upto`, read from the line bundles of the
/// served tree of `size` events, each with the place it was read from.
fn lines(src: &dyn Source, from: u64, upto: u64, size: u64) -> Result<Vec<(String, Record)>, Error> {
    let mut out = Vec::with_capacity((upto - from) as usize);
    let mut n = from / tiles::WIDTH;
    while n * tiles::WIDTH < upto {
        let r = Resource::Lines { n, width: bundle_width(n, size) };
        let path = r.path();
        let bytes = src.get(&path, RESOURCE_BYTES_MAX)?.ok_or_else(|| missing(src, &path))?;
        let text = String::from_utf8(bytes).map_err(|_| Error::Proof(format!("{}/{path}: not text", src.name())))?;
        let seqs = r.seqs().expect("a bundle");
        let mut count = 0;
        for (i, line) in text.lines().enumerate() {
            let at = format!("{}/{path}:{}", src.name(), i + 1);
            let record = Record::from_export_line(line).map_err(|p| Error::Proof(format!("{at}: {p}")))?;
            let seq = seqs.start() + i as u64;
            if record.seq().0 != seq {
                return Err(Error::Proof(format!("{at}: seq {} where seq {seq} belongs", record.seq())));
            }
            count += 1;
            if seq > from && seq <= upto {
                out.push((at, record));
            }
        }
        if count != seqs.clone().count() {
            return Err(Error::Proof(format!("{}/{path}: {count} events, not {}", src.name(), seqs.count())));
        }
        n += 1;
    }
    Ok(out)
}

/// The width of entry bundle `n` in a tree of `size` events.
fn bundle_width(n: u64, size: u64) -> u32 {
    (size - n * tiles::WIDTH).min(tiles::WIDTH) as u32
}

/// The first of seqs 1 to `upto` whose hash the served tree of `size` events has
/// otherwise than the replica, said for a person; read from the served entry bundles.
fn first_difference(replica: &Ledger, src: &dyn Source, upto: u64, size: u64) -> Result<Option<String>, Error> {
    let mut n = 0;
    while n * tiles::WIDTH < upto {
        let r = Resource::Entries { n, width: bundle_width(n, size) };
        let path = r.path();
        let bytes = src.get(&path, RESOURCE_BYTES_MAX)?.ok_or_else(|| missing(src, &path))?;
        let entries = tiles::read_entry_bundle(&bytes)
            .ok_or_else(|| Error::Proof(format!("{}/{path}: not an entry bundle", src.name())))?;
        for (i, entry) in entries.iter().enumerate() {
            let seq = Seq(n * tiles::WIDTH + 1 + i as u64);
            if seq.0 > upto {
                break;
            }
            let mine = replica.record(seq)?.hash;
            if entry[..] != mine.0[..] {
                let theirs =
                    <[u8; 32]>::try_from(*entry).map(|h| Hash(h).to_string()).unwrap_or_else(|_| "(not a hash)".into());
                return Ok(Some(format!(
                    "seq {seq} differs: this replica accepted it with hash {mine}, and the log now serves {theirs}"
                )));
            }
        }
        n += 1;
    }
    Ok(None)
}

/// The witness's cosignature of a checkpoint `follow` accepted: the note with a
/// `cosignature/v1` line by `skey` at `timestamp` (POSIX seconds) added.
pub fn cosign(replica: &Ledger, skey: &str, timestamp: u64) -> Result<String, Error> {
    let (_, note) = replica
        .accepted_checkpoint()?
        .ok_or_else(|| Error::Input("this replica has accepted no checkpoint yet: run `protokol follow`".into()))?;
    crate::checkpoint::cosign(&note, skey, timestamp).map_err(|e| Error::Input(e.to_string()))
}
