//! Article rows.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use super::workflow::Status;
use crate::schema::articles;

/// Every column but the search document.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = articles)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct Article {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub summary: String,
    pub summary_derived: bool,
    pub body_html: String,
    pub section_id: Uuid,
    pub editor_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub source: Option<String>,
    pub cover_url: Option<String>,
    pub cover_caption: Option<String>,
    pub cover_credit: Option<String>,
    pub cover_media_id: Option<Uuid>,
    pub status: String,
    pub publish_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    pub char_count: i32,
}

/// A list row: everything but the body.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = articles)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct ArticleSummary {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub summary: String,
    pub section_id: Uuid,
    pub editor_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub source: Option<String>,
    pub cover_url: Option<String>,
    pub cover_caption: Option<String>,
    pub cover_credit: Option<String>,
    pub cover_media_id: Option<Uuid>,
    pub status: String,
    pub publish_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    pub char_count: i32,
}

impl Article {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Draft)
    }

    /// The date its page is filed under: when it was published; not yet published, when it is
    /// scheduled for, else when it was created.
    pub fn page_date(&self) -> DateTime<Utc> {
        self.published_at
            .or(self.publish_at)
            .unwrap_or(self.created_at)
    }

    /// The list-row view of this article.
    pub fn summary_row(&self) -> ArticleSummary {
        ArticleSummary {
            id: self.id,
            slug: self.slug.clone(),
            title: self.title.clone(),
            subtitle: self.subtitle.clone(),
            summary: self.summary.clone(),
            section_id: self.section_id,
            editor_id: self.editor_id,
            created_by: self.created_by,
            source: self.source.clone(),
            cover_url: self.cover_url.clone(),
            cover_caption: self.cover_caption.clone(),
            cover_credit: self.cover_credit.clone(),
            cover_media_id: self.cover_media_id,
            status: self.status.clone(),
            publish_at: self.publish_at,
            published_at: self.published_at,
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
            char_count: self.char_count,
        }
    }
}

impl ArticleSummary {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Draft)
    }
}

/// Every writable column of an article, as stored after a create or an update.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = articles)]
#[diesel(treat_none_as_null = true)]
// `None` is bound as NULL rather than written `DEFAULT`: one SQL text, prepared once.
#[diesel(treat_none_as_default_value = false)]
pub struct ArticleFields {
    pub slug: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub summary: String,
    pub summary_derived: bool,
    pub body_html: String,
    pub section_id: Uuid,
    pub editor_id: Option<Uuid>,
    pub source: Option<String>,
    pub cover_url: Option<String>,
    pub cover_caption: Option<String>,
    pub cover_credit: Option<String>,
    pub cover_media_id: Option<Uuid>,
    pub char_count: i32,
}
