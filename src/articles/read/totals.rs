//! `page.total` of a list, shared by every page of it: counting `?q=的` once serves every
//! `limit` and `cursor` of that search (and every client) until something is written. Keyed by
//! the resolved filter; the response cache's generation, which moves with every write seen
//! here or announced by another process, says when the counts are stale.

use std::collections::HashMap;
use std::sync::Mutex;

/// The most totals kept (a key is a filter's text: a few hundred bytes).
const MAX_TOTALS: usize = 4096;

#[derive(Debug, Default)]
struct Counted {
    generation: u64,
    totals: HashMap<String, i64>,
}

/// The totals counted since the last write.
#[derive(Debug, Default)]
pub struct Totals {
    counted: Mutex<Counted>,
}

impl Totals {
    /// The total of `filter` counted in `generation`, if any.
    pub fn get(&self, generation: u64, filter: &str) -> Option<i64> {
        let counted = self.counted.lock().unwrap_or_else(|e| e.into_inner());
        (counted.generation == generation)
            .then(|| counted.totals.get(filter).copied())
            .flatten()
    }

    /// Keeps a total counted in `generation` (read before the count: a write meanwhile makes it
    /// stale at once).
    pub fn put(&self, generation: u64, filter: String, total: i64) {
        let mut counted = self.counted.lock().unwrap_or_else(|e| e.into_inner());
        if counted.generation != generation {
            if generation < counted.generation {
                return;
            }
            counted.generation = generation;
            counted.totals.clear();
        }
        if counted.totals.len() >= MAX_TOTALS {
            counted.totals.clear();
        }
        counted.totals.insert(filter, total);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_last_until_the_next_write() {
        let t = Totals::default();
        t.put(3, "q=的".into(), 99_000);
        assert_eq!(t.get(3, "q=的"), Some(99_000));
        assert_eq!(t.get(3, "q=园区"), None);
        assert_eq!(t.get(4, "q=的"), None, "a write since");
        // A count begun before a write is not kept after it.
        t.put(5, "q=园区".into(), 10);
        t.put(4, "q=的".into(), 98_000);
        assert_eq!(t.get(5, "q=的"), None);
        assert_eq!(t.get(5, "q=园区"), Some(10));
    }
}
