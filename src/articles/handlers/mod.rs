//! `/articles`: public reads of published stories, staff reads and writes, the workflow. The
//! helpers every article response shares live here; each action in its own file.

pub mod edit;
pub mod get;
pub mod list;
pub mod revisions;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};

use super::views::ArticleView;
use crate::error::AppError;
use crate::http_cache;

/// The ETag of an article: its version and a digest of the representation, so `If-Match`
/// carries the version and `If-None-Match` sees every change (links and names included).
fn article_etag(version: i32, bytes: &[u8]) -> String {
    let digest = http_cache::etag_of(bytes);
    format!("\"v{version}-{}", digest.trim_start_matches('"'))
}

/// The version named by an `If-Match` header: `"v7-…"`, `"7"` or `W/"v7-…"`.
pub(crate) fn if_match_version(req: &HttpRequest) -> Result<Option<i32>, AppError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let raw = value.to_str().unwrap_or_default().trim();
    let raw = raw.trim_start_matches("W/").trim_matches('"');
    let digits = raw
        .trim_start_matches('v')
        .split('-')
        .next()
        .unwrap_or_default();
    digits.parse::<i32>().map(Some).map_err(|_| {
        AppError::bad_request(
            "invalid_if_match",
            "If-Match must be an ETag from GET /articles/{id}",
        )
    })
}

/// A read answers 200 or 304 with the cache policy of the caller; a write answers `status`
/// (with `location` on create), never cached. Both carry the article's ETag.
pub(crate) fn article_response(
    req: &HttpRequest,
    authenticated: bool,
    view: &ArticleView,
    write: Option<(StatusCode, Option<String>)>,
) -> Result<HttpResponse, AppError> {
    let bytes = serde_json::to_vec(view)?;
    let etag = article_etag(view.version, &bytes);
    let Some((status, location)) = write else {
        return Ok(http_cache::respond(
            req,
            authenticated,
            etag,
            "application/json",
            bytes,
        ));
    };
    let mut res = HttpResponse::build(status);
    res.insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, http_cache::PRIVATE));
    if let Some(location) = location {
        res.insert_header((header::LOCATION, location));
    }
    Ok(res.content_type("application/json").body(bytes))
}
