//! `newsdesk import DIR`: loads a corpus in the JSON Lines format of the shared benchmark
//! (`sections.jsonl`, `contributors.jsonl`, `tags.jsonl`, `articles.jsonl`). Every line is
//! validated; a bad line is reported with its file and line number and skipped. Idempotent by
//! slug: sections, tags and correspondents are inserted or renamed, articles that already exist
//! are left alone, so a second run changes nothing. Articles go in batches of 1000, one
//! transaction each, as multi-row inserts (`unnest`) with their bylines, tags and search
//! documents in the same pass. Imported articles start at version 1 without a revision.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::{BufRead, BufReader};
use std::path::Path;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Int2, Int4, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use serde::Deserialize;
use uuid::Uuid;

use crate::articles::write::draft::ROLES;
use crate::error::AppError;
use crate::slug::{is_valid, MAX_ARTICLE_SLUG_LEN, MAX_SLUG_LEN};
use crate::{search, text};

const BATCH: usize = 1000;
/// At most this many problems are listed; the rest are counted.
const MAX_LISTED: usize = 50;

/// What one file did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub imported: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub rejected: usize,
}

/// The outcome of an import.
#[derive(Debug, Default)]
pub struct Report {
    pub files: Vec<(&'static str, Counts)>,
    /// Byline credits in the `editor` role, left out (编辑 is a staff account here).
    pub editor_credits: usize,
    /// `file:line: problem`, the first few.
    pub problems: Vec<String>,
    pub problem_count: usize,
}

impl Report {
    fn problem(&mut self, file: &str, line: usize, message: impl fmt::Display) {
        self.problem_count += 1;
        if self.problems.len() < MAX_LISTED {
            self.problems.push(format!("{file}:{line}: {message}"));
        }
    }

    pub fn total(&self) -> Counts {
        self.files
            .iter()
            .fold(Counts::default(), |a, (_, c)| Counts {
                imported: a.imported + c.imported,
                updated: a.updated + c.updated,
                unchanged: a.unchanged + c.unchanged,
                rejected: a.rejected + c.rejected,
            })
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.problems {
            writeln!(f, "{p}")?;
        }
        if self.problem_count > self.problems.len() {
            writeln!(
                f,
                "… and {} more problems",
                self.problem_count - self.problems.len()
            )?;
        }
        writeln!(
            f,
            "{:<20} {:>9} {:>9} {:>9} {:>9}",
            "file", "imported", "updated", "unchanged", "rejected"
        )?;
        for (file, c) in &self.files {
            writeln!(
                f,
                "{file:<20} {:>9} {:>9} {:>9} {:>9}",
                c.imported, c.updated, c.unchanged, c.rejected
            )?;
        }
        let t = self.total();
        write!(
            f,
            "{:<20} {:>9} {:>9} {:>9} {:>9}",
            "total", t.imported, t.updated, t.unchanged, t.rejected
        )?;
        if self.editor_credits > 0 {
            write!(f, "\n{} byline credits in the role `editor` were left out: 编辑 is an article's responsible staff editor, not a byline role", self.editor_credits)?;
        }
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
struct NamedLine {
    slug: String,
    name: String,
    /// Sections: `county` places the section under 县市区 (`xianshiqu`) when first imported.
    #[serde(default)]
    kind: Option<String>,
    /// Sections: an explicit parent slug.
    #[serde(default)]
    parent: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Credit {
    slug: String,
    role: String,
}

#[derive(Debug, Deserialize)]
struct ArticleLine {
    slug: String,
    title: String,
    #[serde(default)]
    summary: Option<String>,
    body: String,
    section: String,
    #[serde(default)]
    contributors: Vec<Credit>,
    #[serde(default)]
    tags: Vec<String>,
    status: String,
    #[serde(default)]
    published_at: Option<String>,
}

fn lines(dir: &Path, file: &str) -> Result<Vec<(usize, String)>, AppError> {
    let path = dir.join(file);
    let f = std::fs::File::open(&path)
        .map_err(|e| AppError::bad_request("import", format!("{}: {e}", path.display())))?;
    BufReader::new(f)
        .lines()
        .enumerate()
        .filter(|(_, l)| l.as_ref().map_or(true, |l| !l.trim().is_empty()))
        .map(|(i, l)| {
            l.map(|l| (i + 1, l))
                .map_err(|e| AppError::bad_request("import", format!("{file}:{}: {e}", i + 1)))
        })
        .collect()
}

/// A named row after the upsert: its id, the line's `kind` and `parent`, and whether it is new.
type Named = (Uuid, Option<String>, Option<String>, bool);

#[derive(QueryableByName)]
struct Upserted {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    inserted: bool,
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
}

/// Inserts or renames named rows (`sections`, `tags`, `correspondents`) by slug; returns the
/// slug → id map of the file's rows.
fn named(
    conn: &mut PgConnection,
    report: &mut Report,
    dir: &Path,
    file: &'static str,
    table: &str,
) -> Result<HashMap<String, Named>, AppError> {
    let mut counts = Counts::default();
    let mut out = HashMap::new();
    for (n, line) in lines(dir, file)? {
        let row: NamedLine = match serde_json::from_str(&line) {
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

/// One article ready to insert.
struct Row {
    /// `editor` credits left out of the byline.
    editor_credits: usize,
    id: Uuid,
    slug: String,
    title: String,
    summary: String,
    body_html: String,
    section_id: Uuid,
    status: String,
    published_at: Option<DateTime<Utc>>,
    char_count: i32,
    search: String,
    search_title: String,
    byline: Vec<(Uuid, String)>,
    tags: Vec<Uuid>,
}

fn article(
    line: &str,
    sections: &HashMap<String, Uuid>,
    people: &HashMap<String, Uuid>,
    tags: &HashMap<String, Uuid>,
) -> Result<Row, String> {
    let a: ArticleLine = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let mut problems = Vec::new();
    if !is_valid(&a.slug, MAX_ARTICLE_SLUG_LEN) {
        problems.push(format!(
            "slug {:?} is not [a-z0-9]+(-[a-z0-9]+)* of at most 128 characters",
            a.slug
        ));
    }
    let title = a.title.trim().to_owned();
    if title.is_empty() || title.chars().count() > 200 {
        problems.push("title must have 1–200 characters".to_owned());
    }
    let section_id = sections.get(&a.section).copied();
    if section_id.is_none() {
        problems.push(format!("unknown section {:?}", a.section));
    }
    let mut byline = Vec::new();
    let mut editor_credits = 0;
    for c in &a.contributors {
        match people.get(&c.slug) {
            // 编辑 is the article's responsible staff editor, not a byline credit.
            Some(_) if c.role == "editor" => editor_credits += 1,
            None => problems.push(format!("unknown contributor {:?}", c.slug)),
            Some(_) if !ROLES.contains(&c.role.as_str()) => {
                problems.push(format!("unknown role {:?}", c.role))
            }
            Some(id) if byline.contains(&(*id, c.role.clone())) => {
                problems.push(format!("{} credited twice", c.slug))
            }
            Some(id) => byline.push((*id, c.role.clone())),
        }
    }
    let mut tag_ids = Vec::new();
    for t in &a.tags {
        match tags.get(t) {
            None => problems.push(format!("unknown tag {t:?}")),
            Some(id) if !tag_ids.contains(id) => tag_ids.push(*id),
            Some(_) => {}
        }
    }
    let published_at = match a.published_at.as_deref().map(DateTime::parse_from_rfc3339) {
        None => None,
        Some(Ok(t)) => Some(t.with_timezone(&Utc)),
        Some(Err(_)) => {
            problems.push("published_at is not RFC 3339".to_owned());
            None
        }
    };
    match (a.status.as_str(), published_at) {
        ("published", Some(_)) | ("draft", _) => {}
        ("published", None) => problems.push("a published article needs published_at".to_owned()),
        (other, _) => problems.push(format!("status {other:?} is neither published nor draft")),
    }
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    let body_html = text::sanitize_html(&a.body);
    let summary = a
        .summary
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| text::derive_summary(&body_html));
    let body_text = text::plain_text(&body_html);
    Ok(Row {
        editor_credits,
        id: Uuid::now_v7(),
        search: search::document(&title, &summary, &body_text),
        search_title: search::title_document(&title),
        char_count: text::char_count(&body_html),
        slug: a.slug,
        title,
        summary: summary.chars().take(1000).collect(),
        body_html,
        section_id: section_id.unwrap_or_default(),
        published_at: if a.status == "published" {
            published_at
        } else {
            None
        },
        status: a.status,
        byline,
        tags: tag_ids,
    })
}

fn flush(conn: &mut PgConnection, rows: &mut Vec<Row>) -> QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    conn.transaction(|c| {
        diesel::sql_query(
            "INSERT INTO articles (id, slug, title, summary, summary_derived, body_html, section_id, status, \
             published_at, created_at, updated_at, char_count, search, search_title) \
             SELECT id, slug, title, summary, false, body_html, section_id, status, published_at, \
             coalesce(published_at, now()), coalesce(published_at, now()), char_count, search::tsvector, \
             search_title::tsvector \
             FROM unnest($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             AS t(id, slug, title, summary, body_html, section_id, status, published_at, char_count, search, search_title)",
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
        .bind::<Array<Text>, _>(rows.iter().map(|r| r.search.as_str()).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(rows.iter().map(|r| r.search_title.as_str()).collect::<Vec<_>>())
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
        let tagged: Vec<(Uuid, Uuid, i16)> = rows
            .iter()
            .flat_map(|r| r.tags.iter().enumerate().map(move |(i, t)| (r.id, *t, i16::try_from(i).unwrap_or(i16::MAX))))
            .collect();
        diesel::sql_query("INSERT INTO article_tags (article_id, tag_id, position) SELECT * FROM unnest($1, $2, $3)")
            .bind::<Array<SqlUuid>, _>(tagged.iter().map(|t| t.0).collect::<Vec<_>>())
            .bind::<Array<SqlUuid>, _>(tagged.iter().map(|t| t.1).collect::<Vec<_>>())
            .bind::<Array<Int2>, _>(tagged.iter().map(|t| t.2).collect::<Vec<_>>())
            .execute(c)?;
        QueryResult::Ok(())
    })?;
    rows.clear();
    Ok(())
}

/// Imports `dir`; `progress` is called with (bytes of articles.jsonl done, its size).
pub fn run(
    conn: &mut PgConnection,
    dir: &Path,
    progress: impl FnMut(usize, usize),
) -> Result<Report, AppError> {
    run_with(conn, dir, BULK_BYTES, progress)
}

/// [`run`], with the size from which a load into an empty archive rebuilds the indexes at the end.
pub fn run_with(
    conn: &mut PgConnection,
    dir: &Path,
    bulk_bytes: u64,
    mut progress: impl FnMut(usize, usize),
) -> Result<Report, AppError> {
    let mut report = Report::default();
    let sections = named(conn, &mut report, dir, "sections.jsonl", "sections")?;
    // Place new county sections under 县市区, and honour explicit parents.
    let county_root = sections.get("xianshiqu").map(|s| s.0);
    for (slug, (id, kind, parent, inserted)) in &sections {
        let parent_id = match (parent, kind.as_deref()) {
            (Some(p), _) => sections.get(p).map(|s| s.0),
            (None, Some("county")) if *inserted && slug != "xianshiqu" => county_root,
            _ => None,
        };
        if let Some(p) = parent_id.filter(|p| p != id) {
            diesel::sql_query("UPDATE sections SET parent_id = $1 WHERE id = $2 AND parent_id IS DISTINCT FROM $1")
                .bind::<SqlUuid, _>(p)
                .bind::<SqlUuid, _>(*id)
                .execute(conn)?;
        }
    }
    let people = named(
        conn,
        &mut report,
        dir,
        "contributors.jsonl",
        "correspondents",
    )?;
    let tags = named(conn, &mut report, dir, "tags.jsonl", "tags")?;
    let ids = |m: HashMap<String, Named>| -> HashMap<String, Uuid> {
        m.into_iter().map(|(k, v)| (k, v.0)).collect()
    };
    let (sections, people, tags) = (ids(sections), ids(people), ids(tags));
    let existing: HashSet<String> = crate::schema::articles::table
        .select(crate::schema::articles::slug)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let path = dir.join("articles.jsonl");
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    // Loading a large file into an empty archive: rebuilding the secondary indexes once at the
    // end is several times faster than maintaining them row by row.
    let dropped = if existing.is_empty() && size > bulk_bytes {
        drop_secondary_indexes(conn)?
    } else {
        vec![]
    };
    let started = std::time::Instant::now();
    let loaded = articles_file(
        conn,
        &mut report,
        &path,
        &Refs {
            sections,
            people,
            tags,
            existing,
        },
        &mut progress,
    );
    tracing::info!(seconds = started.elapsed().as_secs_f64(), "articles loaded");
    let started = std::time::Instant::now();
    let rebuilt = rebuild_indexes(conn, &dropped);
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        indexes = dropped.len(),
        "indexes rebuilt"
    );
    let counts = loaded?;
    rebuilt?;
    report.files.push(("articles.jsonl", counts));
    crate::audit::record(
        conn,
        crate::audit::Entry {
            editor: None,
            action: "import",
            entity: "article",
            entity_id: None,
            article_id: None,
            detail: serde_json::json!({"dir": dir.display().to_string(), "imported": counts.imported, "rejected": counts.rejected}),
        },
    )?;
    diesel::sql_query("ANALYZE articles, article_bylines, article_tags").execute(conn)?;
    // Servers running on this database drop what they have cached.
    let mut changed = crate::cache::Changes::default();
    changed.everything();
    changed.notify(conn, Uuid::nil())?;
    Ok(report)
}

/// Files above this size into an empty archive count as a bulk load.
const BULK_BYTES: u64 = 8 * 1024 * 1024;

/// What article lines refer to, by slug.
struct Refs {
    sections: HashMap<String, Uuid>,
    people: HashMap<String, Uuid>,
    tags: HashMap<String, Uuid>,
    existing: HashSet<String>,
}

/// Lines per unit of work handed to a worker thread.
const CHUNK: usize = 256;

/// A run of lines of `articles.jsonl`: its place in the file, its first line's number, the lines.
type Chunk = (usize, usize, Vec<String>);
/// What became of each line of a chunk (blank lines left out), and the bytes it covered.
type Checked = (usize, Vec<(usize, Result<Row, String>)>, usize);

/// Streams `articles.jsonl` (it may be larger than memory; progress counts bytes). Lines are
/// checked and turned into rows (sanitised HTML, search documents) by worker threads while
/// this thread writes the batches before them, in file order.
fn articles_file(
    conn: &mut PgConnection,
    report: &mut Report,
    path: &Path,
    refs: &Refs,
    progress: &mut impl FnMut(usize, usize),
) -> Result<Counts, AppError> {
    let file = std::fs::File::open(path)
        .map_err(|e| AppError::bad_request("import", format!("{}: {e}", path.display())))?;
    let total =
        usize::try_from(file.metadata().map(|m| m.len()).unwrap_or(0)).unwrap_or(usize::MAX);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4));
    let (work_tx, work_rx) = std::sync::mpsc::sync_channel::<Chunk>(workers * 2);
    let work_rx = std::sync::Mutex::new(work_rx);
    let (done_tx, done_rx) = std::sync::mpsc::sync_channel::<Checked>(workers * 2);
    std::thread::scope(|s| {
        let reader = s.spawn(move || -> Result<(), AppError> {
            let mut chunk = Vec::with_capacity(CHUNK);
            let (mut seq, mut first) = (0, 1);
            for (i, line) in BufReader::new(file).lines().enumerate() {
                let line = line.map_err(|e| {
                    AppError::bad_request("import", format!("articles.jsonl:{}: {e}", i + 1))
                })?;
                chunk.push(line);
                if chunk.len() == CHUNK {
                    let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                    if work_tx.send((seq, first, full)).is_err() {
                        return Ok(());
                    }
                    seq += 1;
                    first = i + 2;
                }
            }
            let _ = work_tx.send((seq, first, chunk));
            Ok(())
        });
        for _ in 0..workers {
            let (work_rx, done_tx) = (&work_rx, done_tx.clone());
            s.spawn(move || loop {
                let job = work_rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                let Ok((seq, first, lines)) = job else { return };
                let bytes = lines.iter().map(|l| l.len() + 1).sum();
                let rows = lines
                    .iter()
                    .enumerate()
                    .filter(|(_, line)| !line.trim().is_empty())
                    .map(|(k, line)| {
                        (
                            first + k,
                            article(line, &refs.sections, &refs.people, &refs.tags),
                        )
                    })
                    .collect();
                if done_tx.send((seq, rows, bytes)).is_err() {
                    return;
                }
            });
        }
        drop(done_tx);
        let written = write_in_order(conn, report, refs, done_rx, total, progress);
        // On an error the channels close and every thread ends.
        let read = reader
            .join()
            .unwrap_or_else(|_| Err(AppError::bug("the import reader panicked")));
        let counts = written?;
        read?;
        Ok(counts)
    })
}

/// Takes the workers' results back into file order, reports and writes them in batches.
fn write_in_order(
    conn: &mut PgConnection,
    report: &mut Report,
    refs: &Refs,
    done: std::sync::mpsc::Receiver<Checked>,
    total: usize,
    progress: &mut impl FnMut(usize, usize),
) -> Result<Counts, AppError> {
    let mut counts = Counts::default();
    let mut seen = HashSet::new();
    let mut batch = Vec::with_capacity(BATCH);
    let mut waiting = std::collections::BTreeMap::new();
    let (mut next, mut read) = (0, 0);
    for checked in done {
        waiting.insert(checked.0, checked);
        while let Some((_, rows, bytes)) = waiting.remove(&next) {
            next += 1;
            read += bytes;
            for (n, result) in rows {
                match result {
                    Err(problem) => {
                        counts.rejected += 1;
                        report.problem("articles.jsonl", n, problem);
                    }
                    Ok(row) if refs.existing.contains(&row.slug) => counts.unchanged += 1,
                    Ok(row) if !seen.insert(row.slug.clone()) => {
                        counts.rejected += 1;
                        report.problem(
                            "articles.jsonl",
                            n,
                            format!("slug {} appears twice", row.slug),
                        );
                    }
                    Ok(row) => {
                        counts.imported += 1;
                        report.editor_credits += row.editor_credits;
                        batch.push(row);
                        if batch.len() == BATCH {
                            flush(conn, &mut batch)?;
                            progress(read, total);
                        }
                    }
                }
            }
        }
    }
    flush(conn, &mut batch)?;
    progress(total, total);
    Ok(counts)
}

#[derive(QueryableByName)]
struct IndexDef {
    #[diesel(sql_type = Text)]
    indexname: String,
    #[diesel(sql_type = Text)]
    indexdef: String,
}

/// Drops the non-unique indexes of the article tables; returns their definitions, read from the
/// catalog (the migrations stay the one place that defines them).
fn drop_secondary_indexes(conn: &mut PgConnection) -> QueryResult<Vec<IndexDef>> {
    let defs: Vec<IndexDef> = diesel::sql_query(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() \
         AND tablename IN ('articles', 'article_bylines', 'article_tags') \
         AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))",
    )
    .load(conn)?;
    for d in &defs {
        diesel::sql_query(format!("DROP INDEX IF EXISTS \"{}\"", d.indexname)).execute(conn)?;
    }
    Ok(defs)
}

/// Recreates dropped indexes, with memory enough to sort them in one pass.
fn rebuild_indexes(conn: &mut PgConnection, defs: &[IndexDef]) -> QueryResult<()> {
    if defs.is_empty() {
        return Ok(());
    }
    diesel::sql_query("SET maintenance_work_mem = '256MB'").execute(conn)?;
    for d in defs {
        let started = std::time::Instant::now();
        diesel::sql_query(d.indexdef.clone()).execute(conn)?;
        tracing::info!(index = %d.indexname, seconds = started.elapsed().as_secs_f64(), "index built");
    }
    diesel::sql_query("RESET maintenance_work_mem").execute(conn)?;
    Ok(())
}
