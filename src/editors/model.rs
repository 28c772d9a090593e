//! Editor rows and roles.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::schema::editors;

/// A staff role. Admins manage editors; editors run the desk; contributors write their own drafts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Contributor,
    Editor,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Contributor => "contributor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "editor" => Some(Role::Editor),
            "contributor" => Some(Role::Contributor),
            _ => None,
        }
    }

    /// Editors and admins: the desk.
    pub fn is_desk(self) -> bool {
        self >= Role::Editor
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = editors)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct Editor {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub password_hash: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The generation of the account's sessions: access tokens of an older one are refused.
    pub token_generation: i32,
    /// The service account of an integration token (not a person: no login, not listed).
    pub service: bool,
}

impl Editor {
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Contributor)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = editors)]
pub struct NewEditor<'a> {
    pub id: Uuid,
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub password_hash: &'a str,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = editors)]
pub struct EditorChangeset {
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub password_hash: Option<String>,
    pub active: Option<bool>,
    pub updated_at: Option<DateTime<Utc>>,
}
