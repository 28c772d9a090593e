//! Publishes scheduled articles when their `publish_at` has come: every second, and at start-up
//! (catching up on anything that fell due while the server was down). Several processes may
//! share a database: rows are claimed with `FOR UPDATE SKIP LOCKED`, so each article is published
//! exactly once.

use std::time::Duration;

use chrono::Utc;
use diesel::prelude::*;
use uuid::Uuid;

use super::workflow::Status;
use super::write::{self, Move};
use crate::cache::Changes;
use crate::directory::Directory;
use crate::error::AppError;
use crate::schema::articles;
use crate::state::{Reach, Writer};

/// Publishes up to 100 due articles (in the caller's transaction); returns how many.
pub fn publish_due(
    conn: &mut PgConnection,
    dir: &Directory,
    changes: &mut Changes,
) -> Result<usize, AppError> {
    let due: Vec<Uuid> = articles::table
        .filter(articles::status.eq(Status::Scheduled.as_str()))
        .filter(articles::publish_at.le(Utc::now()))
        .order(articles::publish_at.asc())
        .select(articles::id)
        .limit(100)
        .for_update()
        .skip_locked()
        .load(conn)?;
    for id in &due {
        write::transition(
            conn,
            dir,
            None,
            *id,
            Move {
                to: Status::Published,
                publish_at: None,
                note: None,
                version: None,
            },
            changes,
        )?;
        tracing::info!(article = %id, "scheduled article published");
    }
    Ok(due.len())
}

/// Runs [`publish_due`] every second until the process ends, as a write like any other:
/// notified to the other processes and evicted here.
pub async fn run(writer: Writer) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let dir = writer.directory().clone();
        let published = writer
            .write(Reach::Articles, move |c, changes| {
                publish_due(c, &dir, changes)
            })
            .await;
        // A commit cut off (outcome unknown) has already evicted everything; any other failure
        // changed nothing.
        if let Err(e) = published {
            tracing::warn!(error = %e, "scheduler: could not publish due articles");
        }
    }
}
