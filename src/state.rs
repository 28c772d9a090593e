//! What every handler reaches, at the bottom of the house: the pool, the configuration, the keys,
//! the caches in memory, and the one entry point of every write that may change what the public
//! sees ([`Writer::write`]). Routes, handlers and middleware import it; it imports nothing of
//! theirs. Middleware takes only the part it needs (`web::Data<ResponseCache>`,
//! `web::Data<RateLimiter>`, `web::Data<JwtKeys>`, `web::Data<DbPool>`), registered beside it.

use std::sync::Arc;

use diesel::PgConnection;

use crate::articles::read::Totals;
use crate::auth::jwt::JwtKeys;
use crate::cache::{self, Changes, ResponseCache, Scope};
use crate::config::Config;
use crate::db::{self, DbPool};
use crate::directory::Directory;
use crate::error::AppError;
use crate::feeds::cache::FeedCache;
use crate::lane::Lane;
use crate::media::gate::Gate;
use crate::media::store::{MediaStore, OpenError};
use crate::rate_limit::RateLimiter;
use crate::replica::{self, Reader, Reads, Replica, Seen};
use crate::telemetry;

/// What every handler can reach.
#[derive(Debug)]
pub struct AppState {
    /// The primary: writes, staff reads, authentication.
    pub pool: DbPool,
    /// Where reads go (the replica for anonymous readers, when there is one).
    pub reads: Reads,
    pub config: Config,
    pub jwt: JwtKeys,
    pub feeds: FeedCache,
    pub limiter: Arc<RateLimiter>,
    /// Rendered public responses.
    pub cache: Arc<ResponseCache>,
    /// The section tree and the names of correspondents and tags.
    pub directory: Arc<Directory>,
    /// `page.total` of the lists counted since the last write.
    pub totals: Totals,
    /// The bounded lane for anonymous searches and counts.
    pub lane: Lane,
    pub writer: Writer,
    /// Where the media library's files are.
    pub media: MediaStore,
    /// The turns of uploads (how many are processed at once).
    pub uploads: Gate,
}

impl AppState {
    /// The state of a process; fails when the media store cannot be opened.
    pub fn new(pool: DbPool, config: Config, jwt: JwtKeys) -> Result<Self, OpenError> {
        // Install the metrics recorder before the first request is counted.
        telemetry::metrics_handle();
        let media = MediaStore::open(&config.media.store)?;
        let cache = Arc::new(ResponseCache::new(config.cache, cache::DEFAULT_BUDGET));
        let directory = Arc::new(Directory::default());
        let limiter = Arc::new(RateLimiter::new(config.write_limit, config.search_limit));
        let replica = config.replica.as_ref().map(|r| {
            let seen = Arc::new(Seen::default());
            Arc::new(Replica::new(&r.url, config.pool_size, r.max_lag, seen))
        });
        let mut writer = Writer::new(pool.clone(), cache.clone(), directory.clone());
        if let Some(r) = &replica {
            writer.seen = Some(r.seen().clone());
        }
        Ok(AppState {
            reads: Reads::new(pool.clone(), replica),
            writer,
            media,
            uploads: Gate::new(config.media.uploads),
            cache,
            directory,
            limiter,
            pool,
            jwt,
            feeds: FeedCache::default(),
            totals: Totals::default(),
            lane: Lane::new(
                config.pool_size,
                std::time::Duration::from_millis(config.search_timeout_ms),
            ),
            config,
        })
    }

    /// This state, its writes announcing with `announce` (the outbox).
    pub fn announcing(mut self, announce: Arc<dyn Announce>) -> AppState {
        self.writer = self.writer.announcing(announce);
        self
    }

    /// Runs the read `f` where `reader` may be served ([`Reads::run`]).
    pub async fn read<T, F>(&self, reader: Reader, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut PgConnection) -> Result<T, AppError> + Clone + Send + 'static,
        T: Send + 'static,
    {
        self.reads.run(reader, f).await
    }

    /// The replica's watch against the primary at `primary_url` (when there is a replica).
    pub fn watch_replica(&self, primary_url: &str) {
        if let Some(r) = self.reads.replica() {
            replica::watch(primary_url.to_owned(), r);
        }
    }

    /// What this process knows of the primary's writes (only kept with a replica).
    pub fn seen(&self) -> Option<Arc<Seen>> {
        self.reads.replica().map(|r| r.seen().clone())
    }

    /// [`Writer::write`] with this state's writer.
    pub async fn write<T, F>(&self, reach: Reach, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut PgConnection, &mut Changes) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        self.writer.write(reach, f).await
    }
}

/// How far what a write changes shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Articles: the write records in [`Changes`] where the public sees the article before and
    /// after (nothing for a draft).
    Articles,
    /// Sections, tags, correspondents and editors: their names and slugs show in every article
    /// and list, so everything cached (and the directory) is stale.
    Everywhere,
}

/// What a write tells the rest of the stack (webhooks, CDN purges, search engines): recorded in
/// the write's own transaction, so a rolled-back write sends nothing and a crash after the
/// commit loses nothing; sent after it. Implemented by [`crate::outbox::Outbox`] and given to
/// the [`Writer`] by whoever starts the server (state sits below what it would need to import).
pub trait Announce: std::fmt::Debug + Send + Sync {
    /// Records the messages `changes` sends, in the write's transaction.
    fn record(
        &self,
        conn: &mut PgConnection,
        directory: &Directory,
        changes: &Changes,
    ) -> Result<(), AppError>;

    /// The write committed: send what it recorded.
    fn committed(&self);

    /// Whether every public change is announced (CDN purges), not only events.
    fn sends_purges(&self) -> bool {
        false
    }
}

/// The one way a write that may change public content is made: in one transaction, its
/// [`Changes`] sent to the other processes on commit (`NOTIFY`) and evicted from this process's
/// caches before the caller answers, and what it announces recorded in the outbox. Cheap to
/// clone (the scheduler holds one).
#[derive(Debug, Clone)]
pub struct Writer {
    pool: DbPool,
    cache: Arc<ResponseCache>,
    directory: Arc<Directory>,
    announce: Option<Arc<dyn Announce>>,
    /// With a replica: told the primary's position after each write, before its evictions.
    seen: Option<Arc<Seen>>,
}

impl Writer {
    pub fn new(pool: DbPool, cache: Arc<ResponseCache>, directory: Arc<Directory>) -> Writer {
        Writer {
            pool,
            cache,
            directory,
            announce: None,
            seen: None,
        }
    }

    /// This writer, recording what its writes announce with `announce`.
    pub fn announcing(mut self, announce: Arc<dyn Announce>) -> Writer {
        self.announce = Some(announce);
        self
    }

    /// Tells the announcer something was queued outside a write (a manual retry).
    pub fn wake_announcer(&self) {
        if let Some(a) = &self.announce {
            a.committed();
        }
    }

    /// The directory writes validate against (the section tree, the names).
    pub fn directory(&self) -> &Arc<Directory> {
        &self.directory
    }

    /// Runs `f` in a transaction; `f` records what it changed in the [`Changes`] (with
    /// [`Reach::Everywhere`] they are everything already).
    pub async fn write<T, F>(&self, reach: Reach, f: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut PgConnection, &mut Changes) -> Result<T, AppError> + Send + 'static,
        T: Send + 'static,
    {
        let instance = self.cache.instance();
        let (announce, directory) = (self.announce.clone(), self.directory.clone());
        let written = db::transaction(&self.pool, move |c| {
            let mut changes = Changes::default();
            if reach == Reach::Everywhere {
                changes.everything();
            }
            let value = f(c, &mut changes)?;
            changes.notify(c, instance)?;
            if let Some(a) = &announce {
                a.record(c, &directory, &changes)?;
            }
            Ok((value, changes))
        })
        .await;
        match written {
            Ok((value, changes)) => {
                if let Some(seen) = &self.seen {
                    // Before the evictions: a read after them must not take the replica's
                    // answer from before this write.
                    match db::run(&self.pool, |c| Ok(replica::primary_lsn(c)?)).await {
                        Ok(lsn) => seen.advance(lsn),
                        Err(_) => seen.doubt(),
                    }
                }
                if let Some(a) = &self.announce {
                    let purged = a.sends_purges() && !changes.scopes.is_empty();
                    if purged || !changes.events.is_empty() {
                        a.committed();
                    }
                }
                cache::forget(&changes.scopes, &self.cache, &self.directory);
                // Related stories weigh words by how common they are; writes make them so.
                self.directory
                    .terms
                    .note_written(changes.scopes.iter().filter_map(|s| match s {
                        Scope::Word(k) => Some(*k),
                        _ => None,
                    }));
                Ok(value)
            }
            Err(e @ AppError::CommitUnknown(_)) => {
                // It may have been saved, and what it changed is not known here.
                if let Some(seen) = &self.seen {
                    seen.doubt();
                }
                cache::forget(&[Scope::Everything], &self.cache, &self.directory);
                Err(e)
            }
            Err(e) => {
                if reach == Reach::Everywhere {
                    // Sections or names read inside the failed transaction must not stay.
                    self.directory.forget();
                }
                Err(e)
            }
        }
    }
}
