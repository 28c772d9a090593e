//! `/articles`: public reads of published stories, staff reads and writes, the workflow.

use actix_web::http::{header, StatusCode};
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use diesel::PgConnection;
use uuid::Uuid;

use super::model::{Article, ArticleSummary};
use super::queries::{self, ListFilter, Sort, Visibility};
use super::views::{
    ArticleLink, ArticleLinks, ArticleListItem, ArticleListQuery, ArticleView,
    CreateArticleRequest, Related, TransitionRequest, UpdateArticleRequest,
};
use super::workflow::Status;
use super::write::{self, Move};
use crate::auth::{Auth, OptionalAuth};
use crate::editors::{self, Editor, Role};
use crate::error::{AppError, FieldError, Problem};
use crate::ident::IdOrSlug;
use crate::pagination::{self, Cursor, Page, PageInfo};
use crate::search::{self, SearchQuery};
use crate::sections::views::SectionRef;
use crate::startup::AppState;
use crate::validate::query_time;
use crate::{correspondents, db, http_cache, sections, tags, text};

/// Loads the related rows of a page: four queries whatever the page size.
pub(crate) fn related(
    conn: &mut PgConnection,
    rows: &[ArticleSummary],
) -> Result<Related, AppError> {
    let ids: Vec<Uuid> = rows.iter().map(|a| a.id).collect();
    let mut section_ids: Vec<Uuid> = rows.iter().map(|a| a.section_id).collect();
    section_ids.sort_unstable();
    section_ids.dedup();
    let mut editor_ids: Vec<Uuid> = rows.iter().filter_map(|a| a.editor_id).collect();
    editor_ids.sort_unstable();
    editor_ids.dedup();
    let sections = sections::queries::find_many(conn, &section_ids)?
        .iter()
        .map(SectionRef::from)
        .collect();
    let bylines = queries::bylines_for(conn, &ids)?;
    let tags = queries::tags_for(conn, &ids)?;
    let editors = editors::queries::names(conn, &editor_ids)?;
    Ok(Related::new(sections, bylines, tags, editors))
}

/// The whole view of one article, with previous/next links.
pub fn load_view(
    conn: &mut PgConnection,
    a: &Article,
    public_url: &str,
) -> Result<ArticleView, AppError> {
    let rel = related(conn, &[a.summary_row()])?;
    let (previous, next) = queries::neighbours(conn, a)?;
    let link = |p: Option<(String, String)>| p.map(|(slug, title)| ArticleLink { slug, title });
    let links = ArticleLinks {
        self_: format!("{public_url}/api/v1/articles/{}", a.slug),
        previous: link(previous),
        next: link(next),
    };
    Ok(rel.view(a, links))
}

/// Whether the caller may read `a`: published for everyone, the rest for the desk and for the
/// contributor who wrote it.
pub(crate) fn may_read(who: Option<&Editor>, a: &Article) -> bool {
    match who {
        _ if a.status() == Status::Published => true,
        None => false,
        Some(e) => e.role().is_desk() || a.created_by == Some(e.id),
    }
}

fn bad_param(field: &str, message: &str) -> AppError {
    AppError::BadRequest {
        code: "invalid_parameter",
        detail: format!("{field}: {message}"),
        errors: vec![FieldError::new(field, message)],
    }
}

/// The `?cursor=` link to the next page: the request's own query with the cursor replaced.
fn next_link(req: &HttpRequest, public_url: &str, cursor: &str) -> String {
    let kept: Vec<&str> = req
        .query_string()
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("cursor="))
        .collect();
    let mut query = kept.join("&");
    if !query.is_empty() {
        query.push('&');
    }
    format!(
        "<{public_url}{}?{query}cursor={cursor}>; rel=\"next\"",
        req.path()
    )
}

async fn list(
    req: HttpRequest,
    who: OptionalAuth,
    state: web::Data<AppState>,
    q: ArticleListQuery,
    section_from_path: Option<String>,
) -> Result<HttpResponse, AppError> {
    let staff = who.0.as_ref().map(|a| a.editor.clone());
    let limit = pagination::limit(q.limit)?;
    let search =
        q.q.as_deref()
            .map(SearchQuery::parse)
            .transpose()?
            .flatten();
    // With `q` and no explicit sort, hits come by relevance.
    let relevance = search.is_some() && q.sort.is_none();
    let sort = match q.sort.as_deref() {
        None | Some("published_at") => Sort::Published,
        Some("updated_at") if staff.is_some() => Sort::Updated,
        Some("updated_at") => {
            return Err(AppError::Unauthorized(
                "sort=updated_at is for staff".into(),
            ))
        }
        Some(_) => return Err(bad_param("sort", "must be published_at or updated_at")),
    };
    let status = q
        .status
        .as_deref()
        .map(|s| {
            Status::parse(s).ok_or_else(|| {
                bad_param(
                    "status",
                    "must be draft, in_review, scheduled, published or archived",
                )
            })
        })
        .transpose()?;
    let after = q
        .cursor
        .as_deref()
        .map(|c| Cursor::decode(c, if relevance { 'q' } else { sort.cursor_kind() }))
        .transpose()?;
    let published_after = query_time("published_after", q.published_after.as_deref())?;
    let published_before = query_time("published_before", q.published_before.as_deref())?;
    let visibility = match &staff {
        None => Visibility::Public,
        Some(e) if e.role().is_desk() => Visibility::Desk,
        Some(e) => Visibility::Contributor(e.id),
    };
    let section_slug = section_from_path.clone().or(q.section);
    let (tag, person, want_total) = (q.tag, q.correspondent, q.count.unwrap_or(false));
    let path_form = section_from_path.is_some();
    let (items, next_cursor, total) = db::run(&state.pool, move |c| {
        let mut filter = ListFilter {
            visibility,
            section_ids: None,
            tag_id: None,
            correspondent_id: None,
            status,
            published_after,
            published_before,
            search,
            sort,
        };
        let mut empty = false;
        if let Some(slug) = section_slug {
            match sections::queries::find(c, &IdOrSlug::Slug(slug))? {
                Some(s) => filter.section_ids = Some(sections::queries::subtree_ids(c, s.id)?),
                None if path_form => return Err(AppError::not_found("section")),
                None => empty = true,
            }
        }
        if let Some(t) = tag {
            match tags::queries::find(c, &IdOrSlug::parse(&t))? {
                Some(t) => filter.tag_id = Some(t.id),
                None => empty = true,
            }
        }
        if let Some(p) = person {
            match correspondents::queries::find(c, &IdOrSlug::parse(&p))? {
                Some(p) => filter.correspondent_id = Some(p.id),
                None => empty = true,
            }
        }
        if empty {
            return Ok((vec![], None, want_total.then_some(0)));
        }
        let (rows, next) = match &filter.search {
            Some(sq) if relevance => {
                let hits = queries::search(c, &filter, sq, after.as_ref(), limit)?;
                let (hits, next) = pagination::finish(hits, limit, |(a, tier)| Cursor {
                    kind: 'q',
                    at: a.published_at,
                    key: Some(tier.to_string()),
                    id: a.id,
                });
                (hits.into_iter().map(|(a, _)| a).collect::<Vec<_>>(), next)
            }
            _ => {
                let rows = queries::list(c, &filter, after.as_ref(), limit)?;
                pagination::finish(rows, limit, |a| sort.cursor_of(a))
            }
        };
        let total = if want_total {
            Some(queries::count(c, &filter)?)
        } else {
            None
        };
        let rel = related(c, &rows)?;
        let mut items: Vec<ArticleListItem> = rows.iter().map(|a| rel.item(a)).collect();
        if let Some(sq) = &filter.search {
            let ids: Vec<Uuid> = rows.iter().map(|a| a.id).collect();
            let bodies: std::collections::HashMap<Uuid, String> =
                queries::bodies(c, &ids)?.into_iter().collect();
            for item in &mut items {
                let body = bodies
                    .get(&item.id)
                    .map(|b| text::plain_text(b))
                    .unwrap_or_default();
                item.highlight = search::highlight(&item.summary, &sq.words)
                    .or_else(|| search::highlight(&body, &sq.words))
                    .or_else(|| search::highlight(&item.title, &sq.words));
            }
        }
        Ok((items, next, total))
    })
    .await?;
    let link = next_cursor
        .as_deref()
        .map(|c| next_link(&req, &state.config.public_url, c));
    let page = Page {
        data: items,
        page: PageInfo {
            limit,
            next_cursor,
            total,
        },
    };
    let mut res = http_cache::json_response(&req, staff.is_some(), &page)?;
    if let Some(link) = link {
        if let Ok(v) = header::HeaderValue::from_str(&link) {
            res.headers_mut().insert(header::LINK, v);
        }
    }
    Ok(res)
}

/// List articles, newest first, with filters and keyset pagination.
///
/// Anonymous callers see published articles only; contributors also their own; editors and
/// admins everything. `section` includes child sections. The response carries a
/// `Link: <…>; rel="next"` header when there is a next page.
#[utoipa::path(
    tag = "articles",
    params(ArticleListQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "A page of articles (without body_html and links)", body = inline(Page<ArticleListItem>),
            headers(("Link" = String, description = "rel=\"next\" page"), ("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Bad limit, cursor, date, status or sort", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "sort=updated_at without a token, or a bad token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/articles")]
pub async fn list_articles(
    req: HttpRequest,
    who: OptionalAuth,
    state: web::Data<AppState>,
    query: web::Query<ArticleListQuery>,
) -> Result<HttpResponse, AppError> {
    list(req, who, state, query.into_inner(), None).await
}

/// The articles of a section and its child sections (= `GET /articles?section={slug}`).
#[utoipa::path(
    tag = "articles",
    params(("slug" = String, Path, description = "Section slug"), ArticleListQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "A page of articles", body = inline(Page<ArticleListItem>)),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Bad parameter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such section", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sections/{slug}/articles")]
pub async fn list_section_articles(
    req: HttpRequest,
    who: OptionalAuth,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<ArticleListQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    if q.section.is_some() {
        return Err(bad_param("section", "is given by the path"));
    }
    list(req, who, state, q, Some(path.into_inner())).await
}

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
    let bytes =
        serde_json::to_vec(view).map_err(|e| AppError::Internal(format!("serialise: {e}")))?;
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

/// One article by id or slug, with previous/next links (上一篇 / 下一篇).
///
/// Unpublished articles are 404 for anonymous callers (and for contributors other than their
/// author). An old slug of a published article answers 301 to the current one.
#[utoipa::path(
    tag = "articles",
    params(("id" = String, Path, description = "Article id (UUID) or slug")),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The article", body = ArticleView, headers(("ETag" = String, description = "Send as If-Match to PATCH"))),
        (status = 301, description = "An old slug: Location has the current one"),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such (visible) article", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/articles/{id}")]
pub async fn get_article(
    req: HttpRequest,
    who: OptionalAuth,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let raw = path.into_inner();
    let key = IdOrSlug::parse(&raw);
    let viewer = who.0.as_ref().map(|a| a.editor.clone());
    let public_url = state.config.public_url.clone();
    enum Found {
        View(Box<ArticleView>),
        Moved(String),
    }
    let found = db::run(&state.pool, move |c| {
        if let Some(a) = queries::find(c, &key)?.filter(|a| may_read(viewer.as_ref(), a)) {
            return Ok(Found::View(Box::new(load_view(c, &a, &public_url)?)));
        }
        if let IdOrSlug::Slug(slug) = &key {
            if let Some(a) =
                queries::redirect_target(c, slug)?.filter(|a| may_read(viewer.as_ref(), a))
            {
                return Ok(Found::Moved(a.slug));
            }
        }
        Err(AppError::not_found("article"))
    })
    .await?;
    match found {
        Found::View(view) => article_response(&req, who.is_staff(), &view, None),
        Found::Moved(slug) => Ok(HttpResponse::MovedPermanently()
            .insert_header((
                header::LOCATION,
                format!("{}/api/v1/articles/{slug}", state.config.public_url),
            ))
            .insert_header((header::CACHE_CONTROL, http_cache::PUBLIC))
            .finish()),
    }
}

/// Create an article: a draft at version 1 (any staff role).
#[utoipa::path(
    tag = "articles",
    security(("bearer" = [])),
    request_body = CreateArticleRequest,
    responses(
        (status = 201, description = "Created (status draft)", body = ArticleView, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Malformed body, unknown field, wrong type", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A contributor setting editor_id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Slug taken", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 2 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values (empty title, unknown section, correspondent or tag, bad slug, bad role)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/articles")]
pub async fn create_article(
    req: HttpRequest,
    auth: Auth,
    state: web::Data<AppState>,
    body: web::Json<CreateArticleRequest>,
) -> Result<HttpResponse, AppError> {
    let actor = auth.editor.clone();
    let public_url = state.config.public_url.clone();
    let view = db::transaction(&state.pool, move |c| {
        let a = write::create(c, &actor, body.into_inner())?;
        load_view(c, &a, &public_url)
    })
    .await?;
    let location = format!("{}/api/v1/articles/{}", state.config.public_url, view.id);
    article_response(
        &req,
        true,
        &view,
        Some((StatusCode::CREATED, Some(location))),
    )
}

/// Update an article (partial). Needs the version edited: `If-Match: "<etag>"` or `version`.
#[utoipa::path(
    tag = "articles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Article id"), ("If-Match" = Option<String>, Header, description = "ETag from GET")),
    request_body = UpdateArticleRequest,
    responses(
        (status = 200, description = "Updated; version bumped", body = ArticleView, headers(("ETag" = String))),
        (status = 400, description = "Malformed body, unknown field, wrong type", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to edit this article", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Slug taken", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale version (current_version in the body)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "Neither If-Match nor version", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/articles/{id}")]
pub async fn update_article(
    req: HttpRequest,
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<UpdateArticleRequest>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let if_match = if_match_version(&req)?;
    let actor = auth.editor.clone();
    let public_url = state.config.public_url.clone();
    let view = db::transaction(&state.pool, move |c| {
        let a = write::update(c, &actor, id, body.into_inner(), if_match)?;
        load_view(c, &a, &public_url)
    })
    .await?;
    article_response(&req, true, &view, Some((StatusCode::OK, None)))
}

/// Move an article through the workflow.
///
/// `draft → in_review → published`; `draft|in_review → scheduled` (with a future `publish_at`;
/// published automatically within 5 s of it); `in_review → draft` (sent back, with a note);
/// `scheduled → draft`; `published → archived`; `archived → published`. Contributors may only
/// submit their own drafts. An illegal move is 409 with `allowed` listing the legal targets.
#[utoipa::path(
    tag = "articles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Article id")),
    request_body = TransitionRequest,
    responses(
        (status = 200, description = "Moved; version bumped", body = ArticleView),
        (status = 400, description = "Malformed body or unknown status", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The role may not make this move", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Illegal transition; `allowed` lists the legal ones", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "publish_at missing, in the past, or given for another move", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/articles/{id}/transition")]
pub async fn transition_article(
    req: HttpRequest,
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: web::Json<TransitionRequest>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let b = body.into_inner();
    let version = if_match_version(&req)?.or(b.version);
    let m = Move {
        to: b.to,
        publish_at: b.publish_at.map(|t| t.with_timezone(&Utc)),
        note: b.note,
        version,
    };
    let actor = auth.editor.clone();
    let public_url = state.config.public_url.clone();
    let view = db::transaction(&state.pool, move |c| {
        let a = write::transition(c, Some(&actor), id, m)?;
        load_view(c, &a, &public_url)
    })
    .await?;
    article_response(&req, true, &view, Some((StatusCode::OK, None)))
}

/// Delete an article (editor, admin). A published article must be archived first.
#[utoipa::path(
    tag = "articles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Article id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Contributors may not delete", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Published: archive it first", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/articles/{id}")]
pub async fn delete_article(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    if auth.role() == Role::Contributor {
        return Err(AppError::Forbidden(
            "only editors and admins delete articles".into(),
        ));
    }
    let actor = auth.editor.clone();
    db::transaction(&state.pool, move |c| write::delete(c, &actor, id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
