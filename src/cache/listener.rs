//! Coherence across processes: a thread `LISTEN`s on the database for the changes other
//! processes commit and evicts them here (within [`POLL`] of the commit). After a lost
//! connection it evicts everything, since notifications may have been missed meanwhile.

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection, RunQueryDsl};

use super::changes::{Changes, CHANNEL};
use super::{ResponseCache, Scope};

/// How often the connection is read for notifications.
pub const POLL: Duration = Duration::from_millis(100);

/// Starts the listener thread (also with responses not cached: the section tree is kept
/// whatever the setting); it ends when the cache is dropped.
pub fn spawn(url: String, cache: &Arc<ResponseCache>) {
    let cache = Arc::downgrade(cache);
    let started = std::thread::Builder::new()
        .name("cache-listener".into())
        .spawn(move || run(&url, &cache));
    if let Err(e) = started {
        tracing::error!(error = %e, "cannot start the cache listener");
    }
}

fn run(url: &str, cache: &Weak<ResponseCache>) {
    let mut first = true;
    while cache.strong_count() > 0 {
        match listen(url) {
            Ok(mut conn) => {
                if !first {
                    tracing::info!("cache listener reconnected: evicting everything");
                }
                if let Some(c) = cache.upgrade() {
                    c.evict(&[Scope::Everything]);
                }
                first = false;
                if let Err(e) = receive(&mut conn, cache) {
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
fn receive(conn: &mut PgConnection, cache: &Weak<ResponseCache>) -> diesel::QueryResult<()> {
    let mut checked = Instant::now();
    loop {
        let Some(cache) = cache.upgrade() else {
            return Ok(());
        };
        for n in conn.notifications_iter() {
            let (sender, changes) = Changes::parse(&n?.payload);
            // This process evicted its own changes before answering the write.
            if sender != Some(cache.instance()) {
                cache.evict(&changes.0);
            }
        }
        drop(cache);
        // Reading notifications does not notice a dead server; a query does.
        if checked.elapsed() > Duration::from_secs(2) {
            diesel::sql_query("SELECT 1").execute(conn)?;
            checked = Instant::now();
        }
        std::thread::sleep(POLL);
    }
}
