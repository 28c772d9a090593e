//! A reader's `?q=`: its words, every one of which a hit must contain, and the `tsquery` that
//! finds the candidates through the GIN index.

use super::tokenize::{runs, Run};
use crate::error::AppError;

/// Longest accepted query, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// At most this many words in a query.
pub const MAX_WORDS: usize = 16;

/// A parsed `?q=`: the words every hit must contain and the `tsquery` that finds candidates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    /// Each Chinese run or Latin word, lower-cased.
    pub words: Vec<String>,
    /// The Chinese words of three or more characters: all their bigrams may be in a text
    /// without the word (簰洲 … 洲湾), so a hit must hold the word itself too. (The lexeme of a
    /// shorter word or a Latin word is the word.)
    pub spans: Vec<String>,
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
        let mut spans = Vec::new();
        let mut lexemes = Vec::new();
        for run in runs(q) {
            match run {
                Run::Cjk(chars) => {
                    if chars.len() == 1 {
                        lexemes.push(chars[0].to_string());
                    } else {
                        lexemes.extend(chars.windows(2).map(|w| w.iter().collect::<String>()));
                    }
                    let word: String = chars.iter().collect();
                    if chars.len() >= 3 {
                        spans.push(word.clone());
                    }
                    words.push(word);
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
        Ok(Some(SearchQuery {
            words,
            spans,
            tsquery,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_need_every_word() {
        let q = SearchQuery::parse("园区 招商").unwrap().unwrap();
        assert_eq!(q.words, ["园区", "招商"]);
        assert_eq!(q.tsquery, "'园区' & '招商'");
        assert!(q.spans.is_empty());
        let q = SearchQuery::parse("嘉鱼县 park").unwrap().unwrap();
        assert_eq!(q.tsquery, "'park' & '嘉鱼' & '鱼县'");
        assert_eq!(q.spans, ["嘉鱼县"]);
        let q = SearchQuery::parse("县").unwrap().unwrap();
        assert_eq!(q.tsquery, "'县'");
        let q = SearchQuery::parse("O'Brien Park").unwrap().unwrap();
        assert_eq!(q.words, ["o", "brien", "park"]);
        assert_eq!(SearchQuery::parse("  ，。 ").unwrap(), None);
        assert!(SearchQuery::parse(&"字".repeat(201)).is_err());
    }
}
