//! `/tokens` (admin): create an integration token (shown once), list, delete.

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use uuid::Uuid;

use super::queries;
use super::views::{CreateTokenRequest, CreatedTokenView, TokenView};
use crate::auth::Auth;
use crate::editors::Role;
use crate::error::{AppError, Problem};
use crate::pagination::{self, Cursor, ListQuery, Page};
use crate::request_body::Json;
use crate::state::AppState;
use crate::validate::Checks;
use crate::{audit, db, http_cache};

/// Create an integration token (admin). The answer carries the token, shown only here.
#[utoipa::path(
    tag = "tokens",
    security(("bearer" = [])),
    request_body = CreateTokenRequest,
    responses(
        (status = 201, description = "Created, with the token", body = CreatedTokenView, headers(("Location" = String))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admins only", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "An empty name or an expiry in the past", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/tokens")]
pub async fn create_token(
    auth: Auth,
    state: web::Data<AppState>,
    body: Json<CreateTokenRequest>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Admin)?;
    let b = body.into_inner();
    let mut checks = Checks::new();
    let name = b.name.trim().to_owned();
    checks.text("name", &name, 100);
    if b.expires_at.is_some_and(|t| t <= Utc::now()) {
        checks.fail("expires_at", "must be in the future");
    }
    checks.finish()?;
    let token = super::new_token();
    let hash = super::digest(&token);
    let (actor, role) = (auth.id(), b.role.as_str());
    let row = db::transaction(&state.pool, move |c| {
        let row = queries::insert(c, &name, role, &hash, actor, b.expires_at)?;
        audit::entity(c, actor, "create", "token", row.id)?;
        Ok(row)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("{}/api/v1/tokens/{}", state.config.public_url, row.id),
        ))
        .insert_header(("Cache-Control", http_cache::PRIVATE))
        .json(CreatedTokenView {
            id: row.id,
            name: row.name,
            role: row.role,
            token,
            created_at: row.created_at,
            expires_at: row.expires_at,
            last_used_at: row.last_used_at,
        }))
}

/// List the live integration tokens (admin), oldest first.
#[utoipa::path(
    tag = "tokens",
    security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "A page of tokens", body = Page<TokenView>),
        (status = 400, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admins only", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/tokens")]
pub async fn list_tokens(
    req: HttpRequest,
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Admin)?;
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let after = pagination::after(q.cursor.as_deref(), 'k')?;
    let rows = db::run(&state.pool, move |c| {
        Ok(queries::list(c, after.map(|a| a.id), limit)?)
    })
    .await?;
    let page = Page::of(
        rows,
        limit,
        None,
        |t| Cursor::at_id('k', t.id),
        |t| TokenView::from(&t),
    );
    http_cache::json_response(&req, true, &page)
}

/// Delete an integration token (admin): refused at once, in every process.
#[utoipa::path(
    tag = "tokens",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Token id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admins only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such token", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/tokens/{id}")]
pub async fn delete_token(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Admin)?;
    let id = path.into_inner();
    let actor = auth.id();
    db::transaction(&state.pool, move |c| {
        if !queries::delete(c, id)? {
            return Err(AppError::not_found("token"));
        }
        audit::entity(c, actor, "delete", "token", id)?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
