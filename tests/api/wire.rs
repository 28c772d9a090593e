//! The contract's shapes as a client would type them (API.md §1), written from the contract and
//! not from the server's types: a test that reads many fields deserialises into these, and an
//! unknown or missing field fails it.

#![allow(
    dead_code,
    reason = "every field is read when the body is deserialised: that is the check"
)]

use serde::Deserialize;
use uuid::Uuid;

/// `GET /articles/{id}`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Article {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub summary: String,
    pub body_html: String,
    pub section: SectionRef,
    pub tags: Vec<TagRef>,
    pub byline: Vec<Byline>,
    pub editor: Option<EditorRef>,
    pub source: Option<String>,
    pub cover_image: Option<CoverImage>,
    pub status: String,
    pub publish_at: Option<String>,
    pub published_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i32,
    pub char_count: i32,
    pub reading_minutes: i32,
    pub links: Links,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SectionRef {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TagRef {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct EditorRef {
    pub id: Uuid,
    pub display_name: String,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Byline {
    pub correspondent_id: Uuid,
    pub name: String,
    pub role: String,
    pub affiliation: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CoverImage {
    pub url: String,
    pub caption: Option<String>,
    pub credit: Option<String>,
    /// v1.1 (§11): a cover from the media library gives its id, size and variants.
    pub media_id: Option<Uuid>,
    pub alt: Option<String>,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub variants: Vec<Variant>,
}

/// A variant of an image (API.md §11: `{width, url}`, plus its height and type).
#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    pub width: u32,
    pub height: u32,
    pub url: String,
    pub mime: String,
}

/// An image of the media library (API.md §11).
#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Media {
    pub id: Uuid,
    pub url: String,
    pub mime: String,
    pub width: i32,
    pub height: i32,
    pub bytes: i64,
    pub sha256: String,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub alt: Option<String>,
    pub variants: Vec<Variant>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Links {
    #[serde(rename = "self")]
    pub self_: String,
    pub canonical: String,
    pub previous: Option<Link>,
    pub next: Option<Link>,
    pub related: Vec<RelatedLink>,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RelatedLink {
    pub slug: String,
    pub title: String,
    pub summary: String,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub slug: String,
    pub title: String,
}
