//! `GET /articles/{id}`: one article by id or slug; `GET /articles/{id}/related`: its related
//! stories.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::article_response;
use crate::articles::policy::may_read;
use crate::articles::queries;
use crate::articles::read::{related, related_stories, Views, LINKED_STORIES};
use crate::articles::views::{ArticleListItem, ArticleView};
use crate::auth::OptionalAuth;
use crate::cache::{self, Scope};
use crate::error::{AppError, Problem};
use crate::http_cache;
use crate::ident::IdOrSlug;
use crate::pagination::{self, Page, PageInfo};
use crate::state::AppState;

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
        (status = 301, description = "An old slug: Location has the current one", headers(("Location" = String, description = "The article's current URL"))),
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
    let views = Views::of(&state);
    enum Found {
        View(Box<ArticleView>),
        Moved(String),
    }
    let found = state
        .read(who.reader(), move |c| {
            if let Some(a) = queries::find(c, &key)?.filter(|a| may_read(viewer.as_ref(), a)) {
                return Ok(Found::View(Box::new(views.load(c, &a)?)));
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
        Found::View(view) => {
            // The page shows the article and its neighbours' titles and slugs.
            let mut scopes = vec![Scope::Article(view.id)];
            scopes.extend(
                [&view.links.previous, &view.links.next]
                    .into_iter()
                    .flatten()
                    .map(|l| Scope::Article(l.id)),
            );
            // And its related stories.
            scopes.extend(view.links.depends_on.iter().copied());
            cache::depends_on(&req, scopes);
            article_response(&req, who.is_staff(), &view, None)
        }
        Found::Moved(slug) => Ok(HttpResponse::MovedPermanently()
            .insert_header((
                header::LOCATION,
                format!("{}/api/v1/articles/{slug}", state.config.public_url),
            ))
            .insert_header((header::CACHE_CONTROL, http_cache::PUBLIC))
            .finish()),
    }
}

/// The most related stories one request lists.
const MAX_RELATED: i64 = 20;

/// `GET /articles/{id}/related` query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RelatedQuery {
    /// 1–20, default 5.
    #[param(minimum = 1, maximum = 20)]
    pub limit: Option<i64>,
}

/// Related stories (相关新闻) of an article, most related first.
///
/// Published articles other than this one: sharing its tags (most shared first), then holding
/// the rarest words of its title and summary in their titles, then of its section — newest
/// first among equals. The article view's `links.related` has the first five.
#[utoipa::path(
    tag = "articles",
    params(("id" = String, Path, description = "Article id (UUID) or slug"), RelatedQuery),
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "Related stories", body = Page<ArticleListItem>, headers(("ETag" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Bad limit", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such (visible) article", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/articles/{id}/related")]
pub async fn list_related(
    req: HttpRequest,
    who: OptionalAuth,
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<RelatedQuery>,
) -> Result<HttpResponse, AppError> {
    let limit = pagination::limit_within(query.limit, LINKED_STORIES, MAX_RELATED)?;
    let key = IdOrSlug::parse(&path.into_inner());
    let viewer = who.0.as_ref().map(|a| a.editor.clone());
    let directory = state.directory.clone();
    let public_url = state.config.public_url.clone();
    let (items, scopes) = state
        .read(who.reader(), move |c| {
            let found = match queries::find(c, &key)? {
                Some(a) => Some(a),
                None => match &key {
                    IdOrSlug::Slug(slug) => queries::redirect_target(c, slug)?,
                    IdOrSlug::Id(_) => None,
                },
            };
            let a = found
                .filter(|a| may_read(viewer.as_ref(), a))
                .ok_or_else(|| AppError::not_found("article"))?;
            let (_, tags) = queries::bylines_and_tags(c, &directory.names, &[a.id])?;
            let tag_ids: Vec<_> = tags.iter().map(|t| t.id).collect();
            let (stories, mut scopes) = related_stories(c, &directory, &a, &tag_ids, limit)?;
            let mut rel = related(c, &directory, &public_url, &stories)?;
            let items: Vec<ArticleListItem> =
                stories.into_iter().map(|s| rel.take_item(s)).collect();
            scopes.push(Scope::Article(a.id));
            Ok((items, scopes))
        })
        .await?;
    cache::depends_on(&req, scopes);
    let page = Page {
        data: items,
        page: PageInfo {
            limit,
            next_cursor: None,
            total: None,
        },
    };
    http_cache::json_response(&req, who.is_staff(), &page)
}
