//! Article wire types: what requests send and responses carry. Assembled from rows by
//! [`super::read`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::queries::RevisionRow;
use super::workflow::Status;
use crate::cache::Scope;
use crate::editors::views::EditorRef;
use crate::error::AppError;
use crate::media::views::VariantView;
use crate::sections::views::SectionRef;
use crate::tags::views::TagRef;

/// A credited person, as printed (`通讯员 夏洋`).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct BylineView {
    pub correspondent_id: Uuid,
    pub name: String,
    /// `reporter` (记者), `correspondent` (通讯员), `photographer` (摄影), `author`, `translator`.
    #[schema(value_type = crate::bylines::Role)]
    pub role: String,
    pub affiliation: Option<String>,
}

/// The cover image as an article stores it (and its revisions keep it): an image elsewhere
/// (`url`) or one of the media library (`media_id`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CoverImage {
    /// An image elsewhere: an absolute http(s) URL (`null` for one of the library).
    pub url: Option<String>,
    /// An image of the media library (`null` for one elsewhere).
    #[serde(default)]
    pub media_id: Option<Uuid>,
    pub caption: Option<String>,
    pub credit: Option<String>,
}

/// The cover image as an article shows it: for one of the media library, its URL, size and
/// variants, and its caption and credit unless the article gives its own.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct CoverImageView {
    pub url: String,
    /// The media library's image (`null`: an image elsewhere).
    pub media_id: Option<Uuid>,
    pub caption: Option<String>,
    pub credit: Option<String>,
    /// The library's alt text.
    pub alt: Option<String>,
    pub width: Option<i32>,
    pub height: Option<i32>,
    /// Narrowest first (empty for an image elsewhere).
    pub variants: Vec<VariantView>,
    /// Not shown: what feeds' enclosures declare.
    #[serde(skip)]
    pub mime: Option<String>,
    #[serde(skip)]
    pub bytes: Option<i64>,
}

/// The cover image of a create or update body: `url` (an image elsewhere) or `media_id` (one of
/// the media library), not both; `caption` and `credit` optional (for a library image, its own
/// are shown when these are absent).
#[derive(Debug, Clone, Deserialize, ToSchema, PartialEq)]
#[serde(try_from = "CoverFields")]
pub struct CoverImageInput {
    /// Absolute http(s) URL.
    #[schema(pattern = "^https?://", max_length = 2048)]
    pub url: Option<String>,
    /// An image uploaded to `/media`.
    pub media_id: Option<Uuid>,
    #[schema(max_length = 500)]
    pub caption: Option<String>,
    #[schema(max_length = 200)]
    pub credit: Option<String>,
}

/// [`CoverImageInput`] as sent, before the check that it names one image.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CoverFields {
    url: Option<String>,
    media_id: Option<Uuid>,
    caption: Option<String>,
    credit: Option<String>,
}

impl TryFrom<CoverFields> for CoverImageInput {
    type Error = &'static str;
    fn try_from(f: CoverFields) -> Result<Self, Self::Error> {
        match (&f.url, &f.media_id) {
            (Some(_), Some(_)) => Err("give url or media_id, not both"),
            (None, None) => Err("missing field `url` or `media_id`"),
            _ => Ok(CoverImageInput {
                url: f.url,
                media_id: f.media_id,
                caption: f.caption,
                credit: f.credit,
            }),
        }
    }
}

impl From<CoverImage> for CoverImageInput {
    fn from(c: CoverImage) -> Self {
        CoverImageInput {
            url: c.url,
            media_id: c.media_id,
            caption: c.caption,
            credit: c.credit,
        }
    }
}

/// A neighbouring published article in the same section.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct ArticleLink {
    /// Not shown: what the response cache evicts the page with.
    #[serde(skip)]
    pub id: Uuid,
    pub slug: String,
    pub title: String,
}

/// A related story (相关新闻) as the article view lists it.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct RelatedLink {
    /// Not shown: what the response cache evicts the page with.
    #[serde(skip)]
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub summary: String,
}

/// `links` of an article: its canonical API path, 上一篇 / 下一篇 and related stories.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct ArticleLinks {
    #[serde(rename = "self")]
    pub self_: String,
    /// The page a reader opens on the publisher's website (`NEWSDESK_ARTICLE_URL`; unset, the
    /// redirecting permalink `NEWSDESK_PUBLIC_URL/articles/{slug}`). Its dates are the
    /// publication date; an article not yet published is filed under its scheduled time, else
    /// its creation time, until it is.
    pub canonical: String,
    pub previous: Option<ArticleLink>,
    pub next: Option<ArticleLink>,
    /// The first five related stories of a published article (`GET /articles/{id}/related`
    /// has more): sharing its tags, then words of its title and summary, then its section.
    /// Empty while the article is not published.
    pub related: Vec<RelatedLink>,
    /// Not shown: what the related stories depend on, for the response cache.
    #[serde(skip)]
    pub depends_on: Vec<Scope>,
}

/// A list item: the article without `body_html` and `links`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleListItem {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub summary: String,
    pub section: SectionRef,
    pub tags: Vec<TagRef>,
    pub byline: Vec<BylineView>,
    pub editor: Option<EditorRef>,
    pub source: Option<String>,
    pub cover_image: Option<CoverImageView>,
    pub status: Status,
    pub publish_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    pub char_count: i32,
    pub reading_minutes: i32,
    /// With `?q=`: an extract around the first hit, HTML-escaped, hits in `<mark>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub highlight: Option<String>,
}

/// A whole article.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleView {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub summary: String,
    /// Sanitised HTML, exactly as stored.
    pub body_html: String,
    pub section: SectionRef,
    pub tags: Vec<TagRef>,
    pub byline: Vec<BylineView>,
    pub editor: Option<EditorRef>,
    pub source: Option<String>,
    pub cover_image: Option<CoverImageView>,
    pub status: Status,
    pub publish_at: Option<DateTime<Utc>>,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i32,
    pub char_count: i32,
    pub reading_minutes: i32,
    pub links: ArticleLinks,
}

/// `GET /articles` query.
#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ArticleListQuery {
    /// Search (Chinese and Latin): published articles containing every word, by relevance
    /// (title hits first), each with a `highlight`.
    #[serde(default, deserialize_with = "crate::validate::empty_as_none")]
    pub q: Option<String>,
    /// Section slug; includes its child sections.
    #[serde(default, deserialize_with = "crate::validate::empty_as_none")]
    pub section: Option<String>,
    /// Tag slug (or id).
    #[serde(default, deserialize_with = "crate::validate::empty_as_none")]
    pub tag: Option<String>,
    /// Correspondent id or slug.
    #[serde(default, deserialize_with = "crate::validate::empty_as_none")]
    pub correspondent: Option<String>,
    /// Staff only; anonymous callers only ever see `published`.
    #[serde(default, deserialize_with = "crate::validate::empty_as_none")]
    #[param(value_type = Option<Status>)]
    pub status: Option<String>,
    /// RFC 3339; inclusive.
    #[serde(default, deserialize_with = "crate::validate::empty_as_none")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub published_after: Option<String>,
    /// RFC 3339; exclusive.
    #[serde(default, deserialize_with = "crate::validate::empty_as_none")]
    #[param(value_type = Option<String>, format = DateTime)]
    pub published_before: Option<String>,
    /// `published_at` (default) or, for staff, `updated_at`. With `q` and no `sort`: relevance.
    #[serde(default, deserialize_with = "crate::validate::empty_as_none")]
    #[param(pattern = "^(published_at|updated_at)?$")]
    pub sort: Option<String>,
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

/// One byline entry of a request.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BylineInput {
    pub correspondent_id: Uuid,
    /// `reporter`, `correspondent`, `photographer`, `author` or `translator`.
    #[schema(value_type = crate::bylines::Role)]
    pub role: String,
}

/// `POST /articles`: creates a draft.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateArticleRequest {
    /// 1–200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    /// Sanitised on input to the allow-list (p, h2–h4, strong, em, a[href], ul/ol/li,
    /// blockquote, figure/figcaption, img[src,alt]).
    pub body_html: String,
    pub section_id: Uuid,
    /// Ordered, as printed. Required unless `byline_text` is sent (not both).
    #[schema(max_items = 50)]
    pub byline: Option<Vec<BylineInput>>,
    /// The byline as printed (`(通讯员 夏洋 洪秀 周全)`, `记者叶和平 通讯员沈荣华`), read as
    /// `POST /bylines/parse` reads it; every name must be an existing correspondent's (422
    /// `unknown_correspondents` lists the others). Instead of `byline`.
    #[schema(max_length = 2000)]
    pub byline_text: Option<String>,
    #[schema(max_items = 50)]
    pub tag_ids: Option<Vec<Uuid>>,
    /// The responsible staff editor (编辑). Contributors may not set it.
    pub editor_id: Option<Uuid>,
    /// Generated from the title (pinyin) when absent.
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 128)]
    pub slug: Option<String>,
    #[schema(max_length = 200)]
    pub subtitle: Option<String>,
    /// Derived from the body when absent.
    #[schema(max_length = 1000)]
    pub summary: Option<String>,
    #[schema(max_length = 200)]
    pub source: Option<String>,
    pub cover_image: Option<CoverImageInput>,
}

/// `PATCH /articles/{id}`: any field of the create body, plus `version` unless `If-Match` is sent.
/// `null` clears an optional field (`summary: null` derives it from the body again).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateArticleRequest {
    #[schema(min_length = 1, max_length = 200)]
    pub title: Option<String>,
    pub body_html: Option<String>,
    pub section_id: Option<Uuid>,
    #[schema(max_items = 50)]
    pub byline: Option<Vec<BylineInput>>,
    /// The byline as printed, instead of `byline` (see `POST /articles`).
    #[schema(max_length = 2000)]
    pub byline_text: Option<String>,
    #[schema(max_items = 50)]
    pub tag_ids: Option<Vec<Uuid>>,
    #[serde(default, deserialize_with = "crate::validate::double_option")]
    #[schema(value_type = Option<Uuid>)]
    pub editor_id: Option<Option<Uuid>>,
    #[schema(pattern = "^[a-z0-9]+(-[a-z0-9]+)*$", max_length = 128)]
    pub slug: Option<String>,
    #[serde(default, deserialize_with = "crate::validate::double_option")]
    #[schema(value_type = Option<String>)]
    pub subtitle: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::validate::double_option")]
    #[schema(value_type = Option<String>)]
    pub summary: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::validate::double_option")]
    #[schema(value_type = Option<String>)]
    pub source: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::validate::double_option")]
    #[schema(value_type = Option<CoverImageInput>)]
    pub cover_image: Option<Option<CoverImageInput>>,
    /// The version edited (or send `If-Match`).
    pub version: Option<i32>,
}

/// `POST /articles/{id}/transition`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionRequest {
    /// The target status.
    pub to: Status,
    /// Required (and in the future) when `to` is `scheduled`.
    pub publish_at: Option<DateTime<chrono::FixedOffset>>,
    /// Why (a send-back note, for instance); kept with the revision.
    pub note: Option<String>,
    /// Optional optimistic check, as for PATCH.
    pub version: Option<i32>,
}

/// The editable state of an article at one version: what a revision stores.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ArticleSnapshot {
    pub slug: String,
    pub title: String,
    pub subtitle: Option<String>,
    pub summary: String,
    pub body_html: String,
    pub section_id: Uuid,
    pub byline: Vec<BylineInput>,
    pub tag_ids: Vec<Uuid>,
    pub editor_id: Option<Uuid>,
    pub source: Option<String>,
    pub cover_image: Option<CoverImage>,
    pub status: Status,
    pub publish_at: Option<DateTime<Utc>>,
}

impl ArticleSnapshot {
    /// The ids of the correspondents in the byline.
    pub fn people(&self) -> Vec<Uuid> {
        self.byline.iter().map(|b| b.correspondent_id).collect()
    }
}

/// One stored version of an article.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionView {
    /// The article's version after this write (1 = creation).
    pub number: i32,
    /// Who wrote it (`null` for the scheduler, or a deleted account).
    pub editor: Option<EditorRef>,
    pub created_at: DateTime<Utc>,
    /// `create`, `update`, `submit`, `send_back`, `schedule`, `unschedule`, `publish`,
    /// `archive` or `restore`.
    pub action: String,
    pub note: Option<String>,
    /// Names of the fields this write changed.
    pub changed: Vec<String>,
    pub snapshot: ArticleSnapshot,
}

impl RevisionView {
    pub fn from_row(row: RevisionRow) -> Result<RevisionView, AppError> {
        let (number, editor_id, display_name, created_at, action, note, changed, snapshot) = row;
        Ok(RevisionView {
            number,
            editor: editor_id
                .zip(display_name)
                .map(|(id, display_name)| EditorRef { id, display_name }),
            created_at,
            action,
            note,
            changed: changed.into_iter().flatten().collect(),
            snapshot: serde_json::from_value(snapshot)?,
        })
    }
}
