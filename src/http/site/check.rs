//! Checking a document: is this upload approved minutes in the record?

use super::*;
use crate::minutes;
use axum::extract::{Multipart, State};

pub(super) fn check_page(lang: Lang, result: Markup) -> Response {
    let body = html! {
        p { (t(lang, "Vælg et dokument (PDF, Word, tekst) for at se, om det er et godkendt referat i protokollen.", "Choose a document (PDF, Word, text) to see whether it is approved minutes in the record.")) }
        form method="post" enctype="multipart/form-data" action={ "/check?lang=" (code(lang)) } {
            input type="file" id="document" name="document";
            " "
            button type="submit" id="check" { (t(lang, "Tjek", "Check")) }
        }
        (result)
    };
    page(lang, t(lang, "Tjek et dokument", "Check a document"), body)
}

pub(super) async fn check_form(SiteQuery(p): SiteQuery) -> Response {
    check_page(p.lang(), html! {})
}

pub(super) async fn check_upload(State(s): State<AppState>, SiteQuery(p): SiteQuery, mut form: Multipart) -> Response {
    let lang = p.lang();
    let mut bytes = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) if field.name() == Some("document") => match field.bytes().await {
                Ok(b) => bytes = Some(b),
                Err(e) => return error(lang, e.status(), &e.body_text()),
            },
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => return error(lang, e.status(), &e.body_text()),
        }
    }
    let Some(bytes) = bytes else {
        return error(lang, StatusCode::BAD_REQUEST, t(lang, "Intet dokument", "No document"));
    };
    let l = match s.read() {
        Ok(l) => l,
        Err(e) => return from_error(lang, e),
    };
    let found = match minutes::find_approved(&l.model(), &bytes) {
        Ok(found) => found,
        Err(e) => return from_error(lang, e),
    };
    let hash = crate::hash::document_hash(&bytes).to_string();
    let result = html! {
        @if found.is_empty() {
            p id="result" class="err" {
                (t(lang, "Dokumentet svarer ikke til noget godkendt referat i protokollen.", "The document matches no approved minutes in the record."))
                " " code { (hash) }
            }
        } @else {
            div id="result" {
                p { (t(lang, "Dokumentet er godkendt referat", "The document is approved minutes")) " " code { (hash) } ":" }
                ul {
                    @for a in &found {
                        li {
                            a href={ "/meetings/" (a.group) "/" (crate::query::meeting_ref(&a.meeting, a.number, a.meeting_kind)) } {
                                (a.group) " " (a.number.map(|n| n.to_string()).unwrap_or_default())
                            }
                            ", " (t(lang, "holdt", "held")) " " (a.held) ", " (t(lang, "godkendt", "approved")) " " (a.approved) " (seq " (a.seq) ")"
                        }
                    }
                }
            }
        }
    };
    check_page(lang, result)
}
