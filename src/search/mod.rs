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

//!
//! - [`tokenize`] — text into lexemes;
//! - [`document`] — the stored documents;
//! - [`query`] — a reader's query;
//! - [`highlight`] — the extract shown with a hit.

pub mod document;
pub mod highlight;
pub mod query;
pub mod terms;
pub mod tokenize;

pub use document::{document, reindex_missing, store, title_document, TsvectorValue};
pub use highlight::highlight;
pub use query::{SearchQuery, MAX_QUERY_CHARS, MAX_WORDS};
pub use tokenize::index_lexemes;
