//! After the articles are in: a bulk load into an empty archive dropped the secondary indexes of
//! the article tables (several times faster than maintaining them row by row), and they are built
//! once here; then the planner's statistics. The statements run on two connections at once, the
//! longest first: the search documents' GIN index takes as long as everything else together and
//! PostgreSQL builds a GIN index on one core.

use std::sync::Mutex;

use diesel::prelude::*;
use diesel::sql_types::Text;

use super::ImportError;

#[derive(QueryableByName)]
pub struct IndexDef {
    #[diesel(sql_type = Text)]
    indexname: String,
    #[diesel(sql_type = Text)]
    tablename: String,
    #[diesel(sql_type = Text)]
    indexdef: String,
}

/// Drops the non-unique indexes of the article tables; returns their definitions, read from the
/// catalog (the migrations stay the one place that defines them).
pub fn drop_secondary_indexes(conn: &mut PgConnection) -> QueryResult<Vec<IndexDef>> {
    let defs: Vec<IndexDef> = diesel::sql_query(
        "SELECT indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = current_schema() \
         AND tablename IN ('articles', 'article_bylines', 'article_tags', 'search_documents') \
         AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))",
    )
    .load(conn)?;
    for d in &defs {
        diesel::sql_query(format!("DROP INDEX IF EXISTS \"{}\"", d.indexname)).execute(conn)?;
    }
    Ok(defs)
}

/// Connections that build indexes and statistics side by side.
const BUILDERS: usize = 2;

/// Recreates the dropped indexes and gathers the statistics of the article tables, on
/// [`BUILDERS`] connections to `url`, each with memory enough to sort its B-trees in one pass
/// and to let a GIN index gather most of its entries before it writes them. The statistics of
/// a table are gathered once its indexes are built (ANALYZE waits for a build on its table).
pub fn rebuild_and_analyze(url: &str, defs: &[IndexDef]) -> Result<(), ImportError> {
    let mut jobs: Vec<(String, String)> = defs
        .iter()
        .map(|d| (d.indexname.clone(), d.indexdef.clone()))
        .collect();
    // Longest first: GIN before B-trees, the documents' before the titles'.
    let cost = |name: &str| {
        let d = defs.iter().find(|d| d.indexname == name);
        let gin = d.is_some_and(|d| d.indexdef.contains("USING gin"));
        let documents = d.is_some_and(|d| d.tablename == "search_documents");
        (!gin, !documents)
    };
    jobs.sort_by_key(|(name, _)| cost(name));
    for statement in [
        "ANALYZE articles, article_bylines",
        // The tags' table is read index-only by related stories: its visibility map set now.
        "VACUUM (ANALYZE) article_tags",
        "ANALYZE search_documents",
    ] {
        jobs.push((statement.to_owned(), statement.to_owned()));
    }
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

/// One builder: takes the next statement until none is left (or another builder failed and
/// emptied the queue).
fn build(url: &str, queue: &Mutex<Vec<(String, String)>>) -> Result<(), ImportError> {
    let mut conn = PgConnection::establish(url).map_err(ImportError::Connect)?;
    diesel::sql_query("SET maintenance_work_mem = '1GB'").execute(&mut conn)?;
    loop {
        let job = queue.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let Some((name, statement)) = job else {
            return Ok(());
        };
        let started = std::time::Instant::now();
        if let Err(e) = diesel::sql_query(statement).execute(&mut conn) {
            queue.lock().unwrap_or_else(|e| e.into_inner()).clear();
            return Err(e.into());
        }
        tracing::info!(step = %name, seconds = started.elapsed().as_secs_f64(), "done");
    }
}
