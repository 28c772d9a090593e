//! The API's documentation: `GET /api/v1/openapi.json` (the document, generated once) and
//! Swagger UI under `/api/v1/docs/` (served from the binary, the online validator off), both
//! with an ETag and a public cache policy, so the response cache keeps them compressed; and the
//! UI's Content-Security-Policy.

use std::sync::OnceLock;

use actix_web::body::{self, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse};
use utoipa_swagger_ui::{Config, SwaggerUi};

use crate::http_cache;
use crate::openapi::{self, API_PREFIX};

/// How long browsers and caches may keep the documentation (it changes with a release).
const DOCS_CACHE: &str = "public, max-age=300, stale-while-revalidate=3600";

/// The document's bytes and ETag, made once per process.
fn document() -> &'static (String, String) {
    static DOC: OnceLock<(String, String)> = OnceLock::new();
    DOC.get_or_init(|| {
        let json = openapi::document_json();
        let etag = http_cache::etag_of(json.as_bytes());
        (json, etag)
    })
}

/// `GET /api/v1/openapi.json`.
pub async fn openapi_json(req: HttpRequest) -> HttpResponse {
    let (json, etag) = document();
    if http_cache::none_match(&req, etag) {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, etag.as_str()))
            .insert_header((header::CACHE_CONTROL, DOCS_CACHE))
            .finish();
    }
    HttpResponse::Ok()
        .insert_header((header::ETAG, etag.as_str()))
        .insert_header((header::CACHE_CONTROL, DOCS_CACHE))
        .content_type("application/json")
        .body(json.clone())
}

/// Swagger UI under `/api/v1/docs/`, reading the document above. The validator badge would
/// send the document to validator.swagger.io from every reader's browser: it is off.
pub fn swagger_ui() -> SwaggerUi {
    let url = format!("{API_PREFIX}/openapi.json");
    SwaggerUi::new(format!("{API_PREFIX}/docs/{{_:.*}}"))
        .config(Config::new([url]).validator_url("none"))
}

/// Whether `path` is Swagger UI's.
fn is_docs(path: &str) -> bool {
    path.strip_prefix(API_PREFIX)
        .is_some_and(|p| p.starts_with("/docs"))
}

/// Swagger UI's answers get a strong ETag (of their bytes) and the documentation's cache
/// policy (and a 304 when the client has them); runs inside the response cache, which then
/// keeps them and their compressed forms.
pub async fn cacheable(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let docs = is_docs(req.path());
    let res = next.call(req).await?.map_into_boxed_body();
    if !docs || res.status() != StatusCode::OK {
        return Ok(res);
    }
    let (http_req, res) = res.into_parts();
    let (mut head, body) = res.into_parts();
    let bytes = body::to_bytes(body)
        .await
        .map_err(|e| actix_web::error::ErrorInternalServerError(e.to_string()))?;
    let etag = http_cache::etag_of(&bytes);
    let unchanged = http_cache::none_match(&http_req, &etag);
    let headers = head.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(DOCS_CACHE));
    let res = if unchanged {
        let mut not_modified = HttpResponse::NotModified();
        for (name, value) in head.headers().iter() {
            if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
                not_modified.insert_header((name.clone(), value.clone()));
            }
        }
        not_modified.finish()
    } else {
        head.set_body(body::BoxBody::new(bytes))
    };
    Ok(ServiceResponse::new(http_req, res))
}

/// A strict Content-Security-Policy for Swagger UI: everything from this origin, nothing inline
/// but styles, which Swagger UI sets on elements.
pub async fn policy(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let docs = is_docs(req.path());
    let mut res = next.call(req).await?;
    if docs {
        res.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
            ),
        );
    }
    Ok(res)
}
