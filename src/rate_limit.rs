//! Per-client rate limits for writes and for search: a fixed one-minute window per client (the
//! editor of a valid token, else the peer address) and kind. Every limited response carries
//! `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` and `RateLimit-Policy`; over the
//! limit a request gets 429 with `Retry-After`. Limits come from `NEWSDESK_WRITE_LIMIT` and
//! `NEWSDESK_SEARCH_LIMIT` (requests per minute; 0 turns a limit off).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, ResponseError};

use crate::auth::caller::{caller, Caller};
use crate::auth::jwt::JwtKeys;
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

/// The limits and the counters per (client, kind).
#[derive(Debug, Default)]
pub struct RateLimiter {
    write_limit: u32,
    search_limit: u32,
    windows: Mutex<HashMap<(String, Kind), (Instant, u32)>>,
}

impl RateLimiter {
    /// Writes and searches per client and minute (0: unlimited).
    pub fn new(write_limit: u32, search_limit: u32) -> RateLimiter {
        RateLimiter {
            write_limit,
            search_limit,
            windows: Mutex::default(),
        }
    }

    fn limit_of(&self, kind: Kind) -> u32 {
        match kind {
            Kind::Write => self.write_limit,
            Kind::Search => self.search_limit,
        }
    }

    /// Counts one request of `client` against `limit` per minute.
    pub fn check(&self, client: &str, kind: Kind, limit: u32) -> Verdict {
        let now = Instant::now();
        let mut map = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = map.entry((client.to_owned(), kind)).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        let reset = WINDOW
            .saturating_sub(now.duration_since(entry.0))
            .as_secs()
            .max(1);
        if entry.1 >= limit {
            return Verdict {
                allowed: false,
                limit,
                remaining: 0,
                reset,
            };
        }
        entry.1 += 1;
        Verdict {
            allowed: true,
            limit,
            remaining: limit - entry.1,
            reset,
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
    let (Some(limiter), Some(kind)) = (limiter, kind_of(&req)) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let limit = limiter.limit_of(kind);
    if limit == 0 {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let jwt = req.app_data::<web::Data<JwtKeys>>().cloned();
    let v = limiter.check(
        &client(&req, jwt.as_ref().map(|j| j.get_ref())),
        kind,
        limit,
    );
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
    fn a_window_allows_the_limit_then_refuses() {
        let r = RateLimiter::default();
        for i in 0..3 {
            let v = r.check("a", Kind::Write, 3);
            assert!(v.allowed);
            assert_eq!(v.remaining, 2 - i);
        }
        let v = r.check("a", Kind::Write, 3);
        assert!(!v.allowed && v.reset >= 1 && v.reset <= 60);
        assert!(r.check("a", Kind::Search, 3).allowed, "kinds are separate");
        assert!(r.check("b", Kind::Write, 3).allowed, "clients are separate");
    }
}
