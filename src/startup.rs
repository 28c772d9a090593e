//! Wiring only: the App factory used by `serve` and by the tests (routes, the state and its
//! parts, middleware), opening the database (external or embedded), and the HTTP server with
//! the background tasks beside it.

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::{from_fn, Condition, DefaultHeaders};
use std::sync::Arc;
use std::time::Duration;

use actix_web::{web, App, HttpServer};

use crate::auth::jwt::JwtKeys;
use crate::backup::BackupError;
use crate::config::{Config, ConfigError};
use crate::db::{self, DbPool};
use crate::embedded_pg::{EmbeddedPg, EmbeddedPgError, DB_NAME};
use crate::error::AppError;
use crate::import::ImportError;
use crate::outbox::Outbox;
use crate::state::AppState;
use crate::{cache, operating, routes};

/// Browsers on the configured origins may call the API with a token and the headers the
/// contract uses, and read the ones it sends.
fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "HEAD", "POST", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::IF_MODIFIED_SINCE,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static("x-request-id"),
        ])
        .expose_headers([
            header::ETAG,
            header::LINK,
            header::LOCATION,
            header::LAST_MODIFIED,
            header::RETRY_AFTER,
            header::HeaderName::from_static("x-request-id"),
            header::HeaderName::from_static("idempotency-replayed"),
            header::HeaderName::from_static("ratelimit-limit"),
            header::HeaderName::from_static("ratelimit-remaining"),
            header::HeaderName::from_static("ratelimit-reset"),
            header::HeaderName::from_static("ratelimit-policy"),
        ])
        .max_age(3600);
    for o in origins {
        cors = cors.allowed_origin(o);
    }
    cors
}

/// The application: routes, extractor configuration and middleware; the state, and beside it
/// the parts middleware reads.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let cors = cors(&state.config.cors_origins);
    let with_cors = !state.config.cors_origins.is_empty();
    App::new()
        .app_data(web::Data::from(state.cache.clone()))
        .app_data(web::Data::from(state.directory.clone()))
        .app_data(web::Data::from(state.limiter.clone()))
        .app_data(web::Data::new(state.jwt.clone()))
        .app_data(web::Data::new(state.pool.clone()))
        .app_data(web::Data::new(crate::request_body::BodyTimeout(
            Duration::from_secs(state.config.body_timeout_secs),
        )))
        .app_data(state)
        .configure(routes::configure)
        .wrap(from_fn(crate::docs::cacheable))
        .wrap(from_fn(crate::cdn::keys::surrogate_keys))
        .wrap(from_fn(crate::cache::middleware::serve))
        .wrap(from_fn(crate::idempotency::idempotent))
        .wrap(from_fn(crate::request_body::deadline))
        .wrap(from_fn(crate::rate_limit::limit))
        .wrap(from_fn(crate::docs::policy))
        .wrap(
            DefaultHeaders::new()
                .add(("X-Content-Type-Options", "nosniff"))
                .add(("Referrer-Policy", "no-referrer")),
        )
        .wrap(Condition::new(with_cors, cors))
        .wrap(from_fn(crate::head::as_get))
        .wrap(from_fn(operating::observe))
}

/// Why a command could not run; each keeps its cause, and `main` prints the chain.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    EmbeddedPg(#[from] EmbeddedPgError),
    #[error("cannot connect to the database")]
    Connect(#[source] diesel::r2d2::PoolError),
    /// A step through the application's own code (migrations, the demo content, an account).
    #[error("{doing}")]
    App {
        doing: &'static str,
        #[source]
        source: AppError,
    },
    #[error("import")]
    Import(#[from] ImportError),
    #[error("backup")]
    Backup(#[from] BackupError),
    #[error(transparent)]
    MediaStore(#[from] crate::media::store::OpenError),
    #[error("{0}")]
    Usage(String),
    #[error("input/output")]
    Io(#[from] std::io::Error),
}

impl StartError {
    /// `source`, met while `doing` something.
    pub fn app(doing: &'static str) -> impl FnOnce(AppError) -> StartError {
        move |source| StartError::App { doing, source }
    }
}

/// An open database: the pool and, in embedded mode, the cluster (stopped on [`Database::close`]).
pub struct Database {
    pub pool: DbPool,
    pub url: String,
    pub embedded: Option<EmbeddedPg>,
}

impl Database {
    /// Connects to `DATABASE_URL`, or starts (or joins) the embedded cluster; then migrates.
    pub fn open(config: &Config) -> Result<Database, StartError> {
        let database = Self::connect(config)?;
        database.prepare()?;
        Ok(database)
    }

    /// Migrations, then search documents that are missing.
    pub fn prepare(&self) -> Result<(), StartError> {
        let mut conn = self.pool.get().map_err(StartError::Connect)?;
        let applied = db::migrate(&mut conn).map_err(StartError::app("migrating"))?;
        for m in applied {
            tracing::info!(migration = %m, "applied");
        }
        let reindexed = crate::search::reindex_missing(&mut conn)
            .map_err(|e| StartError::app("writing missing search documents")(e.into()))?;
        if reindexed > 0 {
            tracing::info!(articles = reindexed, "search documents written");
        }
        let unbuilt = crate::import::indexes::dropped(&mut conn)
            .map_err(|e| StartError::app("reading the import's dropped indexes")(e.into()))?;
        if !unbuilt.is_empty() {
            tracing::warn!(
                indexes = unbuilt.len(),
                "an import stopped before it built the article tables' indexes again: reads are slow until `newsdesk import` runs again and builds them"
            );
        }
        Ok(())
    }

    /// Connects (starting or joining the embedded cluster) without touching the schema.
    pub fn connect(config: &Config) -> Result<Database, StartError> {
        let (url, embedded) = match &config.database_url {
            Some(url) => (url.clone(), None),
            None => {
                let mut pg = EmbeddedPg::new(&config.data_dir)?;
                pg.start()?;
                pg.ensure_database(DB_NAME)?;
                (pg.database_url(), Some(pg))
            }
        };
        let pool = db::build_pool(&url, config.pool_size);
        Ok(Database {
            pool,
            url,
            embedded,
        })
    }

    /// Stops the embedded cluster if this process started it.
    pub fn close(mut self) {
        if let Some(pg) = self.embedded.as_mut() {
            if let Err(e) = pg.stop() {
                tracing::error!(error = %e, "could not stop the embedded PostgreSQL");
            }
        }
    }
}

/// Runs the HTTP server until SIGINT/SIGTERM, with the scheduler beside it.
pub async fn serve(
    config: Config,
    database_url: String,
    pool: DbPool,
    jwt: JwtKeys,
) -> Result<(), StartError> {
    let bind = config.bind.clone();
    let config_grace = config.shutdown_grace_secs;
    let targets = crate::outbox::Targets::of(&config);
    let outbox = Arc::new(Outbox::new(targets.clone()));
    let state =
        web::Data::new(AppState::new(pool.clone(), config, jwt)?.announcing(outbox.clone()));
    state.watch_replica(&database_url);
    cache::listener::spawn(database_url, &state.cache, &state.directory, state.seen());
    let dispatcher = actix_web::rt::spawn(crate::outbox::dispatch::run(
        pool.clone(),
        outbox.wake_handle(),
        targets,
    ));
    let purger = actix_web::rt::spawn(crate::idempotency::purge_loop(pool));
    let scheduler = actix_web::rt::spawn(crate::articles::scheduler::run(state.writer.clone()));
    // The byline parser's dictionary (a third of a second), off the start-up path.
    let warmed = std::thread::Builder::new()
        .name("jieba-warm-up".into())
        .spawn(crate::bylines::names::warm_up);
    if let Err(e) = warmed {
        tracing::warn!(error = %e, "cannot load the byline dictionary ahead");
    }
    let grace = config_grace;
    let server = HttpServer::new(move || app(state.clone()))
        // Slow clients: the head of a request within 5 s, a closed connection dropped within 1 s.
        .client_request_timeout(Duration::from_secs(5))
        .client_disconnect_timeout(Duration::from_secs(1))
        .keep_alive(Duration::from_secs(30))
        .max_connections(10_000)
        .bind(&bind)?
        .shutdown_timeout(grace)
        .run();
    tracing::info!(%bind, "newsdesk listening");
    let result = server.await;
    scheduler.abort();
    purger.abort();
    dispatcher.abort();
    result.map_err(StartError::from)
}
