//! Audit wire types.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::editors::views::EditorRef;

/// One audit entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    /// Who (`null` for the scheduler or a deleted account; an integration token's service
    /// account, named after the token, for what a token did).
    pub editor: Option<EditorRef>,
    /// The integration token that acted, if one did.
    pub token: Option<TokenRef>,
    /// `login`, `logout_everywhere`, `create`, `update`, `delete`, `deactivate`, `change_password`, `submit`,
    /// `send_back`, `schedule`, `unschedule`, `publish`, `archive`, `restore`.
    pub action: String,
    /// `article`, `section`, `tag`, `correspondent`, `editor`, `webhook` or `token`.
    pub entity: String,
    pub entity_id: Option<Uuid>,
    pub article_id: Option<Uuid>,
    /// Details of the action (an article's version and changed fields, for instance).
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

/// An integration token, as the audit log names it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TokenRef {
    pub id: Uuid,
    pub name: String,
}

/// `GET /audit` query.
#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only what this editor did.
    pub editor: Option<Uuid>,
    /// Only entries about this article.
    pub article: Option<Uuid>,
    /// RFC 3339; inclusive.
    #[serde(default, deserialize_with = "crate::validate::empty_as_none")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub since: Option<String>,
    /// RFC 3339; exclusive.
    #[serde(default, deserialize_with = "crate::validate::empty_as_none")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub until: Option<String>,
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// From `page.next_cursor` (opaque, base64url).
    #[serde(default, deserialize_with = "crate::validate::empty_as_none")]
    #[param(pattern = "^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
}
