//! Feeds for aggregators: RSS 2.0, Atom 1.0, JSON Feed 1.1 and IPTC ninjs for the whole site and
//! per section (with its children), tag and correspondent; the Google News sitemap.
//!
//! Rendered feeds are kept in memory, keyed by scope, format and limit, together with the
//! database's change fingerprint (the newest `updated_at` of articles, sections, tags and
//! correspondents, and the tag count). A hit costs one small query; any write anywhere — in this
//! process or another — changes the fingerprint, and the next request rebuilds.

pub mod handlers;
pub mod model;
pub mod render;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

/// One rendered feed, ready to send.
#[derive(Debug)]
pub struct Rendered {
    pub fingerprint: String,
    pub body: Vec<u8>,
    pub etag: String,
    pub last_modified: DateTime<Utc>,
    pub content_type: &'static str,
    /// What the response cache evicts it with.
    pub depends_on: Vec<crate::cache::Scope>,
}

/// Rendered feeds by key.
#[derive(Debug, Default)]
pub struct FeedCache {
    entries: Mutex<HashMap<String, Arc<Rendered>>>,
}

/// At most this many rendered feeds are kept (scopes × formats × limits).
const MAX_ENTRIES: usize = 2048;

impl FeedCache {
    /// The entry for `key` if it was rendered at `fingerprint`.
    pub fn get(&self, key: &str, fingerprint: &str) -> Option<Arc<Rendered>> {
        let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key)
            .filter(|r| r.fingerprint == fingerprint)
            .cloned()
    }

    pub fn put(&self, key: String, rendered: Arc<Rendered>) {
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ENTRIES {
            let fp = rendered.fingerprint.clone();
            map.retain(|_, r| r.fingerprint == fp);
            if map.len() >= MAX_ENTRIES {
                map.clear();
            }
        }
        map.insert(key, rendered);
    }
}
