//! A bounded lane of the connection pool for the reads an anonymous client can make expensive
//! (searches and counts, `?q=的&count=true`): at most a quarter of the pool's connections run
//! them at once, each statement with a time limit, so no pattern of such requests within the
//! rate limits starves the other readers of connections. A request that cannot get into the
//! lane within a few seconds, or whose query runs out of time, is a 503 with `Retry-After`.

use std::time::Duration;

use diesel::{PgConnection, RunQueryDsl};
use tokio::sync::Semaphore;

use crate::error::AppError;
use crate::replica::{Reader, Reads};

/// How long a request waits for a place in the lane.
const QUEUE_TIMEOUT: Duration = Duration::from_secs(5);

/// The lane: how many run at once and how long each statement may take.
#[derive(Debug)]
pub struct Lane {
    places: Semaphore,
    statement_timeout: Duration,
}

impl Lane {
    /// A quarter of a pool of `pool_size` (at least one), statements of at most `timeout`.
    pub fn new(pool_size: u32, statement_timeout: Duration) -> Lane {
        let places = usize::try_from(pool_size / 4).unwrap_or(1).max(1);
        Lane {
            places: Semaphore::new(places),
            statement_timeout,
        }
    }

    /// How many run at once.
    pub fn places(&self) -> usize {
        self.places.available_permits()
    }

    /// Runs `f` like [`Reads::run`], once there is a place in the lane, inside a transaction
    /// whose statements have the lane's time limit.
    pub async fn run<T, F>(&self, reads: &Reads, reader: Reader, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut PgConnection) -> Result<T, AppError> + Clone + Send + 'static,
        T: Send + 'static,
    {
        let _place = tokio::time::timeout(QUEUE_TIMEOUT, self.places.acquire())
            .await
            .map_err(|_| {
                metrics::counter!("lane_refused_total").increment(1);
                AppError::Overloaded(
                    "too many searches and counts are running; retry shortly".into(),
                )
            })?
            .map_err(|e| AppError::internal("the search lane", e))?;
        let ms = self.statement_timeout.as_millis();
        reads
            .transaction(reader, move |c| {
                diesel::sql_query(format!("SET LOCAL statement_timeout = {ms}")).execute(c)?;
                f(c)
            })
            .await
    }
}
