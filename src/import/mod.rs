//! `newsdesk import DIR`: loads a corpus in the JSON Lines format of the shared benchmark
//! (`sections.jsonl`, `contributors.jsonl`, `tags.jsonl`, `articles.jsonl`). Every line is
//! validated; a bad line is reported with its file and line number and skipped. Idempotent by
//! slug: sections, tags and correspondents are inserted or renamed, articles that already exist
//! are left alone, so a second run changes nothing. Articles go in batches of 1000, one
//! transaction each, as multi-row inserts (`unnest`) with their bylines, tags and search
//! documents in the same pass. Imported articles start at version 1 without a revision.

//!
//! - [`lines`] — the line formats and their checks;
//! - [`store`] — upserts and article batches;
//! - [`pipeline`] — the threads that stream `articles.jsonl`;
//! - [`indexes`] — dropped and rebuilt around a bulk load, and the statistics after any;
//! - [`report`] — what the import did.

pub mod body;
pub mod credits;
pub mod indexes;
pub mod lines;
pub mod pipeline;
pub mod report;
pub mod store;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use diesel::prelude::*;
use diesel::sql_types::Uuid as SqlUuid;
use uuid::Uuid;

pub use report::{Counts, Report};

use indexes::{drop_secondary_indexes, rebuild_and_analyze};
use pipeline::{articles_file, Refs};
use store::{named, Named};

/// Why an import stopped (a bad line does not stop it: it is reported and skipped).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read {}{}", path.display(), line.map(|n| format!(":{n}")).unwrap_or_default())]
    Read {
        path: PathBuf,
        line: Option<usize>,
        #[source]
        source: std::io::Error,
    },
    #[error("database")]
    Database(#[from] diesel::result::Error),
    #[error("cannot connect to the database")]
    Connect(#[source] diesel::ConnectionError),
    #[error("a writer stopped")]
    WriterStopped,
    #[error("one of the import's threads panicked")]
    Panicked,
}

impl ImportError {
    fn read(path: &Path, line: Option<usize>, source: std::io::Error) -> ImportError {
        ImportError::Read {
            path: path.to_owned(),
            line,
            source,
        }
    }
}

/// Imports `dir` into the database at `url` (on several connections); `progress` is called
/// with (bytes of articles.jsonl done, its size).
pub fn run(
    url: &str,
    dir: &Path,
    progress: impl FnMut(usize, usize),
) -> Result<Report, ImportError> {
    run_with(url, dir, BULK_BYTES, progress)
}

/// [`run`], with the size from which a load into an empty archive rebuilds the indexes at the end.
pub fn run_with(
    url: &str,
    dir: &Path,
    bulk_bytes: u64,
    mut progress: impl FnMut(usize, usize),
) -> Result<Report, ImportError> {
    let conn = &mut PgConnection::establish(url).map_err(ImportError::Connect)?;
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
    let bulk = existing.is_empty() && size > bulk_bytes;
    if bulk {
        drop_secondary_indexes(conn)?;
    }
    let dropped = indexes::dropped(conn)?;
    if !bulk && !dropped.is_empty() {
        tracing::warn!(
            indexes = dropped.len(),
            "an earlier import stopped before it built its indexes again: they are built at the end"
        );
    }
    let started = std::time::Instant::now();
    let loaded = articles_file(
        conn,
        url,
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
    let rebuilt = rebuild_and_analyze(url, &dropped);
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        indexes = dropped.len(),
        "indexes rebuilt, statistics gathered"
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
    // Servers running on this database drop what they have cached.
    let mut changed = crate::cache::Changes::default();
    changed.everything();
    changed.notify(conn, Uuid::nil())?;
    Ok(report)
}

/// Files above this size into an empty archive count as a bulk load.
const BULK_BYTES: u64 = 8 * 1024 * 1024;
