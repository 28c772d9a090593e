//! The import's statements: upserts of named rows by slug, parents of new sections, and batches
//! of articles as multi-row inserts (`unnest`) with their bylines, tags and search documents.

use std::collections::HashMap;
use std::path::Path;

use diesel::prelude::*;
use diesel::sql_types::{Array, Int2, Int4, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use uuid::Uuid;

use super::lines::{lines, xml_unsafe_text, NamedLine, Row};
use super::report::{Counts, Report};
use super::ImportError;
use crate::schema::sql_types::Tsvector;
use crate::slug::{is_valid, MAX_SLUG_LEN};

/// A named row after the upsert: its id, the line's `kind` and `parent`, and whether it is new.
pub type Named = (Uuid, Option<String>, Option<String>, bool);

#[derive(QueryableByName)]
struct Upserted {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    inserted: bool,
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// Inserts or renames named rows (`sections`, `tags`, `correspondents`) by slug; returns the
/// slug → id map of the file's rows.
pub fn named(
    conn: &mut PgConnection,
    report: &mut Report,
    dir: &Path,
    file: &'static str,
    table: &str,
) -> Result<HashMap<String, Named>, ImportError> {
    let mut counts = Counts::default();
    let mut out = HashMap::new();
    for (n, line) in lines(dir, file)? {
        let row: NamedLine = match serde_json::from_str::<serde_json::Value>(&line)
            .map_err(|e| e.to_string())
            .and_then(|v| match xml_unsafe_text(&v, &[]) {
                Some(problem) => Err(problem),
                None => serde_json::from_value(v).map_err(|e| e.to_string()),
            }) {
            Ok(r) => r,
            Err(e) => {
                counts.rejected += 1;
                report.problem(file, n, e);
                continue;
            }
        };
        let name = row.name.trim();
        if !is_valid(&row.slug, MAX_SLUG_LEN)
            || name.is_empty()
            || name.chars().count() > 64
            || out.contains_key(&row.slug)
        {
            counts.rejected += 1;
            report.problem(file, n, "a unique slug [a-z0-9-] of at most 64 characters and a name of 1–64 characters are required");
            continue;
        }
        let done: Option<Upserted> = diesel::sql_query(format!(
            "INSERT INTO {table} (id, slug, name) VALUES ($1, $2, $3) \
             ON CONFLICT (slug) DO UPDATE SET name = EXCLUDED.name, updated_at = now() \
             WHERE {table}.name IS DISTINCT FROM EXCLUDED.name RETURNING (xmax = 0) AS inserted, id"
        ))
        .bind::<SqlUuid, _>(Uuid::now_v7())
        .bind::<Text, _>(&row.slug)
        .bind::<Text, _>(name)
        .get_result(conn)
        .optional()?;
        let inserted = match &done {
            Some(u) if u.inserted => {
                counts.imported += 1;
                true
            }
            Some(_) => {
                counts.updated += 1;
                false
            }
            None => {
                counts.unchanged += 1;
                false
            }
        };
        let id = match done {
            Some(u) => u.id,
            None => {
                diesel::sql_query(format!(
                    "SELECT false AS inserted, id FROM {table} WHERE slug = $1"
                ))
                .bind::<Text, _>(&row.slug)
                .get_result::<Upserted>(conn)?
                .id
            }
        };
        out.insert(row.slug, (id, row.kind, row.parent, inserted));
    }
    report.files.push((file, counts));
    Ok(out)
}

/// Inserts a batch of rows with their search documents, bylines and tags, in one transaction
/// (the people they credit are in the database already).
pub fn flush(conn: &mut PgConnection, rows: &[Row]) -> QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    conn.transaction(|c| {
        diesel::sql_query(
            "INSERT INTO articles (id, slug, title, summary, summary_derived, body_html, section_id, status, \
             published_at, created_at, updated_at, char_count, search_title, search_written, editor_id, source) \
             SELECT id, slug, title, summary, false, body_html, section_id, status, published_at, \
             coalesce(published_at, now()), coalesce(published_at, now()), char_count, \
             search_title, true, editor_id, source \
             FROM unnest($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
             AS t(id, slug, title, summary, body_html, section_id, status, published_at, char_count, search_title, editor_id, source)",
        )
        .bind::<Array<SqlUuid>, _>(rows.iter().map(|r| r.id).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(rows.iter().map(|r| r.slug.as_str()).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(rows.iter().map(|r| r.title.as_str()).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(rows.iter().map(|r| r.summary.as_str()).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(rows.iter().map(|r| r.body_html.as_str()).collect::<Vec<_>>())
        .bind::<Array<SqlUuid>, _>(rows.iter().map(|r| r.section_id).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(rows.iter().map(|r| r.status.as_str()).collect::<Vec<_>>())
        .bind::<Array<Nullable<Timestamptz>>, _>(rows.iter().map(|r| r.published_at).collect::<Vec<_>>())
        .bind::<Array<Int4>, _>(rows.iter().map(|r| r.char_count).collect::<Vec<_>>())
        .bind::<Array<Tsvector>, _>(rows.iter().map(|r| &r.search_title).collect::<Vec<_>>())
        .bind::<Array<Nullable<SqlUuid>>, _>(rows.iter().map(|r| r.editor_id).collect::<Vec<_>>())
        .bind::<Array<Nullable<Text>>, _>(rows.iter().map(|r| r.source.as_deref()).collect::<Vec<_>>())
        .execute(c)?;
        diesel::sql_query(
            "INSERT INTO search_documents (article_id, document) \
             SELECT id, document FROM unnest($1, $2) AS t(id, document)",
        )
        .bind::<Array<SqlUuid>, _>(rows.iter().map(|r| r.id).collect::<Vec<_>>())
        .bind::<Array<Tsvector>, _>(rows.iter().map(|r| &r.search).collect::<Vec<_>>())
        .execute(c)?;
        let credits: Vec<(Uuid, i16, Uuid, &str)> = rows
            .iter()
            .flat_map(|r| {
                r.byline.iter().enumerate().map(move |(i, (p, role))| (r.id, i16::try_from(i).unwrap_or(i16::MAX), *p, role.as_str()))
            })
            .collect();
        diesel::sql_query(
            "INSERT INTO article_bylines (article_id, position, correspondent_id, role) SELECT * FROM unnest($1, $2, $3, $4)",
        )
        .bind::<Array<SqlUuid>, _>(credits.iter().map(|c| c.0).collect::<Vec<_>>())
        .bind::<Array<Int2>, _>(credits.iter().map(|c| c.1).collect::<Vec<_>>())
        .bind::<Array<SqlUuid>, _>(credits.iter().map(|c| c.2).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(credits.iter().map(|c| c.3).collect::<Vec<_>>())
        .execute(c)?;
        let tagged: Vec<(Uuid, Uuid, i16, Option<chrono::DateTime<chrono::Utc>>)> = rows
            .iter()
            .flat_map(|r| r.tags.iter().enumerate().map(move |(i, t)| (r.id, *t, i16::try_from(i).unwrap_or(i16::MAX), r.published_at)))
            .collect();
        diesel::sql_query("INSERT INTO article_tags (article_id, tag_id, position, published_at) SELECT * FROM unnest($1, $2, $3, $4)")
            .bind::<Array<SqlUuid>, _>(tagged.iter().map(|t| t.0).collect::<Vec<_>>())
            .bind::<Array<SqlUuid>, _>(tagged.iter().map(|t| t.1).collect::<Vec<_>>())
            .bind::<Array<Int2>, _>(tagged.iter().map(|t| t.2).collect::<Vec<_>>())
            .bind::<Array<Nullable<Timestamptz>>, _>(tagged.iter().map(|t| t.3).collect::<Vec<_>>())
            .execute(c)?;
        QueryResult::Ok(())
    })
}
