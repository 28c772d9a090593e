//! `newsdesk backup --out FILE` and `newsdesk restore FILE`: a consistent `pg_dump` in custom
//! format (one snapshot) of newsdesk's database, and its restore into an empty one — an embedded
//! data dir that has no newsdesk tables yet, or an empty external database.
//!
//! The photos of a `file:` media store are copied beside it, to `FILE.media/` ([`copy_media`]),
//! after the dump: every image the dump names had its files stored before its row committed, so
//! only an image deleted while the backup runs can miss its files. An S3 store is not copied
//! (its own versioning or replication backs it up); `backup` says so.

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

/// Where the photos of backup `file` go: `FILE.media/` beside it.
pub fn media_dir(file: &Path) -> std::path::PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".media");
    std::path::PathBuf::from(name)
}

/// Copies every file under `from` to the same place under `to` (those already there with the
/// same size are left: a second backup to the same place copies only what is new); returns how
/// many files it copied.
pub fn copy_media(from: &Path, to: &Path) -> std::io::Result<u64> {
    let mut copied = 0;
    if !from.is_dir() {
        return Ok(0);
    }
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type()?.is_dir() {
            copied += copy_media(&source, &target)?;
        } else {
            let same = std::fs::metadata(&target)
                .is_ok_and(|t| entry.metadata().is_ok_and(|s| s.len() == t.len()));
            if !same {
                std::fs::copy(&source, &target)?;
                copied += 1;
            }
        }
    }
    Ok(copied)
}
