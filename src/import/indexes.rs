//! After the articles are in: a bulk load into an empty archive dropped the secondary indexes of
//! the article tables (several times faster than maintaining them row by row), and they are built
//! once here; then the planner's statistics. The statements run on two connections at once, the
//! longest first: the search documents' GIN index takes as long as everything else together and
//! PostgreSQL builds a GIN index on one core.
//!
//! The definitions of dropped indexes wait in `import_dropped_indexes` (written in the
//! transaction that drops them, deleted in the one that builds each again), so an import that
//! stopped half way leaves them to the next import to build.

use std::sync::Mutex;

use diesel::prelude::*;
use diesel::sql_types::{Array, Text};

use super::ImportError;

#[derive(Debug, Clone, QueryableByName)]
pub struct IndexDef {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    definition: String,
}

/// Drops the non-unique indexes of the article tables and records their definitions, read from
/// the catalog (the migrations stay the one place that defines them), in one transaction.
pub fn drop_secondary_indexes(conn: &mut PgConnection) -> QueryResult<()> {
    conn.transaction(|c| {
        let defs: Vec<IndexDef> = diesel::sql_query(
            "SELECT indexname AS name, indexdef AS definition FROM pg_indexes \
             WHERE schemaname = current_schema() \
             AND tablename IN ('articles', 'article_bylines', 'article_tags', 'search_documents') \
             AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))",
        )
        .load(c)?;
        diesel::sql_query(
            "INSERT INTO import_dropped_indexes (name, definition) SELECT * FROM unnest($1, $2) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind::<Array<Text>, _>(defs.iter().map(|d| d.name.as_str()).collect::<Vec<_>>())
        .bind::<Array<Text>, _>(
            defs.iter()
                .map(|d| d.definition.as_str())
                .collect::<Vec<_>>(),
        )
        .execute(c)?;
        for d in &defs {
            diesel::sql_query(format!("DROP INDEX IF EXISTS \"{}\"", d.name)).execute(c)?;
        }
        Ok(())
    })
}

/// The indexes dropped by a bulk import and not built again yet: this import's, or those of
/// one that stopped before it rebuilt them.
pub fn dropped(conn: &mut PgConnection) -> QueryResult<Vec<IndexDef>> {
    diesel::sql_query("SELECT name, definition FROM import_dropped_indexes ORDER BY name")
        .load(conn)
}

/// Connections that build indexes and statistics side by side.
const BUILDERS: usize = 2;

/// A statement of the rebuild: an index to build (and forget), or statistics to gather.
enum Job {
    Index(IndexDef),
    Statistics(&'static str),
}

/// Builds the dropped indexes and gathers the statistics of the article tables, on
/// [`BUILDERS`] connections to `url`, each with memory enough to sort its B-trees in one pass
/// and to let a GIN index gather most of its entries before it writes them. The statistics of
/// a table come after its indexes are built (ANALYZE waits for a build on its table).
pub fn rebuild_and_analyze(url: &str, defs: &[IndexDef]) -> Result<(), ImportError> {
    let mut indexes = defs.to_vec();
    // Longest first: GIN before B-trees, the documents' before the titles'.
    indexes.sort_by_key(|d| {
        (
            !d.definition.contains("USING gin"),
            !d.definition.contains("search_documents"),
        )
    });
    let mut jobs: Vec<Job> = indexes.into_iter().map(Job::Index).collect();
    jobs.extend(
        [
            "ANALYZE articles, article_bylines",
            // The tags' table is read index-only by related stories: its visibility map set now.
            "VACUUM (ANALYZE) article_tags",
            "ANALYZE search_documents",
        ]
        .map(Job::Statistics),
    );
    jobs.reverse();
    let queue = Mutex::new(jobs);
    std::thread::scope(|s| {
        let builders: Vec<_> = (0..BUILDERS)
            .map(|_| s.spawn(|| build(url, &queue)))
            .collect();
        builders
            .into_iter()
            .map(|b| b.join().unwrap_or(Err(ImportError::Panicked)))
            .collect::<Result<Vec<()>, _>>()
            .map(|_| ())
    })
}

/// One builder: takes the next job until none is left (or another builder failed and emptied
/// the queue).
fn build(url: &str, queue: &Mutex<Vec<Job>>) -> Result<(), ImportError> {
    let mut conn = PgConnection::establish(url).map_err(ImportError::Connect)?;
    diesel::sql_query("SET maintenance_work_mem = '1GB'").execute(&mut conn)?;
    loop {
        let job = queue.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let started = std::time::Instant::now();
        let (step, done) = match &job {
            None => return Ok(()),
            Some(Job::Index(d)) => (d.name.as_str(), build_index(&mut conn, d)),
            Some(Job::Statistics(statement)) => (
                *statement,
                diesel::sql_query(*statement).execute(&mut conn).map(|_| ()),
            ),
        };
        if let Err(e) = done {
            queue.lock().unwrap_or_else(|e| e.into_inner()).clear();
            return Err(e.into());
        }
        tracing::info!(step, seconds = started.elapsed().as_secs_f64(), "done");
    }
}

/// Builds one dropped index (if it is not there after all) and forgets it, in one transaction.
fn build_index(conn: &mut PgConnection, d: &IndexDef) -> QueryResult<()> {
    let definition = d
        .definition
        .replacen("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)
        .replacen(
            "CREATE UNIQUE INDEX ",
            "CREATE UNIQUE INDEX IF NOT EXISTS ",
            1,
        );
    conn.transaction(|c| {
        diesel::sql_query(definition).execute(c)?;
        diesel::sql_query("DELETE FROM import_dropped_indexes WHERE name = $1")
            .bind::<Text, _>(&d.name)
            .execute(c)
            .map(|_| ())
    })
}
