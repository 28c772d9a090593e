//! `/correspondents`: public profiles for everyone, private fields for staff; editors and admins
//! write.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use diesel::PgConnection;
use uuid::Uuid;

use super::model::{Correspondent, CorrespondentChangeset};
use super::queries;
use super::views::{
    CorrespondentListQuery, CorrespondentView, CreateCorrespondentRequest,
    UpdateCorrespondentRequest,
};
use crate::auth::{Auth, OptionalAuth};
use crate::cache::Event;
use crate::editors::{self, Role};
use crate::error::{AppError, Problem};
use crate::ident::IdOrSlug;
use crate::pagination::{self, Cursor, Page, PageInfo};
use crate::request_body::Json;
use crate::slug::{self, MAX_SLUG_LEN};
use crate::state::{AppState, Reach};
use crate::validate::{clean_optional, Checks};
use crate::{audit, http_cache};

/// List correspondents by name; `q` matches part of the name.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "correspondents",
    params(CorrespondentListQuery),
    responses(
        (status = 200, description = "A page of correspondents (private fields for staff only)", body = Page<CorrespondentView>),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/correspondents")]
pub async fn list_correspondents(
    req: HttpRequest,
    who: OptionalAuth,
    state: web::Data<AppState>,
    query: web::Query<CorrespondentListQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let after = q
        .cursor
        .as_deref()
        .map(|c| Cursor::decode(c, 'c'))
        .transpose()?;
    let after = after.map(|c| (c.key.unwrap_or_default(), c.id));
    let want_total = q.count.unwrap_or(false);
    let text = q.q.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let (rows, total) = state
        .read(who.reader(), move |c| {
            let rows = queries::list(c, text.as_deref(), after, limit)?;
            let total = if want_total {
                Some(queries::count(c, text.as_deref())?)
            } else {
                None
            };
            Ok((rows, total))
        })
        .await?;
    let (rows, next_cursor) = pagination::finish(rows, limit, |r| Cursor {
        kind: 'c',
        at: None,
        key: Some(r.name.clone()),
        id: r.id,
    });
    let staff = who.is_staff();
    let page = Page {
        data: rows
            .iter()
            .map(|r| CorrespondentView::new(r, staff))
            .collect::<Vec<_>>(),
        page: PageInfo {
            limit,
            next_cursor,
            total,
        },
    };
    http_cache::json_response(&req, staff, &page)
}

/// One correspondent, by slug or id.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "correspondents",
    params(("id" = String, Path, description = "Correspondent id (UUID) or slug")),
    responses(
        (status = 200, description = "The correspondent (private fields for staff only)", body = CorrespondentView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such correspondent", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/correspondents/{id}")]
pub async fn get_correspondent(
    req: HttpRequest,
    who: OptionalAuth,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let key = IdOrSlug::parse(&path.into_inner());
    let row = state
        .read(who.reader(), move |c| Ok(queries::find(c, &key)?))
        .await?
        .ok_or_else(|| AppError::not_found("correspondent"))?;
    http_cache::json_response(
        &req,
        who.is_staff(),
        &CorrespondentView::new(&row, who.is_staff()),
    )
}

fn check_private(
    checks: &mut Checks,
    email: Option<&str>,
    phone: Option<&str>,
    notes: Option<&str>,
) {
    if let Some(e) = email.filter(|e| !e.trim().is_empty()) {
        checks.email("email", e.trim());
    }
    checks.optional_text("phone", phone, 64);
    checks.optional_text("notes", notes, 4000);
}

fn check_editor(conn: &mut PgConnection, id: Option<Uuid>) -> Result<(), AppError> {
    if let Some(id) = id {
        editors::queries::find(conn, id)?
            .ok_or_else(|| AppError::invalid_field("editor_id", "no such editor"))?;
    }
    Ok(())
}

/// Create a correspondent (editor, admin). The slug is generated from the name when absent.
#[utoipa::path(
    tag = "correspondents",
    security(("bearer" = [])),
    request_body = CreateCorrespondentRequest,
    responses(
        (status = 201, description = "Created", body = CorrespondentView, headers(("Location" = String))),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Editors and admins only", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Slug taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/correspondents")]
pub async fn create_correspondent(
    auth: Auth,
    state: web::Data<AppState>,
    body: Json<CreateCorrespondentRequest>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Editor)?;
    let b = body.into_inner();
    let mut checks = Checks::new();
    checks.text("name", &b.name, 64);
    if let Some(s) = &b.slug {
        checks.slug("slug", s, MAX_SLUG_LEN);
    }
    checks.optional_text("affiliation", b.affiliation.as_deref(), 200);
    checks.optional_text("bio", b.bio.as_deref(), 4000);
    check_private(
        &mut checks,
        b.email.as_deref(),
        b.phone.as_deref(),
        b.notes.as_deref(),
    );
    let name = b.name.trim().to_owned();
    let base = b
        .slug
        .clone()
        .unwrap_or_else(|| slug::slugify(&name, MAX_SLUG_LEN));
    if base.is_empty() && checks.is_empty() {
        checks.fail("slug", "cannot be derived from the name; give one");
    }
    checks.finish()?;
    let actor = auth.id();
    let explicit = b.slug.is_some();
    let now = Utc::now();
    let mut row = Correspondent {
        id: Uuid::now_v7(),
        slug: String::new(),
        name,
        affiliation: clean_optional(b.affiliation),
        bio: clean_optional(b.bio),
        email: clean_optional(b.email),
        phone: clean_optional(b.phone),
        notes: clean_optional(b.notes),
        editor_id: b.editor_id,
        created_at: now,
        updated_at: now,
    };
    let created = state
        .write(Reach::Everywhere, move |c, out| {
            check_editor(c, row.editor_id)?;
            row.slug = if explicit {
                base
            } else {
                slug::dedupe(&base, MAX_SLUG_LEN, |s| queries::slug_taken(c, s))?
            };
            let created = queries::insert(c, &row)?;
            audit::entity(c, actor, "create", "correspondent", created.id)?;
            out.announce(Event::CorrespondentChanged {
                id: created.id,
                deleted: false,
            });
            Ok(created)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!(
                "{}/api/v1/correspondents/{}",
                state.config.public_url, created.slug
            ),
        ))
        .insert_header(("Cache-Control", http_cache::PRIVATE))
        .json(CorrespondentView::new(&created, true)))
}

/// Update a correspondent (editor, admin).
#[utoipa::path(
    tag = "correspondents",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Correspondent id")),
    request_body = UpdateCorrespondentRequest,
    responses(
        (status = 200, description = "Updated", body = CorrespondentView),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Editors and admins only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such correspondent", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Slug taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/correspondents/{id}")]
pub async fn update_correspondent(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: Json<UpdateCorrespondentRequest>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Editor)?;
    let id = path.into_inner();
    let b = body.into_inner();
    let flat =
        |v: &Option<Option<String>>| v.as_ref().and_then(|x| x.as_deref()).map(str::to_owned);
    let mut checks = Checks::new();
    if let Some(n) = &b.name {
        checks.text("name", n, 64);
    }
    if let Some(s) = &b.slug {
        checks.slug("slug", s, MAX_SLUG_LEN);
    }
    checks.optional_text("affiliation", flat(&b.affiliation).as_deref(), 200);
    checks.optional_text("bio", flat(&b.bio).as_deref(), 4000);
    check_private(
        &mut checks,
        flat(&b.email).as_deref(),
        flat(&b.phone).as_deref(),
        flat(&b.notes).as_deref(),
    );
    checks.finish()?;
    let actor = auth.id();
    let changes = CorrespondentChangeset {
        slug: b.slug,
        name: b.name.map(|n| n.trim().to_owned()),
        affiliation: b.affiliation.map(clean_optional),
        bio: b.bio.map(clean_optional),
        email: b.email.map(clean_optional),
        phone: b.phone.map(clean_optional),
        notes: b.notes.map(clean_optional),
        editor_id: b.editor_id,
        updated_at: Some(Utc::now()),
    };
    let row = state
        .write(Reach::Everywhere, move |c, out| {
            queries::find(c, &IdOrSlug::Id(id))?
                .ok_or_else(|| AppError::not_found("correspondent"))?;
            check_editor(c, changes.editor_id.flatten())?;
            let row = queries::update(c, id, &changes)?;
            audit::entity(c, actor, "update", "correspondent", id)?;
            out.announce(Event::CorrespondentChanged { id, deleted: false });
            Ok(row)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", http_cache::PRIVATE))
        .json(CorrespondentView::new(&row, true)))
}

/// Delete a correspondent no byline credits (editor, admin).
#[utoipa::path(
    tag = "correspondents",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Correspondent id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Editors and admins only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such correspondent", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Credited in a byline", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/correspondents/{id}")]
pub async fn delete_correspondent(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Editor)?;
    let id = path.into_inner();
    let actor = auth.id();
    state
        .write(Reach::Everywhere, move |c, out| {
            queries::find(c, &IdOrSlug::Id(id))?
                .ok_or_else(|| AppError::not_found("correspondent"))?;
            if queries::in_bylines(c, id)? {
                return Err(AppError::conflict(
                    "correspondent_in_use",
                    "articles credit this correspondent",
                ));
            }
            queries::delete(c, id)?;
            audit::entity(c, actor, "delete", "correspondent", id)?;
            out.announce(Event::CorrespondentChanged { id, deleted: true });
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
