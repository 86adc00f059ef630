//! Limits a server enforces before it lets a PSI session start.
//!
//! The protocol hides items outside the intersection, but it cannot stop a
//! peer from *choosing* a set that enumerates a small space (every mobile
//! number of a country) and learning which of those we hold. The defences are
//! outside the cryptography: cap set sizes, limit how often each peer may
//! run a session, require human approval, and prefer cardinality-only mode.
//! [`SessionBudget`] enforces the first three mechanically; approval is the
//! server's workflow.
//!
//! The budget is pure: the caller passes the current day number, so it can be
//! tested without a clock and persisted by the server however it likes.

use std::collections::HashMap;

use super::message::PsiMode;
use super::session::{DEFAULT_MAX_SET_SIZE, PsiConfig};

/// Default number of sessions one peer may run per day.
pub const DEFAULT_MAX_SESSIONS_PER_DAY: u32 = 4;

/// What a server accepts from partner organisations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Sessions each peer may start per day (UTC day number chosen by the
    /// caller). Zero disables PSI with everyone.
    pub max_sessions_per_day: u32,
    /// Largest set either side may bring.
    pub max_set_size: usize,
    /// Whether the full intersection may be revealed; when false only
    /// cardinality-only sessions are admitted.
    pub allow_intersection: bool,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        Self {
            max_sessions_per_day: DEFAULT_MAX_SESSIONS_PER_DAY,
            max_set_size: DEFAULT_MAX_SET_SIZE,
            allow_intersection: true,
        }
    }
}

impl SessionPolicy {
    /// The state-machine configuration for an admitted session in `mode`.
    pub fn config(&self, mode: PsiMode) -> PsiConfig {
        PsiConfig {
            mode,
            max_set_size: self.max_set_size,
        }
    }
}

/// What a peer asks for when it proposes a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionRequest {
    /// Requested mode.
    pub mode: PsiMode,
    /// Set size the peer announces (the state machines check the real one).
    pub peer_set_size: usize,
}

/// Why a session was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// Only cardinality-only sessions are allowed.
    #[error("intersection mode is not allowed by policy; use cardinality-only mode")]
    IntersectionNotAllowed,
    /// The announced set is larger than the policy allows.
    #[error("peer set of {size} items exceeds the policy cap of {max}")]
    SetTooLarge {
        /// Announced size.
        size: usize,
        /// The cap.
        max: usize,
    },
    /// The peer used up today's sessions.
    #[error("peer {peer:?} has used its {limit} sessions for day {day}")]
    DailyLimitReached {
        /// Peer id as given.
        peer: String,
        /// The daily limit.
        limit: u32,
        /// Day number.
        day: u64,
    },
}

/// Counts sessions per peer and day against a [`SessionPolicy`].
#[derive(Debug, Clone)]
pub struct SessionBudget {
    policy: SessionPolicy,
    /// Peer id → (day number, sessions admitted that day). Only the current
    /// day is kept per peer, so memory stays proportional to the peers.
    used: HashMap<String, (u64, u32)>,
}

impl SessionBudget {
    /// An empty budget under `policy`.
    pub fn new(policy: SessionPolicy) -> Self {
        Self {
            policy,
            used: HashMap::new(),
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> &SessionPolicy {
        &self.policy
    }

    /// Sessions admitted for `peer` on `day`.
    pub fn used(&self, peer: &str, day: u64) -> u32 {
        match self.used.get(peer) {
            Some(&(used_day, count)) if used_day == day => count,
            _ => 0,
        }
    }

    /// Admits a session if the policy allows it, and counts it. A refused
    /// request is not counted. `day` is a day number such as days since the
    /// Unix epoch in UTC; a day earlier than the last one seen for the peer
    /// is counted against the later day, so turning the clock back gains
    /// nothing.
    pub fn admit(
        &mut self,
        peer: &str,
        day: u64,
        request: SessionRequest,
    ) -> Result<PsiConfig, PolicyError> {
        if request.mode == PsiMode::Intersection && !self.policy.allow_intersection {
            return Err(PolicyError::IntersectionNotAllowed);
        }
        if request.peer_set_size > self.policy.max_set_size {
            return Err(PolicyError::SetTooLarge {
                size: request.peer_set_size,
                max: self.policy.max_set_size,
            });
        }
        let entry = self.used.entry(peer.to_owned()).or_insert((day, 0));
        if day > entry.0 {
            *entry = (day, 0);
        }
        if entry.1 >= self.policy.max_sessions_per_day {
            return Err(PolicyError::DailyLimitReached {
                peer: peer.to_owned(),
                limit: self.policy.max_sessions_per_day,
                day: entry.0,
            });
        }
        entry.1 += 1;
        Ok(self.policy.config(request.mode))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(mode: PsiMode, peer_set_size: usize) -> SessionRequest {
        SessionRequest {
            mode,
            peer_set_size,
        }
    }

    #[test]
    fn daily_limit_applies_per_peer_and_resets_the_next_day() {
        let mut budget = SessionBudget::new(SessionPolicy {
            max_sessions_per_day: 2,
            ..SessionPolicy::default()
        });
        let ask = request(PsiMode::Intersection, 10);
        assert!(budget.admit("agency-b", 100, ask).is_ok());
        assert!(budget.admit("agency-b", 100, ask).is_ok());
        assert!(matches!(
            budget.admit("agency-b", 100, ask),
            Err(PolicyError::DailyLimitReached {
                limit: 2,
                day: 100,
                ..
            })
        ));
        assert!(budget.admit("agency-c", 100, ask).is_ok());
        assert!(matches!(
            budget.admit("agency-b", 99, ask),
            Err(PolicyError::DailyLimitReached { day: 100, .. })
        ));
        assert!(budget.admit("agency-b", 101, ask).is_ok());
        assert_eq!(budget.used("agency-b", 101), 1);
        assert_eq!(budget.used("agency-b", 100), 0);
    }

    #[test]
    fn refused_requests_are_not_counted() {
        let mut budget = SessionBudget::new(SessionPolicy {
            max_sessions_per_day: 1,
            max_set_size: 5,
            allow_intersection: false,
        });
        assert_eq!(
            budget.admit("b", 1, request(PsiMode::Intersection, 1)),
            Err(PolicyError::IntersectionNotAllowed)
        );
        assert_eq!(
            budget.admit("b", 1, request(PsiMode::CardinalityOnly, 6)),
            Err(PolicyError::SetTooLarge { size: 6, max: 5 })
        );
        assert_eq!(budget.used("b", 1), 0);
        let config = budget
            .admit("b", 1, request(PsiMode::CardinalityOnly, 5))
            .expect("within policy");
        assert_eq!(config.mode, PsiMode::CardinalityOnly);
        assert_eq!(config.max_set_size, 5);
    }

    #[test]
    fn zero_sessions_per_day_disables_psi() {
        let mut budget = SessionBudget::new(SessionPolicy {
            max_sessions_per_day: 0,
            ..SessionPolicy::default()
        });
        assert!(
            budget
                .admit("b", 1, request(PsiMode::CardinalityOnly, 1))
                .is_err()
        );
    }
}
