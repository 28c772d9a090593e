//! `GET /articles/{id}/revisions`, one revision, and restore: every write of an article left a
//! revision (who, when, what changed, the editable fields at that version).

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use diesel::PgConnection;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{article_response, if_match_version};
use crate::articles::model::Article;
use crate::articles::read::Views;
use crate::articles::views::RevisionView;
use crate::articles::{policy, queries, write};
use crate::auth::Auth;
use crate::error::{AppError, Problem};
use crate::ident::IdOrSlug;
use crate::pagination::{self, Cursor, ListQuery, Page, PageInfo};
use crate::request_body::OptionalJson;
use crate::state::{AppState, Reach};
use crate::{db, http_cache};

/// The article, when the caller may see its history: the desk, or the contributor who wrote it.
fn readable(conn: &mut PgConnection, auth: &Auth, id: Uuid) -> Result<Article, AppError> {
    queries::find(conn, &IdOrSlug::Id(id))?
        .filter(|a| policy::may_read_history(&auth.editor, a))
        .ok_or_else(|| AppError::not_found("article"))
}

/// Revisions of `article` as sent.
fn load(
    conn: &mut PgConnection,
    article: Uuid,
    number: Option<i32>,
    before: Option<i32>,
    limit: i64,
) -> Result<Vec<RevisionView>, AppError> {
    queries::revisions(conn, article, number, before, limit)?
        .into_iter()
        .map(RevisionView::from_row)
        .collect()
}

/// An article's revisions, newest first (staff who may see the article).
#[utoipa::path(
    tag = "articles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Article id"), ListQuery),
    responses(
        (status = 200, description = "Revisions, newest first", body = Page<RevisionView>),
        (status = 400, description = "Bad id, limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article (or not the caller's)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/articles/{id}/revisions")]
pub async fn list_revisions(
    req: HttpRequest,
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let id = path.into_inner();
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let before = q
        .cursor
        .as_deref()
        .map(|c| Cursor::decode(c, 'r'))
        .transpose()?
        .map(|c| {
            c.key
                .and_then(|k| k.parse::<i32>().ok())
                .ok_or_else(|| AppError::bad_request("invalid_cursor", "the cursor is malformed"))
        })
        .transpose()?;
    let want_total = q.count.unwrap_or(false);
    let (rows, total) = db::run(&state.pool, move |c| {
        let a = readable(c, &auth, id)?;
        let rows = load(c, id, None, before, limit + 1)?;
        let total = want_total.then_some(i64::from(a.version));
        Ok((rows, total))
    })
    .await?;
    let (rows, next_cursor) = pagination::finish(rows, limit, |r| Cursor {
        kind: 'r',
        at: None,
        key: Some(r.number.to_string()),
        id,
    });
    http_cache::json_response(
        &req,
        true,
        &Page {
            data: rows,
            page: PageInfo {
                limit,
                next_cursor,
                total,
            },
        },
    )
}

/// One revision.
#[utoipa::path(
    tag = "articles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Article id"), ("n" = i32, Path, description = "Revision number")),
    responses(
        (status = 200, description = "The revision", body = RevisionView),
        (status = 400, description = "Bad id or number", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article or revision", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/articles/{id}/revisions/{n}")]
pub async fn get_revision(
    req: HttpRequest,
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, i32)>,
) -> Result<HttpResponse, AppError> {
    let (id, n) = path.into_inner();
    let rev = db::run(&state.pool, move |c| {
        readable(c, &auth, id)?;
        load(c, id, Some(n), None, 1)?
            .pop()
            .ok_or_else(|| AppError::not_found("revision"))
    })
    .await?;
    http_cache::json_response(&req, true, &rev)
}

/// `POST /articles/{id}/revisions/{n}/restore`: optional version check.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestoreRequest {
    /// The version the caller last saw (or send `If-Match`); optional.
    pub version: Option<i32>,
}

/// Restore a revision's editable fields (not its status) as a new version and revision.
#[utoipa::path(
    tag = "articles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Article id"), ("n" = i32, Path, description = "Revision number"), ("If-Match" = Option<String>, Header, description = "ETag from GET (optional check of the version, like `version`)")),
    request_body(content = Option<RestoreRequest>, description = "Optional; `{}` or no body"),
    responses(
        (status = 200, description = "Restored; version bumped", body = crate::articles::views::ArticleView),
        (status = 400, description = "Bad id, number or body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not allowed to edit this article", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such article or revision", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The revision's slug is now another article's", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The revision refers to something deleted since", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/articles/{id}/revisions/{n}/restore")]
pub async fn restore_revision(
    req: HttpRequest,
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, i32)>,
    body: OptionalJson<RestoreRequest>,
) -> Result<HttpResponse, AppError> {
    let (id, n) = path.into_inner();
    // The body is optional: none, `null`, or a JSON object.
    let given = body.0.unwrap_or_default();
    let version = if_match_version(&req)?.or(given.version);
    let actor = auth.editor.clone();
    let views = Views::of(&state);
    let view = state
        .write(Reach::Articles, move |c, changes| {
            let w = write::restore(c, views.directory(), &actor, id, (n, version), changes)?;
            views.written(c, w)
        })
        .await?;
    article_response(
        &req,
        true,
        &view,
        Some((actix_web::http::StatusCode::OK, None)),
    )
}
