//! Editor wire types. A password hash never leaves the server.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::model::{Editor, Role};

/// A staff account.
#[derive(Debug, Serialize, ToSchema)]
pub struct EditorView {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&Editor> for EditorView {
    fn from(e: &Editor) -> Self {
        EditorView {
            id: e.id,
            email: e.email.clone(),
            display_name: e.display_name.clone(),
            role: e.role(),
            active: e.active,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// `POST /editors`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEditorRequest {
    #[schema(format = Email, max_length = 254)]
    pub email: String,
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: String,
    #[schema(value_type = Role)]
    pub role: String,
    /// At least 10 characters.
    #[schema(min_length = 10, max_length = 1024)]
    pub password: String,
}

/// `PATCH /editors/{id}`: any of the fields. `active: false` deactivates: the editor's tokens
/// stop working at once.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateEditorRequest {
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    #[schema(min_length = 1, max_length = 100)]
    pub display_name: Option<String>,
    #[schema(value_type = Option<Role>)]
    pub role: Option<String>,
    #[schema(min_length = 10, max_length = 1024)]
    pub password: Option<String>,
    pub active: Option<bool>,
}

/// `PATCH /me/password`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    pub current_password: String,
    /// At least 10 characters.
    #[schema(min_length = 10, max_length = 1024)]
    pub new_password: String,
}

/// `{id, display_name}` of an article's responsible editor or a revision's author.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct EditorRef {
    pub id: Uuid,
    pub display_name: String,
}
