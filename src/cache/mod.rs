//! The in-process cache of public responses: rendered bodies of anonymous `GET`s (with their
//! headers, and their gzip and brotli forms made on first demand), each tagged with the
//! [`Scope`]s whose change makes it stale.
//!
//! - [`middleware::serve`] answers from it and fills it;
//! - handlers narrow an entry's scopes with [`depends_on`] (by default an entry depends on
//!   [`Scope::All`], which every change of public content evicts);
//! - writes collect [`Changes`] in their transaction; `state::Writer::write` sends them to the
//!   other processes (`NOTIFY`, on commit) and [`forget`]s them here before the response leaves;
//!   [`listener`] applies the other processes' changes.
//!
//! A generation counter closes the race between a read that rendered old content and a write
//! that evicted before the read stored it: an entry rendered before an eviction is not stored.

pub mod changes;
pub mod encoding;
pub mod listener;
pub mod middleware;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{OnceLock, RwLock};

use actix_web::http::header::HeaderMap;
use actix_web::web::Bytes;
use actix_web::HttpMessage;
use uuid::Uuid;

pub use changes::{Announced, Changes, Event};
pub use encoding::Coding;

use crate::directory::Directory;

/// Applies what a write changed to what this process keeps in memory: the responses that
/// depend on it and, when sections or names may have changed ([`Scope::Everything`]), the
/// directory.
pub fn forget(changed: &[Scope], responses: &ResponseCache, directory: &Directory) {
    if changed.contains(&Scope::Everything) {
        directory.forget();
    }
    responses.evict(changed);
}

/// What a cached response depends on, and what a write changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Any published article (site-wide lists and feeds, searches, the sitemap).
    All,
    /// One article's own representation (its detail, ninjs, its neighbours' links to it).
    Article(Uuid),
    /// Lists and feeds of a section (articles of its children included).
    Section(Uuid),
    Tag(Uuid),
    /// A correspondent's lists and feeds.
    Person(Uuid),
    /// An image of the media library and its variants (immutable: only its deletion evicts).
    Media(Uuid),
    /// Related stories found by a word of titles ([`crate::search::terms::word_key`]).
    Word(u64),
    /// Everything at once: sections, tags, correspondents and editors are embedded everywhere.
    Everything,
}

/// What a handler declares of the response it renders (request extension).
#[derive(Debug, Clone, Default)]
pub struct Dependencies {
    pub scopes: Option<Vec<Scope>>,
    /// For content that changes with the clock alone (the news sitemap's 48-hour window).
    pub ttl: Option<std::time::Duration>,
}

/// Declares what the response to `req` depends on; without it, [`Scope::All`].
pub fn depends_on(req: &actix_web::HttpRequest, scopes: Vec<Scope>) {
    let mut ext = req.extensions_mut();
    let mut d = ext.remove::<Dependencies>().unwrap_or_default();
    d.scopes = Some(scopes);
    ext.insert(d);
}

/// Declares that the response to `req` goes stale after `ttl` whatever is written.
pub fn expires_after(req: &actix_web::HttpRequest, ttl: std::time::Duration) {
    let mut ext = req.extensions_mut();
    let mut d = ext.remove::<Dependencies>().unwrap_or_default();
    d.ttl = Some(ttl);
    ext.insert(d);
}

/// Bodies smaller than this are sent as they are.
const MIN_COMPRESSED: usize = 512;

/// One rendered response.
#[derive(Debug)]
pub struct Entry {
    pub headers: HeaderMap,
    pub body: Bytes,
    gzip: OnceLock<Option<Bytes>>,
    brotli: OnceLock<Option<Bytes>>,
    scopes: Vec<Scope>,
    expires: Option<std::time::Instant>,
}

impl Entry {
    pub fn new(headers: HeaderMap, body: Bytes, scopes: Vec<Scope>) -> Entry {
        Entry {
            headers,
            body,
            gzip: OnceLock::new(),
            brotli: OnceLock::new(),
            scopes,
            expires: None,
        }
    }

    /// Lets the entry expire `ttl` from now.
    pub fn expiring(mut self, ttl: Option<std::time::Duration>) -> Entry {
        self.expires = ttl.map(|t| std::time::Instant::now() + t);
        self
    }

    /// Memory the entry may take: its body, and room for its compressed forms.
    fn weight(&self) -> usize {
        self.body.len() * 2 + 512
    }

    fn compressible(&self) -> bool {
        self.body.len() >= MIN_COMPRESSED
            && self
                .headers
                .get(actix_web::http::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|t| t.contains("json") || t.contains("xml") || t.starts_with("text/"))
    }

    /// The body in `coding` (made once), or `None` when it is sent uncompressed.
    pub fn encoded(&self, coding: Coding) -> Option<&Bytes> {
        if coding == Coding::Identity || !self.compressible() {
            return None;
        }
        let slot = match coding {
            Coding::Gzip => &self.gzip,
            _ => &self.brotli,
        };
        slot.get_or_init(|| encoding::compress(&self.body, coding).map(Bytes::from))
            .as_ref()
    }

    fn touched_by(&self, changed: &[Scope]) -> bool {
        self.scopes.iter().any(|s| changed.contains(s))
    }
}

/// Total weight of the entries kept, by default.
pub const DEFAULT_BUDGET: usize = 48 * 1024 * 1024;

#[derive(Debug, Default)]
struct Store {
    entries: HashMap<String, std::sync::Arc<Entry>>,
    weight: usize,
}

/// The cache of one process (one per `AppState`).
#[derive(Debug)]
pub struct ResponseCache {
    enabled: bool,
    budget: usize,
    /// Tells this process's notifications from the others'.
    instance: Uuid,
    generation: AtomicU64,
    store: RwLock<Store>,
}

impl ResponseCache {
    pub fn new(enabled: bool, budget: usize) -> ResponseCache {
        ResponseCache {
            enabled,
            budget,
            instance: Uuid::new_v4(),
            generation: AtomicU64::new(0),
            store: RwLock::default(),
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    pub fn instance(&self) -> Uuid {
        self.instance
    }

    /// Read before rendering; passed back to [`ResponseCache::insert`].
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    pub fn get(&self, key: &str) -> Option<std::sync::Arc<Entry>> {
        let store = self.store.read().unwrap_or_else(|e| e.into_inner());
        store
            .entries
            .get(key)
            .filter(|e| e.expires.is_none_or(|at| at > std::time::Instant::now()))
            .cloned()
    }

    /// Keeps `entry` unless something was evicted since `generation` was read (the entry may
    /// then show what the eviction was about). Over budget, a quarter of the entries go.
    pub fn insert(&self, generation: u64, key: String, entry: std::sync::Arc<Entry>) {
        let weight = entry.weight();
        if !self.enabled || weight > self.budget / 8 {
            return;
        }
        let mut store = self.store.write().unwrap_or_else(|e| e.into_inner());
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if store.weight + weight > self.budget {
            let target = self.budget * 3 / 4;
            let victims: Vec<String> = store
                .entries
                .iter()
                .scan(store.weight, |w, (k, e)| {
                    (*w > target).then(|| {
                        *w -= e.weight();
                        k.clone()
                    })
                })
                .collect();
            for k in victims {
                if let Some(e) = store.entries.remove(&k) {
                    store.weight -= e.weight();
                }
            }
        }
        if let Some(old) = store.entries.insert(key, entry) {
            store.weight -= old.weight();
        }
        store.weight += weight;
        metrics::gauge!("response_cache_bytes").set(store.weight as f64);
    }

    /// Drops every entry that depends on one of `changed` ([`Scope::Everything`]: all).
    pub fn evict(&self, changed: &[Scope]) {
        if changed.is_empty() {
            return;
        }
        let mut store = self.store.write().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
        if changed.contains(&Scope::Everything) {
            store.entries.clear();
            store.weight = 0;
        } else {
            let mut weight = store.weight;
            store.entries.retain(|_, e| {
                let keep = !e.touched_by(changed);
                if !keep {
                    weight -= e.weight();
                }
                keep
            });
            store.weight = weight;
        }
        metrics::gauge!("response_cache_bytes").set(store.weight as f64);
    }

    pub fn len(&self) -> usize {
        self.store
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .entries
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn entry(scopes: Vec<Scope>) -> Arc<Entry> {
        let mut headers = HeaderMap::new();
        headers.insert(
            actix_web::http::header::CONTENT_TYPE,
            "application/json".parse().unwrap(),
        );
        Arc::new(Entry::new(headers, Bytes::from(vec![b'x'; 2000]), scopes))
    }

    #[test]
    fn eviction_is_by_scope() {
        let cache = ResponseCache::new(true, DEFAULT_BUDGET);
        let (a, b, s) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let g = cache.generation();
        cache.insert(g, "a".into(), entry(vec![Scope::Article(a)]));
        cache.insert(g, "b".into(), entry(vec![Scope::Article(b)]));
        cache.insert(g, "s".into(), entry(vec![Scope::Section(s)]));
        cache.insert(g, "all".into(), entry(vec![Scope::All]));
        cache.evict(&[Scope::Article(a), Scope::Section(s)]);
        assert!(cache.get("a").is_none() && cache.get("s").is_none());
        assert!(cache.get("b").is_some() && cache.get("all").is_some());
        cache.evict(&[Scope::Everything]);
        assert!(cache.is_empty());
    }

    #[test]
    fn a_render_older_than_an_eviction_is_not_kept() {
        let cache = ResponseCache::new(true, DEFAULT_BUDGET);
        let before = cache.generation();
        cache.evict(&[Scope::All]);
        cache.insert(before, "k".into(), entry(vec![Scope::All]));
        assert!(cache.get("k").is_none());
        cache.insert(cache.generation(), "k".into(), entry(vec![Scope::All]));
        assert!(cache.get("k").is_some());
    }

    #[test]
    fn the_budget_bounds_the_weight() {
        let cache = ResponseCache::new(true, 200_000);
        for i in 0..500 {
            cache.insert(cache.generation(), format!("k{i}"), entry(vec![Scope::All]));
        }
        let store = cache.store.read().unwrap();
        assert!(store.weight <= 200_000, "{}", store.weight);
        assert_eq!(
            store.weight,
            store.entries.values().map(|e| e.weight()).sum::<usize>()
        );
        assert!(store.entries.len() > 10);
    }

    #[test]
    fn compressed_forms_decode_to_the_body() {
        use std::io::Read;
        let e = entry(vec![]);
        let gz = e.encoded(Coding::Gzip).unwrap().clone();
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, e.body);
        let br = e.encoded(Coding::Brotli).unwrap().clone();
        let mut out = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut out).unwrap();
        assert_eq!(out, e.body);
        assert!(gz.len() < 200 && br.len() < 200);
    }
}
