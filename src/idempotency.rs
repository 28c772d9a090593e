//! `Idempotency-Key` for POST: the first response to a request is stored for 24 hours and
//! replayed to retries of the same request by the same caller (`Idempotency-Replayed: true`),
//! so a client that lost the answer to a create can retry without making a duplicate. The same
//! key with a different request is a 422; a retry while the first is still running is a 409.
//! Keys belong to the authenticated editor (a new access token keeps them); requests without a
//! valid token pass through untouched (the handler refuses them anyway).
//!
//! A request is claimed before it runs and completed after; the claim and the write are not one
//! transaction, so a claim whose process died is considered abandoned after 60 s.

use actix_web::body::{to_bytes, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse, ResponseError};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::auth::caller::Caller;
use crate::auth::jwt::JwtKeys;
use crate::db::{self, DbPool};
use crate::error::AppError;
use crate::schema::idempotency_keys;

pub const HEADER: HeaderName = HeaderName::from_static("idempotency-key");
pub const REPLAYED: HeaderName = HeaderName::from_static("idempotency-replayed");

/// A stored first response.
#[derive(Debug, Clone, Queryable)]
struct Stored {
    status: Option<i32>,
    content_type: Option<String>,
    location: Option<String>,
    etag: Option<String>,
    body: Option<Vec<u8>>,
}

enum Claim {
    /// First time: run the request.
    Fresh,
    Replay(Stored),
    /// Same key, another request.
    Mismatch,
    /// The first request is still running.
    InFlight,
}

fn claim(conn: &mut PgConnection, caller: &str, key: &str, hash: &[u8]) -> QueryResult<Claim> {
    conn.transaction(|c| {
        diesel::delete(idempotency_keys::table.find((caller, key)))
            .filter(
                diesel::dsl::sql::<diesel::sql_types::Bool>(
                    "created_at < now() - interval '24 hours' OR (completed_at IS NULL AND created_at < now() - interval '60 seconds')",
                ),
            )
            .execute(c)?;
        let inserted = diesel::insert_into(idempotency_keys::table)
            .values((
                idempotency_keys::caller.eq(caller),
                idempotency_keys::key.eq(key),
                idempotency_keys::request_hash.eq(hash),
            ))
            .on_conflict_do_nothing()
            .execute(c)?;
        if inserted == 1 {
            return Ok(Claim::Fresh);
        }
        let (stored_hash, done, stored): (Vec<u8>, Option<chrono::DateTime<chrono::Utc>>, Stored) = idempotency_keys::table
            .find((caller, key))
            .select((
                idempotency_keys::request_hash,
                idempotency_keys::completed_at,
                (
                    idempotency_keys::status,
                    idempotency_keys::content_type,
                    idempotency_keys::location,
                    idempotency_keys::etag,
                    idempotency_keys::body,
                ),
            ))
            .first(c)?;
        Ok(if stored_hash != hash {
            Claim::Mismatch
        } else if done.is_none() {
            Claim::InFlight
        } else {
            Claim::Replay(stored)
        })
    })
}

fn header_text(res: &HttpResponse<BoxBody>, name: HeaderName) -> Option<String> {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The caller a key belongs to: the editor of a valid access token (its id), or an integration
/// token (`token:` and its hash).
fn caller(req: &ServiceRequest, jwt: &JwtKeys) -> Option<String> {
    match crate::auth::caller::caller(req.headers(), jwt)? {
        Caller::Editor(id) => Some(id.to_string()),
        Caller::Token(digest) => Some(format!("token:{digest}")),
    }
}

fn valid_key(key: &str) -> bool {
    (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

fn problem(req: ServiceRequest, e: AppError) -> ServiceResponse<BoxBody> {
    req.into_response(e.error_response())
}

/// The middleware.
pub async fn idempotent(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = req
        .headers()
        .get(&HEADER)
        .map(|v| v.to_str().map(str::to_owned));
    let pool = req.app_data::<web::Data<DbPool>>().cloned();
    let jwt = req.app_data::<web::Data<JwtKeys>>().cloned();
    // An upload is idempotent by its content (the same bytes are the same image).
    let replayable = req.method() == Method::POST && !crate::request_body::is_upload(req.request());
    let (Some(key), Some(pool), Some(jwt), true) = (key, pool, jwt, replayable) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let Some(key) = key.ok().filter(|k| valid_key(k)) else {
        return Ok(problem(
            req,
            AppError::bad_request(
                "invalid_idempotency_key",
                "Idempotency-Key must be 1–255 visible ASCII characters",
            ),
        ));
    };
    let Some(caller) = caller(&req, &jwt) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let declared = crate::request_body::declared_length(req.request());
    let body =
        match crate::request_body::read(actix_web::HttpMessage::take_payload(&mut req), declared)
            .await
        {
            Ok(b) => b,
            Err(e) => return Ok(problem(req, e)),
        };
    let mut hasher = Sha256::new();
    hasher.update(req.method().as_str());
    hasher.update(b"\n");
    hasher.update(req.path());
    hasher.update(b"\n");
    hasher.update(&body);
    let hash = hasher.finalize().to_vec();
    req.set_payload(Payload::from(body));
    let (c2, k2) = (caller.clone(), key.clone());
    let claimed = db::run(&pool, move |c| Ok(claim(c, &c2, &k2, &hash)?)).await;
    match claimed {
        Err(e) => return Ok(problem(req, e)),
        Ok(Claim::Mismatch) => {
            return Ok(problem(
                req,
                AppError::Invalid {
                    code: "idempotency_key_reused",
                    detail: "this Idempotency-Key was used for a different request".into(),
                    errors: vec![],
                },
            ))
        }
        Ok(Claim::InFlight) => {
            return Ok(problem(
                req,
                AppError::conflict(
                    "idempotency_key_in_use",
                    "the first request with this Idempotency-Key is still running",
                ),
            ))
        }
        Ok(Claim::Replay(s)) => {
            let mut res = HttpResponse::build(
                StatusCode::from_u16(u16::try_from(s.status.unwrap_or(200)).unwrap_or(200))
                    .unwrap_or(StatusCode::OK),
            );
            res.insert_header((REPLAYED, HeaderValue::from_static("true")));
            for (name, value) in [
                (header::CONTENT_TYPE, s.content_type),
                (header::LOCATION, s.location),
                (header::ETAG, s.etag),
            ] {
                if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
                    res.insert_header((name, v));
                }
            }
            return Ok(req.into_response(res.body(s.body.unwrap_or_default())));
        }
        Ok(Claim::Fresh) => {}
    }
    let res = next.call(req).await?.map_into_boxed_body();
    let (http_req, res) = res.into_parts();
    let status = res.status();
    let (content_type, location, etag) = (
        header_text(&res, header::CONTENT_TYPE),
        header_text(&res, header::LOCATION),
        header_text(&res, header::ETAG),
    );
    let (res, body) = res.into_parts();
    let bytes = to_bytes(body)
        .await
        .map_err(|e| actix_web::error::ErrorInternalServerError(e.to_string()))?;
    let stored_body = bytes.to_vec();
    // A server-side failure is not remembered: the client may retry it for real.
    let keep = !status.is_server_error();
    let outcome = db::run(&pool, move |c| {
        let row = idempotency_keys::table.find((caller.as_str(), key.as_str()));
        if keep {
            diesel::update(row)
                .set((
                    idempotency_keys::status.eq(i32::from(status.as_u16())),
                    idempotency_keys::content_type.eq(content_type),
                    idempotency_keys::location.eq(location),
                    idempotency_keys::etag.eq(etag),
                    idempotency_keys::body.eq(stored_body),
                    idempotency_keys::completed_at.eq(diesel::dsl::now),
                ))
                .execute(c)?;
        } else {
            diesel::delete(row).execute(c)?;
        }
        Ok(())
    })
    .await;
    if let Err(e) = outcome {
        tracing::warn!(error = %e, "could not record an idempotent response");
    }
    Ok(ServiceResponse::new(
        http_req,
        res.set_body(BoxBody::new(bytes)),
    ))
}

/// Forgets keys older than 24 hours, every ten minutes.
pub async fn purge_loop(pool: DbPool) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
    loop {
        tick.tick().await;
        let purged = db::run(&pool, |c| {
            Ok(diesel::delete(idempotency_keys::table)
                .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(
                    "created_at < now() - interval '24 hours'",
                ))
                .execute(c)?)
        })
        .await;
        if let Err(e) = purged {
            tracing::warn!(error = %e, "could not purge idempotency keys");
        }
        // The windows of rate limits and login failures that have passed.
        let swept = db::run(&pool, |c| {
            Ok(crate::rate_limit::sweep(c)? + crate::auth::throttle::sweep(c)?)
        })
        .await;
        if let Err(e) = swept {
            tracing::warn!(error = %e, "could not sweep rate-limit windows");
        }
    }
}
