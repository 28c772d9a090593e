//! Anonymous reads from a PostgreSQL streaming replica (API.md §12, `NEWSDESK_REPLICA_URL`).
//!
//! Three rules, and where each is kept:
//!
//! - **Fresh enough.** A thread ([`watch`]) samples the primary's WAL position and the replica's
//!   replayed position four times a second. The replica's lag is how long ago the primary was
//!   last at a position the replica has replayed (so an idle newsroom has no lag, and paused or
//!   broken replay shows as growing lag whatever the replica believes). Over
//!   `NEWSDESK_REPLICA_MAX_LAG`, or unreachable, anonymous reads go to the primary; the watch
//!   keeps trying in the background.
//! - **Never behind what this process knows.** [`Seen`] holds the primary's WAL position after
//!   the latest write this process made (`state::Writer`) or was told about (the cache listener,
//!   which records it *before* evicting). A read goes to the replica only once the replica has
//!   replayed that far (asked again on the replica's own connection when the watch's figure is
//!   older), and its answer is thrown away for the primary's when a write became known while it
//!   ran. So no response rendered from the replica misses a write whose eviction it could have
//!   slipped past: an entry the cache keeps was rendered from data at least as new as every
//!   eviction before its generation was read.
//! - **Costs no error.** A replica that refuses, breaks mid-read, cancels a query for a recovery
//!   conflict, or does not know an id (it may not have replayed it yet) hands the read to the
//!   primary; the reader only sees the primary's answer.
//!
//! Staff reads and every write use the primary, so an editor always reads their own writes.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use diesel::sql_types::{BigInt, Nullable};
use diesel::{Connection, PgConnection, QueryableByName, RunQueryDsl};

use crate::db::{self, DbPool};
use crate::error::AppError;

/// How often the watch samples the two positions.
pub const TICK: Duration = Duration::from_millis(250);

/// Who is reading: anonymous readers may be served by the replica, staff never are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Public,
    Staff,
}

/// The primary's WAL position after the latest write this process made or was told about.
#[derive(Debug, Default)]
pub struct Seen {
    lsn: AtomicU64,
    /// A write whose outcome or position is not known: no replica read until it is.
    unsure: AtomicBool,
}

impl Seen {
    /// A write committed at or before `lsn` is known here.
    pub fn advance(&self, lsn: u64) {
        self.lsn.fetch_max(lsn, Ordering::AcqRel);
    }

    /// A write may have committed at a position not known here (its commit was cut off, or
    /// the position could not be read): reads stay on the primary until [`Seen::settle`].
    pub fn doubt(&self) {
        self.unsure.store(true, Ordering::Release);
    }

    /// The primary is at `lsn`, past every write made so far.
    pub fn settle(&self, lsn: u64) {
        self.advance(lsn);
        self.unsure.store(false, Ordering::Release);
    }

    pub fn unsure(&self) -> bool {
        self.unsure.load(Ordering::Acquire)
    }

    fn lsn(&self) -> u64 {
        self.lsn.load(Ordering::Acquire)
    }
}

#[derive(QueryableByName)]
struct Position {
    #[diesel(sql_type = Nullable<BigInt>)]
    lsn: Option<i64>,
}

fn position(conn: &mut PgConnection, sql: &str) -> diesel::QueryResult<Option<u64>> {
    let row: Position = diesel::sql_query(sql).get_result(conn)?;
    Ok(row.lsn.map(|n| n.unsigned_abs()))
}

/// The primary's WAL position now (past every commit acknowledged so far).
pub fn primary_lsn(conn: &mut PgConnection) -> diesel::QueryResult<u64> {
    position(
        conn,
        "SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint AS lsn",
    )
    .map(Option::unwrap_or_default)
}

/// The position a standby has replayed (`None`: the server is not a standby).
fn replayed_lsn(conn: &mut PgConnection) -> diesel::QueryResult<Option<u64>> {
    position(
        conn,
        "SELECT (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::bigint AS lsn",
    )
}

/// What the watch last saw of the replica.
#[derive(Debug, Default)]
struct Health {
    /// Reachable, a standby, and within the allowed lag.
    usable: AtomicBool,
    replayed: AtomicU64,
    lag_ms: AtomicU64,
}

/// Why a read went to the primary after all.
#[derive(Debug, Clone, Copy)]
enum Fallback {
    /// Unreachable or lagging, as the watch last saw it.
    Unusable,
    /// It has not replayed a write this process knows of.
    Behind,
    /// It failed during the read.
    Failed,
    /// It did not know what was asked for (it may not have replayed it yet).
    NotFound,
}

impl Fallback {
    fn label(self) -> &'static str {
        match self {
            Fallback::Unusable => "unusable",
            Fallback::Behind => "behind",
            Fallback::Failed => "failed",
            Fallback::NotFound => "not_found",
        }
    }
}

/// The replica, as reads and the watch share it.
#[derive(Debug)]
pub struct Replica {
    pool: DbPool,
    distrust: db::Distrust,
    url: String,
    max_lag: Duration,
    health: Health,
    seen: Arc<Seen>,
}

/// What `/readyz` says of the replica.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status {
    pub usable: bool,
    pub lag: Duration,
}

impl Replica {
    /// A replica at `url` (nothing is connected yet: the watch does that), used while its lag
    /// is at most `max_lag`, kept behind what `seen` says.
    pub fn new(url: &str, pool_size: u32, max_lag: Duration, seen: Arc<Seen>) -> Replica {
        let url = with_connect_timeout(url);
        let (pool, distrust) = db::build_replica_pool(&url, pool_size);
        Replica {
            pool,
            distrust,
            url,
            max_lag,
            health: Health::default(),
            seen,
        }
    }

    /// What this process knows of the primary's writes.
    pub fn seen(&self) -> &Arc<Seen> {
        &self.seen
    }

    pub fn status(&self) -> Status {
        Status {
            usable: self.health.usable.load(Ordering::Acquire),
            lag: Duration::from_millis(self.health.lag_ms.load(Ordering::Acquire)),
        }
    }

    /// Runs `f` on the replica when it may answer; `Err` says why the primary must.
    fn attempt<T>(
        &self,
        f: impl FnOnce(&mut PgConnection) -> Result<T, AppError>,
        in_transaction: bool,
    ) -> Result<Result<T, AppError>, Fallback> {
        if !self.health.usable.load(Ordering::Acquire) || self.seen.unsure() {
            return Err(Fallback::Unusable);
        }
        let outcome = db::run_here(&self.pool, |conn| {
            let needed = self.seen.lsn();
            let mut replayed = self.health.replayed.load(Ordering::Acquire);
            if replayed < needed {
                // The watch's figure is older than the write: ask the replica itself.
                replayed = replayed_lsn(conn)?.unwrap_or_default();
                self.health.replayed.fetch_max(replayed, Ordering::AcqRel);
                if replayed < needed {
                    return Ok(Err(Fallback::Behind));
                }
            }
            let result = if in_transaction {
                db::in_transaction(conn, f)
            } else {
                f(conn)
            };
            match result {
                // Out through `run_here`, which has the pool test its connections after a loss.
                Err(e) if is_failure(&e) => Err(e),
                Err(AppError::NotFound(_)) => Ok(Err(Fallback::NotFound)),
                // A write became known while it ran: it may have missed it.
                _ if self.seen.unsure() || self.seen.lsn() > replayed => Ok(Err(Fallback::Behind)),
                result => Ok(Ok(result)),
            }
        });
        match outcome {
            Ok(answer) => answer,
            Err(e) => {
                if let AppError::Unavailable(_) = e {
                    // No connection, or it broke: the watch tells when it is back.
                    self.health.usable.store(false, Ordering::Release);
                }
                tracing::warn!(error = %e, "the replica could not answer; the primary does");
                Err(Fallback::Failed)
            }
        }
    }
}

/// Errors that say the replica could not answer, not that the request is wrong: a lost
/// connection, a query cancelled for a recovery conflict (SQLSTATE 40001), anything unexpected.
fn is_failure(e: &AppError) -> bool {
    matches!(
        e,
        AppError::Unavailable(_)
            | AppError::CommitUnknown(_)
            | AppError::Internal(_)
            | AppError::Conflict {
                code: "write_conflict",
                ..
            }
    )
}

/// libpq waits as long as the network does by default: a replica that does not answer must
/// cost at most two seconds of a background thread, never a reader's time.
fn with_connect_timeout(url: &str) -> String {
    if url.contains("connect_timeout=") {
        return url.to_owned();
    }
    let joiner = if url.contains('?') { '&' } else { '?' };
    format!("{url}{joiner}connect_timeout=2")
}

/// Where reads go: the primary, and the replica for anonymous readers when there is one.
#[derive(Debug, Clone)]
pub struct Reads {
    primary: DbPool,
    replica: Option<Arc<Replica>>,
}

impl Reads {
    pub fn new(primary: DbPool, replica: Option<Arc<Replica>>) -> Reads {
        Reads { primary, replica }
    }

    pub fn replica(&self) -> Option<&Arc<Replica>> {
        self.replica.as_ref()
    }

    /// Runs `f` like [`db::run`]: on the replica for a [`Reader::Public`] when it may answer,
    /// else (and whenever it cannot) on the primary. `f` is cloned for the second try.
    pub async fn run<T, F>(&self, reader: Reader, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut PgConnection) -> Result<T, AppError> + Clone + Send + 'static,
        T: Send + 'static,
    {
        self.read(reader, f, false).await
    }

    /// Like [`Reads::run`], inside one (read-only in effect) transaction.
    pub async fn transaction<T, F>(&self, reader: Reader, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut PgConnection) -> Result<T, AppError> + Clone + Send + 'static,
        T: Send + 'static,
    {
        self.read(reader, f, true).await
    }

    async fn read<T, F>(&self, reader: Reader, f: F, in_transaction: bool) -> Result<T, AppError>
    where
        F: FnOnce(&mut PgConnection) -> Result<T, AppError> + Clone + Send + 'static,
        T: Send + 'static,
    {
        if let (Reader::Public, Some(replica)) = (reader, &self.replica) {
            let (replica, g) = (replica.clone(), f.clone());
            let tried = crate::blocking::run(move || replica.attempt(g, in_transaction)).await?;
            match tried {
                Ok(answer) => {
                    metrics::counter!("db_reads_total", "db" => "replica").increment(1);
                    return answer;
                }
                Err(why) => {
                    metrics::counter!("replica_fallbacks_total", "reason" => why.label())
                        .increment(1);
                }
            }
        }
        if self.replica.is_some() {
            metrics::counter!("db_reads_total", "db" => "primary").increment(1);
        }
        if in_transaction {
            db::transaction(&self.primary, f).await
        } else {
            db::run(&self.primary, f).await
        }
    }
}

/// Starts the watch of `replica` against the primary at `primary_url`; it ends when the
/// replica is dropped.
pub fn watch(primary_url: String, replica: &Arc<Replica>) {
    let replica = Arc::downgrade(replica);
    let started = std::thread::Builder::new()
        .name("replica-watch".into())
        .spawn(move || Watch::new(primary_url).run(&replica));
    if let Err(e) = started {
        tracing::error!(error = %e, "cannot start the replica watch");
    }
}

/// The watch's own connections and the primary's recent positions.
struct Watch {
    primary_url: String,
    primary: Option<PgConnection>,
    standby: Option<PgConnection>,
    /// When the primary was at which position, newest last.
    history: VecDeque<(Instant, u64)>,
    /// What was last logged (`None`: nothing yet).
    said: Option<&'static str>,
}

impl Watch {
    fn new(primary_url: String) -> Watch {
        Watch {
            primary_url,
            primary: None,
            standby: None,
            history: VecDeque::new(),
            said: None,
        }
    }

    fn run(mut self, replica: &Weak<Replica>) {
        while let Some(r) = replica.upgrade() {
            let (usable, lag, state) = self.sample(&r);
            r.health.usable.store(usable, Ordering::Release);
            let lag_ms = u64::try_from(lag.as_millis()).unwrap_or(u64::MAX);
            r.health.lag_ms.store(lag_ms, Ordering::Release);
            let seconds = if lag == Duration::MAX {
                f64::INFINITY
            } else {
                lag.as_secs_f64()
            };
            metrics::gauge!("replica_lag_seconds").set(seconds);
            metrics::gauge!("replica_usable").set(if usable { 1.0 } else { 0.0 });
            if self.said != Some(state) {
                match state {
                    "in use" => tracing::info!(lag_ms, "replica in use for anonymous reads"),
                    _ => tracing::warn!(lag_ms, state, "anonymous reads go to the primary"),
                }
                self.said = Some(state);
            }
            drop(r);
            std::thread::sleep(TICK);
        }
    }

    /// One look at both servers: whether the replica may answer, its lag, and a word for it.
    fn sample(&mut self, r: &Replica) -> (bool, Duration, &'static str) {
        let never = Duration::MAX;
        let Some(at) = self.primary_position() else {
            return (false, never, "the primary's position cannot be read");
        };
        let now = Instant::now();
        self.history.push_back((now, at));
        let keep = r.max_lag + Duration::from_secs(5);
        while self
            .history
            .front()
            .is_some_and(|(t, _)| now.duration_since(*t) > keep)
        {
            self.history.pop_front();
        }
        let replayed = match self.replayed(&r.url) {
            Ok(Some(lsn)) => lsn,
            Ok(None) => return (false, never, "NEWSDESK_REPLICA_URL is not a standby"),
            Err(()) => {
                // Whatever the pool holds may have died with it: tested before next use.
                r.distrust.now();
                return (false, never, "the replica is unreachable");
            }
        };
        r.health.replayed.fetch_max(replayed, Ordering::AcqRel);
        // The newest moment the primary was at a position already replayed.
        let lag = self
            .history
            .iter()
            .rev()
            .find(|(_, lsn)| *lsn <= replayed)
            .map_or(never, |(t, _)| now.duration_since(*t));
        if lag <= r.max_lag {
            (true, lag, "in use")
        } else {
            (false, lag, "the replica lags")
        }
    }

    fn primary_position(&mut self) -> Option<u64> {
        if self.primary.is_none() {
            self.primary = PgConnection::establish(&self.primary_url).ok();
        }
        let at = primary_lsn(self.primary.as_mut()?).ok();
        if at.is_none() {
            self.primary = None;
        }
        at
    }

    fn replayed(&mut self, url: &str) -> Result<Option<u64>, ()> {
        if self.standby.is_none() {
            self.standby = PgConnection::establish(url).ok();
        }
        let conn = self.standby.as_mut().ok_or(())?;
        replayed_lsn(conn).map_err(|_| {
            self.standby = None;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_connect_timeout_is_added_unless_given() {
        assert_eq!(
            with_connect_timeout("postgres://r@replica/newsdesk"),
            "postgres://r@replica/newsdesk?connect_timeout=2"
        );
        assert_eq!(
            with_connect_timeout("postgres://r@localhost/newsdesk?host=/run/pg"),
            "postgres://r@localhost/newsdesk?host=/run/pg&connect_timeout=2"
        );
        assert_eq!(
            with_connect_timeout("postgres://r@replica/n?connect_timeout=5"),
            "postgres://r@replica/n?connect_timeout=5"
        );
    }
}
