//! Media wire types.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::model::Media;

/// A variant of an image.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct VariantView {
    /// 320, 640 or 1280 (only those narrower than the original).
    pub width: u32,
    pub height: u32,
    pub url: String,
    /// `image/jpeg`, or `image/webp` for an image with transparency.
    pub mime: String,
}

/// An image of the media library.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MediaView {
    pub id: Uuid,
    /// The original, without its metadata: public, cached for a year (`immutable`).
    pub url: String,
    /// `image/jpeg`, `image/png`, `image/webp` or `image/gif`.
    pub mime: String,
    /// After the EXIF orientation was applied.
    pub width: i32,
    pub height: i32,
    /// Size of the stored original.
    pub bytes: i64,
    /// SHA-256 of the stored original (hex): its ETag.
    pub sha256: String,
    pub caption: Option<String>,
    /// Who took it (`刘建平`).
    pub credit: Option<String>,
    /// Text for readers who cannot see it.
    pub alt: Option<String>,
    /// Narrowest first; never wider than the original.
    pub variants: Vec<VariantView>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The public URL of media `id` (`/api/v1/media/{id}`).
pub fn media_url(public_url: &str, id: Uuid) -> String {
    format!("{public_url}/api/v1/media/{id}")
}

/// The public URL of its variant `width` px wide.
pub fn variant_url(public_url: &str, id: Uuid, width: u32) -> String {
    format!("{public_url}/api/v1/media/{id}/variants/{width}")
}

impl MediaView {
    pub fn new(public_url: &str, m: &Media) -> MediaView {
        MediaView {
            id: m.id,
            url: media_url(public_url, m.id),
            mime: m.mime.clone(),
            width: m.width,
            height: m.height,
            bytes: m.bytes,
            sha256: m.sha256.clone(),
            caption: m.caption.clone(),
            credit: m.credit.clone(),
            alt: m.alt.clone(),
            variants: variants(public_url, m),
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// The variants of `m` as links.
pub fn variants(public_url: &str, m: &Media) -> Vec<VariantView> {
    m.variants()
        .into_iter()
        .map(|v| VariantView {
            url: variant_url(public_url, m.id, v.width),
            width: v.width,
            height: v.height,
            mime: v.mime,
        })
        .collect()
}

/// `POST /media` query: the texts that go with the image.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    #[param(max_length = 500)]
    pub caption: Option<String>,
    #[param(max_length = 200)]
    pub credit: Option<String>,
    #[param(max_length = 500)]
    pub alt: Option<String>,
}

/// `PATCH /media/{id}`: any of the texts; `null` clears one.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMediaRequest {
    #[serde(default, deserialize_with = "crate::validate::double_option")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub caption: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::validate::double_option")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub credit: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::validate::double_option")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub alt: Option<Option<String>>,
}
