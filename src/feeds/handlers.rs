//! Feed endpoints: `/feed.{format}` for the site, the same under `/sections/{slug}/`,
//! `/tags/{slug}/` and `/correspondents/{slug}/`; `/articles/{id}/ninjs`;
//! `/sitemap-news.xml`; and the `/articles/{slug}` permalinks at the root.

use std::sync::Arc;

use actix_web::http::header::{self, HttpDate};
use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Duration, Utc};

use super::cache::Rendered;
use super::model::{self, FeedItem, Scope};
use super::render::{self, JsonFeed, Ninjs};
use super::views::{limit, FeedFormat, FeedQuery, Format, SectionFeedFormat};
use crate::articles::policy::may_read;
use crate::articles::queries as article_queries;
use crate::articles::read::Views;
use crate::auth::OptionalAuth;
use crate::error::{AppError, Problem};
use crate::ident::IdOrSlug;
use crate::pagination::{Page, PageInfo};
use crate::replica::Reader;
use crate::state::AppState;
use crate::{cache, http_cache};

/// 304 when the client's copy is current (`If-None-Match` first, else `If-Modified-Since`).
fn not_modified(req: &HttpRequest, etag: &str, last_modified: DateTime<Utc>) -> bool {
    let text = |name| req.headers().get(name).and_then(|v| v.to_str().ok());
    http_cache::not_modified(
        text(header::IF_NONE_MATCH),
        text(header::IF_MODIFIED_SINCE),
        Some(etag),
        Some(last_modified.into()),
    )
}

fn send(req: &HttpRequest, r: &Rendered) -> HttpResponse {
    let last_modified = HttpDate::from(std::time::SystemTime::from(r.last_modified));
    let unchanged = not_modified(req, &r.etag, r.last_modified);
    let mut res = if unchanged {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, r.etag.clone()))
        .insert_header((header::LAST_MODIFIED, last_modified))
        .insert_header((header::CACHE_CONTROL, http_cache::PUBLIC));
    if unchanged {
        res.finish()
    } else {
        res.content_type(r.content_type).body(r.body.clone())
    }
}

/// Serves what is cached under `key` while the database has not changed since it was rendered;
/// otherwise renders it with `build` (on the same connection) and caches it. `build` also says
/// what the feed depends on, for the response cache in front.
async fn cached<F>(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    key: String,
    content_type: &'static str,
    build: F,
) -> Result<HttpResponse, AppError>
where
    F: FnOnce(&mut diesel::PgConnection) -> Result<(Vec<u8>, Vec<cache::Scope>), AppError>
        + Clone
        + Send
        + 'static,
{
    let cache = state.clone();
    // NEWSDESK_CACHE=off: nothing rendered is kept.
    let keep = state.config.cache;
    // Feeds show published articles only: a replica may render them for anyone.
    let rendered = state
        .read(Reader::Public, move |c| {
            let (fingerprint, newest) = model::fingerprint(c)?;
            if let Some(hit) = cache.feeds.get(&key, &fingerprint).filter(|_| keep) {
                return Ok(hit);
            }
            let (body, depends_on) = build(c)?;
            let rendered = Arc::new(Rendered {
                etag: http_cache::etag_of(&body),
                fingerprint,
                body,
                last_modified: newest,
                content_type,
                depends_on,
            });
            if keep {
                cache.feeds.put(key, rendered.clone());
            }
            Ok(rendered)
        })
        .await?;
    cache::depends_on(req, rendered.depends_on.clone());
    Ok(send(req, &rendered))
}

/// A feed of `scope` in the format named by the path (`ninjs` only where `ninjs_allowed`).
async fn feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    scope: Scope,
    format: &str,
    ninjs_allowed: bool,
    q: &FeedQuery,
) -> Result<HttpResponse, AppError> {
    let format = Format::parse(format, ninjs_allowed)?;
    let limit = limit(q)?;
    let key = format!("{scope:?}|{format:?}|{limit}");
    let views = Views::of(&state);
    let self_url = format!("{}{}", views.site.public_url, req.path());
    cached(&req, &state, key, format.content_type(), move |c| {
        let (mut meta, items) = model::load(c, &views, &scope, limit, None)?
            .ok_or_else(|| AppError::not_found("feed"))?;
        meta.self_url = self_url;
        let depends_on = vec![meta.depends_on];
        let body = match format {
            Format::Rss => render::rss(&meta, &items),
            Format::Atom => render::atom(&meta, &items),
            Format::Json => render::json_feed(&meta, &items)?,
            Format::Ninjs => {
                let data: Vec<Ninjs> = items
                    .iter()
                    .map(|i| render::ninjs(&views.site.public_url, i, "published"))
                    .collect();
                let page = Page {
                    data,
                    page: PageInfo {
                        limit,
                        next_cursor: None,
                        total: None,
                    },
                };
                serde_json::to_string(&page)?
            }
        };
        Ok((body.into_bytes(), depends_on))
    })
    .await
}

/// The site-wide feed: the latest published articles, newest first.
///
/// `rss` (`application/rss+xml`), `atom` (`application/atom+xml`) or `json` (JSON Feed 1.1,
/// `application/feed+json`). Items carry the article id as GUID, the permalink, summary, full
/// HTML, every byline person with role, section and tags as categories. `ETag` and
/// `Last-Modified`, with 304 on `If-None-Match` / `If-Modified-Since`.
#[utoipa::path(
    tag = "feeds",
    params(("format" = FeedFormat, Path, description = "rss, atom or json"), FeedQuery),
    responses(
        (status = 200, description = "The feed", content(
            (String = "application/rss+xml; charset=utf-8"),
            (String = "application/atom+xml; charset=utf-8"),
            (JsonFeed = "application/feed+json; charset=utf-8"),
        ), headers(("ETag" = String), ("Last-Modified" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Bad limit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown format", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/feed.{format}")]
pub async fn site_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<String>,
    q: web::Query<FeedQuery>,
) -> Result<HttpResponse, AppError> {
    feed(req, state, Scope::Site, &path.into_inner(), false, &q).await
}

/// A section's feed (including its child sections); `ninjs` gives a `{data, page}` list of ninjs
/// items.
#[utoipa::path(
    tag = "feeds",
    params(("slug" = String, Path, description = "Section slug"), ("format" = SectionFeedFormat, Path, description = "rss, atom, json or ninjs"), FeedQuery),
    responses(
        (status = 200, description = "The feed", content(
            (String = "application/rss+xml; charset=utf-8"),
            (String = "application/atom+xml; charset=utf-8"),
            (JsonFeed = "application/feed+json; charset=utf-8"),
            (Page<Ninjs> = "application/json; charset=utf-8"),
        ), headers(("ETag" = String), ("Last-Modified" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Bad limit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such section or format", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sections/{slug}/feed.{format}")]
pub async fn section_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    q: web::Query<FeedQuery>,
) -> Result<HttpResponse, AppError> {
    let (slug, format) = path.into_inner();
    feed(req, state, Scope::Section(slug), &format, true, &q).await
}

/// A tag's feed.
#[utoipa::path(
    tag = "feeds",
    params(("slug" = String, Path, description = "Tag slug"), ("format" = FeedFormat, Path, description = "rss, atom or json"), FeedQuery),
    responses(
        (status = 200, description = "The feed", content(
            (String = "application/rss+xml; charset=utf-8"),
            (String = "application/atom+xml; charset=utf-8"),
            (JsonFeed = "application/feed+json; charset=utf-8"),
        ), headers(("ETag" = String), ("Last-Modified" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Bad limit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tag or format", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/tags/{slug}/feed.{format}")]
pub async fn tag_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    q: web::Query<FeedQuery>,
) -> Result<HttpResponse, AppError> {
    let (slug, format) = path.into_inner();
    feed(req, state, Scope::Tag(slug), &format, false, &q).await
}

/// A correspondent's feed.
#[utoipa::path(
    tag = "feeds",
    params(("slug" = String, Path, description = "Correspondent slug"), ("format" = FeedFormat, Path, description = "rss, atom or json"), FeedQuery),
    responses(
        (status = 200, description = "The feed", content(
            (String = "application/rss+xml; charset=utf-8"),
            (String = "application/atom+xml; charset=utf-8"),
            (JsonFeed = "application/feed+json; charset=utf-8"),
        ), headers(("ETag" = String), ("Last-Modified" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Bad limit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such correspondent or format", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/correspondents/{slug}/feed.{format}")]
pub async fn correspondent_feed(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    q: web::Query<FeedQuery>,
) -> Result<HttpResponse, AppError> {
    let (slug, format) = path.into_inner();
    feed(req, state, Scope::Correspondent(slug), &format, false, &q).await
}

/// One article as IPTC ninjs 3.1 (`application/ninjs+json`).
#[utoipa::path(
    tag = "feeds",
    params(("id" = String, Path, description = "Article id (UUID) or slug")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The article in ninjs 3.1", body = Ninjs, content_type = "application/ninjs+json"),
        (status = 301, description = "An old slug: Location has the current one", headers(("Location" = String, description = "The article's current ninjs URL"))),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such (visible) article", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/articles/{id}/ninjs")]
pub async fn get_article_ninjs(
    req: HttpRequest,
    who: OptionalAuth,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let key = IdOrSlug::parse(&path.into_inner());
    let viewer = who.0.as_ref().map(|a| a.editor.clone());
    let views = Views::of(&state);
    enum Found {
        Item(Box<Ninjs>, uuid::Uuid),
        Moved(String),
    }
    let found = state
        .read(who.reader(), move |c| {
            let Some(a) = article_queries::find(c, &key)?.filter(|a| may_read(viewer.as_ref(), a))
            else {
                // An old slug of an article this caller may read: 301 to its current one.
                if let IdOrSlug::Slug(slug) = &key {
                    if let Some(a) = article_queries::redirect_target(c, slug)?
                        .filter(|a| may_read(viewer.as_ref(), a))
                    {
                        return Ok(Found::Moved(a.slug));
                    }
                }
                return Err(AppError::not_found("article"));
            };
            let v = views.load(c, &a)?;
            let item = FeedItem {
                id: v.id,
                slug: v.slug,
                title: v.title,
                subtitle: v.subtitle,
                summary: v.summary,
                body_html: v.body_html,
                section: v.section,
                tags: v.tags,
                byline: v.byline,
                source: v.source,
                cover: v.cover_image,
                version: v.version,
                created_at: v.created_at,
                published_at: v.published_at.unwrap_or(v.created_at),
                updated_at: v.updated_at,
            };
            let ninjs = render::ninjs(&views.site.public_url, &item, &a.status);
            Ok(Found::Item(Box::new(ninjs), a.id))
        })
        .await?;
    let (ninjs, id) = match found {
        Found::Item(ninjs, id) => (ninjs, id),
        Found::Moved(slug) => {
            return Ok(HttpResponse::MovedPermanently()
                .insert_header((
                    header::LOCATION,
                    format!("{}/api/v1/articles/{slug}/ninjs", state.config.public_url),
                ))
                .insert_header((header::CACHE_CONTROL, http_cache::PUBLIC))
                .finish())
        }
    };
    cache::depends_on(&req, vec![cache::Scope::Article(id)]);
    let body = serde_json::to_vec(&ninjs)?;
    Ok(http_cache::respond(
        &req,
        who.is_staff(),
        http_cache::etag_of(&body),
        "application/ninjs+json",
        body,
    ))
}

/// The Google News sitemap: articles published in the last 48 hours (at most 1000).
#[utoipa::path(
    tag = "feeds",
    responses(
        (status = 200, description = "Google News sitemap", body = String, content_type = "application/xml; charset=utf-8"),
        (status = 304, description = "Not modified"),
    )
)]
#[get("/sitemap-news.xml")]
pub async fn news_sitemap(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let views = Views::of(&state);
    // The 48-hour window moves with the clock: the cache key changes every five minutes.
    let key = format!("sitemap|{}", Utc::now().timestamp() / 300);
    cache::expires_after(&req, std::time::Duration::from_secs(300));
    cached(
        &req,
        &state,
        key,
        "application/xml; charset=utf-8",
        move |c| {
            let since = Utc::now() - Duration::hours(48);
            let (_, recent) = model::load(c, &views, &Scope::Site, 1000, Some(since))?
                .ok_or_else(|| AppError::not_found("feed"))?;
            Ok((
                render::news_sitemap(&views.site, &recent)?.into_bytes(),
                vec![cache::Scope::All],
            ))
        },
    )
    .await
}

/// `/articles/{slug}` at the root: the permalink feeds link to, redirecting to the API. Only
/// slugs and ids are echoed into `Location`.
pub async fn permalink(path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let key = path.into_inner();
    let is_id = uuid::Uuid::parse_str(&key).is_ok();
    if !(is_id || crate::slug::is_valid(&key, crate::slug::MAX_ARTICLE_SLUG_LEN)) {
        return Err(AppError::not_found("article"));
    }
    Ok(HttpResponse::MovedPermanently()
        .insert_header((header::LOCATION, format!("/api/v1/articles/{key}")))
        .finish())
}
