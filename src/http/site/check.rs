//! Checking a document: is this upload approved minutes in the record?

use super::*;
use crate::minutes;
use axum::extract::{Multipart, State};
use std::fmt::Write;

pub(super) fn check_page(lang: Lang, result: &str) -> Response {
    let body = format!(
        "<p>{}</p>\n<form method=\"post\" enctype=\"multipart/form-data\" action=\"/check?lang={}\"><input type=\"file\" id=\"document\" name=\"document\"> <button type=\"submit\" id=\"check\">{}</button></form>\n{result}",
        t(lang, "Vælg et dokument (PDF, Word, tekst) for at se, om det er et godkendt referat i protokollen.", "Choose a document (PDF, Word, text) to see whether it is approved minutes in the record."),
        if lang == Lang::Da { "da" } else { "en" },
        t(lang, "Tjek", "Check"),
    );
    page(lang, t(lang, "Tjek et dokument", "Check a document"), &body)
}

pub(super) async fn check_form(SiteQuery(p): SiteQuery) -> Response {
    check_page(p.lang(), "")
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
    let l = s.read();
    let found = match minutes::find_approved(&l.model(), &bytes) {
        Ok(found) => found,
        Err(e) => return from_error(lang, e),
    };
    let hash = crate::hash::document_hash(&bytes);
    let result = if found.is_empty() {
        format!(
            "<p id=\"result\" class=\"err\">{} <code>{hash}</code></p>\n",
            t(
                lang,
                "Dokumentet svarer ikke til noget godkendt referat i protokollen.",
                "The document matches no approved minutes in the record."
            )
        )
    } else {
        let mut s = format!(
            "<div id=\"result\"><p>{} <code>{hash}</code>:</p>\n<ul>\n",
            t(lang, "Dokumentet er godkendt referat", "The document is approved minutes")
        );
        for a in &found {
            let _ = writeln!(
                s,
                "<li><a href=\"/meetings/{}/{}\">{} {}</a>, {} {}, {} {} (seq {})</li>",
                esc(a.group.as_str()),
                esc(&crate::query::meeting_ref(&a.meeting, a.number, a.meeting_kind).to_string()),
                esc(a.group.as_str()),
                a.number.map(|n| n.to_string()).unwrap_or_default(),
                t(lang, "holdt", "held"),
                a.held,
                t(lang, "godkendt", "approved"),
                a.approved,
                a.seq
            );
        }
        s + "</ul></div>\n"
    };
    check_page(lang, &result)
}
