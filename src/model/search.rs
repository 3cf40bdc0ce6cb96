//! The search index kept in the projection: each word of a text a person may look for
//! (decisions, items, agenda titles, actions, names), folded and stemmed, under
//! `srch/STEM/DATE/SUBJECT`, so that a word's subjects are read in the order a search
//! shows them (by date) and a search stops at its page; and each stem once under
//! `srchw/STEM`, so that the stems a word begins are found without reading their
//! subjects. The index proposes; the query confirms against the current text, so a
//! corrected or changed text is never found by its old words.

use super::keys::key;
use super::Model;
use crate::event::Event;
use crate::kv::ReadError;
use chrono::NaiveDate;
use std::collections::BTreeSet;

/// Longest word indexed, in characters: longer runs are not words people search for.
const WORD_CHARS_MAX: usize = 40;

/// Danish endings taken off a word, longest first, when at least three letters remain:
/// "beslutningerne", "beslutningen" and "beslutninger" are all "beslutning".
const ENDINGS: &[&str] = &["ernes", "erne", "enes", "ene", "ens", "ers", "er", "en", "et", "es", "e", "s"];

/// The words of a text as the index keeps them: lowercase (æ, ø, å kept), split at
/// anything that is not a letter or a digit, each stemmed; each once.
pub fn stems(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && w.chars().count() <= WORD_CHARS_MAX)
        .map(|w| stem(&w.to_lowercase()))
        .collect()
}

fn stem(word: &str) -> String {
    for ending in ENDINGS {
        if let Some(rest) = word.strip_suffix(ending) {
            if rest.chars().count() >= 3 {
                return rest.to_string();
            }
        }
    }
    word.to_string()
}

/// Whether every one of `wanted` begins some word of `text` (after folding), or, for a
/// number, is one: how a hit proposed by the index is confirmed against the text as it
/// stands. "punkt 7" is item 7, not 70.
pub fn matches(text: &str, wanted: &BTreeSet<String>) -> bool {
    let have = stems(text);
    wanted.iter().all(|w| have.iter().any(|h| if is_number(w) { h == w } else { h.starts_with(w.as_str()) }))
}

/// A word of digits alone, which a search takes as it is, not as the start of longer ones.
pub fn is_number(word: &str) -> bool {
    word.chars().all(|c| c.is_ascii_digit())
}

impl Model {
    /// Puts the words of an event's texts in the search index, each under what it is
    /// the text of, on the day it belongs to (its meeting's, or the event's own).
    pub(super) fn index(&mut self, entry: &super::Entry) -> Result<(), ReadError> {
        let on_meeting = |m: &Model, meeting: &crate::ids::MeetingId| -> Result<NaiveDate, ReadError> {
            Ok(m.meeting_head(meeting)?.map_or(entry.date(), |mt| mt.date()))
        };
        let day = entry.date();
        match &entry.event {
            Event::OrganisationRegistered(e) => {
                let text = format!("{} {}", e.name, e.short_name.as_deref().unwrap_or_default());
                self.index_text(&format!("org/{}", e.organisation), day, &text)
            }
            Event::PersonRegistered(e) => self.index_text(&format!("person/{}", e.person), day, &e.name),
            Event::PersonRenamed(e) => self.index_text(&format!("person/{}", e.person), day, &e.name),
            Event::PersonAliasRecorded(e) => self.index_text(&format!("person/{}", e.person), day, &e.alias),
            Event::AgendaSet(e) => {
                let day = on_meeting(self, &e.meeting)?;
                for it in &e.items {
                    self.index_text(&format!("title/{}/{}", e.meeting, it.number), day, &it.title)?;
                }
                Ok(())
            }
            Event::ItemMinuted(e) => {
                let day = on_meeting(self, &e.meeting)?;
                self.index_text(&format!("item/{}/{}", e.meeting, e.item), day, &e.text)
            }
            Event::DecisionRecorded(e) => {
                let day = on_meeting(self, &e.meeting)?;
                let text = format!("{} {}", e.text, e.conditions.join(" "));
                self.index_text(&format!("dec/{}", e.decision), day, &text)
            }
            Event::ActionAssigned(e) => {
                let day = on_meeting(self, &e.meeting)?;
                self.index_text(&format!("act/{}", e.action), day, &e.description)
            }
            _ => Ok(()),
        }
    }

    /// Indexes `text` under `subject` (`dec/ID`, `item/MEETING/ITEM`, ...) on `day`.
    pub(super) fn index_text(&mut self, subject: &str, day: NaiveDate, text: &str) -> Result<(), ReadError> {
        let day = day.format("%Y-%m-%d").to_string();
        for s in stems(text) {
            self.mark(key(&["srch", &s, &day, subject]))?;
            if self.kv.get(&key(&["srchw", &s]))?.is_none() {
                self.mark(key(&["srchw", &s]))?;
            }
        }
        Ok(())
    }

    /// The stems that begin with `prefix`, in order.
    pub fn stems_beginning(&self, prefix: &str) -> Result<Vec<String>, ReadError> {
        let mut out = Vec::new();
        for item in self.kv.scan_iter(&[b"srchw/", prefix.as_bytes()].concat()) {
            let (k, _) = item?;
            out.push(String::from_utf8_lossy(&k[6..]).into_owned());
        }
        Ok(out)
    }

    /// The subjects of one stem, by date (then subject), as `(DATE/SUBJECT)` read lazily.
    pub fn postings<'a>(&'a self, stem: &str) -> impl Iterator<Item = Result<String, ReadError>> + 'a {
        let prefix = key(&["srch", stem, ""]);
        let skip = prefix.len();
        self.kv.scan_iter(&prefix).map(move |item| item.map(|(k, _)| String::from_utf8_lossy(&k[skip..]).into_owned()))
    }

    /// Whether `stem` is indexed under `posting` (`DATE/SUBJECT`).
    pub fn has_posting(&self, stem: &str, posting: &str) -> Result<bool, ReadError> {
        Ok(self.kv.get(&[key(&["srch", stem, ""]), posting.as_bytes().to_vec()].concat())?.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_is_found_as_it_is_and_a_word_as_the_start_of_longer_ones() {
        let wanted = |q: &str| stems(q);
        assert!(matches("Punkt 7: status", &wanted("punkt 7")));
        assert!(!matches("Punkt 70: status", &wanted("punkt 7")), "item 70 is not item 7");
        assert!(matches("Udvalgsformanden", &wanted("udvalg")));
    }

    #[test]
    fn words_are_folded_and_stemmed_danish_endings_off() {
        let s = stems("Beslutningerne om Real World Data, Æblerne og ØKONOMIEN");
        for w in ["beslutning", "real", "world", "data", "æbl", "økonomi", "om", "og"] {
            assert!(s.contains(w), "{w} in {s:?}");
        }
        let wanted = stems("beslutningen real-world");
        assert!(matches("Beslutninger om Real World Data", &wanted));
        assert!(!matches("Beslutninger om data", &wanted));
    }
}
