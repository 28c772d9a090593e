//! Correspondent rows: as read, as inserted, as changed.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::schema::correspondents;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = correspondents)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct Correspondent {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub affiliation: Option<String>,
    pub bio: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub notes: Option<String>,
    pub editor_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = correspondents)]
pub struct CorrespondentChangeset {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub affiliation: Option<Option<String>>,
    pub bio: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub notes: Option<Option<String>>,
    pub editor_id: Option<Option<Uuid>>,
    pub updated_at: Option<DateTime<Utc>>,
}
