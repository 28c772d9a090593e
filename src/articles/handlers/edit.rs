//! Article writes: create, update, transition, delete.

use actix_web::http::StatusCode;
use actix_web::{delete, patch, post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use uuid::Uuid;

use super::{article_response, if_match_version};
use crate::articles::read::Views;
use crate::articles::views::{
    ArticleView, CreateArticleRequest, TransitionRequest, UpdateArticleRequest,
};
use crate::articles::write::{self, Move};
use crate::auth::{Auth, Token};
use crate::db;
use crate::error::{AppError, Problem};
use crate::request_body::Json;
use crate::state::{AppState, Reach};

/// Create an article: a draft at version 1 (any staff role).
#[utoipa::path(
    tag = "articles",
    security(("bearer" = [])),
    request_body = CreateArticleRequest,
    responses(
        (status = 201, description = "Created (status draft)", body = ArticleView, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Malformed body, unknown field, wrong type; neither or both of byline and byline_text (conflicting_fields)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A contributor setting editor_id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Slug taken", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body over 2 MiB", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values (empty title, unknown section, correspondent or tag, bad slug, bad role); unknown_correspondents: names in byline_text that no correspondent has", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/articles")]
pub async fn create_article(
    req: HttpRequest,
    token: Token,
    state: web::Data<AppState>,
    body: Json<CreateArticleRequest>,
) -> Result<HttpResponse, AppError> {
    let views = Views::of(&state);
    let view = db::transaction(&state.pool, move |c| {
        let actor = token.editor(c)?;
        let w = write::create(c, views.directory(), &actor, body.into_inner())?;
        views.written(c, w)
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
        (status = 400, description = "Malformed body, unknown field, wrong type; both byline and byline_text (conflicting_fields)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to edit this article", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Slug taken", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale version (current_version in the body)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values; unknown_correspondents: names in byline_text that no correspondent has", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "Neither If-Match nor version", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/articles/{id}")]
pub async fn update_article(
    req: HttpRequest,
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: Json<UpdateArticleRequest>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let if_match = if_match_version(&req)?;
    let actor = auth.editor.clone();
    let views = Views::of(&state);
    let view = state
        .write(Reach::Articles, move |c, changes| {
            let dir = views.directory();
            let w = write::update(c, dir, &actor, id, body.into_inner(), if_match, changes)?;
            views.written(c, w)
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
    params(("id" = Uuid, Path, description = "Article id"), ("If-Match" = Option<String>, Header, description = "ETag from GET (optional check of the version, like `version`)")),
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
    token: Token,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: Json<TransitionRequest>,
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
    let views = Views::of(&state);
    let view = state
        .write(Reach::Articles, move |c, changes| {
            let actor = token.editor(c)?;
            let w = write::transition(c, views.directory(), Some(&actor), id, m, changes)?;
            views.written(c, w)
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
    let actor = auth.editor.clone();
    state
        .write(Reach::Articles, move |c, _| write::delete(c, &actor, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
