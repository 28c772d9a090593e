//! A bulk load into an empty archive drops the secondary indexes of the article tables and
//! builds them once at the end: several times faster than maintaining them row by row.

use diesel::prelude::*;
use diesel::sql_types::Text;

#[derive(QueryableByName)]
pub struct IndexDef {
    #[diesel(sql_type = Text)]
    indexname: String,
    #[diesel(sql_type = Text)]
    indexdef: String,
}

/// Drops the non-unique indexes of the article tables; returns their definitions, read from the
/// catalog (the migrations stay the one place that defines them).
pub fn drop_secondary_indexes(conn: &mut PgConnection) -> QueryResult<Vec<IndexDef>> {
    let defs: Vec<IndexDef> = diesel::sql_query(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() \
         AND tablename IN ('articles', 'article_bylines', 'article_tags', 'search_documents') \
         AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))",
    )
    .load(conn)?;
    for d in &defs {
        diesel::sql_query(format!("DROP INDEX IF EXISTS \"{}\"", d.indexname)).execute(conn)?;
    }
    Ok(defs)
}

/// Recreates dropped indexes, with memory enough to sort the B-trees in one pass and to let the
/// search documents' GIN index gather most of its entries before it writes them.
pub fn rebuild_indexes(conn: &mut PgConnection, defs: &[IndexDef]) -> QueryResult<()> {
    if defs.is_empty() {
        return Ok(());
    }
    diesel::sql_query("SET maintenance_work_mem = '1GB'").execute(conn)?;
    for d in defs {
        let started = std::time::Instant::now();
        diesel::sql_query(d.indexdef.clone()).execute(conn)?;
        tracing::info!(index = %d.indexname, seconds = started.elapsed().as_secs_f64(), "index built");
    }
    diesel::sql_query("RESET maintenance_work_mem").execute(conn)?;
    Ok(())
}
