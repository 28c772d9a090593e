//! Tag wire types.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::model::Tag;

/// A tag (专题).
#[derive(Debug, Serialize, ToSchema)]
pub struct TagView {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

impl From<&Tag> for TagView {
    fn from(t: &Tag) -> Self {
        TagView {
            id: t.id,
            slug: t.slug.clone(),
            name: t.name.clone(),
            created_at: t.created_at,
        }
    }
}

/// `{id, slug, name}` of a tag inside an article.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct TagRef {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
}

/// `POST /tags`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTagRequest {
    /// 1–64 characters.
    #[schema(min_length = 1, max_length = 64)]
    pub name: String,
    /// Generated from the name (pinyin) when absent.
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 64)]
    pub slug: Option<String>,
}

/// `PATCH /tags/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTagRequest {
    #[schema(min_length = 1, max_length = 64)]
    pub name: Option<String>,
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 64)]
    pub slug: Option<String>,
}
