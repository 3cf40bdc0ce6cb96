//! The two writers of a document: Markdown and HTML, each escaping every text it is given.

use super::document::Block;
use super::Lang;

pub(super) fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes text for HTML element content and attribute values.
pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

pub(super) fn to_markdown(doc: &[Block]) -> String {
    let mut out = String::new();
    for b in doc {
        match b {
            Block::Title(t) => out += &format!("# {}\n\n", md_escape(t)),
            Block::Field(label, lines) if lines.len() == 1 => {
                out += &format!("**{}:** {}\n\n", md_escape(label), md_escape(&lines[0]))
            }
            Block::Field(label, lines) => {
                out += &format!("**{}:**\n\n", md_escape(label));
                for l in lines {
                    out += &format!("- {}\n", md_escape(l));
                }
                out += "\n";
            }
            Block::Lines(label, lines) => {
                let lines: Vec<String> = lines.iter().map(|l| md_escape(l)).collect();
                out += &format!("**{}:** {}\n\n", md_escape(label), lines.join("  \n"))
            }
            Block::Heading(h) | Block::ItemHeading(_, h) => out += &format!("## {}\n\n", md_escape(h)),
            Block::Para(p) => out += &format!("{}\n\n", p.lines().map(md_escape).collect::<Vec<_>>().join("  \n")),
            Block::List(items) => {
                for i in items {
                    out += &format!("- {}\n", md_escape(i));
                }
                out += "\n";
            }
            Block::LabelledAgenda(items) => {
                for (_, i) in items {
                    out += &format!("- {}\n", md_escape(i));
                }
                out += "\n";
            }
            Block::Numbered(items) => {
                for (n, t) in items {
                    out += &format!("{n}. {}\n", md_escape(t));
                }
                out += "\n";
            }
            Block::Label(l) => out += &format!("**{}**\n\n", md_escape(l)),
        }
    }
    out.trim_end().to_string() + "\n"
}

pub(super) fn to_html(doc: &[Block], lang: Lang) -> String {
    let title = doc.iter().find_map(|b| if let Block::Title(t) = b { Some(t.as_str()) } else { None }).unwrap_or("");
    format!(
        "<!doctype html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n</head>\n<body>\n{}</body>\n</html>\n",
        if lang == Lang::Da { "da" } else { "en" },
        html_escape(title),
        html_blocks(doc, false)
    )
}

/// The blocks as HTML; `linked`, for the site, the agenda's entries link to their items
/// (the minutes as approved are written without: their bytes are what a document is
/// checked against).
pub(super) fn html_blocks(doc: &[Block], linked: bool) -> String {
    let entry = |n: &u32, text: &str| match linked {
        true => format!("<a href=\"#item-{n}\">{}</a>", html_escape(text)),
        false => html_escape(text),
    };
    let mut out = String::new();
    for b in doc {
        match b {
            Block::Title(t) => out += &format!("<h1>{}</h1>\n", html_escape(t)),
            Block::Field(label, lines) if lines.len() == 1 => {
                out += &format!("<p><strong>{}:</strong> {}</p>\n", html_escape(label), html_escape(&lines[0]))
            }
            Block::Field(label, lines) => {
                out += &format!("<p><strong>{}:</strong></p>\n<ul>\n", html_escape(label));
                for l in lines {
                    out += &format!("<li>{}</li>\n", html_escape(l));
                }
                out += "</ul>\n";
            }
            Block::Lines(label, lines) => {
                let lines: Vec<String> = lines.iter().map(|l| html_escape(l)).collect();
                out += &format!("<p><strong>{}:</strong> {}</p>\n", html_escape(label), lines.join("<br>\n"))
            }
            Block::Heading(h) => out += &format!("<h2>{}</h2>\n", html_escape(h)),
            Block::ItemHeading(n, h) if linked => out += &format!("<h2 id=\"item-{n}\">{}</h2>\n", html_escape(h)),
            Block::ItemHeading(_, h) => out += &format!("<h2>{}</h2>\n", html_escape(h)),
            Block::Para(p) => {
                out += &format!("<p>{}</p>\n", p.lines().map(html_escape).collect::<Vec<_>>().join("<br>\n"))
            }
            Block::List(items) => {
                out += "<ul>\n";
                for i in items {
                    out += &format!("<li>{}</li>\n", html_escape(i));
                }
                out += "</ul>\n";
            }
            Block::LabelledAgenda(items) => {
                out += "<ul>\n";
                for (n, i) in items {
                    out += &format!("<li>{}</li>\n", entry(n, i));
                }
                out += "</ul>\n";
            }
            Block::Numbered(items) => {
                out += "<ol>\n";
                for (n, t) in items {
                    out += &format!("<li value=\"{n}\">{}</li>\n", entry(n, t));
                }
                out += "</ol>\n";
            }
            Block::Label(l) => out += &format!("<p><strong>{}</strong></p>\n", html_escape(l)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_makes_markup_inert() {
        assert_eq!(html_escape("<script>alert('x')</script>"), "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
        assert_eq!(md_escape("*a* [b](c)"), "\\*a\\* \\[b\\](c)");
    }
}
