//! Section wire types.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::model::Section;

/// `{id, slug, name}` of a section, as embedded in other resources.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct SectionRef {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
}

impl From<&Section> for SectionRef {
    fn from(s: &Section) -> Self {
        SectionRef {
            id: s.id,
            slug: s.slug.clone(),
            name: s.name.clone(),
        }
    }
}

/// A section (栏目).
#[derive(Debug, Serialize, ToSchema)]
pub struct SectionView {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub parent: Option<SectionRef>,
    pub position: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl SectionView {
    pub fn new(s: &Section, parent: Option<&Section>) -> Self {
        SectionView {
            id: s.id,
            slug: s.slug.clone(),
            name: s.name.clone(),
            description: s.description.clone(),
            parent: parent.map(SectionRef::from),
            position: s.position,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// `POST /sections`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSectionRequest {
    /// `[a-z0-9]+(-[a-z0-9]+)*`, at most 64 characters, unique.
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 64)]
    pub slug: String,
    /// 1–64 characters, e.g. `县市区`.
    #[schema(min_length = 1, max_length = 64)]
    pub name: String,
    #[schema(max_length = 2000)]
    pub description: Option<String>,
    pub parent_id: Option<Uuid>,
    /// Display order (default 0).
    pub position: Option<i32>,
}

/// `PATCH /sections/{id}`: any of the fields; `null` clears `description` or `parent_id`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSectionRequest {
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 64)]
    pub slug: Option<String>,
    #[schema(min_length = 1, max_length = 64)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::validate::double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::validate::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub parent_id: Option<Option<Uuid>>,
    pub position: Option<i32>,
}
