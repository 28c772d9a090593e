//! Serves anonymous `GET`s from the [`ResponseCache`](super::ResponseCache) and fills it with
//! the `200` responses whose `Cache-Control` is public. Requests with an `Authorization` header
//! never touch it. Conditional requests (`If-None-Match`, `If-Modified-Since`) are answered from
//! the entry; the body goes out in the best coding the client accepts.

use std::sync::Arc;
use std::time::SystemTime;

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderValue, HttpDate};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse};

use super::{Coding, Dependencies, Entry, ResponseCache, Scope};
use crate::http_cache;

/// The cache key: the path and the query exactly as sent.
fn key(req: &ServiceRequest) -> String {
    match req.query_string() {
        "" => req.path().to_owned(),
        q => format!("{}?{q}", req.path()),
    }
}

fn eligible(req: &ServiceRequest) -> bool {
    req.method() == Method::GET
        && !req.headers().contains_key(header::AUTHORIZATION)
        && req.path().starts_with("/api/v1/")
}

/// Public, unauthenticated, complete: worth keeping for everyone.
fn shareable(res: &ServiceResponse<impl MessageBody>) -> bool {
    res.status() == StatusCode::OK
        && !res.headers().contains_key(header::SET_COOKIE)
        && res
            .headers()
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("public"))
}

pub async fn serve(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let cache = req.app_data::<web::Data<ResponseCache>>().cloned();
    let Some(cache) = cache.filter(|c| c.enabled() && eligible(&req)) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let key = key(&req);
    let coding = Coding::negotiate(
        req.headers()
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok()),
    );
    if let Some(entry) = cache.get(&key) {
        metrics::counter!("response_cache_total", "result" => "hit").increment(1);
        let res = respond(&Conditions::of(req.headers()), &entry, coding);
        return Ok(req.into_response(res));
    }
    metrics::counter!("response_cache_total", "result" => "miss").increment(1);
    // Render the full representation for the entry; the client's conditions apply after.
    let conditions = Conditions::of(req.headers());
    req.headers_mut().remove(header::IF_NONE_MATCH);
    req.headers_mut().remove(header::IF_MODIFIED_SINCE);
    let generation = cache.generation();
    let res = next.call(req).await?;
    if !shareable(&res) {
        let (http_req, mut res) = res.into_parts();
        if res.status().is_success() {
            // Other 2xx (and private answers) still name their variants.
            append_vary(res.headers_mut());
        }
        // The conditions were taken off for the cache; a handler's own 304 logic is skipped,
        // which only costs a full body on a response the cache does not keep.
        return Ok(ServiceResponse::new(http_req, res.map_into_boxed_body()));
    }
    let (http_req, res) = res.into_parts();
    let declared = http_req
        .extensions()
        .get::<Dependencies>()
        .cloned()
        .unwrap_or_default();
    let scopes = declared.scopes.unwrap_or_else(|| vec![Scope::All]);
    let (head, body) = res.into_parts();
    let bytes = body::to_bytes(body)
        .await
        .map_err(|e| actix_web::error::ErrorInternalServerError(e.into().to_string()))?;
    let mut headers = head.headers().clone();
    headers.remove(header::CONTENT_LENGTH);
    let entry = Arc::new(Entry::new(headers, bytes, scopes).expiring(declared.ttl));
    cache.insert(generation, key, entry.clone());
    let res = respond(&conditions, &entry, coding);
    Ok(ServiceResponse::new(http_req, res))
}

/// `Vary` gains `Accept-Encoding`: a shared cache must keep the codings apart.
fn append_vary(headers: &mut HeaderMap) {
    let vary = headers
        .get(header::VARY)
        .and_then(|v| v.to_str().ok())
        .map(|v| format!("{v}, Accept-Encoding"))
        .unwrap_or_else(|| "Accept-Encoding".to_owned());
    if let Ok(v) = HeaderValue::from_str(&vary) {
        headers.insert(header::VARY, v);
    }
}

/// The client's conditional headers (kept: they are taken off the request for a render).
struct Conditions {
    if_none_match: Option<String>,
    if_modified_since: Option<String>,
}

impl Conditions {
    fn of(headers: &HeaderMap) -> Conditions {
        let text = |name| {
            headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
        };
        Conditions {
            if_none_match: text(header::IF_NONE_MATCH).map(str::to_owned),
            if_modified_since: text(header::IF_MODIFIED_SINCE).map(str::to_owned),
        }
    }

    fn not_modified(&self, entry: &Entry) -> bool {
        let text = |name| {
            entry
                .headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
        };
        http_cache::not_modified(
            self.if_none_match.as_deref(),
            self.if_modified_since.as_deref(),
            text(header::ETAG),
            text(header::LAST_MODIFIED)
                .and_then(|v| v.parse::<HttpDate>().ok())
                .map(SystemTime::from),
        )
    }
}

/// The entry as a response: 304 when the client has it, else the body in `coding`.
fn respond(conditions: &Conditions, entry: &Entry, coding: Coding) -> HttpResponse<BoxBody> {
    let status = if conditions.not_modified(entry) {
        StatusCode::NOT_MODIFIED
    } else {
        StatusCode::OK
    };
    let mut res = HttpResponse::new(status);
    let headers = res.headers_mut();
    for (name, value) in entry.headers.iter() {
        if status == StatusCode::NOT_MODIFIED && name == header::CONTENT_TYPE {
            continue;
        }
        headers.append(name.clone(), value.clone());
    }
    append_vary(headers);
    // The form the client gets (a 304 names the one it would have got): each coding its own
    // strong ETag.
    let encoded = entry.encoded(coding).map(|bytes| {
        let name = if coding == Coding::Gzip { "gzip" } else { "br" };
        (name, bytes)
    });
    if let Some((name, _)) = encoded {
        let coded = headers
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(|etag| http_cache::coded_etag(etag, name))
            .and_then(|etag| HeaderValue::from_str(&etag).ok());
        if let Some(etag) = coded {
            headers.insert(header::ETAG, etag);
        }
    }
    if status == StatusCode::NOT_MODIFIED {
        return res;
    }
    match encoded {
        Some((name, bytes)) => {
            res.headers_mut()
                .insert(header::CONTENT_ENCODING, HeaderValue::from_static(name));
            res.set_body(BoxBody::new(bytes.clone()))
        }
        None => res.set_body(BoxBody::new(entry.body.clone())),
    }
}
