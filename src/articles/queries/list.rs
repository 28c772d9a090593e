//! The filtered, keyset-paged list of `GET /articles` and feeds, and search by relevance.

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

use crate::articles::model::ArticleSummary;
use crate::articles::workflow::Status;
use crate::pagination::Cursor;
use crate::schema::{article_bylines, article_tags, articles};
use crate::search::SearchQuery;

/// Who may see what in a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Published articles only.
    Public,
    /// Editors and admins: everything.
    Desk,
    /// A contributor: published articles and its own.
    Contributor(Uuid),
}

/// The ordering of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// `published_at desc, id desc` (unpublished first for staff).
    Published,
    /// `updated_at desc, id desc` (staff only).
    Updated,
}

impl Sort {
    pub fn cursor_kind(self) -> char {
        match self {
            Sort::Published => 'p',
            Sort::Updated => 'u',
        }
    }

    pub fn cursor_of(self, a: &ArticleSummary) -> Cursor {
        let at = match self {
            Sort::Published => a.published_at,
            Sort::Updated => Some(a.updated_at),
        };
        Cursor {
            kind: self.cursor_kind(),
            at,
            key: None,
            id: a.id,
        }
    }
}

/// Every filter of `GET /articles`, resolved to ids.
#[derive(Debug, Clone)]
pub struct ListFilter {
    pub visibility: Visibility,
    pub section_ids: Option<Vec<Uuid>>,
    pub tag_id: Option<Uuid>,
    pub correspondent_id: Option<Uuid>,
    pub status: Option<Status>,
    pub published_after: Option<DateTime<Utc>>,
    pub published_before: Option<DateTime<Utc>>,
    /// `?q=`: only published articles containing every word.
    pub search: Option<SearchQuery>,
    pub sort: Sort,
}

/// A SQL string literal. The search words and lexemes only ever hold letters, digits and
/// Chinese characters, and quotes are doubled all the same.
fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

type Boxed<'a> = articles::BoxedQuery<'a, diesel::pg::Pg>;

/// A page's statement as built, before it runs (the tests `EXPLAIN` exactly this).
pub type PageQuery = articles::BoxedQuery<
    'static,
    diesel::pg::Pg,
    diesel::dsl::AsSelect<ArticleSummary, diesel::pg::Pg>,
>;

/// Which hits of a search a statement asks for.
#[derive(Debug, Clone, Copy)]
enum Hits {
    /// Every article whose documents hold the words.
    All,
    /// Relevance tier 0: the title holds them.
    InTitle,
    /// Relevance tier 1: the rest.
    NotInTitle,
}

/// The article's search documents hold the query. The whole text's is in `search_documents`
/// (one row per article): the planner reads it as a semi-join, through its GIN index for rare
/// words, or by the documents' key while it walks the articles newest first for common ones.
/// The title's is on the article's row (`search_title`, which holds nothing the whole text's
/// does not), so the first tier checks it without leaving the row.
fn documents_hold(tsquery: &str, hits: Hits) -> String {
    let q = literal(tsquery);
    let whole = format!(
        "EXISTS (SELECT 1 FROM search_documents d WHERE d.article_id = articles.id AND d.document @@ {q}::tsquery)"
    );
    match hits {
        Hits::All => whole,
        Hits::InTitle => format!("articles.search_title @@ {q}::tsquery"),
        Hits::NotInTitle => format!("NOT (articles.search_title @@ {q}::tsquery) AND {whole}"),
    }
}

fn filtered(f: &ListFilter) -> Boxed<'static> {
    filtered_hits(f, f.search.as_ref().map(|q| (q, Hits::All)))
}

/// `f`'s statement, its search (if any) as `search` says: the query and which hits.
fn filtered_hits(f: &ListFilter, search: Option<(&SearchQuery, Hits)>) -> Boxed<'static> {
    let mut q = articles::table.into_boxed();
    q = match f.visibility {
        Visibility::Public => q.filter(articles::status.eq(Status::Published.as_str())),
        Visibility::Desk => q,
        Visibility::Contributor(me) => q.filter(
            articles::status
                .eq(Status::Published.as_str())
                .or(articles::created_by.eq(me)),
        ),
    };
    if let Some(status) = f.status {
        q = q.filter(articles::status.eq(status.as_str()));
    }
    if let Some(ids) = &f.section_ids {
        q = q.filter(articles::section_id.eq_any(ids.clone()));
    }
    if let Some(tag) = f.tag_id {
        q = q.filter(
            articles::id.eq_any(
                article_tags::table
                    .filter(article_tags::tag_id.eq(tag))
                    .select(article_tags::article_id),
            ),
        );
    }
    if let Some(person) = f.correspondent_id {
        q = q.filter(
            articles::id.eq_any(
                article_bylines::table
                    .filter(article_bylines::correspondent_id.eq(person))
                    .select(article_bylines::article_id),
            ),
        );
    }
    if let Some(t) = f.published_after {
        q = q.filter(articles::published_at.ge(t));
    }
    if let Some(t) = f.published_before {
        q = q.filter(articles::published_at.lt(t));
    }
    if let Some((search, hits)) = search {
        // Candidates through the documents, then the words their bigrams do not pin down as
        // substrings.
        q = q
            .filter(articles::status.eq(Status::Published.as_str()))
            .filter(sql::<Bool>(&documents_hold(&search.tsquery, hits)));
        for w in &search.spans {
            q = q.filter(sql::<Bool>(&format!(
                "strpos(lower(articles.title || ' ' || articles.summary || ' ' || articles.body_html), {}) > 0",
                literal(w)
            )));
        }
    }
    q
}

/// One page of search hits by relevance: title hits first (tier 0), then the rest (tier 1),
/// newest first within a tier; each row with its tier. One index-ordered query per tier.
pub fn search(
    conn: &mut PgConnection,
    f: &ListFilter,
    q: &SearchQuery,
    after: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<(ArticleSummary, u8)>> {
    let first_tier = after
        .and_then(|c| c.key.as_deref())
        .map_or(0, |k| u8::from(k == "1"));
    let mut out: Vec<(ArticleSummary, u8)> = Vec::new();
    for tier in first_tier..=1 {
        let need = limit + 1 - i64::try_from(out.len()).unwrap_or(i64::MAX);
        if need <= 0 {
            break;
        }
        let from = after.filter(|_| tier == first_tier);
        let rows = search_tier_query(f, q, tier, from, need).load(conn)?;
        out.extend(rows.into_iter().map(|r| (r, tier)));
    }
    Ok(out)
}

/// The hits of one relevance tier (0: the title holds the words), newest first, after `after`.
pub fn search_tier_query(
    f: &ListFilter,
    q: &SearchQuery,
    tier: u8,
    after: Option<&Cursor>,
    limit: i64,
) -> PageQuery {
    let hits = if tier == 0 {
        Hits::InTitle
    } else {
        Hits::NotInTitle
    };
    let mut query = filtered_hits(f, Some((q, hits))).select(ArticleSummary::as_select());
    if let Some(c) = after {
        query = query.filter(
            sql::<Bool>("(articles.published_at, articles.id) < (")
                .bind::<Timestamptz, _>(c.at.unwrap_or_else(Utc::now))
                .sql(", ")
                .bind::<SqlUuid, _>(c.id)
                .sql(")"),
        );
    }
    query
        .order((articles::published_at.desc(), articles::id.desc()))
        .limit(limit)
}

/// One page (`limit + 1` rows, so the caller knows whether there is a next one).
pub fn list(
    conn: &mut PgConnection,
    f: &ListFilter,
    after: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<ArticleSummary>> {
    list_query(f, after, limit).load(conn)
}

/// The statement of [`list`].
pub fn list_query(f: &ListFilter, after: Option<&Cursor>, limit: i64) -> PageQuery {
    let mut q = filtered(f).select(ArticleSummary::as_select());
    if let Some(c) = after {
        // Row comparisons let PostgreSQL walk the (key, id) index from the cursor on.
        q = match (f.sort, c.at) {
            (Sort::Published, Some(at)) => q.filter(
                sql::<Bool>("(articles.published_at, articles.id) < (")
                    .bind::<Timestamptz, _>(at)
                    .sql(", ")
                    .bind::<SqlUuid, _>(c.id)
                    .sql(")"),
            ),
            (Sort::Published, None) => q.filter(
                articles::published_at
                    .is_not_null()
                    .or(articles::published_at.is_null().and(articles::id.lt(c.id))),
            ),
            (Sort::Updated, at) => q.filter(
                sql::<Bool>("(articles.updated_at, articles.id) < (")
                    .bind::<Timestamptz, _>(at.unwrap_or_else(Utc::now))
                    .sql(", ")
                    .bind::<SqlUuid, _>(c.id)
                    .sql(")"),
            ),
        };
    }
    let q = match f.sort {
        Sort::Published => q.order((
            articles::published_at.desc().nulls_first(),
            articles::id.desc(),
        )),
        Sort::Updated => q.order((articles::updated_at.desc(), articles::id.desc())),
    };
    q.limit(limit + 1)
}

pub fn count(conn: &mut PgConnection, f: &ListFilter) -> QueryResult<i64> {
    filtered(f).count().get_result(conn)
}
