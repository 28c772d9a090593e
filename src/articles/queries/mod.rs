//! Article queries: plain functions on a connection, no HTTP. Lookups here; the filtered keyset
//! list and search in [`list`]; the relations of a page and the neighbours in [`related`]; the
//! stored revisions in [`revisions`].

pub mod list;
pub mod related;
pub mod revisions;
pub mod similar;

use diesel::prelude::*;
use uuid::Uuid;

pub use list::{count, list, search, ListFilter, Sort, Visibility};
pub use related::{
    bylines_and_tags, neighbours, neighbours_of, BylineEntry, Neighbour, Neighbours, TagEntry,
};
pub use revisions::{revision_snapshot, revisions, RevisionRow};

use super::model::Article;
use crate::ident::IdOrSlug;
use crate::schema::{article_slug_redirects, articles};

pub fn find(conn: &mut PgConnection, key: &IdOrSlug) -> QueryResult<Option<Article>> {
    let q = articles::table.select(Article::as_select()).into_boxed();
    let q = match key {
        IdOrSlug::Id(id) => q.filter(articles::id.eq(*id)),
        IdOrSlug::Slug(slug) => q.filter(articles::slug.eq(slug.clone())),
    };
    q.first(conn).optional()
}

/// The articles `ids` (those that exist), in no particular order.
pub fn find_many(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<Vec<Article>> {
    articles::table
        .filter(articles::id.eq_any(ids))
        .select(Article::as_select())
        .load(conn)
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
