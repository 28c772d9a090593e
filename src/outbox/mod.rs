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
use crate::config::{Config, IndexNow, PurgeTarget};
use crate::directory::Directory;
use crate::error::AppError;
use crate::site::Site;
use crate::state::Announce;

/// Where messages go, from the configuration.
#[derive(Debug, Clone)]
pub struct Targets {
    /// `NEWSDESK_WEBHOOK_ALLOW_PRIVATE`.
    pub allow_private: bool,
    pub purge: Option<PurgeTarget>,
    pub indexnow: Option<IndexNow>,
    pub baidu_push_url: Option<String>,
    /// The publication (its article pages are what search engines hear of).
    pub site: Arc<Site>,
}

impl Targets {
    pub fn of(config: &Config) -> Targets {
        Targets {
            allow_private: config.webhook_allow_private,
            purge: config.purge.clone(),
            indexnow: config.indexnow.clone(),
            baidu_push_url: config.baidu_push_url.clone(),
            site: config.site.clone(),
        }
    }
}

/// The outbox of this process: records what writes announce, and wakes its dispatcher.
#[derive(Debug)]
pub struct Outbox {
    wake: Arc<Notify>,
    targets: Targets,
}

impl Outbox {
    pub fn new(targets: Targets) -> Outbox {
        Outbox {
            wake: Arc::default(),
            targets,
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
        let hooks = record::hooks(conn, changes)?;
        let engines = self.targets.indexnow.is_some() || self.targets.baidu_push_url.is_some();
        let subjects = if hooks.is_empty() && !engines {
            record::Subjects::default()
        } else {
            record::Subjects::of(conn, directory, changes)?
        };
        let mut messages = record::webhooks(
            conn,
            directory,
            &self.targets.site.public_url,
            &hooks,
            &subjects,
            changes,
        )?;
        if self.targets.purge.is_some() {
            messages.extend(record::purge(conn, directory, changes)?);
        }
        if engines {
            messages.extend(record::search_engines(
                conn,
                directory,
                &self.targets,
                &subjects,
                changes,
            )?);
        }
        queries::insert(conn, &messages)?;
        Ok(())
    }

    fn committed(&self) {
        self.wake.notify_one();
    }

    fn sends_purges(&self) -> bool {
        self.targets.purge.is_some()
    }
}
