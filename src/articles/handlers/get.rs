//! `GET /articles/{id}`: one article by id or slug.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};

use super::article_response;
use crate::articles::policy::may_read;
use crate::articles::queries;
use crate::articles::read::Views;
use crate::articles::views::ArticleView;
use crate::auth::OptionalAuth;
use crate::cache::{self, Scope};
use crate::error::{AppError, Problem};
use crate::ident::IdOrSlug;
use crate::state::AppState;
use crate::{db, http_cache};

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
    let views = Views::of(&state);
    enum Found {
        View(Box<ArticleView>),
        Moved(String),
    }
    let found = db::run(&state.pool, move |c| {
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
