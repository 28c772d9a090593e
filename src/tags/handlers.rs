//! `/tags`: public reads; editors and admins write.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use uuid::Uuid;

use super::model::{Tag, TagChangeset};
use super::queries;
use super::views::{CreateTagRequest, TagView, UpdateTagRequest};
use crate::auth::{Auth, OptionalAuth};
use crate::cache::Event;
use crate::editors::Role;
use crate::error::{AppError, Problem};
use crate::ident::IdOrSlug;
use crate::pagination::{self, Cursor, ListQuery, Page, PageInfo};
use crate::request_body::Json;
use crate::slug::{self, MAX_SLUG_LEN};
use crate::state::{AppState, Reach};
use crate::validate::Checks;
use crate::{audit, http_cache};

/// List tags by name.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "tags",
    params(ListQuery),
    responses(
        (status = 200, description = "A page of tags", body = Page<TagView>),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/tags")]
pub async fn list_tags(
    req: HttpRequest,
    who: OptionalAuth,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let after = q
        .cursor
        .as_deref()
        .map(|c| Cursor::decode(c, 't'))
        .transpose()?;
    let after = after.map(|c| (c.key.unwrap_or_default(), c.id));
    let want_total = q.count.unwrap_or(false);
    let (rows, total) = state
        .read(who.reader(), move |c| {
            let rows = queries::list(c, after, limit)?;
            let total = if want_total {
                Some(queries::count(c)?)
            } else {
                None
            };
            Ok((rows, total))
        })
        .await?;
    let (rows, next_cursor) = pagination::finish(rows, limit, |t| Cursor {
        kind: 't',
        at: None,
        key: Some(t.name.clone()),
        id: t.id,
    });
    let page = Page {
        data: rows.iter().map(TagView::from).collect::<Vec<_>>(),
        page: PageInfo {
            limit,
            next_cursor,
            total,
        },
    };
    http_cache::json_response(&req, who.is_staff(), &page)
}

/// One tag, by slug or id.
#[utoipa::path(
    security((), ("bearer" = [])),
    tag = "tags",
    params(("id" = String, Path, description = "Tag id (UUID) or slug")),
    responses(
        (status = 200, description = "The tag", body = TagView),
        (status = 304, description = "Not modified"),
        (status = 404, description = "No such tag", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/tags/{id}")]
pub async fn get_tag(
    req: HttpRequest,
    who: OptionalAuth,
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let key = IdOrSlug::parse(&path.into_inner());
    let tag = state
        .read(who.reader(), move |c| Ok(queries::find(c, &key)?))
        .await?
        .ok_or_else(|| AppError::not_found("tag"))?;
    http_cache::json_response(&req, who.is_staff(), &TagView::from(&tag))
}

/// Create a tag (editor, admin). The slug is generated from the name when absent.
#[utoipa::path(
    tag = "tags",
    security(("bearer" = [])),
    request_body = CreateTagRequest,
    responses(
        (status = 201, description = "Created", body = TagView, headers(("Location" = String))),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Editors and admins only", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Slug taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/tags")]
pub async fn create_tag(
    auth: Auth,
    state: web::Data<AppState>,
    body: Json<CreateTagRequest>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Editor)?;
    let b = body.into_inner();
    let mut checks = Checks::new();
    checks.text("name", &b.name, 64);
    if let Some(s) = &b.slug {
        checks.slug("slug", s, MAX_SLUG_LEN);
    }
    let name = b.name.trim().to_owned();
    let base = b
        .slug
        .clone()
        .unwrap_or_else(|| slug::slugify(&name, MAX_SLUG_LEN));
    if b.slug.is_none() && base.is_empty() && checks.is_empty() {
        checks.fail("slug", "cannot be derived from the name; give one");
    }
    checks.finish()?;
    let actor = auth.id();
    let explicit = b.slug.is_some();
    let tag = state
        .write(Reach::Everywhere, move |c, out| {
            let slug = if explicit {
                base
            } else {
                slug::dedupe(&base, MAX_SLUG_LEN, |s| queries::slug_taken(c, s))?
            };
            let now = Utc::now();
            let tag = queries::insert(
                c,
                &Tag {
                    id: Uuid::now_v7(),
                    slug,
                    name,
                    created_at: now,
                    updated_at: now,
                },
            )?;
            audit::entity(c, actor, "create", "tag", tag.id)?;
            out.announce(Event::TagChanged {
                id: tag.id,
                deleted: false,
            });
            Ok(tag)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("{}/api/v1/tags/{}", state.config.public_url, tag.slug),
        ))
        .insert_header(("Cache-Control", http_cache::PRIVATE))
        .json(TagView::from(&tag)))
}

/// Update a tag (editor, admin).
#[utoipa::path(
    tag = "tags",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Tag id")),
    request_body = UpdateTagRequest,
    responses(
        (status = 200, description = "Updated", body = TagView),
        (status = 400, description = "Malformed body or unknown field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Editors and admins only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tag", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Slug taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/tags/{id}")]
pub async fn update_tag(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: Json<UpdateTagRequest>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Editor)?;
    let id = path.into_inner();
    let b = body.into_inner();
    let mut checks = Checks::new();
    if let Some(n) = &b.name {
        checks.text("name", n, 64);
    }
    if let Some(s) = &b.slug {
        checks.slug("slug", s, MAX_SLUG_LEN);
    }
    checks.finish()?;
    let actor = auth.id();
    let changes = TagChangeset {
        slug: b.slug,
        name: b.name.map(|n| n.trim().to_owned()),
        updated_at: Some(Utc::now()),
    };
    let tag = state
        .write(Reach::Everywhere, move |c, out| {
            queries::find(c, &IdOrSlug::Id(id))?.ok_or_else(|| AppError::not_found("tag"))?;
            let tag = queries::update(c, id, &changes)?;
            audit::entity(c, actor, "update", "tag", id)?;
            out.announce(Event::TagChanged { id, deleted: false });
            Ok(tag)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", http_cache::PRIVATE))
        .json(TagView::from(&tag)))
}

/// Delete a tag (editor, admin); articles simply lose it.
#[utoipa::path(
    tag = "tags",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Tag id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Editors and admins only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such tag", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/tags/{id}")]
pub async fn delete_tag(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Editor)?;
    let id = path.into_inner();
    let actor = auth.id();
    state
        .write(Reach::Everywhere, move |c, out| {
            if queries::delete(c, id)? == 0 {
                return Err(AppError::not_found("tag"));
            }
            audit::entity(c, actor, "delete", "tag", id)?;
            out.announce(Event::TagChanged { id, deleted: true });
            Ok(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
