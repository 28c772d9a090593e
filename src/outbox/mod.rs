//! The outbox (API.md §10): the messages committed changes send to the rest of the stack —
//! webhook deliveries (and, riding on the same queue, CDN purges and search-engine pushes) —
//! written in the change's own transaction ([`record`]), claimed and sent by a dispatcher in
//! every process ([`dispatch`]), retried on a schedule, kept with their attempts ([`queries`]).
//! Outgoing requests go through [`guard`] (no private addresses) and are signed per Standard
//! Webhooks ([`signature`]).

pub mod dispatch;
pub mod guard;
pub mod queries;
pub mod record;
pub mod signature;

use std::sync::Arc;

use diesel::PgConnection;
use tokio::sync::Notify;

use crate::cache::Changes;
use crate::config::PurgeTarget;
use crate::directory::Directory;
use crate::error::AppError;
use crate::state::Announce;

/// The outbox of this process: records what writes announce, and wakes its dispatcher.
#[derive(Debug, Default)]
pub struct Outbox {
    wake: Arc<Notify>,
    /// Where purges go (`NEWSDESK_PURGE_URL`), if anywhere.
    purge: Option<PurgeTarget>,
}

impl Outbox {
    pub fn new(purge: Option<PurgeTarget>) -> Outbox {
        Outbox {
            wake: Arc::default(),
            purge,
        }
    }

    /// What the dispatcher waits on.
    pub fn wake_handle(&self) -> Arc<Notify> {
        self.wake.clone()
    }
}

impl Announce for Outbox {
    fn record(
        &self,
        conn: &mut PgConnection,
        directory: &Directory,
        changes: &Changes,
    ) -> Result<(), AppError> {
        record::record(conn, directory, changes)?;
        if self.purge.is_some() {
            record::purge(conn, directory, changes)?;
        }
        Ok(())
    }

    fn committed(&self) {
        self.wake.notify_one();
    }

    fn sends_purges(&self) -> bool {
        self.purge.is_some()
    }
}
