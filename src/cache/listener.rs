//! Coherence across processes: a thread `LISTEN`s on the database for the changes other
//! processes commit and evicts them here (within [`POLL`] of the commit). After a lost
//! connection it evicts everything, since notifications may have been missed meanwhile.
//!
//! With a replica, the primary's WAL position is recorded in [`Seen`] before each eviction
//! (see [`crate::replica`]): no read is then served by a replica that has not replayed what
//! was evicted.

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection, RunQueryDsl};

use super::changes::{Changes, CHANNEL};
use super::{forget, ResponseCache, Scope};
use crate::directory::Directory;
use crate::replica::{self, Seen};

/// How often the connection is read for notifications.
pub const POLL: Duration = Duration::from_millis(100);

/// What the listener keeps fresh: this process's responses and directory.
struct Kept {
    responses: Weak<ResponseCache>,
    directory: Weak<Directory>,
    /// With a replica: where the primary was when the changes were heard.
    seen: Option<Arc<Seen>>,
}

impl Kept {
    fn alive(&self) -> bool {
        self.responses.strong_count() > 0
    }

    /// Records where the primary is now (past the commits just heard of); `settle` also ends
    /// the doubt a cut-off commit left.
    fn note_position(&self, conn: &mut PgConnection, settle: bool) -> diesel::QueryResult<()> {
        if let Some(seen) = &self.seen {
            let lsn = replica::primary_lsn(conn)?;
            if settle {
                seen.settle(lsn);
            } else {
                seen.advance(lsn);
            }
        }
        Ok(())
    }

    /// Applies `changed` unless the process has let go of its caches (then `false`).
    fn forget(&self, changed: &[Scope], sender: Option<uuid::Uuid>) -> bool {
        let (Some(responses), Some(directory)) =
            (self.responses.upgrade(), self.directory.upgrade())
        else {
            return false;
        };
        // This process evicted its own changes before answering the write.
        if sender != Some(responses.instance()) {
            forget(changed, &responses, &directory);
        }
        true
    }
}

/// Starts the listener thread (also with responses not cached: the section tree is kept
/// whatever the setting); it ends when the cache is dropped. With `seen`, it records the
/// primary's position before it evicts.
pub fn spawn(
    url: String,
    responses: &Arc<ResponseCache>,
    directory: &Arc<Directory>,
    seen: Option<Arc<Seen>>,
) {
    let kept = Kept {
        responses: Arc::downgrade(responses),
        directory: Arc::downgrade(directory),
        seen,
    };
    let started = std::thread::Builder::new()
        .name("cache-listener".into())
        .spawn(move || run(&url, &kept));
    if let Err(e) = started {
        tracing::error!(error = %e, "cannot start the cache listener");
    }
}

fn run(url: &str, kept: &Kept) {
    let mut first = true;
    while kept.alive() {
        match listen(url) {
            Ok(mut conn) => {
                if !first {
                    tracing::info!("cache listener reconnected: evicting everything");
                }
                if let Err(e) = kept.note_position(&mut conn, true) {
                    tracing::warn!(error = %e, "cache listener lost its connection");
                    std::thread::sleep(Duration::from_secs(1));
                    continue;
                }
                kept.forget(&[Scope::Everything], None);
                first = false;
                if let Err(e) = receive(&mut conn, kept) {
                    tracing::warn!(error = %e, "cache listener lost its connection");
                }
            }
            Err(e) => tracing::debug!(error = %e, "cache listener cannot connect"),
        }
        std::thread::sleep(Duration::from_secs(1));
    }
}

fn listen(url: &str) -> diesel::QueryResult<PgConnection> {
    let mut conn = PgConnection::establish(url)
        .map_err(|e| diesel::result::Error::QueryBuilderError(e.to_string().into()))?;
    diesel::sql_query(format!("LISTEN {CHANNEL}")).execute(&mut conn)?;
    Ok(conn)
}

/// Applies notifications until the connection fails or the cache is gone.
fn receive(conn: &mut PgConnection, kept: &Kept) -> diesel::QueryResult<()> {
    let mut checked = Instant::now();
    loop {
        if !kept.alive() {
            return Ok(());
        }
        let heard = conn
            .notifications_iter()
            .map(|n| n.map(|n| Changes::parse(&n.payload)))
            .collect::<diesel::QueryResult<Vec<_>>>()?;
        let unsure = kept.seen.as_ref().is_some_and(|s| s.unsure());
        if !heard.is_empty() || unsure {
            kept.note_position(conn, unsure)?;
        }
        for (sender, changes) in heard {
            if !kept.forget(&changes.scopes, sender) {
                return Ok(());
            }
        }
        // Reading notifications does not notice a dead server; a query does.
        if checked.elapsed() > Duration::from_secs(2) {
            diesel::sql_query("SELECT 1").execute(conn)?;
            checked = Instant::now();
        }
        std::thread::sleep(POLL);
    }
}
