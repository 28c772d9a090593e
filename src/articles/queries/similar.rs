//! Related stories (相关新闻) in one round trip: published articles sharing the article's tags
//! (most shared first), then holding the most of its chosen words in their titles (through the
//! GIN index of `search_title`), then of its section — newest first among equals. Each tier is
//! bounded by its own index-ordered `LIMIT`; the caller keeps the first of each article.

use diesel::prelude::*;
use diesel::sql_types::{Array, Int4, Int8, Text, Uuid as SqlUuid};
use uuid::Uuid;

use crate::articles::model::ArticleSummary;

/// The columns of [`ArticleSummary`], for the hand-written statement.
const COLUMNS: &str = "a.id, a.slug, a.title, a.subtitle, a.summary, a.section_id, a.editor_id, \
     a.created_by, a.source, a.cover_url, a.cover_caption, a.cover_credit, a.status, a.publish_at, \
     a.published_at, a.created_at, a.updated_at, a.version, a.char_count";

/// A candidate and the tier that found it (0 tags, 1 words, 2 section).
#[derive(Debug, QueryableByName)]
pub struct Candidate {
    #[diesel(sql_type = Int4)]
    pub tier: i32,
    #[diesel(embed)]
    pub article: ArticleSummary,
}

/// What an article is related by.
#[derive(Debug, Clone)]
pub struct Relatedness<'a> {
    pub id: Uuid,
    pub section: Uuid,
    pub tags: &'a [Uuid],
    /// Lexemes of its title and summary, the rarest first.
    pub words: &'a [String],
}

/// Up to `limit` candidates of each tier (the later tiers a few more, for the ones already
/// found), in tier order.
pub fn candidates(
    conn: &mut PgConnection,
    r: &Relatedness<'_>,
    limit: i64,
) -> QueryResult<Vec<Candidate>> {
    let mut branches = Vec::new();
    // $1 the article, $2 its tags, $3 its section, $4 the per-tier limit; words from $5.
    if !r.tags.is_empty() {
        branches.push(format!(
            "(SELECT 0 AS tier, {COLUMNS} FROM articles a JOIN (SELECT article_id, count(*) AS shared \
             FROM article_tags WHERE tag_id = ANY($2) AND article_id <> $1 GROUP BY article_id) t \
             ON t.article_id = a.id WHERE a.status = 'published' \
             ORDER BY t.shared DESC, a.published_at DESC, a.id DESC LIMIT $4)"
        ));
    }
    if !r.words.is_empty() {
        let first = 5;
        let any = (0..r.words.len())
            .map(|k| format!("${}::tsquery", first + k))
            .collect::<Vec<_>>()
            .join(" || ");
        let rank = (0..r.words.len())
            .map(|k| format!("(a.search_title @@ ${}::tsquery)::int", first + k))
            .collect::<Vec<_>>()
            .join(" + ");
        branches.push(format!(
            "(SELECT 1 AS tier, {COLUMNS} FROM articles a WHERE a.search_title @@ ({any}) \
             AND a.status = 'published' AND a.id <> $1 \
             ORDER BY {rank} DESC, a.published_at DESC, a.id DESC LIMIT $4 * 2)"
        ));
    }
    branches.push(format!(
        "(SELECT 2 AS tier, {COLUMNS} FROM articles a WHERE a.status = 'published' \
         AND a.section_id = $3 AND a.id <> $1 ORDER BY a.published_at DESC, a.id DESC LIMIT $4 * 3)"
    ));
    let mut q = diesel::sql_query(branches.join(" UNION ALL "))
        .into_boxed()
        .bind::<SqlUuid, _>(r.id)
        .bind::<Array<SqlUuid>, _>(r.tags.to_vec())
        .bind::<SqlUuid, _>(r.section)
        .bind::<Int8, _>(limit);
    for w in r.words {
        // One lexeme as a tsquery: quoted, its quotes and backslashes escaped.
        q = q.bind::<Text, _>(format!("'{}'", w.replace('\\', "\\\\").replace('\'', "''")));
    }
    q.load(conn)
}
