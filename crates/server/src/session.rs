//! Staff sessions, in memory only.
//!
//! A session holds the organisation's secret key, unwrapped at sign-in. It
//! never touches disk: a restart signs everyone out and forgets the key,
//! which is what we want if the machine is seized.

use ctip_tipline::{OrgSecretKey, Role};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Idle sessions end after this many seconds.
pub const IDLE_SECONDS: i64 = 30 * 60;
pub const COOKIE: &str = "ctip_staff";

#[derive(Clone)]
pub struct Session {
    pub name: String,
    /// The tenant's name, shown in the page header.
    pub org_name: String,
    pub role: Role,
    /// The secret key of the staff member's tenant (for the host tenant,
    /// the key tips are sealed to).
    pub org_key: OrgSecretKey,
    pub tenant_id: i64,
    pub teams: Vec<String>,
    pub provider_id: Option<String>,
    pub csrf: String,
    last_seen: i64,
}

/// Who signed in, before the session exists.
pub struct SignedIn {
    pub name: String,
    pub org_name: String,
    pub role: Role,
    pub org_key: OrgSecretKey,
    pub tenant_id: i64,
    pub teams: Vec<String>,
    pub provider_id: Option<String>,
}

#[derive(Clone, Default)]
pub struct Sessions {
    inner: Arc<Mutex<HashMap<String, Session>>>,
}

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    // The OS generator failing is not something a server can work around.
    getrandom::fill(&mut bytes).expect("the operating system's random generator works");
    data_encoding::BASE64URL_NOPAD.encode(&bytes)
}

impl Sessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Starts a session and returns its token.
    pub fn start(&self, who: SignedIn, now: i64) -> String {
        let token = random_token();
        let session = Session {
            name: who.name,
            org_name: who.org_name,
            role: who.role,
            org_key: who.org_key,
            tenant_id: who.tenant_id,
            teams: who.teams,
            provider_id: who.provider_id,
            csrf: random_token(),
            last_seen: now,
        };
        let mut map = self.lock();
        map.retain(|_, s| now - s.last_seen < IDLE_SECONDS);
        map.insert(token.clone(), session);
        token
    }

    /// The live session for `token`, refreshed.
    pub fn get(&self, token: &str, now: i64) -> Option<Session> {
        let mut map = self.lock();
        let live = match map.get_mut(token) {
            Some(s) if now - s.last_seen < IDLE_SECONDS => {
                s.last_seen = now;
                Some(s.clone())
            }
            _ => None,
        };
        if live.is_none() {
            map.remove(token);
        }
        live
    }

    pub fn end(&self, token: &str) {
        self.lock().remove(token);
    }
}
