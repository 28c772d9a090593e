//! Surrogate keys: `article-<id>`, `section-<slug>`, `tag-<slug>`, `correspondent-<slug>`,
//! `site` (site-wide lists and feeds), `media-<id>` (an image and its variants), `word-<hex>` (pages whose related stories a title word
//! chose), and `all` on every response (a change that shows everywhere purges it).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue, CACHE_CONTROL};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage};

use crate::cache::{Dependencies, Scope};
use crate::directory::Directory;
use crate::sections::tree::SectionTree;

/// The key every public response carries.
pub const ALL: &str = "all";

/// The key of `scope`, with the slugs `tree` and `names` know; `None` when one is unknown (or
/// for [`Scope::Everything`], which is [`ALL`]).
pub fn key(scope: &Scope, tree: Option<&SectionTree>, dir: &Directory) -> Option<String> {
    Some(match scope {
        Scope::All => "site".to_owned(),
        Scope::Article(id) => format!("article-{id}"),
        Scope::Section(id) => format!("section-{}", tree?.get(*id)?.slug),
        Scope::Tag(id) => format!("tag-{}", dir.names.known_tag_slug(*id)?),
        Scope::Person(id) => format!("correspondent-{}", dir.names.known_person_slug(*id)?),
        Scope::Media(id) => format!("media-{id}"),
        Scope::Word(k) => format!("word-{k:x}"),
        Scope::Everything => ALL.to_owned(),
    })
}

/// The keys of `scopes` (deduplicated, [`ALL`] first).
pub fn keys(scopes: &[Scope], dir: &Directory) -> Vec<String> {
    let tree = dir.sections.known();
    let mut out = vec![ALL.to_owned()];
    for s in scopes {
        if let Some(k) = key(s, tree.as_deref(), dir) {
            if !out.contains(&k) {
                out.push(k);
            }
        }
    }
    out
}

const SURROGATE_KEY: HeaderName = HeaderName::from_static("surrogate-key");
const CACHE_TAG: HeaderName = HeaderName::from_static("cache-tag");

/// Public answers (`Cache-Control: public`) get `Surrogate-Key` (space-separated, Fastly and
/// Varnish xkey) and `Cache-Tag` (comma-separated, Cloudflare). Runs inside the response cache,
/// so cached entries keep them.
pub async fn surrogate_keys(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let dir = req.app_data::<web::Data<Directory>>().cloned();
    let mut res = next.call(req).await?;
    let public = res
        .headers()
        .get(CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("public"));
    let Some(dir) = dir.filter(|_| public) else {
        return Ok(res);
    };
    let scopes = res
        .request()
        .extensions()
        .get::<Dependencies>()
        .and_then(|d| d.scopes.clone())
        .unwrap_or_else(|| vec![Scope::All]);
    let keys = keys(&scopes, &dir);
    let headers = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&keys.join(" ")) {
        headers.insert(SURROGATE_KEY, v);
    }
    if let Ok(v) = HeaderValue::from_str(&keys.join(",")) {
        headers.insert(CACHE_TAG, v);
    }
    Ok(res)
}
