//! The credit-line parser: `咸宁新闻网讯 (记者叶和平 通讯员沈荣华)10日,…` into a source, credits
//! (name, role, affiliation) and the text that follows; `编辑:hefan` into the responsible editor.
//! Pure: no database (matching names to correspondents is [`super::queries`]'s).
//!
//! The text is read as a lead (a dateline, credits in parentheses or not, then the body) and as
//! credit lines (`(通讯员 夏洋 洪秀 周全)`, `编辑:hefan`, a caption's closing `刘建平摄`). Full-width
//! and half-width punctuation are the same to it. Names are told from text by
//! [`super::names`], positions read by [`super::scan`], credits by [`super::credits`].

pub use super::lexicon::is_han;
pub use super::scan::Credit;

use super::scan::{fold, Scanner};

/// What a text credits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// The dateline's publication (`咸宁新闻网`, `本报`, `新华社`).
    pub source: Option<String>,
    pub credits: Vec<Credit>,
    /// The responsible editor, as printed after 编辑 (`hefan`).
    pub editor: Option<String>,
    /// The text after credits that open it (the body of a lead), else empty.
    pub rest: String,
}

/// Parses `text`.
pub fn parse(text: &str) -> Parsed {
    let original: Vec<char> = text.chars().collect();
    let folded: Vec<char> = original.iter().map(|c| fold(*c)).collect();
    let s = Scanner { c: &folded };
    let mut out = Parsed::default();
    let lines = line_ranges(&folded);
    let mut credit_lines = Vec::new();
    let mut rest_from = None;
    for (k, &(start, end)) in lines.iter().enumerate() {
        // The lead: the first line with text, unless it is all credits.
        if k == first_with_text(&folded, &lines) && s.credit_line(start, end).is_none() {
            if let Some(lead) = s.lead(start, end) {
                out.source = lead.source;
                out.credits.extend(lead.credits);
                if lead.editor.is_some() {
                    out.editor = lead.editor;
                }
                if let Some(at) = lead.rest_at {
                    rest_from = Some((k, at));
                }
                continue;
            }
        }
        if let Some(line) = s.credit_line(start, end) {
            if out.source.is_none() {
                out.source = line.source;
            }
            out.credits.extend(line.credits);
            if line.editor.is_some() {
                out.editor = line.editor;
            }
            credit_lines.push(k);
            continue;
        }
        // A caption closing with its credit: `…村民在纺布。刘建平摄(影像咸宁)。`
        if let Some(from) = s.last_sentence(start, end) {
            if let Some(line) = s.credit_line(from, end) {
                out.credits.extend(line.credits);
            }
        }
    }
    if let Some((k, at)) = rest_from {
        let mut parts: Vec<String> = vec![original[at..lines[k].1].iter().collect()];
        for (j, &(start, end)) in lines.iter().enumerate().skip(k + 1) {
            if !credit_lines.contains(&j) {
                parts.push(original[start..end].iter().collect());
            }
        }
        out.rest = parts.join("\n").trim().to_owned();
    }
    out
}

/// `line` when it is credits and nothing else (`(通讯员 夏洋 洪秀 周全)`, `编辑:hefan`,
/// `刘建平摄(影像咸宁)`), else `None` — a caption that ends with a credit is not one.
pub fn credit_line(line: &str) -> Option<Parsed> {
    let folded: Vec<char> = line.chars().map(fold).collect();
    let found = Scanner { c: &folded }.credit_line(0, folded.len())?;
    Some(Parsed {
        source: found.source,
        credits: found.credits,
        editor: found.editor,
        rest: String::new(),
    })
}

fn line_ranges(c: &[char]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, ch) in c.iter().enumerate() {
        if *ch == '\n' {
            out.push((start, i));
            start = i + 1;
        }
    }
    out.push((start, c.len()));
    out
}

fn first_with_text(c: &[char], lines: &[(usize, usize)]) -> usize {
    lines
        .iter()
        .position(|&(s, e)| c[s..e].iter().any(|ch| !ch.is_whitespace()))
        .unwrap_or(0)
}
