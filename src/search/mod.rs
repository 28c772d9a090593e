//! Chinese-first full-text search. Chinese text is indexed as overlapping character unigrams and
//! bigrams (嘉鱼县 → 嘉 鱼 县 嘉鱼 鱼县), Latin text as lower-cased words, into a `tsvector`
//! built from those exact lexemes (`array_to_tsvector`, no parser or dictionary in between):
//! title weighted A, summary B, body C, written in the same transaction as the article. A query
//! needs every one of its words: its bigrams (or the character itself, for a one-character word)
//! through the GIN index, then the word as a substring, so 园区 never matches 园 … 区.
//!
//! Relevance: hits whose title holds the words come first (the title has its own document,
//! `search_title`, with its own index and statistics), then the others; newest first within
//! each. Each tier is an index-ordered query, so a word found in half the archive costs as
//! little as a rare one.

use diesel::prelude::*;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use uuid::Uuid;

use crate::error::AppError;

/// Longest accepted query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// At most this many words in a query.
pub const MAX_WORDS: usize = 16;

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F | 0x3040..=0x30FF | 0xAC00..=0xD7AF)
}

/// A run of text of one kind.
#[derive(Debug, PartialEq, Eq)]
enum Run {
    Cjk(Vec<char>),
    Word(String),
}

fn runs(text: &str) -> Vec<Run> {
    let mut out = Vec::new();
    let mut cjk: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush = |cjk: &mut Vec<char>, word: &mut String, out: &mut Vec<Run>| {
        if !cjk.is_empty() {
            out.push(Run::Cjk(std::mem::take(cjk)));
        }
        if !word.is_empty() {
            out.push(Run::Word(std::mem::take(word)));
        }
    };
    for c in text.chars() {
        if is_cjk(c) {
            if !word.is_empty() {
                flush(&mut cjk, &mut word, &mut out);
            }
            cjk.push(c);
        } else if c.is_alphanumeric() {
            if !cjk.is_empty() {
                flush(&mut cjk, &mut word, &mut out);
            }
            word.extend(c.to_lowercase());
        } else {
            flush(&mut cjk, &mut word, &mut out);
        }
    }
    flush(&mut cjk, &mut word, &mut out);
    out
}

/// The lexemes a text is indexed under: every Chinese character and every pair of adjacent
/// ones, and every Latin word (lower-cased, at most 64 bytes).
pub fn index_lexemes(text: &str) -> Vec<String> {
    let (cjk, words) = lexemes(&[(text, 1)]);
    let mut out: Vec<String> = cjk
        .iter()
        .map(|(k, _)| cjk_key_chars(*k).collect())
        .chain(words.into_iter().map(|(w, _)| w))
        .collect();
    out.sort_unstable();
    out
}

/// A Latin word with the flags of the texts it is in.
type Flagged = (String, u8);

/// A Chinese lexeme as a number: the first character in the high half, the second (or 0 for a
/// single character) in the low half; numbers sort as the strings do.
fn cjk_key(first: char, second: Option<char>) -> u64 {
    (u64::from(first) << 32) | second.map_or(0, u64::from)
}

fn cjk_key_chars(key: u64) -> impl Iterator<Item = char> {
    let first = char::from_u32((key >> 32) as u32);
    let second = char::from_u32((key & 0xffff_ffff) as u32).filter(|c| *c != '\0');
    first.into_iter().chain(second)
}

/// The distinct lexemes of several texts, each with the OR of the flags of the texts it is
/// in: Chinese ones as sorted [`cjk_key`]s, Latin words sorted by their text. Numbers sort
/// far faster than strings, which matters for a bulk import of long bodies.
fn lexemes(texts: &[(&str, u8)]) -> (Vec<(u64, u8)>, Vec<Flagged>) {
    let mut cjk = Vec::new();
    let mut words: Vec<Flagged> = Vec::new();
    for (text, flag) in texts {
        for run in runs(text) {
            match run {
                Run::Cjk(chars) => {
                    cjk.extend(chars.iter().map(|c| (cjk_key(*c, None), *flag)));
                    cjk.extend(chars.windows(2).map(|w| (cjk_key(w[0], Some(w[1])), *flag)));
                }
                Run::Word(w) if w.len() <= 64 => words.push((w, *flag)),
                Run::Word(_) => {}
            }
        }
    }
    merge_flags(&mut cjk);
    merge_flags(&mut words);
    (cjk, words)
}

/// Sorts and keeps one of each lexeme, with the OR of its flags.
fn merge_flags<K: Ord>(lexemes: &mut Vec<(K, u8)>) {
    lexemes.sort_unstable();
    lexemes.dedup_by(|later, kept| {
        later.0 == kept.0 && {
            kept.1 |= later.1;
            true
        }
    });
}

/// A parsed `?q=`: the words every hit must contain and the `tsquery` that finds candidates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// Each Chinese run or Latin word, lower-cased.
    pub words: Vec<String>,
    /// `'嘉鱼' & '鱼县' & 'park'`: lexemes quoted for a `::tsquery` cast.
    pub tsquery: String,
}

impl SearchQuery {
    /// `None` for a query without any letter, digit or Chinese character.
    pub fn parse(q: &str) -> Result<Option<SearchQuery>, AppError> {
        if q.chars().count() > MAX_QUERY_CHARS {
            return Err(AppError::BadRequest {
                code: "invalid_parameter",
                detail: format!("q must be at most {MAX_QUERY_CHARS} characters"),
                errors: vec![crate::error::FieldError::new("q", "too long")],
            });
        }
        let mut words = Vec::new();
        let mut lexemes = Vec::new();
        for run in runs(q) {
            match run {
                Run::Cjk(chars) => {
                    if chars.len() == 1 {
                        lexemes.push(chars[0].to_string());
                    } else {
                        lexemes.extend(chars.windows(2).map(|w| w.iter().collect::<String>()));
                    }
                    words.push(chars.into_iter().collect());
                }
                Run::Word(w) => {
                    lexemes.push(w.clone());
                    words.push(w);
                }
            }
        }
        if words.is_empty() {
            return Ok(None);
        }
        if words.len() > MAX_WORDS {
            return Err(AppError::bad_request(
                "invalid_parameter",
                format!("q may have at most {MAX_WORDS} words"),
            ));
        }
        lexemes.sort_unstable();
        lexemes.dedup();
        let tsquery = lexemes
            .iter()
            .map(|l| format!("'{}'", l.replace('\'', "''").replace('\\', "\\\\")))
            .collect::<Vec<_>>()
            .join(" & ");
        Ok(Some(SearchQuery { words, tsquery }))
    }
}

/// The search document of an article in `tsvector` input syntax: every lexeme with its weights
/// (title A, summary B, body C), e.g. `'嘉鱼':1A,1C 'park':1C`. The same text is stored by
/// single writes and by the bulk import.
pub fn document(title: &str, summary: &str, body_text: &str) -> String {
    let (cjk, words) = lexemes(&[(title, 1), (summary, 2), (body_text, 4)]);
    let mut out = String::with_capacity(cjk.len() * 12 + words.len() * 16);
    let mut push = |chars: &mut dyn Iterator<Item = char>, flags: u8| {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push('\'');
        for c in chars {
            match c {
                '\\' => out.push_str("\\\\"),
                '\'' => out.push_str("''"),
                c => out.push(c),
            }
        }
        out.push_str("':");
        let weights = [(1, "1A"), (2, "1B"), (4, "1C")];
        let mut first = true;
        for (bit, w) in weights {
            if flags & bit != 0 {
                if !first {
                    out.push(',');
                }
                out.push_str(w);
                first = false;
            }
        }
    };
    // Both lists are sorted; merged in the order of their text (as PostgreSQL keeps them).
    let (mut c, mut w) = (cjk.into_iter().peekable(), words.into_iter().peekable());
    loop {
        let cjk_first = match (c.peek(), w.peek()) {
            (None, None) => break,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (Some((k, _)), Some((word, _))) => cjk_key_chars(*k).lt(word.chars()),
        };
        if cjk_first {
            let (k, flags) = c.next().unwrap_or_default();
            push(&mut cjk_key_chars(k), flags);
        } else {
            let (word, flags) = w.next().unwrap_or_default();
            push(&mut word.chars(), flags);
        }
    }
    out
}

/// The title's own document (`search_title`), in `tsvector` input syntax.
pub fn title_document(title: &str) -> String {
    document(title, "", "")
}

/// A document in `tsvector` input syntax as the value of a `tsvector` column, so an `INSERT`
/// writes the search documents with the row (`CAST($n AS tsvector)`).
#[derive(Debug, Clone, diesel::query_builder::QueryId)]
pub struct TsvectorValue(pub String);

impl diesel::Expression for TsvectorValue {
    type SqlType = crate::schema::sql_types::Tsvector;
}

impl<QS> diesel::AppearsOnTable<QS> for TsvectorValue {}

impl<QS> diesel::SelectableExpression<QS> for TsvectorValue {}

impl<GB> diesel::expression::ValidGrouping<GB> for TsvectorValue {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl diesel::query_builder::QueryFragment<diesel::pg::Pg> for TsvectorValue {
    fn walk_ast<'b>(
        &'b self,
        mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>,
    ) -> QueryResult<()> {
        out.push_sql("CAST(");
        out.push_bind_param::<Text, _>(&self.0)?;
        out.push_sql(" AS tsvector)");
        Ok(())
    }
}

/// Rewrites the search documents of one article from its title, summary and body text.
pub fn store(
    conn: &mut PgConnection,
    id: Uuid,
    title: &str,
    summary: &str,
    body_text: &str,
) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE articles SET search = $1::tsvector, search_title = $2::tsvector WHERE id = $3",
    )
    .bind::<Text, _>(document(title, summary, body_text))
    .bind::<Text, _>(title_document(title))
    .bind::<SqlUuid, _>(id)
    .execute(conn)
    .map(|_| ())
}

/// Fills the search documents of articles that lack one (rows written before search existed,
/// or loaded by SQL); returns how many were visited.
pub fn reindex_missing(conn: &mut PgConnection) -> QueryResult<usize> {
    use crate::schema::articles;
    let mut done = 0;
    let mut after = Uuid::nil();
    loop {
        let batch: Vec<(Uuid, String, String, String)> = articles::table
            .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                "(search = ''::tsvector OR search_title = ''::tsvector)",
            ))
            .filter(articles::id.gt(after))
            .order(articles::id)
            .select((
                articles::id,
                articles::title,
                articles::summary,
                articles::body_html,
            ))
            .limit(500)
            .load(conn)?;
        let Some(last) = batch.last() else {
            return Ok(done);
        };
        after = last.0;
        for (id, title, summary, body) in &batch {
            store(conn, *id, title, summary, &crate::text::plain_text(body))?;
        }
        done += batch.len();
    }
}

const SNIPPET_BEFORE: usize = 30;
const SNIPPET_LEN: usize = 110;

/// A short extract of `text` around the first hit, HTML-escaped, with every hit in `<mark>`.
/// `None` when no word occurs in `text`.
pub fn highlight(text: &str, words: &[String]) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    let lower: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    if lower.len() != chars.len() {
        // Case folding changed the length (rare letters): match on the text as it is.
        return highlight_exact(&chars, &chars, words);
    }
    highlight_exact(&chars, &lower, words)
}

fn find(hay: &[char], needle: &[char], from: usize) -> Option<usize> {
    if needle.is_empty() || needle.len() > hay.len() {
        return None;
    }
    (from..=hay.len() - needle.len()).find(|&i| hay[i..i + needle.len()] == *needle)
}

fn highlight_exact(chars: &[char], hay: &[char], words: &[String]) -> Option<String> {
    let needles: Vec<Vec<char>> = words.iter().map(|w| w.chars().collect()).collect();
    let first = needles.iter().filter_map(|n| find(hay, n, 0)).min()?;
    let start = first.saturating_sub(SNIPPET_BEFORE);
    let end = (start + SNIPPET_LEN).min(chars.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    let mut i = start;
    while i < end {
        let hit = needles
            .iter()
            .filter(|n| hay[i..].starts_with(n))
            .map(Vec::len)
            .max();
        match hit {
            Some(len) => {
                let stop = (i + len).min(chars.len());
                out.push_str("<mark>");
                out.push_str(&html_escape::encode_text(
                    &chars[i..stop].iter().collect::<String>(),
                ));
                out.push_str("</mark>");
                i = stop;
            }
            None => {
                out.push_str(&html_escape::encode_text(&chars[i].to_string()));
                i += 1;
            }
        }
    }
    if end < chars.len() {
        out.push('…');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexemes_of_chinese_and_latin_text() {
        assert_eq!(
            index_lexemes("嘉鱼县 GDP增长"),
            ["gdp", "县", "嘉", "嘉鱼", "增", "增长", "长", "鱼", "鱼县"]
        );
        assert_eq!(index_lexemes("—，。"), Vec::<String>::new());
    }

    #[test]
    fn documents_weigh_title_summary_and_body() {
        assert_eq!(
            document("嘉鱼", "", "嘉鱼 Park"),
            "'park':1C '嘉':1A,1C '嘉鱼':1A,1C '鱼':1A,1C"
        );
        assert_eq!(document("", "", ""), "");
    }

    #[test]
    fn queries_need_every_word() {
        let q = SearchQuery::parse("园区 招商").unwrap().unwrap();
        assert_eq!(q.words, ["园区", "招商"]);
        assert_eq!(q.tsquery, "'园区' & '招商'");
        let q = SearchQuery::parse("嘉鱼县").unwrap().unwrap();
        assert_eq!(q.tsquery, "'嘉鱼' & '鱼县'");
        let q = SearchQuery::parse("县").unwrap().unwrap();
        assert_eq!(q.tsquery, "'县'");
        let q = SearchQuery::parse("O'Brien Park").unwrap().unwrap();
        assert_eq!(q.words, ["o", "brien", "park"]);
        assert_eq!(SearchQuery::parse("  ，。 ").unwrap(), None);
        assert!(SearchQuery::parse(&"字".repeat(201)).is_err());
    }

    #[test]
    fn highlights_mark_every_hit_and_escape_the_rest() {
        let h = highlight("嘉鱼县<b>产业园区</b>是园区经济", &["园区".to_owned()]).unwrap();
        assert_eq!(
            h,
            "嘉鱼县&lt;b&gt;产业<mark>园区</mark>&lt;/b&gt;是<mark>园区</mark>经济"
        );
        let long = format!("{}园区{}", "甲".repeat(50), "乙".repeat(200));
        let h = highlight(&long, &["园区".to_owned()]).unwrap();
        assert!(h.starts_with('…') && h.ends_with('…'));
        assert!(h.contains("<mark>园区</mark>"));
        assert_eq!(
            highlight("Park and PARK", &["park".to_owned()]).unwrap(),
            "<mark>Park</mark> and <mark>PARK</mark>"
        );
        assert_eq!(highlight("无关", &["园区".to_owned()]), None);
    }
}
