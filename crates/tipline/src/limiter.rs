//! Abuse limits that identify no one.
//!
//! Counts live only in memory, keyed by an HMAC of the client address under a
//! key drawn at random for each window and forgotten when the window ends. So
//! the counters cannot be linked across windows, cannot be reversed to an
//! address while they exist, and vanish on restart. Nothing is written down.

use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::Mutex;

use crate::receipt::getrandom_fill;

/// At most this many distinct clients are tracked per window; beyond it new
/// clients are refused until the window turns, so a flood of spoofed sources
/// cannot exhaust memory.
const MAX_TRACKED: usize = 200_000;

pub struct RateLimiter {
    limit: u32,
    window_seconds: i64,
    state: Mutex<Window>,
}

struct Window {
    index: i64,
    key: [u8; 32],
    counts: HashMap<[u8; 16], u32>,
}

impl RateLimiter {
    /// Allows `limit` events per client per `window_seconds`; a limit of 0
    /// turns limiting off (for load tests on loopback).
    pub fn new(limit: u32, window_seconds: i64) -> RateLimiter {
        RateLimiter {
            limit,
            window_seconds: window_seconds.max(1),
            state: Mutex::new(Window {
                index: i64::MIN,
                key: [0; 32],
                counts: HashMap::new(),
            }),
        }
    }

    /// Records one event for `client` at `now` (Unix seconds) and says
    /// whether it is within the limit.
    pub fn allow(&self, client: &[u8], now: i64) -> bool {
        if self.limit == 0 {
            return true;
        }
        let index = now.div_euclid(self.window_seconds);
        let mut window = match self.state.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if window.index != index {
            window.index = index;
            getrandom_fill(&mut window.key);
            window.counts = HashMap::new();
        }
        let tag = window.tag(client);
        let tracked = window.counts.len();
        match window.counts.get_mut(&tag) {
            Some(count) => {
                *count = count.saturating_add(1);
                *count <= self.limit
            }
            None if tracked >= MAX_TRACKED => false,
            None => {
                window.counts.insert(tag, 1);
                true
            }
        }
    }
}

impl RateLimiter {
    /// Takes back one event of `client` in the current window: a sign-in
    /// that succeeds should not count against the limit meant for guesses.
    pub fn forgive(&self, client: &[u8], now: i64) {
        if self.limit == 0 {
            return;
        }
        let mut window = match self.state.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if window.index != now.div_euclid(self.window_seconds) {
            return;
        }
        let tag = window.tag(client);
        if let Some(count) = window.counts.get_mut(&tag) {
            *count = count.saturating_sub(1);
        }
    }
}

impl Window {
    fn tag(&self, client: &[u8]) -> [u8; 16] {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .expect("HMAC accepts keys of any length");
        mac.update(client);
        let digest = mac.finalize().into_bytes();
        let mut tag = [0u8; 16];
        tag.copy_from_slice(&digest[..16]);
        tag
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn forgiven_events_do_not_count() {
        let limiter = super::RateLimiter::new(2, 3600);
        for _ in 0..10 {
            assert!(limiter.allow(b"a", 100));
            limiter.forgive(b"a", 100);
        }
        assert!(limiter.allow(b"a", 100));
        assert!(limiter.allow(b"a", 100));
        assert!(!limiter.allow(b"a", 100));
    }

    use super::*;

    #[test]
    fn limits_per_client_per_window() {
        let limiter = RateLimiter::new(3, 3600);
        for _ in 0..3 {
            assert!(limiter.allow(b"198.51.100.7", 7200));
        }
        assert!(!limiter.allow(b"198.51.100.7", 7201));
        assert!(
            limiter.allow(b"198.51.100.8", 7201),
            "another client is separate"
        );
        assert!(
            limiter.allow(b"198.51.100.7", 10_800),
            "a new window starts afresh"
        );
    }

    #[test]
    fn zero_turns_limiting_off() {
        let limiter = RateLimiter::new(0, 60);
        assert!((0..1000).all(|_| limiter.allow(b"x", 0)));
    }
}
