//! Integration token wire types.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::queries::TokenRow;

/// The role a token acts with.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum TokenRole {
    Editor,
    Contributor,
}

impl TokenRole {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenRole::Editor => "editor",
            TokenRole::Contributor => "contributor",
        }
    }
}

/// `POST /tokens`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    pub role: TokenRole,
    /// RFC 3339, in the future; none: it never expires.
    pub expires_at: Option<DateTime<Utc>>,
}

/// An integration token (the secret itself is shown only when it is created).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub id: Uuid,
    pub name: String,
    #[schema(value_type = TokenRole)]
    pub role: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<&TokenRow> for TokenView {
    fn from(t: &TokenRow) -> Self {
        TokenView {
            id: t.id,
            name: t.name.clone(),
            role: t.role.clone(),
            created_at: t.created_at,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
        }
    }
}

/// A new token, with the secret (`ndt_…`), shown only here.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedTokenView {
    pub id: Uuid,
    pub name: String,
    #[schema(value_type = TokenRole)]
    pub role: String,
    /// `Authorization: Bearer ndt_…`.
    pub token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}
