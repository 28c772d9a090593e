//! Rendered feeds kept in memory, keyed by scope, format and limit, with the database's change
//! fingerprint they were rendered at: a hit needs the fingerprint unchanged.

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
