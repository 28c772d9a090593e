//! What a page shows beside its articles: bylines and tags (names from the directory), and the
//! previous/next links (上一篇/下一篇).

use chrono::{DateTime, Utc};
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::QueryFragment;
use diesel::query_dsl::LoadQuery;
use diesel::sql_types::{Bool, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

use crate::articles::model::Article;
use crate::articles::workflow::Status;
use crate::directory::Names;
use crate::schema::{article_bylines, article_tags, articles};

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
    let rows: Vec<NeighbourRow> = neighbours_query(id, section, at).load(conn)?;
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

/// A neighbour and whether it is the earlier one.
type NeighbourRow = (bool, Uuid, String, String);

/// The statement of [`neighbours_of`]: both neighbours in one round trip.
pub fn neighbours_query(
    id: Uuid,
    section: Uuid,
    at: DateTime<Utc>,
) -> impl QueryFragment<Pg> + LoadQuery<'static, PgConnection, NeighbourRow> {
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
    previous.union_all(next)
}
