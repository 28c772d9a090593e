//! Feeds for aggregators: RSS 2.0, Atom 1.0, JSON Feed 1.1 and IPTC ninjs for the whole site and
//! per section (with its children), tag and correspondent; the Google News sitemap.
//!
//! Rendered feeds are kept in memory, keyed by scope, format and limit, together with the
//! database's change fingerprint (the newest `updated_at` of articles, sections, tags and
//! correspondents, and the tag count). A hit costs one small query; any write anywhere — in this
//! process or another — changes the fingerprint, and the next request rebuilds.

pub mod cache;
pub mod handlers;
pub mod model;
pub mod render;
pub mod views;
