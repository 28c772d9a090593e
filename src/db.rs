//! The connection pool, the helper that runs Diesel on the blocking pool, and migrations.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::pg::PgConnection;
use diesel::r2d2::{CustomizeConnection, ManageConnection, Pool, R2D2Connection};
use diesel::Connection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::AppError;

pub type DbPool = Pool<Manager>;

pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// How long a request waits for a free connection before it is answered 503.
pub const CHECKOUT_TIMEOUT: Duration = Duration::from_secs(5);

/// A pooled connection and the outage epoch it was last known good in.
pub struct Pooled {
    conn: PgConnection,
    epoch: u64,
    outages: Arc<AtomicU64>,
}

impl std::ops::Deref for Pooled {
    type Target = PgConnection;
    fn deref(&self) -> &PgConnection {
        &self.conn
    }
}

impl std::ops::DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut PgConnection {
        &mut self.conn
    }
}

/// Opens connections for the pool. A check-out costs no round trip while all is well: once a
/// request has seen the connection to the database fail, the outage epoch moves on and every
/// connection is tested (`SELECT 1`) before its next use, so the ones that died with a restart
/// are replaced instead of failing one request each.
pub struct Manager {
    url: String,
    epoch: Arc<AtomicU64>,
}

impl std::fmt::Debug for Manager {
    // Not the URL: it may hold a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Manager")
            .field("epoch", &self.epoch)
            .finish()
    }
}

impl ManageConnection for Manager {
    type Connection = Pooled;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Pooled, Self::Error> {
        let epoch = self.epoch.load(Ordering::Acquire);
        let conn =
            PgConnection::establish(&self.url).map_err(diesel::r2d2::Error::ConnectionError)?;
        Ok(Pooled {
            conn,
            epoch,
            outages: self.epoch.clone(),
        })
    }

    fn is_valid(&self, c: &mut Pooled) -> Result<(), Self::Error> {
        let epoch = self.epoch.load(Ordering::Acquire);
        if c.epoch != epoch {
            c.conn.ping().map_err(diesel::r2d2::Error::QueryError)?;
            c.epoch = epoch;
        }
        Ok(())
    }

    fn has_broken(&self, c: &mut Pooled) -> bool {
        std::thread::panicking() || c.conn.is_broken()
    }
}

/// Builds the pool without waiting for a first connection, so the server starts (and
/// `/readyz` answers 503) while the database is still unreachable.
pub fn build_pool(url: &str, size: u32) -> DbPool {
    builder(size).build_unchecked(manager(url))
}

/// How long a read waits for a replica's connection before it goes to the primary.
pub const REPLICA_CHECKOUT_TIMEOUT: Duration = Duration::from_millis(500);

/// The pool of a streaming replica: a short check-out (a replica that does not answer sends the
/// read to the primary, it does not hold it), no idle connection kept open by force, and no
/// log line for each connection a replica that is down refuses (its watch says so once).
pub fn build_replica_pool(url: &str, size: u32) -> (DbPool, Distrust) {
    let manager = manager(url);
    let distrust = Distrust(manager.epoch.clone());
    let pool = Pool::builder()
        .max_size(size)
        .min_idle(Some(0))
        .connection_timeout(REPLICA_CHECKOUT_TIMEOUT)
        .test_on_check_out(true)
        .error_handler(Box::new(diesel::r2d2::NopErrorHandler))
        .build_unchecked(manager);
    (pool, distrust)
}

/// Has every connection of one pool tested before its next use: for whoever sees its server go
/// away without a request noticing (the replica's watch).
#[derive(Debug, Clone)]
pub struct Distrust(Arc<AtomicU64>);

impl Distrust {
    pub fn now(&self) {
        self.0.fetch_add(1, Ordering::AcqRel);
    }
}

fn manager(url: &str) -> Manager {
    Manager {
        url: url.to_owned(),
        epoch: Arc::default(),
    }
}

fn builder(size: u32) -> diesel::r2d2::Builder<Manager> {
    Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(CHECKOUT_TIMEOUT)
        // Free unless an outage was seen: see [`Manager`].
        .test_on_check_out(true)
}

/// Counts the statements run on a pool's connections (the tests use it to prove that list
/// endpoints issue a fixed number of queries whatever the page size).
#[derive(Debug, Clone, Default)]
pub struct QueryCounter(Arc<AtomicUsize>);

impl QueryCounter {
    pub fn get(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

struct Counting(Arc<AtomicUsize>);

impl Instrumentation for Counting {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            // The pool's liveness check on checkout is not the handler's work.
            let text = query.to_string();
            let liveness = text
                .strip_prefix("SELECT 1")
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(" --"));
            if !liveness {
                self.0.fetch_add(1, Ordering::SeqCst);
            }
        }
    }
}

#[derive(Debug)]
struct InstallCounter(Arc<AtomicUsize>);

impl CustomizeConnection<Pooled, diesel::r2d2::Error> for InstallCounter {
    fn on_acquire(&self, c: &mut Pooled) -> Result<(), diesel::r2d2::Error> {
        c.conn.set_instrumentation(Counting(self.0.clone()));
        Ok(())
    }
}

/// A pool whose connections count their statements into the returned counter.
pub fn build_counted_pool(url: &str, size: u32) -> (DbPool, QueryCounter) {
    let counter = QueryCounter::default();
    let pool = builder(size)
        .connection_customizer(Box::new(InstallCounter(counter.0.clone())))
        .build_unchecked(manager(url));
    (pool, counter)
}

/// Runs `f` with a pooled connection on actix's blocking thread pool and flattens the result,
/// so handlers read `db::run(&pool, move |c| queries::x(c)).await?`.
pub async fn run<T, F>(pool: &DbPool, f: F) -> Result<T, AppError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    crate::blocking::run(move || run_here(&pool, f)).await?
}

/// [`run`] on the calling thread (one that may block).
pub fn run_here<T>(
    pool: &DbPool,
    f: impl FnOnce(&mut PgConnection) -> Result<T, AppError>,
) -> Result<T, AppError> {
    let mut pooled = pool.get().map_err(AppError::from)?;
    let result = f(&mut pooled.conn);
    if let Err(AppError::Unavailable(_) | AppError::CommitUnknown(_)) = &result {
        // The database may have restarted: test every connection before its next use.
        pooled.outages.fetch_add(1, Ordering::AcqRel);
    }
    result
}

/// Like [`run`], inside one transaction: nothing of a failed write survives. When the
/// connection is lost during `COMMIT` itself, nobody can tell whether the write was saved: that
/// is [`AppError::CommitUnknown`], never a plain failure.
pub async fn transaction<T, F>(pool: &DbPool, f: F) -> Result<T, AppError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, AppError> + Send + 'static,
    T: Send + 'static,
{
    run(pool, move |conn| in_transaction(conn, f)).await
}

/// Runs `f` on `conn` inside one transaction (see [`transaction`]).
pub fn in_transaction<T>(
    conn: &mut PgConnection,
    f: impl FnOnce(&mut PgConnection) -> Result<T, AppError>,
) -> Result<T, AppError> {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    AnsiTransactionManager::begin_transaction(conn)?;
    match f(conn) {
        Ok(value) => match AnsiTransactionManager::commit_transaction(conn) {
            Ok(()) => Ok(value),
            Err(e) => {
                // Diesel tries a rollback after a failed commit and may report both.
                let e = match e {
                    diesel::result::Error::RollbackErrorOnCommit { commit_error, .. } => {
                        *commit_error
                    }
                    e => e,
                };
                match AppError::from(e) {
                    AppError::Unavailable(cause) => Err(AppError::CommitUnknown(cause)),
                    other => Err(other),
                }
            }
        },
        Err(e) => {
            // A rollback that fails leaves a broken connection, which the pool discards.
            let _ = AnsiTransactionManager::rollback_transaction(conn);
            Err(e)
        }
    }
}

/// Applies pending migrations under an advisory lock, so several processes may start at once.
pub fn migrate(conn: &mut PgConnection) -> Result<Vec<String>, AppError> {
    use diesel::RunQueryDsl;
    const LOCK: i64 = 0x6e65_7773_646b; // "newsdk"
    diesel::sql_query(format!("SELECT pg_advisory_lock({LOCK})")).execute(conn)?;
    let result = conn
        .run_pending_migrations(MIGRATIONS)
        .map(|done| done.iter().map(|m| m.to_string()).collect())
        .map_err(|e| AppError::internal("migrating", e));
    diesel::sql_query(format!("SELECT pg_advisory_unlock({LOCK})")).execute(conn)?;
    result
}
