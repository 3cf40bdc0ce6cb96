//! The commands that read: the log, the queries of the record, minutes and their check.

use super::{emit, render, say, AsOf, Context};
use crate::error::Error;
use crate::hash;
use crate::ids::{GroupId, MeetingRef, PersonId, Seq};
use crate::ledger::{KnownAt, Ledger};
use crate::minutes::{self, Format, Lang};
use crate::query::{self, ActionState, DecisionFilter};
use std::path::{Path, PathBuf};

pub(super) fn log(path: &Path, ctx: &mut Context, after: u64, limit: usize, json: bool) -> Result<(), Error> {
    let ledger = Ledger::open(path)?;
    let model = ledger.model();
    let entries = ledger.entries_after(Seq(after), limit)?;
    // An erased event shows that it was erased, by which seq and why; its body shows the
    // replacement, or nothing.
    let mut erased = Vec::with_capacity(entries.len());
    for e in &entries {
        erased.push(model.erasure(e.seq)?);
    }
    let kind = |e: &crate::model::Entry| match &e.event {
        crate::event::Event::Erased(x) => x.kind.clone(),
        event => event.kind().to_string(),
    };
    if json {
        let rows: Vec<_> = entries
            .iter()
            .zip(&erased)
            .map(|(e, x)| {
                let mut row = serde_json::json!({"seq": e.seq, "recorded_at": e.recorded_at, "effective": e.effective, "recorded_by": e.recorded_by, "kind": kind(e)});
                match x {
                    Some(x) => row["erased"] = serde_json::json!({"by": x.seq, "reason": x.reason, "replaced": x.replaced}),
                    None => row["body"] = e.event.body_value(),
                }
                if x.as_ref().is_some_and(|x| x.replaced) {
                    row["body"] = e.event.body_value();
                }
                row
            })
            .collect();
        return emit(ctx, true, &rows, |_| String::new());
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .zip(&erased)
        .map(|(e, x)| {
            let shown = match x {
                Some(x) => format!("{} (erased by seq {}: {})", kind(e), x.seq, x.reason),
                None => kind(e),
            };
            vec![e.seq.to_string(), e.recorded_at.to_string(), e.effective.to_string(), e.recorded_by.clone(), shown]
        })
        .collect();
    say(ctx, render::table(&["seq", "recorded_at", "effective", "recorded_by", "kind"], &rows).trim_end())
}

pub(super) fn groups(path: &Path, ctx: &mut Context, asof: &AsOf) -> Result<(), Error> {
    let ledger = Ledger::open(path)?;
    let h = asof.state(&ledger)?;
    let rows = query::groups(&h, asof.at.unwrap_or(ctx.now.date_naive()))?;
    emit(ctx, asof.json, &rows, |r| render::groups(r))
}

pub(super) fn members(path: &Path, ctx: &mut Context, group: &GroupId, asof: &AsOf) -> Result<(), Error> {
    let ledger = Ledger::open(path)?;
    let h = asof.state(&ledger)?;
    let c = query::composition(&h, group, asof.at.unwrap_or(ctx.now.date_naive()))?;
    emit(ctx, asof.json, &c, render::composition)
}

pub(super) fn timeline(path: &Path, ctx: &mut Context, group: &GroupId, asof: &AsOf) -> Result<(), Error> {
    let ledger = Ledger::open(path)?;
    let h = asof.state(&ledger)?;
    let t = query::timeline(&h, group)?;
    emit(ctx, asof.json, &t, |t| render::intervals(&format!("{} ({})", t.name, t.group), &t.intervals))
}

pub(super) fn search(path: &Path, ctx: &mut Context, q: &str, asof: &AsOf) -> Result<(), Error> {
    let ledger = Ledger::open(path)?;
    let h = asof.state(&ledger)?;
    let hits = query::search(&h, q, asof.at.unwrap_or(ctx.now.date_naive()))?;
    emit(ctx, asof.json, &hits, |hits| {
        let rows: Vec<Vec<String>> = hits
            .iter()
            .map(|x| {
                let text: String = x.text.chars().take(80).collect();
                let item = x.item.map(|i| i.to_string()).unwrap_or_default();
                vec![x.date.to_string(), crate::event::name_of(&x.kind), x.link.clone(), item, text]
            })
            .collect();
        render::table(&["date", "kind", "where", "item", "text"], &rows)
    })
}

pub(super) fn affiliations(path: &Path, ctx: &mut Context, group: &GroupId, asof: &AsOf) -> Result<(), Error> {
    let ledger = Ledger::open(path)?;
    let h = asof.state(&ledger)?;
    let c = query::affiliation_counts(&h, group, asof.at.unwrap_or(ctx.now.date_naive()))?;
    emit(ctx, asof.json, &c, render::affiliations)
}

pub(super) fn history(path: &Path, ctx: &mut Context, person: &str, asof: &AsOf) -> Result<(), Error> {
    let ledger = Ledger::open(path)?;
    let h = asof.state(&ledger)?;
    // An id, or else a name the person goes by: one identity under all its names.
    let id = match person.parse::<PersonId>() {
        Ok(id) if h.person(&id)?.is_some() => id,
        _ => match query::people_named(&h, person)?.as_slice() {
            [(id, _)] => id.clone(),
            [] => return Err(Error::NotFound(format!("no person with the id or name {person:?}"))),
            several => {
                let ids = several.iter().map(|(id, n)| format!("{id} ({n})")).collect::<Vec<_>>().join(", ");
                return Err(Error::NotFound(format!("{person:?} names several people: {ids}; give an id")));
            }
        },
    };
    let p = query::person_history(&h, &id)?;
    emit(ctx, asof.json, &p, |p| render::intervals(&p.name, &p.memberships))
}

pub(super) fn decisions(path: &Path, ctx: &mut Context, filter: &DecisionFilter, asof: &AsOf) -> Result<(), Error> {
    let ledger = Ledger::open(path)?;
    let h = asof.state(&ledger)?;
    let rows = query::decisions(&h, filter, asof.at.unwrap_or(ctx.now.date_naive()))?;
    emit(ctx, asof.json, &rows, |r| render::decisions(r))
}

pub(super) fn actions(path: &Path, ctx: &mut Context, open: bool, asof: &AsOf) -> Result<(), Error> {
    let ledger = Ledger::open(path)?;
    let h = asof.state(&ledger)?;
    let mut rows = query::actions(&h, asof.at.unwrap_or(ctx.now.date_naive()))?;
    if open {
        rows.retain(|a| a.state != ActionState::Done);
    }
    emit(ctx, asof.json, &rows, |r| render::actions(r))
}

pub(super) fn meeting(
    path: &Path,
    ctx: &mut Context,
    group: &GroupId,
    number: &MeetingRef,
    asof: &AsOf,
) -> Result<(), Error> {
    let ledger = Ledger::open(path)?;
    let h = asof.state(&ledger)?;
    let r = query::meeting_record(&h, group, number, asof.at.unwrap_or(ctx.now.date_naive()))?;
    emit(ctx, asof.json, &r, render::meeting)
}

#[allow(clippy::too_many_arguments)]
pub(super) fn minutes(
    path: &Path,
    ctx: &mut Context,
    group: &GroupId,
    number: &MeetingRef,
    lang: Lang,
    format: Format,
    out: Option<PathBuf>,
    known_at: Option<KnownAt>,
) -> Result<(), Error> {
    let ledger = Ledger::open(path)?;
    let h = ledger.known_at(known_at)?;
    let text = minutes::render_meeting(&h, group, number, lang, format)?;
    match out {
        Some(file) => {
            std::fs::write(&file, &text).map_err(|e| Error::Input(format!("{}: {e}", file.display())))?;
            say(ctx, &format!("wrote {} ({})", file.display(), hash::document_hash(text.as_bytes())))
        }
        None => ctx.out.write_all(text.as_bytes()).map_err(|e| Error::Input(format!("writing output: {e}"))),
    }
}

pub(super) fn verify_minutes(
    path: &Path,
    ctx: &mut Context,
    file: Option<PathBuf>,
    rendered: Option<Vec<String>>,
) -> Result<(), Error> {
    let ledger = Ledger::open(path)?;
    let m = &ledger.model();
    match (file, rendered) {
        (Some(file), _) => {
            let bytes = std::fs::read(&file).map_err(|e| Error::Input(format!("{}: {e}", file.display())))?;
            let found = minutes::find_approved(m, &bytes)?;
            let Some(a) = found.first() else {
                return Err(Error::NoMatch(format!(
                    "{} ({}) matches no approved minutes in the ledger",
                    file.display(),
                    hash::document_hash(&bytes)
                )));
            };
            say(ctx, &format!("{} ({}) is {a}", file.display(), a.document_hash))
        }
        (None, Some(gn)) => {
            let group: GroupId = gn[0].parse().map_err(|e| Error::Input(format!("--rendered: group: {e}")))?;
            let number: MeetingRef = gn[1].parse().map_err(|e| Error::Input(format!("--rendered: {e}")))?;
            say(ctx, &minutes::check_rendered(m, &group, &number)?)
        }
        (None, None) => Err(Error::Input("name a FILE or --rendered GROUP NUMBER".into())),
    }
}
