//! Webhook wire types.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::model::Webhook;
use crate::outbox::queries::Delivery;

/// The events a webhook may subscribe to (`*`: all of them).
pub const EVENTS: [&str; 7] = [
    "article.published",
    "article.updated",
    "article.unpublished",
    "article.scheduled",
    "section.changed",
    "tag.changed",
    "correspondent.changed",
];

/// A webhook (its secret is shown only when it is created).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    pub id: Uuid,
    pub url: String,
    /// `article.published`, `article.updated`, `article.unpublished`, `article.scheduled`,
    /// `section.changed`, `tag.changed`, `correspondent.changed`, or `*`.
    pub events: Vec<String>,
    pub description: Option<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Webhook> for WebhookView {
    fn from(w: &Webhook) -> Self {
        WebhookView {
            id: w.id,
            url: w.url.clone(),
            events: w.events.clone(),
            description: w.description.clone(),
            active: w.active,
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

/// A new webhook, with its signing secret (shown only here).
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedWebhookView {
    pub id: Uuid,
    pub url: String,
    pub events: Vec<String>,
    pub description: Option<String>,
    pub active: bool,
    /// `whsec_` + base64: verify `webhook-signature` with it (Standard Webhooks).
    pub secret: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Webhook> for CreatedWebhookView {
    fn from(w: &Webhook) -> Self {
        CreatedWebhookView {
            id: w.id,
            url: w.url.clone(),
            events: w.events.clone(),
            description: w.description.clone(),
            active: w.active,
            secret: w.secret.clone(),
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

/// `POST /webhooks`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhookRequest {
    /// `https` (private or loopback addresses only with `NEWSDESK_WEBHOOK_ALLOW_PRIVATE=1`).
    #[schema(max_length = 2048)]
    pub url: String,
    #[schema(min_items = 1)]
    pub events: Vec<String>,
    #[schema(max_length = 500)]
    pub description: Option<String>,
}

/// `PATCH /webhooks/{id}`: any of the fields; `active: false` pauses deliveries.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhookRequest {
    #[schema(max_length = 2048)]
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::validate::double_option")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub description: Option<Option<String>>,
    pub active: Option<bool>,
}

/// One delivery of a webhook: an event, its attempts so far and what is next.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    /// Also the `webhook-id` header of every attempt.
    pub id: Uuid,
    pub event: String,
    /// `pending`, `delivered` or `failed` (after the last attempt).
    pub state: String,
    pub attempts: i32,
    /// The HTTP status of the last attempt (`null`: none yet, or no answer).
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    /// When the next attempt is due (`null` once delivered or failed).
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<Delivery> for DeliveryView {
    fn from(d: Delivery) -> Self {
        DeliveryView {
            id: d.id,
            event: d.event,
            state: d.state,
            attempts: d.attempts,
            last_status: d.last_status,
            last_error: d.last_error,
            next_attempt_at: d.next_attempt_at,
            delivered_at: d.delivered_at,
            created_at: d.created_at,
        }
    }
}
