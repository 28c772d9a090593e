//! `/editors`: admins manage staff accounts; editors may read them.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use uuid::Uuid;

use super::accounts::{self, NewAccount};
use super::model::{Editor, EditorChangeset, Role};
use super::queries;
use super::views::{CreateEditorRequest, EditorView, UpdateEditorRequest};
use crate::auth::{password, refresh, Auth};
use crate::error::{AppError, Problem};
use crate::pagination::{self, Cursor, ListQuery, Page};
use crate::request_body::Json;
use crate::state::{AppState, Reach};
use crate::validate::Checks;
use crate::{audit, db, http_cache};

fn parse_role(field: &str, value: &str, checks: &mut Checks) -> Option<Role> {
    let role = Role::parse(value);
    if role.is_none() {
        checks.fail(field, "must be one of admin, editor, contributor");
    }
    role
}

/// List staff accounts (admin, editor).
#[utoipa::path(
    tag = "editors",
    security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "A page of editors", body = Page<EditorView>),
        (status = 400, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Contributors may not list editors", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/editors")]
pub async fn list_editors(
    req: HttpRequest,
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Editor)?;
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let after = pagination::after(q.cursor.as_deref(), 'e')?;
    let want_total = q.count.unwrap_or(false);
    let (rows, total) = db::run(&state.pool, move |c| {
        let rows = queries::list(c, after.as_ref(), limit)?;
        let total = if want_total {
            Some(queries::count(c)?)
        } else {
            None
        };
        Ok((rows, total))
    })
    .await?;
    let cursor_of = |e: &Editor| Cursor {
        kind: 'e',
        at: Some(e.created_at),
        key: None,
        id: e.id,
    };
    let page = Page::of(rows, limit, total, cursor_of, |e| EditorView::from(&e));
    http_cache::json_response(&req, true, &page)
}

/// One staff account (admin, editor).
#[utoipa::path(
    tag = "editors",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Editor id")),
    responses(
        (status = 200, description = "The editor", body = EditorView),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Contributors may only read /me", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such editor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/editors/{id}")]
pub async fn get_editor(
    req: HttpRequest,
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Editor)?;
    let id = path.into_inner();
    let editor = db::run(&state.pool, move |c| Ok(queries::find(c, id)?))
        .await?
        .ok_or_else(|| AppError::not_found("editor"))?;
    http_cache::json_response(&req, true, &EditorView::from(&editor))
}

/// Create a staff account (admin).
#[utoipa::path(
    tag = "editors",
    security(("bearer" = [])),
    request_body = CreateEditorRequest,
    responses(
        (status = 201, description = "Created", body = EditorView, headers(("Location" = String))),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admins only", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Email taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/editors")]
pub async fn create_editor(
    auth: Auth,
    state: web::Data<AppState>,
    body: Json<CreateEditorRequest>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Admin)?;
    let body = body.into_inner();
    let account = NewAccount::parse(&body.email, &body.display_name, &body.role, body.password)?;
    let editor = accounts::create(&state.pool, account, Some(auth.id())).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("{}/api/v1/editors/{}", state.config.public_url, editor.id),
        ))
        .insert_header(("Cache-Control", http_cache::PRIVATE))
        .json(EditorView::from(&editor)))
}

/// Update a staff account (admin). `active: false` deactivates it at once.
#[utoipa::path(
    tag = "editors",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Editor id")),
    request_body = UpdateEditorRequest,
    responses(
        (status = 200, description = "Updated", body = EditorView),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admins only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such editor", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Email taken, or the last admin would lose its rights", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/editors/{id}")]
pub async fn update_editor(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: Json<UpdateEditorRequest>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Admin)?;
    let id = path.into_inner();
    let body = body.into_inner();
    let mut checks = Checks::new();
    if let Some(email) = &body.email {
        checks.email("email", email.trim());
    }
    if let Some(name) = &body.display_name {
        checks.text("display_name", name, 100);
    }
    let role = body
        .role
        .as_deref()
        .and_then(|r| parse_role("role", r, &mut checks));
    if let Some(p) = &body.password {
        password::check_new("password", p, &mut checks);
    }
    checks.finish()?;
    let password_hash = match body.password {
        Some(p) => Some(password::hash(p).await?),
        None => None,
    };
    let actor = auth.id();
    let changes = EditorChangeset {
        email: body.email.map(|e| e.trim().to_owned()),
        display_name: body.display_name.map(|n| n.trim().to_owned()),
        role: role.map(|r| r.as_str().to_owned()),
        password_hash,
        active: body.active,
        updated_at: Some(Utc::now()),
    };
    let editor = state
        .write(Reach::Everywhere, move |c, _| {
            let current = queries::find(c, id)?.ok_or_else(|| AppError::not_found("editor"))?;
            let loses_admin = current.role() == Role::Admin
                && current.active
                && (changes.active == Some(false)
                    || changes.role.as_deref().is_some_and(|r| r != "admin"));
            if loses_admin && queries::other_active_admins(c, id)? == 0 {
                return Err(AppError::conflict(
                    "last_admin",
                    "the last active admin cannot be demoted or deactivated",
                ));
            }
            let revoke = changes.active == Some(false) || changes.password_hash.is_some();
            let mut editor = queries::update(c, id, &changes)?;
            if revoke {
                refresh::end_sessions(c, id)?;
                editor.token_generation += 1;
            }
            audit::entity(
                c,
                actor,
                if changes.active == Some(false) {
                    "deactivate"
                } else {
                    "update"
                },
                "editor",
                id,
            )?;
            Ok(editor)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", http_cache::PRIVATE))
        .json(EditorView::from(&editor)))
}

/// Delete a staff account (admin). Their articles stay, without an editor.
#[utoipa::path(
    tag = "editors",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Editor id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admins only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such editor", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The last active admin, or the caller itself", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/editors/{id}")]
pub async fn delete_editor(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Admin)?;
    let id = path.into_inner();
    let actor = auth.id();
    if id == actor {
        return Err(AppError::conflict(
            "cannot_delete_self",
            "an admin cannot delete its own account; another admin can",
        ));
    }
    state
        .write(Reach::Everywhere, move |c, _| {
            let current = queries::find(c, id)?.ok_or_else(|| AppError::not_found("editor"))?;
            if current.role() == Role::Admin
                && current.active
                && queries::other_active_admins(c, id)? == 0
            {
                return Err(AppError::conflict(
                    "last_admin",
                    "the last active admin cannot be deleted",
                ));
            }
            queries::delete(c, id)?;
            audit::entity(c, actor, "delete", "editor", id)?;
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
