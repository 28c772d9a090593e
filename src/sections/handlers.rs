//! `/sections`: public reads; editors and admins write.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use uuid::Uuid;

use super::model::{NewSection, Section, SectionChangeset};
use super::queries;
use super::views::{CreateSectionRequest, SectionView, UpdateSectionRequest};
use crate::auth::{Auth, OptionalAuth};
use crate::cache::Event;
use crate::editors::Role;
use crate::error::{AppError, Problem};
use crate::ident::IdOrSlug;
use crate::pagination::{self, Cursor, ListQuery, Page, PageInfo};
use crate::request_body::Json;
use crate::slug::MAX_SLUG_LEN;
use crate::state::{AppState, Reach};
use crate::validate::{clean_optional, Checks};
use crate::{audit, http_cache};

fn views(conn: &mut diesel::PgConnection, rows: &[Section]) -> Result<Vec<SectionView>, AppError> {
    let parent_ids: Vec<Uuid> = rows.iter().filter_map(|s| s.parent_id).collect();
    let parents = queries::find_many(conn, &parent_ids)?;
    Ok(rows
        .iter()
        .map(|s| {
            SectionView::new(
                s,
                s.parent_id.and_then(|p| parents.iter().find(|x| x.id == p)),
            )
        })
        .collect())
}

fn section_cursor(key: &str) -> Result<(i32, String, Uuid), AppError> {
    let c = Cursor::decode(key, 's')?;
    let (pos, name): (i32, String) = c
        .key
        .as_deref()
        .and_then(|k| serde_json::from_str(k).ok())
        .ok_or_else(|| AppError::bad_request("invalid_cursor", "the cursor is malformed"))?;
    Ok((pos, name, c.id))
}

/// List sections in display order (`position`, then name).
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "sections",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of sections", body = Page<SectionView>),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sections")]
pub async fn list_sections(
    req: HttpRequest,
    who: OptionalAuth,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let after = q.cursor.as_deref().map(section_cursor).transpose()?;
    let want_total = q.count.unwrap_or(false);
    let (rows, total, data) = state
        .read(who.reader(), move |c| {
            let rows = queries::list(c, after, limit)?;
            let total = if want_total {
                Some(queries::count(c)?)
            } else {
                None
            };
            let data = views(c, &rows)?;
            Ok((rows, total, data))
        })
        .await?;
    let (kept, next_cursor) = pagination::finish(rows, limit, |s| Cursor {
        kind: 's',
        at: None,
        key: serde_json::to_string(&(s.position, &s.name)).ok(),
        id: s.id,
    });
    let data: Vec<SectionView> = data.into_iter().take(kept.len()).collect();
    let page = Page {
        data,
        page: PageInfo {
            limit,
            next_cursor,
            total,
        },
    };
    http_cache::json_response(&req, who.is_staff(), &page)
}

/// One section, by slug or id.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "sections",
    params(("id" = String, Path, description = "Section id (UUID) or slug")),
    responses(
        (status = 200, description = "The section", body = SectionView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such section", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sections/{id}")]
pub async fn get_section(
    req: HttpRequest,
    who: OptionalAuth,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let key = IdOrSlug::parse(&path.into_inner());
    let view = state
        .read(who.reader(), move |c| {
            let s = queries::find(c, &key)?.ok_or_else(|| AppError::not_found("section"))?;
            Ok(views(c, std::slice::from_ref(&s))?.remove(0))
        })
        .await?;
    http_cache::json_response(&req, who.is_staff(), &view)
}

/// Create a section (editor, admin).
#[utoipa::path(
    tag = "sections",
    security(("bearer" = [])),
    request_body = CreateSectionRequest,
    responses(
        (status = 201, description = "Created", body = SectionView, headers(("Location" = String))),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Editors and admins only", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Slug taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values (bad slug, empty name, unknown parent)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/sections")]
pub async fn create_section(
    auth: Auth,
    state: web::Data<AppState>,
    body: Json<CreateSectionRequest>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Editor)?;
    let b = body.into_inner();
    let mut checks = Checks::new();
    checks.slug("slug", &b.slug, MAX_SLUG_LEN);
    checks.text("name", &b.name, 64);
    checks.optional_text("description", b.description.as_deref(), 2000);
    checks.finish()?;
    let actor = auth.id();
    let new = NewSection {
        id: Uuid::now_v7(),
        slug: b.slug,
        name: b.name.trim().to_owned(),
        description: clean_optional(b.description),
        parent_id: b.parent_id,
        position: b.position.unwrap_or(0),
    };
    let view = state
        .write(Reach::Everywhere, move |c, out| {
            if let Some(p) = new.parent_id {
                queries::find(c, &IdOrSlug::Id(p))?
                    .ok_or_else(|| AppError::invalid_field("parent_id", "no such section"))?;
            }
            let s = queries::insert(c, &new)?;
            audit::entity(c, actor, "create", "section", s.id)?;
            out.announce(Event::SectionChanged {
                id: s.id,
                deleted: false,
            });
            Ok(views(c, std::slice::from_ref(&s))?.remove(0))
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("{}/api/v1/sections/{}", state.config.public_url, view.slug),
        ))
        .insert_header(("Cache-Control", http_cache::PRIVATE))
        .json(view))
}

/// Update a section (editor, admin).
#[utoipa::path(
    tag = "sections",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Section id")),
    request_body = UpdateSectionRequest,
    responses(
        (status = 200, description = "Updated", body = SectionView),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Editors and admins only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such section", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Slug taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values, or a parent that would make a cycle", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/sections/{id}")]
pub async fn update_section(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: Json<UpdateSectionRequest>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Editor)?;
    let id = path.into_inner();
    let b = body.into_inner();
    let mut checks = Checks::new();
    if let Some(s) = &b.slug {
        checks.slug("slug", s, MAX_SLUG_LEN);
    }
    if let Some(n) = &b.name {
        checks.text("name", n, 64);
    }
    checks.optional_text(
        "description",
        b.description.as_ref().and_then(|d| d.as_deref()),
        2000,
    );
    checks.finish()?;
    let actor = auth.id();
    let changes = SectionChangeset {
        slug: b.slug,
        name: b.name.map(|n| n.trim().to_owned()),
        description: b.description.map(clean_optional),
        parent_id: b.parent_id,
        position: b.position,
        updated_at: Some(Utc::now()),
    };
    let view = state
        .write(Reach::Everywhere, move |c, out| {
            queries::find(c, &IdOrSlug::Id(id))?.ok_or_else(|| AppError::not_found("section"))?;
            if let Some(Some(parent)) = changes.parent_id {
                queries::find(c, &IdOrSlug::Id(parent))?
                    .ok_or_else(|| AppError::invalid_field("parent_id", "no such section"))?;
                if queries::subtree_ids(c, id)?.contains(&parent) {
                    return Err(AppError::invalid_field(
                        "parent_id",
                        "a section cannot be placed below itself",
                    ));
                }
            }
            let s = queries::update(c, id, &changes)?;
            audit::entity(c, actor, "update", "section", id)?;
            out.announce(Event::SectionChanged { id, deleted: false });
            Ok(views(c, std::slice::from_ref(&s))?.remove(0))
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", http_cache::PRIVATE))
        .json(view))
}

/// Delete a section that no article and no child section uses (editor, admin).
#[utoipa::path(
    tag = "sections",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Section id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Editors and admins only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such section", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Articles or child sections use it", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/sections/{id}")]
pub async fn delete_section(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Editor)?;
    let id = path.into_inner();
    let actor = auth.id();
    state
        .write(Reach::Everywhere, move |c, out| {
            queries::find(c, &IdOrSlug::Id(id))?.ok_or_else(|| AppError::not_found("section"))?;
            if queries::in_use(c, id)? {
                return Err(AppError::conflict(
                    "section_in_use",
                    "articles or child sections still use this section",
                ));
            }
            queries::delete(c, id)?;
            audit::entity(c, actor, "delete", "section", id)?;
            out.announce(Event::SectionChanged { id, deleted: true });
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
