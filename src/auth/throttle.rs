//! Login throttling: after 10 failed logins for one email within 15 minutes, or 50 from one
//! address, further attempts get 429 with `Retry-After` until the window has passed.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const WINDOW: Duration = Duration::from_secs(15 * 60);
pub const MAX_PER_EMAIL: usize = 10;
pub const MAX_PER_ADDRESS: usize = 50;

/// Failed-login timestamps per key, in memory.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

fn email_key(email: &str) -> String {
    format!("e:{}", email.trim().to_lowercase())
}

fn address_key(addr: &str) -> String {
    format!("a:{addr}")
}

impl LoginThrottle {
    /// `Some(seconds)` to wait when either key is over its limit.
    pub fn retry_after(&self, email: &str, addr: &str) -> Option<u64> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        [
            (email_key(email), MAX_PER_EMAIL),
            (address_key(addr), MAX_PER_ADDRESS),
        ]
        .into_iter()
        .filter_map(|(key, max)| {
            let times = map.get_mut(&key)?;
            while times
                .front()
                .is_some_and(|t| now.duration_since(*t) >= WINDOW)
            {
                times.pop_front();
            }
            if times.len() >= max {
                let oldest = *times.get(times.len() - max)?;
                let wait = WINDOW.saturating_sub(now.duration_since(oldest));
                Some(wait.as_secs().max(1))
            } else {
                None
            }
        })
        .max()
    }

    pub fn record_failure(&self, email: &str, addr: &str) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, times| {
                times
                    .back()
                    .is_some_and(|t| now.duration_since(*t) < WINDOW)
            });
        }
        for key in [email_key(email), address_key(addr)] {
            let times = map.entry(key).or_default();
            times.push_back(now);
            if times.len() > MAX_PER_ADDRESS * 2 {
                times.pop_front();
            }
        }
    }

    /// A successful login clears the email's failures (not the address's).
    pub fn record_success(&self, email: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(&email_key(email));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_failures_per_email_then_429() {
        let t = LoginThrottle::default();
        for _ in 0..MAX_PER_EMAIL {
            assert!(t.retry_after("A@x.cn", "1.1.1.1").is_none());
            t.record_failure("a@x.cn", "1.1.1.1");
        }
        let wait = t.retry_after("a@X.cn", "2.2.2.2").unwrap();
        assert!(wait > 800 && wait <= 900, "{wait}");
        assert!(t.retry_after("b@x.cn", "2.2.2.2").is_none());
        t.record_success("a@x.cn");
        assert!(t.retry_after("a@x.cn", "2.2.2.2").is_none());
    }

    #[test]
    fn fifty_per_address() {
        let t = LoginThrottle::default();
        for i in 0..MAX_PER_ADDRESS {
            t.record_failure(&format!("u{i}@x.cn"), "9.9.9.9");
        }
        assert!(t.retry_after("new@x.cn", "9.9.9.9").is_some());
        assert!(t.retry_after("new@x.cn", "8.8.8.8").is_none());
    }
}
