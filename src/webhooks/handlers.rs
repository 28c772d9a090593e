//! `/webhooks` (admin): create (the secret shown once), list, read, change, delete; a webhook's
//! deliveries and a manual retry of one.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::Utc;
use uuid::Uuid;

use super::model::{Webhook, WebhookChangeset};
use super::queries;
use super::views::{
    CreateWebhookRequest, CreatedWebhookView, DeliveryView, UpdateWebhookRequest, WebhookView,
    EVENTS,
};
use crate::auth::Auth;
use crate::editors::Role;
use crate::error::{AppError, Problem};
use crate::outbox::{self, guard};
use crate::pagination::{self, Cursor, ListQuery, Page};
use crate::request_body::Json;
use crate::state::AppState;
use crate::validate::{clean_optional, Checks};
use crate::{audit, db, http_cache};

/// Checks a URL and a list of events (each known, or `*`); the events deduplicated.
fn check(
    checks: &mut Checks,
    allow_private: bool,
    url: Option<&str>,
    events: Option<&[String]>,
) -> Vec<String> {
    if let Some(url) = url {
        if url.len() > 2048 {
            checks.fail("url", "must be at most 2048 characters");
        } else if let Err(why) = guard::check_url(url, allow_private) {
            checks.fail("url", why);
        }
    }
    let mut out: Vec<String> = Vec::new();
    if let Some(events) = events {
        if events.is_empty() {
            checks.fail("events", "must name at least one event (or `*`)");
        }
        for e in events {
            if e != "*" && !EVENTS.contains(&e.as_str()) {
                checks.fail(
                    "events",
                    format!("{e:?} is not one of {} or *", EVENTS.join(", ")),
                );
            } else if !out.contains(e) {
                out.push(e.clone());
            }
        }
    }
    out
}

fn not_found() -> AppError {
    AppError::not_found("webhook")
}

/// Create a webhook (admin). The answer carries its `secret`, shown only here.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    request_body = CreateWebhookRequest,
    responses(
        (status = 201, description = "Created, with the secret", body = CreatedWebhookView, headers(("Location" = String))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admins only", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad URL (not https, private) or an unknown event", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks")]
pub async fn create_webhook(
    auth: Auth,
    state: web::Data<AppState>,
    body: Json<CreateWebhookRequest>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Admin)?;
    let b = body.into_inner();
    let mut checks = Checks::new();
    let url = b.url.trim().to_owned();
    let events = check(
        &mut checks,
        state.config.webhook_allow_private,
        Some(&url),
        Some(&b.events),
    );
    checks.optional_text("description", b.description.as_deref(), 500);
    checks.finish()?;
    let now = Utc::now();
    let hook = Webhook {
        id: Uuid::now_v7(),
        url,
        events,
        description: clean_optional(b.description),
        secret: outbox::signature::new_secret(),
        active: true,
        created_at: now,
        updated_at: now,
    };
    let actor = auth.id();
    let hook = db::transaction(&state.pool, move |c| {
        let hook = queries::insert(c, &hook)?;
        audit::entity(c, actor, "create", "webhook", hook.id)?;
        Ok(hook)
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            "Location",
            format!("{}/api/v1/webhooks/{}", state.config.public_url, hook.id),
        ))
        .insert_header(("Cache-Control", http_cache::PRIVATE))
        .json(CreatedWebhookView::from(&hook)))
}

/// List webhooks (admin), oldest first.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "A page of webhooks", body = Page<WebhookView>),
        (status = 400, description = "Bad limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admins only", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    req: HttpRequest,
    auth: Auth,
    state: web::Data<AppState>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Admin)?;
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let after = pagination::after(q.cursor.as_deref(), 'w')?;
    let rows = db::run(&state.pool, move |c| {
        Ok(queries::list(c, after.map(|a| a.id), limit)?)
    })
    .await?;
    let page = Page::of(
        rows,
        limit,
        None,
        |w| Cursor::at_id('w', w.id),
        |w| WebhookView::from(&w),
    );
    http_cache::json_response(&req, true, &page)
}

/// One webhook (admin).
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses(
        (status = 200, description = "The webhook", body = WebhookView),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admins only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    req: HttpRequest,
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Admin)?;
    let id = path.into_inner();
    let hook = db::run(&state.pool, move |c| {
        queries::find(c, id)?.ok_or_else(not_found)
    })
    .await?;
    http_cache::json_response(&req, true, &WebhookView::from(&hook))
}

/// Change a webhook (admin): its URL, events, description, or `active`.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id")),
    request_body = UpdateWebhookRequest,
    responses(
        (status = 200, description = "Changed", body = WebhookView),
        (status = 400, description = "Malformed body or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admins only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad URL or an unknown event", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    body: Json<UpdateWebhookRequest>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Admin)?;
    let id = path.into_inner();
    let b = body.into_inner();
    let mut checks = Checks::new();
    let url = b.url.map(|u| u.trim().to_owned());
    let events = check(
        &mut checks,
        state.config.webhook_allow_private,
        url.as_deref(),
        b.events.as_deref(),
    );
    if let Some(Some(d)) = &b.description {
        checks.optional_text("description", Some(d), 500);
    }
    checks.finish()?;
    let changes = WebhookChangeset {
        url,
        events: b.events.map(|_| events),
        description: b.description.map(clean_optional),
        active: b.active,
        updated_at: Some(Utc::now()),
    };
    let actor = auth.id();
    let hook = db::transaction(&state.pool, move |c| {
        let hook = queries::update(c, id, &changes)?.ok_or_else(not_found)?;
        audit::entity(c, actor, "update", "webhook", id)?;
        Ok(hook)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", http_cache::PRIVATE))
        .json(WebhookView::from(&hook)))
}

/// Delete a webhook (admin) and its delivery history.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admins only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Admin)?;
    let id = path.into_inner();
    let actor = auth.id();
    db::transaction(&state.pool, move |c| {
        if queries::delete(c, id)? == 0 {
            return Err(not_found());
        }
        audit::entity(c, actor, "delete", "webhook", id)?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A webhook's deliveries (admin), newest first: event, attempts, last status, next attempt.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id"), ListQuery),
    responses(
        (status = 200, description = "A page of deliveries", body = Page<DeliveryView>),
        (status = 400, description = "Bad id, limit or cursor", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admins only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_deliveries(
    req: HttpRequest,
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<Uuid>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Admin)?;
    let id = path.into_inner();
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    let before = pagination::after(q.cursor.as_deref(), 'd')?;
    let rows = db::run(&state.pool, move |c| {
        queries::find(c, id)?.ok_or_else(not_found)?;
        Ok(outbox::queries::deliveries(
            c,
            id,
            before.map(|b| b.id),
            limit,
        )?)
    })
    .await?;
    let page = Page::of(
        rows,
        limit,
        None,
        |d| Cursor::at_id('d', d.id),
        DeliveryView::from,
    );
    http_cache::json_response(&req, true, &page)
}

/// Send a delivery again now (admin): one more attempt, whatever its state.
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id"), ("delivery_id" = Uuid, Path, description = "Delivery id")),
    responses(
        (status = 202, description = "Queued", body = DeliveryView),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Admins only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook or delivery", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/webhooks/{id}/deliveries/{delivery_id}/retry")]
pub async fn retry_delivery(
    auth: Auth,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, AppError> {
    auth.require(Role::Admin)?;
    let (id, delivery) = path.into_inner();
    let actor = auth.id();
    let d = db::transaction(&state.pool, move |c| {
        let d = outbox::queries::retry(c, id, delivery)?
            .ok_or_else(|| AppError::not_found("delivery"))?;
        audit::entity(c, actor, "retry_delivery", "webhook", id)?;
        Ok(d)
    })
    .await?;
    state.writer.wake_announcer();
    Ok(HttpResponse::Accepted()
        .insert_header(("Cache-Control", http_cache::PRIVATE))
        .json(DeliveryView::from(d)))
}
