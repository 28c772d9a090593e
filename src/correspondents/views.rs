//! Correspondent wire types: the public shape, and the staff shape with private fields.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::model::Correspondent;

/// What anyone may see of a correspondent (exactly these fields).
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrespondentPublic {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub affiliation: Option<String>,
    pub bio: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// What staff see: the public fields plus contact details and the linked staff account.
#[derive(Debug, Serialize, ToSchema)]
pub struct CorrespondentStaff {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub affiliation: Option<String>,
    pub bio: Option<String>,
    pub created_at: DateTime<Utc>,
    #[schema(required = true)]
    pub email: Option<String>,
    #[schema(required = true)]
    pub phone: Option<String>,
    #[schema(required = true)]
    pub notes: Option<String>,
    #[schema(required = true)]
    pub editor_id: Option<Uuid>,
}

/// The public shape for anonymous callers, the staff shape for staff.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum CorrespondentView {
    Staff(CorrespondentStaff),
    Public(CorrespondentPublic),
}

impl CorrespondentView {
    pub fn new(c: &Correspondent, staff: bool) -> Self {
        if staff {
            CorrespondentView::Staff(CorrespondentStaff {
                id: c.id,
                slug: c.slug.clone(),
                name: c.name.clone(),
                affiliation: c.affiliation.clone(),
                bio: c.bio.clone(),
                created_at: c.created_at,
                email: c.email.clone(),
                phone: c.phone.clone(),
                notes: c.notes.clone(),
                editor_id: c.editor_id,
            })
        } else {
            CorrespondentView::Public(CorrespondentPublic {
                id: c.id,
                slug: c.slug.clone(),
                name: c.name.clone(),
                affiliation: c.affiliation.clone(),
                bio: c.bio.clone(),
                created_at: c.created_at,
            })
        }
    }
}

/// `GET /correspondents` query.
#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CorrespondentListQuery {
    /// Part of the name (case-insensitive).
    #[serde(default, deserialize_with = "crate::validate::empty_as_none")]
    pub q: Option<String>,
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// From `page.next_cursor` (opaque, base64url).
    #[serde(default, deserialize_with = "crate::validate::empty_as_none")]
    #[param(pattern = "^[A-Za-z0-9_-]*$")]
    pub cursor: Option<String>,
    /// `true` adds `page.total`.
    pub count: Option<bool>,
}

/// `POST /correspondents`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCorrespondentRequest {
    /// 1–64 characters, e.g. `夏洋`.
    #[schema(min_length = 1, max_length = 64)]
    pub name: String,
    /// Generated from the name (pinyin) when absent.
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 64)]
    pub slug: Option<String>,
    #[schema(max_length = 200)]
    pub affiliation: Option<String>,
    #[schema(max_length = 4000)]
    pub bio: Option<String>,
    /// Private.
    pub email: Option<String>,
    /// Private.
    #[schema(max_length = 64)]
    pub phone: Option<String>,
    /// Private.
    #[schema(max_length = 4000)]
    pub notes: Option<String>,
    /// Private: the linked staff account.
    pub editor_id: Option<Uuid>,
}

/// `PATCH /correspondents/{id}`: any of the fields; `null` clears an optional one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCorrespondentRequest {
    #[schema(min_length = 1, max_length = 64)]
    pub name: Option<String>,
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 64)]
    pub slug: Option<String>,
    #[serde(default, deserialize_with = "crate::validate::double_option")]
    #[schema(value_type = Option<String>)]
    pub affiliation: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::validate::double_option")]
    #[schema(value_type = Option<String>)]
    pub bio: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::validate::double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::validate::double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::validate::double_option")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::validate::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub editor_id: Option<Option<Uuid>>,
}
