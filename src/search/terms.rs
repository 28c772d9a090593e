//! How common each lexeme of the titles is, from PostgreSQL's own statistics of the title
//! search document (`pg_stats.most_common_elems` of `articles.search_title`, kept by ANALYZE):
//! related stories look for an article's rarest words, which find few and telling candidates
//! through the GIN index. Kept in memory, refreshed every ten minutes.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::{Array, Float4, Nullable, Text};

use super::tokenize::{runs, Run};

/// How long loaded statistics are used before they are read again.
const FRESH_FOR: Duration = Duration::from_secs(600);

/// Lexemes in more than this share of titles (0.3 %) are too common to relate stories by:
/// they would bring thousands of candidates.
pub const MAX_SHARE: f32 = 0.003;

/// A lexeme as a number, for cache scopes (stable across processes and builds).
pub fn word_key(lexeme: &str) -> u64 {
    // FNV-1a: fixed, so every process computes the same key.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in lexeme.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The lexemes of a title that relate stories, in reading order: its pairs of Chinese
/// characters and its Latin words (single characters say too little).
pub fn title_words(title: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for run in runs(title) {
        let found: Vec<String> = match run {
            Run::Cjk(chars) => chars.windows(2).map(|w| w.iter().collect()).collect(),
            Run::Word(w) if w.chars().count() >= 2 && w.len() <= 64 => vec![w],
            Run::Word(_) => vec![],
        };
        for w in found {
            if !words.contains(&w) {
                words.push(w);
            }
        }
    }
    words
}

#[derive(Debug, Default)]
struct Loaded {
    /// Articles in the table when the statistics were read (`pg_class.reltuples`).
    articles: f32,
    /// Title words written by this process since: a burst of similar titles makes a word
    /// common before ANALYZE says so.
    since: HashMap<u64, u32>,
    at: Option<Instant>,
    /// Share of titles holding each of the commonest lexemes.
    shares: HashMap<String, f32>,
    /// Below the least common listed lexeme: what an unlisted one is taken to have.
    floor: f32,
}

/// The statistics of this process.
#[derive(Debug, Default)]
pub struct TermStats {
    loaded: RwLock<Loaded>,
}

#[derive(QueryableByName)]
struct StatsRow {
    #[diesel(sql_type = Nullable<Array<Text>>)]
    elems: Option<Vec<String>>,
    #[diesel(sql_type = Nullable<Array<Float4>>)]
    freqs: Option<Vec<f32>>,
    #[diesel(sql_type = Float4)]
    articles: f32,
}

impl TermStats {
    /// Up to `n` of `candidates` (in order of preference), the rarest first, leaving out those
    /// in more than [`MAX_SHARE`] of titles.
    pub fn rarest(
        &self,
        conn: &mut PgConnection,
        candidates: &[String],
        n: usize,
    ) -> QueryResult<Vec<String>> {
        self.refresh(conn)?;
        let loaded = self.loaded.read().unwrap_or_else(|e| e.into_inner());
        let recent = |w: &str| {
            let n = loaded.since.get(&word_key(w)).copied().unwrap_or(0);
            n as f32 / loaded.articles.max(10_000.0)
        };
        let mut scored: Vec<(f32, usize, &String)> = candidates
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let share = loaded.shares.get(w).copied().unwrap_or(loaded.floor);
                (share + recent(w), i, w)
            })
            .filter(|(share, _, _)| *share <= MAX_SHARE)
            .collect();
        scored.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        Ok(scored
            .into_iter()
            .take(n)
            .map(|(_, _, w)| w.clone())
            .collect())
    }

    /// Counts the title words (by [`word_key`]) of a write this process made.
    pub fn note_written(&self, keys: impl Iterator<Item = u64>) {
        let mut loaded = self.loaded.write().unwrap_or_else(|e| e.into_inner());
        for k in keys {
            *loaded.since.entry(k).or_default() += 1;
        }
    }

    fn refresh(&self, conn: &mut PgConnection) -> QueryResult<()> {
        let stale = {
            let loaded = self.loaded.read().unwrap_or_else(|e| e.into_inner());
            loaded.at.is_none_or(|at| at.elapsed() > FRESH_FOR)
        };
        if !stale {
            return Ok(());
        }
        let row: Option<StatsRow> = diesel::sql_query(
            "SELECT most_common_elems::text::text[] AS elems, most_common_elem_freqs AS freqs, \
             (SELECT reltuples FROM pg_class WHERE oid = 'articles'::regclass) AS articles \
             FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'articles' \
             AND attname = 'search_title'",
        )
        .get_result(conn)
        .optional()?;
        let mut fresh = Loaded {
            at: Some(Instant::now()),
            ..Loaded::default()
        };
        if let Some(StatsRow {
            elems: Some(elems),
            freqs: Some(freqs),
            articles,
        }) = row
        {
            fresh.articles = articles;
            // The frequencies list one per element, then the least and the greatest of them
            // and the share of empty documents.
            let min = freqs.get(elems.len()).copied().unwrap_or(0.0);
            fresh.floor = min / 2.0;
            fresh.shares = elems.into_iter().zip(freqs).collect();
        }
        let mut loaded = self.loaded.write().unwrap_or_else(|e| e.into_inner());
        // The words written since count until ANALYZE has seen them (the table's size moved).
        if fresh.articles == loaded.articles {
            fresh.since = std::mem::take(&mut loaded.since);
        }
        *loaded = fresh;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_words_are_pairs_and_latin_words() {
        assert_eq!(
            title_words("嘉鱼县 GDP增长"),
            ["嘉鱼", "鱼县", "gdp", "增长"]
        );
        assert_eq!(word_key("嘉鱼"), word_key("嘉鱼"));
        assert_ne!(word_key("嘉鱼"), word_key("鱼县"));
    }
}
