//! Per-client rate limits for writes and for search: a fixed one-minute window per client (the
//! editor of a valid token, else the peer address) and kind. Every limited response carries
//! `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` and `RateLimit-Policy`; over the
//! limit a request gets 429 with `Retry-After`. Limits come from `NEWSDESK_WRITE_LIMIT` and
//! `NEWSDESK_SEARCH_LIMIT` (requests per minute; 0 turns a limit off).
//!
//! The windows live in PostgreSQL (`rate_windows`, unlogged), so every process on the database
//! counts against the same ones (API.md §12). A process leases allowance from a window in chunks
//! ([`lease_size`]: a twentieth of the limit, at least one) with one upsert ([`hit`], which also
//! starts the window again once a minute has passed) and spends it in memory; when a lease is
//! refused the client is refused here until the window ends. So no client gets more than the
//! limit across all processes, a client may be refused up to (processes − 1) × (chunk − 1)
//! requests early, and a request costs a round trip only once a chunk. A database that cannot be
//! reached lets the request through (it will meet the same outage and answer 503 itself).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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

/// The limits, and this process's leases of the windows (which are in the database).
#[derive(Debug, Default)]
pub struct RateLimiter {
    write_limit: u32,
    search_limit: u32,
    leases: Mutex<HashMap<String, Lease>>,
}

/// Allowance of one window leased by this process.
#[derive(Debug, Clone, Copy)]
struct Lease {
    ends: Instant,
    granted: u32,
    used: u32,
    /// The window's hits (leased allowance, every process's) after this lease.
    hits: u32,
    /// A lease came back short: the window is spent once this allowance is.
    exhausted: bool,
}

/// How much allowance a process leases at once: a twentieth of the limit, at least one.
pub fn lease_size(limit: u32) -> u32 {
    (limit / 20).max(1)
}

#[derive(QueryableByName)]
struct Hit {
    #[diesel(sql_type = Integer)]
    hits: i32,
    #[diesel(sql_type = BigInt)]
    reset: i64,
}

/// Takes `n` hits from the window of `key` (`window` long), in one statement: the window's hits
/// so far (these included) and the seconds until it ends.
pub fn hit(
    conn: &mut PgConnection,
    key: &str,
    window: Duration,
    n: u32,
) -> QueryResult<(u32, u64)> {
    let h: Hit = diesel::sql_query(
        "INSERT INTO rate_windows AS w (key, started, hits) VALUES ($1, now(), $3) \
         ON CONFLICT (key) DO UPDATE SET \
           started = CASE WHEN w.started <= now() - make_interval(secs => $2) THEN now() ELSE w.started END, \
           hits = CASE WHEN w.started <= now() - make_interval(secs => $2) THEN $3 ELSE w.hits + $3 END \
         RETURNING hits, GREATEST(1, CEIL(EXTRACT(EPOCH FROM started + make_interval(secs => $2) - now())))::int8 AS reset",
    )
    .bind::<Text, _>(key)
    .bind::<Double, _>(window.as_secs_f64())
    .bind::<Integer, _>(i32::try_from(n).unwrap_or(i32::MAX))
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
            leases: Mutex::default(),
        }
    }

    fn limit_of(&self, kind: Kind) -> u32 {
        match kind {
            Kind::Write => self.write_limit,
            Kind::Search => self.search_limit,
        }
    }

    /// Counts one request of `client` against `limit` per minute, across every process: from
    /// this process's lease when it has allowance left, else from a new lease.
    pub async fn check(&self, pool: &DbPool, client: &str, kind: Kind, limit: u32) -> Verdict {
        let key = format!("{}:{client}", if kind == Kind::Write { "w" } else { "s" });
        let now = Instant::now();
        if let Some(v) = self.spend(&key, limit, now) {
            return v;
        }
        let chunk = lease_size(limit);
        let leased = {
            let key = key.clone();
            db::run(pool, move |c| Ok(hit(c, &key, WINDOW, chunk)?)).await
        };
        let (hits, reset) = match leased {
            Ok(h) => h,
            Err(e) => {
                tracing::warn!(error = %e, "rate limit not counted");
                return Verdict {
                    allowed: true,
                    limit,
                    remaining: limit,
                    reset: WINDOW.as_secs(),
                };
            }
        };
        // What the window had left of this chunk (none once others took the limit).
        let granted = chunk.saturating_sub(hits.saturating_sub(limit));
        let ends = now + Duration::from_secs(reset);
        let mut leases = self.leases.lock().unwrap_or_else(|e| e.into_inner());
        if leases.len() > 100_000 {
            leases.retain(|_, l| l.ends > now);
        }
        // Requests that found no allowance at the same moment each leased: their chunks add up.
        let lease = leases.entry(key).or_insert(Lease {
            ends,
            granted: 0,
            used: 0,
            hits,
            exhausted: false,
        });
        if lease.ends <= now {
            *lease = Lease {
                ends,
                granted: 0,
                used: 0,
                hits,
                exhausted: false,
            };
        }
        lease.granted += granted;
        lease.hits = lease.hits.max(hits);
        lease.exhausted |= granted < chunk;
        let allowed = lease.used < lease.granted;
        if allowed {
            lease.used += 1;
        }
        verdict(lease, allowed, limit, now)
    }

    /// One request from the lease of `key`, when it is current and has allowance left, or a
    /// refusal when it is spent and the window with it; `None` when a new lease is needed.
    fn spend(&self, key: &str, limit: u32, now: Instant) -> Option<Verdict> {
        let mut leases = self.leases.lock().unwrap_or_else(|e| e.into_inner());
        let lease = leases.get_mut(key).filter(|l| l.ends > now)?;
        if lease.used < lease.granted {
            lease.used += 1;
            return Some(verdict(lease, true, limit, now));
        }
        lease.exhausted.then(|| verdict(lease, false, limit, now))
    }
}

fn verdict(l: &Lease, allowed: bool, limit: u32, now: Instant) -> Verdict {
    Verdict {
        allowed,
        limit,
        remaining: limit.saturating_sub(l.hits) + (l.granted - l.used),
        reset: l.ends.saturating_duration_since(now).as_secs().max(1),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leases_are_a_twentieth_of_the_limit() {
        assert_eq!(lease_size(600), 30);
        assert_eq!(lease_size(15), 1);
        assert_eq!(lease_size(1), 1);
    }

    #[test]
    fn a_lease_is_spent_here_then_renewed_or_refused() {
        let r = RateLimiter::new(600, 600);
        let now = Instant::now();
        let ends = now + Duration::from_secs(30);
        r.leases.lock().unwrap().insert(
            "w:a".into(),
            Lease {
                ends,
                granted: 2,
                used: 1,
                hits: 590,
                exhausted: false,
            },
        );
        let v = r.spend("w:a", 600, now).unwrap();
        assert!(v.allowed);
        assert_eq!((v.remaining, v.reset), (10, 30));
        assert!(r.spend("w:a", 600, now).is_none(), "spent: lease again");
        r.leases.lock().unwrap().insert(
            "w:b".into(),
            Lease {
                ends,
                granted: 0,
                used: 0,
                hits: 630,
                exhausted: true,
            },
        );
        assert!(!r.spend("w:b", 600, now).unwrap().allowed);
        assert!(r.spend("w:b", 600, ends).is_none(), "a new window");
    }
}
