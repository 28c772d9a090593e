//! Per-client rate limits for writes and for search: a fixed one-minute window per client (the
//! editor of a valid token, else the peer address) and kind. Every limited response carries
//! `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` and `RateLimit-Policy`; over the
//! limit a request gets 429 with `Retry-After`. Limits come from `NEWSDESK_WRITE_LIMIT` and
//! `NEWSDESK_SEARCH_LIMIT` (requests per minute; 0 turns a limit off).
//!
//! The windows live in PostgreSQL (`rate_windows`, unlogged), so every process on the database
//! counts against the same ones (API.md §12): each limited request is one upsert, which starts
//! the client's window again once a minute has passed and returns the hits and the seconds left
//! ([`hit`]). A database that cannot be reached lets the request through (it will meet the same
//! outage and answer 503 itself).

use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Integer, Text};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, ResponseError};

use crate::auth::caller::{caller, Caller};
use crate::auth::jwt::JwtKeys;
use crate::db::{self, DbPool};
use crate::error::AppError;

const WINDOW: Duration = Duration::from_secs(60);

/// What a request counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Write,
    Search,
}

/// The verdict for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the window resets.
    pub reset: u64,
}

/// The limits (the counters are in the database).
#[derive(Debug, Default)]
pub struct RateLimiter {
    write_limit: u32,
    search_limit: u32,
}

#[derive(QueryableByName)]
struct Hit {
    #[diesel(sql_type = Integer)]
    hits: i32,
    #[diesel(sql_type = BigInt)]
    reset: i64,
}

/// Counts one request against the window of `key` (`window` long), in one statement: the hits
/// in the window so far (this one included) and the seconds until it ends.
pub fn hit(conn: &mut PgConnection, key: &str, window: Duration) -> QueryResult<(u32, u64)> {
    let h: Hit = diesel::sql_query(
        "INSERT INTO rate_windows AS w (key, started, hits) VALUES ($1, now(), 1) \
         ON CONFLICT (key) DO UPDATE SET \
           started = CASE WHEN w.started <= now() - make_interval(secs => $2) THEN now() ELSE w.started END, \
           hits = CASE WHEN w.started <= now() - make_interval(secs => $2) THEN 1 ELSE w.hits + 1 END \
         RETURNING hits, GREATEST(1, CEIL(EXTRACT(EPOCH FROM started + make_interval(secs => $2) - now())))::int8 AS reset",
    )
    .bind::<Text, _>(key)
    .bind::<Double, _>(window.as_secs_f64())
    .get_result(conn)?;
    Ok((
        u32::try_from(h.hits).unwrap_or(u32::MAX),
        u64::try_from(h.reset).unwrap_or(1),
    ))
}

/// Drops the windows that ended more than a minute ago (the purge loop's, every ten minutes).
pub fn sweep(conn: &mut PgConnection) -> QueryResult<usize> {
    diesel::sql_query("DELETE FROM rate_windows WHERE started < now() - interval '2 minutes'")
        .execute(conn)
}

impl RateLimiter {
    /// Writes and searches per client and minute (0: unlimited).
    pub fn new(write_limit: u32, search_limit: u32) -> RateLimiter {
        RateLimiter {
            write_limit,
            search_limit,
        }
    }

    fn limit_of(&self, kind: Kind) -> u32 {
        match kind {
            Kind::Write => self.write_limit,
            Kind::Search => self.search_limit,
        }
    }

    /// Counts one request of `client` against `limit` per minute, across every process.
    pub async fn check(&self, pool: &DbPool, client: &str, kind: Kind, limit: u32) -> Verdict {
        let key = format!("{}:{client}", if kind == Kind::Write { "w" } else { "s" });
        match db::run(pool, move |c| Ok(hit(c, &key, WINDOW)?)).await {
            Ok((hits, reset)) => Verdict {
                allowed: hits <= limit,
                limit,
                remaining: limit.saturating_sub(hits),
                reset,
            },
            Err(e) => {
                tracing::warn!(error = %e, "rate limit not counted");
                Verdict {
                    allowed: true,
                    limit,
                    remaining: limit,
                    reset: WINDOW.as_secs(),
                }
            }
        }
    }
}

fn kind_of(req: &ServiceRequest) -> Option<Kind> {
    if ![Method::GET, Method::HEAD, Method::OPTIONS].contains(req.method()) {
        return Some(Kind::Write);
    }
    let searching = req.path().ends_with("/articles")
        && req
            .query_string()
            .split('&')
            .any(|p| p.strip_prefix("q=").is_some_and(|v| !v.is_empty()));
    searching.then_some(Kind::Search)
}

fn client(req: &ServiceRequest, jwt: Option<&JwtKeys>) -> String {
    // An integration token has a bucket of its own (counting costs no query).
    match jwt.and_then(|j| caller(req.headers(), j)) {
        Some(Caller::Editor(id)) => format!("editor:{id}"),
        Some(Caller::Token(digest)) => format!("token:{}", &digest[..32]),
        None => format!(
            "addr:{}",
            req.peer_addr()
                .map(|a| a.ip().to_string())
                .unwrap_or_default()
        ),
    }
}

fn set(headers: &mut header::HeaderMap, name: &'static str, value: String) {
    if let Ok(v) = HeaderValue::from_str(&value) {
        headers.insert(HeaderName::from_static(name), v);
    }
}

/// The middleware.
pub async fn limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let limiter = req.app_data::<web::Data<RateLimiter>>().cloned();
    let pool = req.app_data::<web::Data<DbPool>>().cloned();
    let (Some(limiter), Some(pool), Some(kind)) = (limiter, pool, kind_of(&req)) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let limit = limiter.limit_of(kind);
    if limit == 0 {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let jwt = req.app_data::<web::Data<JwtKeys>>().cloned();
    let who = client(&req, jwt.as_ref().map(|j| j.get_ref()));
    let v = limiter.check(&pool, &who, kind, limit).await;
    let mut res = if v.allowed {
        next.call(req).await?.map_into_boxed_body()
    } else {
        let e = AppError::TooManyRequests {
            detail: format!(
                "more than {limit} {} a minute; retry after {} s",
                if kind == Kind::Write {
                    "writes"
                } else {
                    "searches"
                },
                v.reset
            ),
            retry_after: v.reset,
        };
        req.into_response(e.error_response())
    };
    let headers = res.headers_mut();
    set(headers, "ratelimit-limit", v.limit.to_string());
    set(headers, "ratelimit-remaining", v.remaining.to_string());
    set(headers, "ratelimit-reset", v.reset.to_string());
    set(headers, "ratelimit-policy", format!("{};w=60", v.limit));
    Ok(res)
}
