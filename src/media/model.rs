//! Media rows.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{store, Mime};
use crate::schema::media;

/// One image of the library.
#[derive(Debug, Clone, Queryable, Selectable, Identifiable, Insertable)]
#[diesel(table_name = media)]
#[diesel(check_for_backend(diesel::pg::Pg))]
pub struct Media {
    pub id: Uuid,
    /// Of the stored original (its ETag).
    pub sha256: String,
    /// Of the bytes as uploaded.
    pub source_sha256: String,
    pub mime: String,
    pub width: i32,
    pub height: i32,
    pub bytes: i64,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub alt: Option<String>,
    /// `[Variant]`, narrowest first.
    pub variants: serde_json::Value,
    pub uploaded_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One stored variant, as the `variants` column keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    pub width: u32,
    pub height: u32,
    pub mime: String,
    pub bytes: u64,
    pub sha256: String,
}

impl Media {
    pub fn mime(&self) -> Mime {
        Mime::parse(&self.mime).unwrap_or(Mime::Jpeg)
    }

    pub fn variants(&self) -> Vec<Variant> {
        serde_json::from_value(self.variants.clone()).unwrap_or_default()
    }

    /// The variant `width` px wide.
    pub fn variant(&self, width: u32) -> Option<Variant> {
        self.variants().into_iter().find(|v| v.width == width)
    }

    /// The keys of every file it has in the store.
    pub fn keys(&self) -> Vec<String> {
        let mut keys = vec![store::original_key(self.id, self.mime())];
        for v in self.variants() {
            let mime = Mime::parse(&v.mime).unwrap_or(Mime::Jpeg);
            keys.push(store::variant_key(self.id, v.width, mime));
        }
        keys
    }
}

/// A change of the texts that go with an image.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = media)]
pub struct MediaChangeset {
    pub caption: Option<Option<String>>,
    pub credit: Option<Option<String>>,
    pub alt: Option<Option<String>>,
    pub updated_at: Option<DateTime<Utc>>,
}
