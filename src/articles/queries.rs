//! Article queries: lookups, the filtered keyset list, the relations of a page (a fixed number
//! of queries whatever its size), and neighbours for previous/next links.

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

use super::model::{Article, ArticleSummary};
use super::workflow::Status;
use crate::directory::Names;
use crate::ident::IdOrSlug;
use crate::pagination::Cursor;
use crate::schema::{article_bylines, article_slug_redirects, article_tags, articles};
use crate::search::SearchQuery;

pub fn find(conn: &mut PgConnection, key: &IdOrSlug) -> QueryResult<Option<Article>> {
    let q = articles::table.select(Article::as_select()).into_boxed();
    let q = match key {
        IdOrSlug::Id(id) => q.filter(articles::id.eq(*id)),
        IdOrSlug::Slug(slug) => q.filter(articles::slug.eq(slug.clone())),
    };
    q.first(conn).optional()
}

/// The article row locked for an update (`SELECT … FOR UPDATE`).
pub fn lock(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<Article>> {
    articles::table
        .find(id)
        .select(Article::as_select())
        .for_update()
        .first(conn)
        .optional()
}

/// The article an old slug now redirects to.
pub fn redirect_target(conn: &mut PgConnection, slug: &str) -> QueryResult<Option<Article>> {
    article_slug_redirects::table
        .inner_join(articles::table)
        .filter(article_slug_redirects::slug.eq(slug))
        .select(Article::as_select())
        .first(conn)
        .optional()
}

/// Whether `slug` is used by an article other than `except`, or redirects to one.
pub fn slug_taken(conn: &mut PgConnection, slug: &str, except: Option<Uuid>) -> QueryResult<bool> {
    let except = except.unwrap_or(Uuid::nil());
    let live = diesel::dsl::exists(
        articles::table
            .filter(articles::slug.eq(slug))
            .filter(articles::id.ne(except)),
    );
    let old = diesel::dsl::exists(
        article_slug_redirects::table
            .filter(article_slug_redirects::slug.eq(slug))
            .filter(article_slug_redirects::article_id.ne(except)),
    );
    diesel::select(live.or(old)).get_result(conn)
}

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

fn filtered(f: &ListFilter) -> Boxed<'static> {
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
    if let Some(search) = &f.search {
        // Candidates through the GIN index, then every word as a substring.
        q = q
            .filter(articles::status.eq(Status::Published.as_str()))
            .filter(sql::<Bool>(&format!(
                "articles.search @@ {}::tsquery",
                literal(&search.tsquery)
            )));
        for w in &search.words {
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
    let in_title = format!("articles.search_title @@ {}::tsquery", literal(&q.tsquery));
    let first_tier = after
        .and_then(|c| c.key.as_deref())
        .map_or(0, |k| u8::from(k == "1"));
    let mut out: Vec<(ArticleSummary, u8)> = Vec::new();
    for tier in first_tier..=1 {
        let need = limit + 1 - i64::try_from(out.len()).unwrap_or(i64::MAX);
        if need <= 0 {
            break;
        }
        let tier_sql = if tier == 0 {
            in_title.clone()
        } else {
            format!("NOT ({in_title})")
        };
        let mut query = filtered(f)
            .select(ArticleSummary::as_select())
            .filter(sql::<Bool>(&tier_sql));
        if let (Some(c), true) = (after, tier == first_tier) {
            query = query.filter(
                sql::<Bool>("(articles.published_at, articles.id) < (")
                    .bind::<Timestamptz, _>(c.at.unwrap_or_else(Utc::now))
                    .sql(", ")
                    .bind::<SqlUuid, _>(c.id)
                    .sql(")"),
            );
        }
        let rows = query
            .order((articles::published_at.desc(), articles::id.desc()))
            .limit(need)
            .load(conn)?;
        out.extend(rows.into_iter().map(|r| (r, tier)));
    }
    Ok(out)
}

/// The body HTML of `ids` (for search highlights).
pub fn bodies(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<Vec<(Uuid, String)>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    articles::table
        .filter(articles::id.eq_any(ids))
        .select((articles::id, articles::body_html))
        .load(conn)
}

/// One page (`limit + 1` rows, so the caller knows whether there is a next one).
pub fn list(
    conn: &mut PgConnection,
    f: &ListFilter,
    after: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<ArticleSummary>> {
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
    q.limit(limit + 1).load(conn)
}

pub fn count(conn: &mut PgConnection, f: &ListFilter) -> QueryResult<i64> {
    filtered(f).count().get_result(conn)
}

/// A byline entry joined with its correspondent's public fields.
#[derive(Debug, Clone, Queryable)]
pub struct BylineEntry {
    pub article_id: Uuid,
    pub position: i16,
    pub correspondent_id: Uuid,
    pub role: String,
    pub name: String,
    pub slug: String,
    pub affiliation: Option<String>,
}

/// A tag of an article.
#[derive(Debug, Clone, Queryable)]
pub struct TagEntry {
    pub article_id: Uuid,
    pub id: Uuid,
    pub slug: String,
    pub name: String,
}

/// The bylines and the tags of `ids`, each in printed order: one round trip for the rows (a
/// `UNION ALL`; a byline has a role, a tag none), the names from the directory (a second one
/// for names not seen yet).
pub fn bylines_and_tags(
    conn: &mut PgConnection,
    names: &Names,
    ids: &[Uuid],
) -> QueryResult<(Vec<BylineEntry>, Vec<TagEntry>)> {
    use diesel::sql_types::{Nullable, Text};
    if ids.is_empty() {
        return Ok((vec![], vec![]));
    }
    let bylines = article_bylines::table
        .filter(article_bylines::article_id.eq_any(ids))
        .select((
            article_bylines::article_id,
            article_bylines::position,
            article_bylines::correspondent_id,
            article_bylines::role.nullable(),
        ));
    let tagged = article_tags::table
        .filter(article_tags::article_id.eq_any(ids))
        .select((
            article_tags::article_id,
            article_tags::position,
            article_tags::tag_id,
            None::<String>.into_sql::<Nullable<Text>>(),
        ));
    let mut rows: Vec<(Uuid, i16, Uuid, Option<String>)> = bylines.union_all(tagged).load(conn)?;
    rows.sort_by_key(|r| (r.0, r.1));
    let people: Vec<Uuid> = rows.iter().filter(|r| r.3.is_some()).map(|r| r.2).collect();
    let tag_ids: Vec<Uuid> = rows.iter().filter(|r| r.3.is_none()).map(|r| r.2).collect();
    let found = names.resolve(conn, &people, &tag_ids)?;
    let (mut by, mut tg) = (Vec::new(), Vec::new());
    for (article_id, position, id, role) in rows {
        match role {
            Some(role) => {
                // A byline's correspondent cannot be deleted (RESTRICT): always found.
                if let Some(p) = found.people.get(&id) {
                    by.push(BylineEntry {
                        article_id,
                        position,
                        correspondent_id: id,
                        role,
                        name: p.name.clone(),
                        slug: p.slug.clone(),
                        affiliation: p.affiliation.clone(),
                    });
                }
            }
            None => {
                // Absent: the tag was deleted since the row was read.
                if let Some(t) = found.tags.get(&id) {
                    tg.push(TagEntry {
                        article_id,
                        id,
                        slug: t.slug.clone(),
                        name: t.name.clone(),
                    });
                }
            }
        }
    }
    Ok((by, tg))
}

/// `(id, slug, title)` of a neighbouring article.
pub type Neighbour = (Uuid, String, String);

/// 上一篇 and 下一篇.
pub type Neighbours = (Option<Neighbour>, Option<Neighbour>);

/// `(id, slug, title)` of the published articles just before and just after `a` in its section.
pub fn neighbours(conn: &mut PgConnection, a: &Article) -> QueryResult<Neighbours> {
    match a.published_at {
        Some(at) => neighbours_of(conn, a.id, a.section_id, at),
        None => Ok((None, None)),
    }
}

/// The neighbours of the article `id` published at `at` in `section` (the one definition of
/// 上一篇/下一篇: the pages show it, the response cache evicts by it).
pub fn neighbours_of(
    conn: &mut PgConnection,
    id: Uuid,
    section: Uuid,
    at: DateTime<Utc>,
) -> QueryResult<Neighbours> {
    let base = || {
        articles::table
            .filter(articles::status.eq(Status::Published.as_str()))
            .filter(articles::section_id.eq(section))
    };
    // Both in one round trip. The row comparison is written out as SQL, which keeps the
    // statement unprepared: planned for its values, it walks the partial index of the
    // section's published articles (a prepared, generic plan cannot use that index).
    let previous = base()
        .filter(
            sql::<Bool>("(articles.published_at, articles.id) < (")
                .bind::<Timestamptz, _>(at)
                .sql(", ")
                .bind::<SqlUuid, _>(id)
                .sql(")"),
        )
        .order((articles::published_at.desc(), articles::id.desc()))
        .limit(1)
        .select((
            true.into_sql::<Bool>(),
            articles::id,
            articles::slug,
            articles::title,
        ));
    let next = base()
        .filter(
            sql::<Bool>("(articles.published_at, articles.id) > (")
                .bind::<Timestamptz, _>(at)
                .sql(", ")
                .bind::<SqlUuid, _>(id)
                .sql(")"),
        )
        .order((articles::published_at.asc(), articles::id.asc()))
        .limit(1)
        .select((
            false.into_sql::<Bool>(),
            articles::id,
            articles::slug,
            articles::title,
        ));
    let rows: Vec<(bool, Uuid, String, String)> = previous.union_all(next).load(conn)?;
    let mut found = (None, None);
    for (earlier, id, slug, title) in rows {
        if earlier {
            found.0 = Some((id, slug, title));
        } else {
            found.1 = Some((id, slug, title));
        }
    }
    Ok(found)
}
