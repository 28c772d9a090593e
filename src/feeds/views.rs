//! Feed wire types: the query of a feed and its formats.

use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::error::AppError;
use crate::pagination;

pub const DEFAULT_ITEMS: i64 = 50;
pub const MAX_ITEMS: i64 = 200;

/// `?limit=` of a feed.
#[derive(Debug, Deserialize, IntoParams, ToSchema)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// Items, 1–200 (default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<i64>,
}

/// The formats of a site, tag or correspondent feed (the path's extension).
#[derive(Debug, ToSchema)]
#[serde(rename_all = "lowercase")]
#[allow(
    dead_code,
    reason = "the document's enum of `feed.{format}`; parsed by Format"
)]
pub enum FeedFormat {
    Rss,
    Atom,
    Json,
}

/// The formats of a section feed: those of every feed, and a page of ninjs items.
#[derive(Debug, ToSchema)]
#[serde(rename_all = "lowercase")]
#[allow(
    dead_code,
    reason = "the document's enum of `feed.{format}`; parsed by Format"
)]
pub enum SectionFeedFormat {
    Rss,
    Atom,
    Json,
    Ninjs,
}

/// The formats of a feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Rss,
    Atom,
    Json,
    Ninjs,
}

impl Format {
    pub fn parse(raw: &str, ninjs_allowed: bool) -> Result<Format, AppError> {
        match raw {
            "rss" => Ok(Format::Rss),
            "atom" => Ok(Format::Atom),
            "json" => Ok(Format::Json),
            "ninjs" if ninjs_allowed => Ok(Format::Ninjs),
            _ => Err(AppError::NotFound("no such feed format".into())),
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Rss => "application/rss+xml; charset=utf-8",
            Format::Atom => "application/atom+xml; charset=utf-8",
            Format::Json => "application/feed+json; charset=utf-8",
            Format::Ninjs => "application/json; charset=utf-8",
        }
    }
}

/// The number of items asked for: 1–200, default 50 (400 otherwise).
pub fn limit(q: &FeedQuery) -> Result<i64, AppError> {
    pagination::limit_within(q.limit, DEFAULT_ITEMS, MAX_ITEMS)
}
