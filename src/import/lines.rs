//! The corpus's line formats and their checks: every line is validated as a whole, and a bad one
//! is described (all its problems at once) rather than stored.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use uuid::Uuid;

use super::body::story;
use super::ImportError;
use crate::articles::write::draft::ROLES;
use crate::bylines;
use crate::slug::{is_valid, MAX_ARTICLE_SLUG_LEN};
use crate::{search, text};

#[derive(Debug, Deserialize)]
pub struct NamedLine {
    pub slug: String,
    pub name: String,
    /// Sections: `county` places the section under 县市区 (`xianshiqu`) when first imported.
    #[serde(default)]
    pub kind: Option<String>,
    /// Sections: an explicit parent slug.
    #[serde(default)]
    pub parent: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Credit {
    slug: String,
    role: String,
}

#[derive(Debug, Deserialize)]
struct ArticleLine {
    slug: String,
    title: String,
    #[serde(default)]
    summary: Option<String>,
    /// HTML; or `body_text`, the page's plain text.
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    body_text: Option<String>,
    section: String,
    #[serde(default)]
    contributors: Vec<Credit>,
    /// The byline as printed, instead of `contributors`.
    #[serde(default)]
    byline_text: Option<String>,
    /// The responsible editor as printed (`hefan`): a staff account's display name or email
    /// local part.
    #[serde(default)]
    editor_text: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    status: String,
    #[serde(default)]
    published_at: Option<String>,
}

/// The first text of a line (a field other than those in `cleaned`, whose HTML the sanitiser
/// cleans) holding a character XML cannot carry: `title contains U+000B at character 3`.
pub fn xml_unsafe_text(line: &serde_json::Value, cleaned: &[&str]) -> Option<String> {
    fn walk(v: &serde_json::Value, path: &str) -> Option<String> {
        match v {
            serde_json::Value::String(s) => text::first_xml_unsafe(s)
                .map(|at| format!("{path} contains {at}, which XML cannot carry")),
            serde_json::Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, v)| walk(v, &format!("{path}[{i}]"))),
            serde_json::Value::Object(fields) => fields.iter().find_map(|(k, v)| {
                let path = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(v, &path)
            }),
            _ => None,
        }
    }
    match line {
        serde_json::Value::Object(fields) => fields
            .iter()
            .filter(|(k, _)| !cleaned.contains(&k.as_str()))
            .find_map(|(k, v)| walk(v, k)),
        other => walk(other, ""),
    }
}

/// The non-blank lines of `dir/file`, numbered from 1.
pub fn lines(dir: &Path, file: &str) -> Result<Vec<(usize, String)>, ImportError> {
    let path = dir.join(file);
    let f = std::fs::File::open(&path).map_err(|e| ImportError::read(&path, None, e))?;
    BufReader::new(f)
        .lines()
        .enumerate()
        .filter(|(_, l)| l.as_ref().map_or(true, |l| !l.trim().is_empty()))
        .map(|(i, l)| {
            l.map(|l| (i + 1, l))
                .map_err(|e| ImportError::read(&path, Some(i + 1), e))
        })
        .collect()
}

/// One article ready to insert.
pub struct Row {
    /// `editor` credits left out of the byline.
    pub editor_credits: usize,
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub body_html: String,
    pub section_id: Uuid,
    pub status: String,
    pub published_at: Option<DateTime<Utc>>,
    pub char_count: i32,
    pub search: search::TsvectorValue,
    pub search_title: search::TsvectorValue,
    pub byline: Vec<(Uuid, String)>,
    /// Credits read from `byline_text` or the text, matched (or created) by the writer.
    pub printed: Vec<bylines::Credit>,
    /// `byline_text` was sent but credits nobody.
    pub unread_byline: bool,
    pub editor_text: Option<String>,
    /// The staff account `editor_text` names, found by the writer.
    pub editor_id: Option<Uuid>,
    pub source: Option<String>,
    pub tags: Vec<Uuid>,
}

/// Checks one line of `articles.jsonl` and turns it into a row (sanitised HTML, search
/// documents); the problems of a bad line, joined.
pub fn article(
    line: &str,
    sections: &HashMap<String, Uuid>,
    people: &HashMap<String, Uuid>,
    tags: &HashMap<String, Uuid>,
) -> Result<Row, String> {
    let raw: serde_json::Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    // Text that would break feeds is refused; the body's HTML is cleaned of it instead.
    if let Some(problem) = xml_unsafe_text(&raw, &["body"]) {
        return Err(problem);
    }
    let a: ArticleLine = serde_json::from_value(raw).map_err(|e| e.to_string())?;
    let mut problems = Vec::new();
    if !is_valid(&a.slug, MAX_ARTICLE_SLUG_LEN) {
        problems.push(format!(
            "slug {:?} is not [a-z0-9]+(-[a-z0-9]+)* of at most 128 characters",
            a.slug
        ));
    }
    let title = a.title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 200 {
        problems.push("title must have 1–200 characters".to_owned());
    }
    let section_id = sections.get(&a.section).copied();
    if section_id.is_none() {
        problems.push(format!("unknown section {:?}", a.section));
    }
    let mut byline = Vec::new();
    let mut editor_credits = 0;
    for c in &a.contributors {
        match people.get(&c.slug) {
            // 编辑 is the article's responsible staff editor, not a byline credit.
            Some(_) if c.role == "editor" => editor_credits += 1,
            None => problems.push(format!("unknown contributor {:?}", c.slug)),
            Some(_) if !ROLES.contains(&c.role.as_str()) => {
                problems.push(format!("unknown role {:?}", c.role))
            }
            Some(id) if byline.contains(&(*id, c.role.clone())) => {
                problems.push(format!("{} credited twice", c.slug))
            }
            Some(id) => byline.push((*id, c.role.clone())),
        }
    }
    let mut tag_ids = Vec::new();
    for t in &a.tags {
        match tags.get(t) {
            None => problems.push(format!("unknown tag {t:?}")),
            Some(id) if !tag_ids.contains(id) => tag_ids.push(*id),
            Some(_) => {}
        }
    }
    let published_at = match a.published_at.as_deref().map(DateTime::parse_from_rfc3339) {
        None => None,
        Some(Ok(t)) => Some(t.with_timezone(&Utc)),
        Some(Err(_)) => {
            problems.push("published_at is not RFC 3339".to_owned());
            None
        }
    };
    match (a.status.as_str(), published_at) {
        ("published", Some(_)) | ("draft", _) => {}
        ("published", None) => problems.push("a published article needs published_at".to_owned()),
        (other, _) => problems.push(format!("status {other:?} is neither published nor draft")),
    }
    if !a.contributors.is_empty() && a.byline_text.is_some() {
        problems.push("contributors or byline_text, not both".to_owned());
    }
    let read = match (&a.body, &a.body_text) {
        (Some(_), Some(_)) => {
            problems.push("body or body_text, not both".to_owned());
            None
        }
        (None, None) => {
            problems.push("body or body_text is required".to_owned());
            None
        }
        (None, Some(t)) => Some(story(t)),
        (Some(_), None) => None,
    };
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    let (body_source, mut printed, editor_in_text) = match &read {
        Some(s) => (s.body_html.as_str(), s.credits.clone(), s.editor.clone()),
        None => (a.body.as_deref().unwrap_or_default(), vec![], None),
    };
    let body_html = text::sanitize_html(body_source);
    let mut unread_byline = false;
    if let Some(t) = a.byline_text.as_deref().filter(|t| !t.trim().is_empty()) {
        printed = bylines::parse(t).credits;
        unread_byline = printed.is_empty();
    }
    if !a.contributors.is_empty() {
        printed.clear();
    }
    let summary = a
        .summary
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| text::derive_summary(&body_html));
    let body_text = text::plain_text(&body_html);
    Ok(Row {
        editor_credits,
        id: Uuid::now_v7(),
        search: search::document(&title, &summary, &body_text),
        search_title: search::title_document(&title),
        char_count: text::char_count(&body_html),
        slug: a.slug,
        title,
        summary: summary.chars().take(1000).collect(),
        body_html,
        section_id: section_id.unwrap_or_default(),
        published_at: if a.status == "published" {
            published_at
        } else {
            None
        },
        status: a.status,
        byline,
        printed,
        unread_byline,
        editor_id: None,
        editor_text: a
            .editor_text
            .map(|e| e.trim().to_owned())
            .filter(|e| !e.is_empty())
            .or(editor_in_text),
        source: a
            .source
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .or(read.and_then(|r| r.source)),
        tags: tag_ids,
    })
}
