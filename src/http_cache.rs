//! ETag / If-None-Match / Cache-Control: public responses are cacheable for a minute,
//! authenticated ones never.

use std::time::{SystemTime, UNIX_EPOCH};

use actix_web::http::header::{self, HeaderValue, HttpDate};
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::AppError;

pub const PUBLIC: &str = "public, max-age=60, stale-while-revalidate=300";
pub const PRIVATE: &str = "private, no-store";

/// A strong ETag from the bytes of a body.
pub fn etag_of(body: &[u8]) -> String {
    use std::fmt::Write;
    let digest = Sha256::digest(body);
    let mut etag = String::with_capacity(22);
    etag.push('"');
    for b in &digest[..10] {
        let _ = write!(etag, "{b:02x}");
    }
    etag.push('"');
    etag
}

/// Whether `If-None-Match` names `etag` (weak comparison, `*` matches).
pub fn none_match(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|value| names(value, etag))
}

/// The content codings whose forms get their own validator (RFC 9110 §8.8.3: a strong ETag
/// names one sequence of bytes, so the gzip form cannot share the identity form's).
const CODED: [&str; 2] = ["gzip", "br"];

/// The ETag of `etag`'s representation sent in `coding` (`"abc"` → `"abc-gzip"`).
pub fn coded_etag(etag: &str, coding: &str) -> String {
    match etag.strip_suffix('"') {
        Some(open) => format!("{open}-{coding}\""),
        None => etag.to_owned(),
    }
}

/// The opaque part of an entity tag, without `W/`, quotes or a coding suffix: what it names in
/// whatever coding it was sent.
fn opaque(tag: &str) -> &str {
    let tag = tag.trim_start_matches("W/").trim_matches('"');
    CODED
        .iter()
        .find_map(|coding| tag.strip_suffix(coding).and_then(|t| t.strip_suffix('-')))
        .unwrap_or(tag)
}

/// Whether the value of an `If-None-Match` header names `etag` (weakly, and in any content
/// coding: a 304 only says the client's copy is current).
pub fn names(value: &str, etag: &str) -> bool {
    let wanted = opaque(etag);
    value
        .split(',')
        .map(str::trim)
        .any(|candidate| candidate == "*" || opaque(candidate) == wanted)
}

/// Whether the client's copy is current: `If-None-Match` decides when sent (against `etag`);
/// else `If-Modified-Since` against `last_modified`, in the whole seconds HTTP dates carry.
pub fn not_modified(
    if_none_match: Option<&str>,
    if_modified_since: Option<&str>,
    etag: Option<&str>,
    last_modified: Option<SystemTime>,
) -> bool {
    if let Some(value) = if_none_match {
        return etag.is_some_and(|etag| names(value, etag));
    }
    let seconds = |t: SystemTime| t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let since = if_modified_since
        .and_then(|v| v.parse::<HttpDate>().ok())
        .map(SystemTime::from);
    match (last_modified, since) {
        (Some(modified), Some(since)) => seconds(modified) <= seconds(since),
        _ => false,
    }
}

/// A 200 with `body` as JSON (or a 304 when the client has it), its ETag and the cache policy
/// for the caller: `authenticated` responses are `private, no-store`.
pub fn json_response<T: Serialize>(
    req: &HttpRequest,
    authenticated: bool,
    body: &T,
) -> Result<HttpResponse, AppError> {
    // Pages are kilobytes: start big enough that the buffer is seldom grown and copied.
    let mut bytes = Vec::with_capacity(8 * 1024);
    serde_json::to_writer(&mut bytes, body)?;
    let etag = etag_of(&bytes);
    Ok(respond(req, authenticated, etag, "application/json", bytes))
}

/// Like [`json_response`] with a given ETag and media type.
pub fn respond(
    req: &HttpRequest,
    authenticated: bool,
    etag: String,
    content_type: &str,
    bytes: Vec<u8>,
) -> HttpResponse {
    let cache = if authenticated { PRIVATE } else { PUBLIC };
    let mut builder = if none_match(req, &etag) {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    // The same URL answers staff and anonymous callers differently: caches must key on it.
    builder
        .insert_header((header::ETAG, etag.clone()))
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::VARY, HeaderValue::from_static("Authorization")));
    if none_match(req, &etag) {
        builder.finish()
    } else {
        builder.content_type(content_type).body(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_coding_has_its_etag_and_any_of_them_matches() {
        let etag = "\"v3-0a1b\"";
        assert_eq!(coded_etag(etag, "gzip"), "\"v3-0a1b-gzip\"");
        assert_eq!(coded_etag(etag, "br"), "\"v3-0a1b-br\"");
        for sent in [
            "\"v3-0a1b\"",
            "\"v3-0a1b-gzip\"",
            "W/\"v3-0a1b-br\"",
            "\"x\", \"v3-0a1b-br\"",
            "*",
        ] {
            assert!(names(sent, etag), "{sent}");
            assert!(names(sent, &coded_etag(etag, "gzip")), "{sent}");
        }
        for other in ["\"v3-0a1c\"", "\"v3-0a1b-zstd\"", "\"v3\""] {
            assert!(!names(other, etag), "{other}");
        }
    }
}
