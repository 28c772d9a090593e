//! `newsdesk backup --out FILE` and `newsdesk restore FILE`: a consistent `pg_dump` in custom
//! format (one snapshot) of newsdesk's database, and its restore into an empty one — an embedded
//! data dir that has no newsdesk tables yet, or an empty external database.

use std::path::Path;
use std::process::Command;

use diesel::prelude::*;

use crate::embedded_pg::find_bindir;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{0}")]
    Tool(String),
    #[error("the target database already holds newsdesk tables: restore needs an empty one (a new NEWSDESK_DATA_DIR)")]
    NotEmpty,
    #[error("database: {0}")]
    Database(String),
}

fn tool(name: &str) -> Result<std::path::PathBuf, BackupError> {
    let path = find_bindir()
        .map_err(|e| BackupError::Tool(e.to_string()))?
        .join(name);
    if path.is_file() {
        Ok(path)
    } else {
        Err(BackupError::Tool(format!(
            "{} not found (install PostgreSQL's client tools)",
            path.display()
        )))
    }
}

fn run(mut cmd: Command, what: &str) -> Result<(), BackupError> {
    let out = cmd
        .output()
        .map_err(|e| BackupError::Tool(format!("{what}: {e}")))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(BackupError::Tool(format!(
            "{what} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// Dumps the database at `url` to `out` (custom format, one consistent snapshot).
pub fn dump(url: &str, out: &Path) -> Result<(), BackupError> {
    let mut cmd = Command::new(tool("pg_dump")?);
    cmd.args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
        .arg(out)
        .arg("--dbname")
        .arg(url);
    run(cmd, "pg_dump")
}

/// Restores `file` into the empty database at `url`.
pub fn restore(url: &str, file: &Path) -> Result<(), BackupError> {
    let mut conn =
        PgConnection::establish(url).map_err(|e| BackupError::Database(e.to_string()))?;
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        found: bool,
    }
    let found: Found = diesel::sql_query(
        "SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() \
         AND table_name IN ('articles', '__diesel_schema_migrations')) AS found",
    )
    .get_result(&mut conn)
    .map_err(|e| BackupError::Database(e.to_string()))?;
    if found.found {
        return Err(BackupError::NotEmpty);
    }
    drop(conn);
    let mut cmd = Command::new(tool("pg_restore")?);
    cmd.args([
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        "--dbname",
    ])
    .arg(url)
    .arg(file);
    run(cmd, "pg_restore")
}
