//! The operating probes at the root (`/healthz`, `/readyz`, `/metrics`) and the request
//! middleware: `X-Request-Id`, one log line per request, request metrics.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{get, web, HttpMessage, HttpResponse};
use diesel::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{AppError, Problem};
use crate::state::AppState;
use crate::telemetry::metrics_handle;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the request: the client's `X-Request-Id` when it is sane, else a new UUID.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn accept_request_id(v: &HeaderValue) -> Option<String> {
    let s = v.to_str().ok()?;
    (!s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_graphic()))
        .then(|| s.to_owned())
}

/// The `method` label: one of the methods HTTP defines, else `other` (a client inventing method
/// names must not invent metric series).
fn method_label(method: &actix_web::http::Method) -> &'static str {
    use actix_web::http::Method;
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

/// Tags every request with an id (echoed in `X-Request-Id`), logs it, and counts it.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .and_then(accept_request_id)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    req.extensions_mut().insert(RequestId(id.clone()));
    let method = method_label(req.method());
    let route = req.match_pattern().unwrap_or_else(|| "unmatched".into());
    let path = req.path().to_owned();
    let span = tracing::info_span!("request", request_id = %id, %method, %path);
    let mut res = tracing::Instrument::instrument(next.call(req), span.clone()).await?;
    let status = res.status().as_u16();
    let elapsed = started.elapsed();
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID, v);
    }
    span.in_scope(|| {
        tracing::info!(status, ms = elapsed.as_secs_f64() * 1000.0, "served");
    });
    let labels = [
        ("method", method.to_owned()),
        ("route", route),
        ("status", status.to_string()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels).record(elapsed.as_secs_f64());
    Ok(res)
}

/// The probes' body.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`, or `unavailable`.
    pub status: String,
    /// `/readyz` with `NEWSDESK_REPLICA_URL` only: whether the replica serves anonymous reads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replica: Option<ReplicaHealth>,
}

/// The streaming replica as this process last saw it (a replica that is down or lagging does not
/// make the process unready: the primary answers instead).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReplicaHealth {
    /// Reachable, a standby, and within `NEWSDESK_REPLICA_MAX_LAG`.
    pub in_use: bool,
    /// Its replay lag in milliseconds; `null` when it cannot be measured (unreachable).
    pub lag_ms: Option<u64>,
}

/// Liveness: the process is up.
#[utoipa::path(tag = "operating", responses((status = 200, description = "Up", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(Health {
            status: "ok".into(),
            replica: None,
        })
}

/// Readiness: the database answers.
#[utoipa::path(
    tag = "operating",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "The database is unreachable", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let pool = state.pool.clone();
    let ok = web::block(move || {
        let mut conn = pool.get_timeout(std::time::Duration::from_secs(2)).ok()?;
        diesel::sql_query("SELECT 1").execute(&mut **conn).ok()
    })
    .await
    .ok()
    .flatten()
    .is_some();
    let replica = state.reads.replica().map(|r| {
        let status = r.status();
        ReplicaHealth {
            in_use: status.usable,
            lag_ms: u64::try_from(status.lag.as_millis())
                .ok()
                .filter(|ms| *ms < u64::from(u32::MAX)),
        }
    });
    if ok {
        Ok(HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(Health {
                status: "ok".into(),
                replica,
            }))
    } else {
        Err(AppError::Unavailable("the database is unreachable".into()))
    }
}

/// Prometheus metrics (text exposition format).
#[utoipa::path(tag = "operating", responses((status = 200, description = "Prometheus text", body = String, content_type = "text/plain; version=0.0.4; charset=utf-8")))]
#[get("/metrics")]
pub async fn metrics_text(state: web::Data<AppState>) -> HttpResponse {
    let pool = state.pool.state();
    metrics::gauge!("db_pool_connections").set(f64::from(pool.connections));
    metrics::gauge!("db_pool_idle_connections").set(f64::from(pool.idle_connections));
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        .body(metrics_handle().render())
}
