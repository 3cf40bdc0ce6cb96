//! The search index kept in the projection: each word of a text a person may look for
//! (decisions, items, agenda titles, actions, names), folded and stemmed, under
//! `srch/STEM/SUBJECT`. The index proposes; the query confirms against the current text,
//! so a corrected or changed text is never found by its old words.

use super::keys::key;
use super::Model;
use crate::event::Event;
use crate::kv::ReadError;
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

/// Whether every one of `wanted` begins some word of `text` (after folding): how a hit
/// proposed by the index is confirmed against the text as it stands.
pub fn matches(text: &str, wanted: &BTreeSet<String>) -> bool {
    let have = stems(text);
    wanted.iter().all(|w| have.iter().any(|h| h.starts_with(w.as_str())))
}

impl Model {
    /// Puts the words of an event's texts in the search index, each under what it is
    /// the text of.
    pub(super) fn index(&mut self, event: &Event) -> Result<(), ReadError> {
        match event {
            Event::OrganisationRegistered(e) => {
                let text = format!("{} {}", e.name, e.short_name.as_deref().unwrap_or_default());
                self.index_text(&format!("org/{}", e.organisation), &text)
            }
            Event::PersonRegistered(e) => self.index_text(&format!("person/{}", e.person), &e.name),
            Event::PersonRenamed(e) => self.index_text(&format!("person/{}", e.person), &e.name),
            Event::PersonAliasRecorded(e) => self.index_text(&format!("person/{}", e.person), &e.alias),
            Event::AgendaSet(e) => {
                for it in &e.items {
                    self.index_text(&format!("title/{}/{}", e.meeting, it.number), &it.title)?;
                }
                Ok(())
            }
            Event::ItemMinuted(e) => self.index_text(&format!("item/{}/{}", e.meeting, e.item), &e.text),
            Event::DecisionRecorded(e) => {
                self.index_text(&format!("dec/{}", e.decision), &format!("{} {}", e.text, e.conditions.join(" ")))
            }
            Event::ActionAssigned(e) => self.index_text(&format!("act/{}", e.action), &e.description),
            _ => Ok(()),
        }
    }

    /// Indexes `text` under `subject` (`dec/ID`, `item/MEETING/ITEM`, ...).
    pub(super) fn index_text(&mut self, subject: &str, text: &str) -> Result<(), ReadError> {
        for s in stems(text) {
            self.mark(key(&["srch", &s, subject]))?;
        }
        Ok(())
    }

    /// The subjects with a word that begins with `stem`, each once.
    pub fn subjects_with(&self, stem: &str) -> Result<BTreeSet<String>, ReadError> {
        let mut out = BTreeSet::new();
        for item in self.kv.scan_iter(&[b"srch/", stem.as_bytes()].concat()) {
            let (k, _) = item?;
            let k = String::from_utf8_lossy(&k[5..]).into_owned();
            if let Some((_, subject)) = k.split_once('/') {
                out.insert(subject.to_string());
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
