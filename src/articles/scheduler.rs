//! Publishes scheduled articles when their `publish_at` has come: every second, and at start-up
//! (catching up on anything that fell due while the server was down). Several processes may
//! share a database: rows are claimed with `FOR UPDATE SKIP LOCKED`, so each article is published
//! exactly once.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use diesel::prelude::*;
use uuid::Uuid;

use super::workflow::Status;
use super::write::{self, Move};
use crate::cache::{Changes, ResponseCache};
use crate::db::DbPool;
use crate::error::AppError;
use crate::schema::articles;

/// Publishes up to 100 due articles in one transaction; returns how many and what changed
/// (already sent to the other processes).
pub fn publish_due(
    conn: &mut PgConnection,
    cache: &ResponseCache,
) -> Result<(usize, Changes), AppError> {
    let instance = cache.instance();
    conn.transaction(|c| {
        let mut changes = Changes::default();
        let due: Vec<Uuid> = articles::table
            .filter(articles::status.eq(Status::Scheduled.as_str()))
            .filter(articles::publish_at.le(Utc::now()))
            .order(articles::publish_at.asc())
            .select(articles::id)
            .limit(100)
            .for_update()
            .skip_locked()
            .load(c)?;
        for id in &due {
            write::transition(
                c,
                cache.directory(),
                None,
                *id,
                Move {
                    to: Status::Published,
                    publish_at: None,
                    note: None,
                    version: None,
                },
                &mut changes,
            )?;
            tracing::info!(article = %id, "scheduled article published");
        }
        changes.notify(c, instance)?;
        Ok((due.len(), changes))
    })
}

/// Runs [`publish_due`] every second until the process ends.
pub async fn run(pool: DbPool, cache: Arc<ResponseCache>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let shared = cache.clone();
        match crate::db::run(&pool, move |c| publish_due(c, &shared)).await {
            Ok((_, changes)) => cache.evict(&changes.0),
            Err(e) => {
                tracing::warn!(error = %e, "scheduler: could not publish due articles");
                // A commit cut off may still have published: what it changed is not known here.
                if matches!(e, AppError::Unavailable(_) | AppError::CommitUnknown(_)) {
                    cache.evict(&[crate::cache::Scope::Everything]);
                }
            }
        }
    }
}
