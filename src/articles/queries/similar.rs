//! Related stories (相关新闻): published articles sharing the article's tags (most shared
//! first, ranked on the tags' own publication times), then holding the most of its chosen words
//! in their titles (through the GIN index of `search_title`), then of its section — newest first
//! among equals. The tiers run in the database function `related_candidates` (migration
//! `2026-12-02-000001_related_stories`), which each session plans once; each tier is bounded by
//! its own index-ordered `LIMIT`; the first `limit` distinct articles are loaded.

use diesel::prelude::*;
use diesel::sql_types::{Array, Int4, Text, Uuid as SqlUuid};
use uuid::Uuid;

use crate::articles::model::ArticleSummary;
use crate::schema::articles;

/// What an article is related by.
#[derive(Debug, Clone)]
pub struct Relatedness<'a> {
    pub id: Uuid,
    pub section: Uuid,
    pub tags: &'a [Uuid],
    /// Lexemes of its title and summary, the rarest first.
    pub words: &'a [String],
}

#[derive(Debug, QueryableByName)]
struct Found {
    #[diesel(sql_type = Int4)]
    out_tier: i32,
    #[diesel(sql_type = SqlUuid)]
    out_id: Uuid,
}

/// The related stories, up to `limit` distinct articles in the order of the tiers (the function
/// returns up to `limit` of the first, more of the later ones, for those already found):
/// `(tier, article)`. Only those are loaded: at a million articles each is a page of its own.
pub fn candidates(
    conn: &mut PgConnection,
    r: &Relatedness<'_>,
    limit: i64,
) -> QueryResult<Vec<(i32, ArticleSummary)>> {
    // One lexeme as a tsquery: quoted, its quotes and backslashes escaped.
    let words: Vec<String> = r
        .words
        .iter()
        .map(|w| format!("'{}'", w.replace('\\', "\\\\").replace('\'', "''")))
        .collect();
    let mut found: Vec<Found> = diesel::sql_query(
        "SELECT out_tier, out_id FROM related_candidates($1, $2, $3, $4::tsquery[], $5)",
    )
    .bind::<SqlUuid, _>(r.id)
    .bind::<Array<SqlUuid>, _>(r.tags)
    .bind::<SqlUuid, _>(r.section)
    .bind::<Array<Text>, _>(&words)
    .bind::<Int4, _>(i32::try_from(limit).unwrap_or(20))
    .load(conn)?;
    let mut seen = std::collections::HashSet::new();
    found.retain(|f| seen.insert(f.out_id));
    found.truncate(usize::try_from(limit).unwrap_or(0));
    if found.is_empty() {
        return Ok(vec![]);
    }
    let ids: Vec<Uuid> = found.iter().map(|f| f.out_id).collect();
    let rows: Vec<ArticleSummary> = articles::table
        .filter(articles::id.eq_any(&ids))
        .select(ArticleSummary::as_select())
        .load(conn)?;
    let mut by_id: std::collections::HashMap<Uuid, ArticleSummary> =
        rows.into_iter().map(|a| (a.id, a)).collect();
    Ok(found
        .into_iter()
        .filter_map(|f| by_id.remove(&f.out_id).map(|a| (f.out_tier, a)))
        .collect())
}
