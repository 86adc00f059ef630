//! Private set intersection with partner organisations (issue 6 §1): the
//! tenants' exchange identities, their registered peers, the sessions run
//! with them, and the request nonces already seen.
//!
//! No identifier a session compares is ever stored in the clear. A session
//! row holds who, when, which mode, the two set sizes, the state and the
//! result count; the shared identifiers themselves, where the mode reveals
//! them, are stored only sealed to the tenant's key by the server.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::Result;
use crate::tipline::TipDb;

/// A partner organisation as one tenant registered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerRow {
    pub tenant_id: i64,
    /// Short name, used in pages and audit records.
    pub name: String,
    /// Where the peer's server answers, e.g. `https://psi.agency-b.example`.
    pub base_url: String,
    /// Hex of the peer's Ed25519 identity key.
    pub public_key: String,
    /// Largest set either side may bring to a session with this peer.
    pub max_set_size: i64,
    /// Sessions with this peer per UTC day, in either direction.
    pub max_sessions_per_day: i64,
    /// Whether sessions may reveal shared values, or only their number.
    pub allow_intersection: bool,
    pub created_at: i64,
}

/// One session as this side records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub tenant_id: i64,
    /// Hex of the 16-byte session id both sides share.
    pub session_id: String,
    /// The peer's name in this tenant's registry.
    pub peer: String,
    /// `initiator` or `responder`.
    pub role: String,
    /// `intersection` or `cardinality`.
    pub mode: String,
    pub state: String,
    /// UTC day (`YYYY-MM-DD`) the session was created, for daily limits.
    pub created_day: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub own_set_size: Option<i64>,
    pub peer_set_size: Option<i64>,
    /// The staff member of this tenant who approved the session.
    pub approved_by: Option<String>,
    pub result_count: Option<i64>,
    /// The shared identifiers, sealed to the tenant's public key.
    pub sealed_result: Option<Vec<u8>>,
    /// A short, code-chosen reason for a refusal or failure.
    pub note: Option<String>,
}

/// A change to a session, applied only if it is still in one of `from`.
/// `None` fields keep their stored value.
#[derive(Debug, Clone, Default)]
pub struct SessionUpdate<'a> {
    pub from: &'a [&'a str],
    pub state: &'a str,
    pub at: i64,
    pub own_set_size: Option<i64>,
    pub peer_set_size: Option<i64>,
    pub approved_by: Option<&'a str>,
    pub result_count: Option<i64>,
    pub sealed_result: Option<&'a [u8]>,
    pub note: Option<&'a str>,
}

const PEER_COLUMNS: &str = "tenant_id, name, base_url, public_key, max_set_size, \
                            max_sessions_per_day, allow_intersection, created_at";
const SESSION_COLUMNS: &str = "tenant_id, session_id, peer, role, mode, state, created_day, \
                               created_at, updated_at, own_set_size, peer_set_size, approved_by, \
                               result_count, sealed_result, note";

fn peer_row(r: &AnyRow) -> Result<PeerRow> {
    Ok(PeerRow {
        tenant_id: r.try_get(0)?,
        name: r.try_get(1)?,
        base_url: r.try_get(2)?,
        public_key: r.try_get(3)?,
        max_set_size: r.try_get(4)?,
        max_sessions_per_day: r.try_get(5)?,
        allow_intersection: r.try_get::<i64, _>(6)? != 0,
        created_at: r.try_get(7)?,
    })
}

fn session_row(r: &AnyRow) -> Result<SessionRow> {
    Ok(SessionRow {
        tenant_id: r.try_get(0)?,
        session_id: r.try_get(1)?,
        peer: r.try_get(2)?,
        role: r.try_get(3)?,
        mode: r.try_get(4)?,
        state: r.try_get(5)?,
        created_day: r.try_get(6)?,
        created_at: r.try_get(7)?,
        updated_at: r.try_get(8)?,
        own_set_size: r.try_get(9)?,
        peer_set_size: r.try_get(10)?,
        approved_by: r.try_get(11)?,
        result_count: r.try_get(12)?,
        sealed_result: r.try_get(13)?,
        note: r.try_get(14)?,
    })
}

impl TipDb {
    /// Records (or confirms) a tenant's exchange identity key.
    pub async fn set_psi_identity(&self, tenant_id: i64, public_key: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO psi_identities (tenant_id, public_key) VALUES ($1, $2) \
             ON CONFLICT (tenant_id) DO UPDATE SET public_key = excluded.public_key",
        )
        .bind(tenant_id)
        .bind(public_key)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// A tenant's recorded exchange identity key (hex), if staff derived it.
    pub async fn psi_identity(&self, tenant_id: i64) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT public_key FROM psi_identities WHERE tenant_id = $1")
                .bind(tenant_id)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// The tenant whose exchange identity is `public_key` (hex).
    pub async fn tenant_for_psi_identity(&self, public_key: &str) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT tenant_id FROM psi_identities WHERE public_key = $1")
                .bind(public_key)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    /// Registers a peer, or replaces the URL, key and limits of the peer of
    /// that name.
    pub async fn put_psi_peer(&self, peer: &PeerRow) -> Result<()> {
        sqlx::query(
            "INSERT INTO psi_peers (tenant_id, name, base_url, public_key, max_set_size, \
             max_sessions_per_day, allow_intersection, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (tenant_id, name) DO UPDATE SET base_url = excluded.base_url, \
             public_key = excluded.public_key, max_set_size = excluded.max_set_size, \
             max_sessions_per_day = excluded.max_sessions_per_day, \
             allow_intersection = excluded.allow_intersection",
        )
        .bind(peer.tenant_id)
        .bind(&peer.name)
        .bind(&peer.base_url)
        .bind(&peer.public_key)
        .bind(peer.max_set_size)
        .bind(peer.max_sessions_per_day)
        .bind(i64::from(peer.allow_intersection))
        .bind(peer.created_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// A tenant's peers, by name.
    pub async fn psi_peers(&self, tenant_id: i64) -> Result<Vec<PeerRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PEER_COLUMNS} FROM psi_peers WHERE tenant_id = $1 ORDER BY name"
        )))
        .bind(tenant_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(peer_row).collect()
    }

    /// The peer a tenant registered under `name`.
    pub async fn psi_peer(&self, tenant_id: i64, name: &str) -> Result<Option<PeerRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PEER_COLUMNS} FROM psi_peers WHERE tenant_id = $1 AND name = $2"
        )))
        .bind(tenant_id)
        .bind(name)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(peer_row).transpose()
    }

    /// The peer a tenant registered with identity key `public_key` (hex).
    pub async fn psi_peer_by_key(
        &self,
        tenant_id: i64,
        public_key: &str,
    ) -> Result<Option<PeerRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {PEER_COLUMNS} FROM psi_peers WHERE tenant_id = $1 AND public_key = $2"
        )))
        .bind(tenant_id)
        .bind(public_key)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(peer_row).transpose()
    }

    /// Sessions with `peer` created on `day`, in either direction and in
    /// any state (a refused or failed session still counts: it was tried).
    pub async fn psi_sessions_on_day(&self, tenant_id: i64, peer: &str, day: &str) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(*) FROM psi_sessions WHERE tenant_id = $1 AND peer = $2 \
             AND created_day = $3",
        )
        .bind(tenant_id)
        .bind(peer)
        .bind(day)
        .fetch_one(self.pool())
        .await?)
    }

    /// Inserts a new session; false if this tenant already has one with
    /// that id.
    pub async fn insert_psi_session(&self, session: &SessionRow) -> Result<bool> {
        let done = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO psi_sessions ({SESSION_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
             ON CONFLICT (tenant_id, session_id) DO NOTHING"
        )))
        .bind(session.tenant_id)
        .bind(&session.session_id)
        .bind(&session.peer)
        .bind(&session.role)
        .bind(&session.mode)
        .bind(&session.state)
        .bind(&session.created_day)
        .bind(session.created_at)
        .bind(session.updated_at)
        .bind(session.own_set_size)
        .bind(session.peer_set_size)
        .bind(session.approved_by.as_deref())
        .bind(session.result_count)
        .bind(session.sealed_result.as_deref())
        .bind(session.note.as_deref())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// One session of a tenant.
    pub async fn psi_session(
        &self,
        tenant_id: i64,
        session_id: &str,
    ) -> Result<Option<SessionRow>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SESSION_COLUMNS} FROM psi_sessions WHERE tenant_id = $1 AND session_id = $2"
        )))
        .bind(tenant_id)
        .bind(session_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(session_row).transpose()
    }

    /// A tenant's newest `limit` sessions.
    pub async fn psi_sessions(&self, tenant_id: i64, limit: i64) -> Result<Vec<SessionRow>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {SESSION_COLUMNS} FROM psi_sessions WHERE tenant_id = $1 \
             ORDER BY created_at DESC, session_id LIMIT $2"
        )))
        .bind(tenant_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(session_row).collect()
    }

    /// Moves a session to a new state if it is still in one of
    /// `update.from`; returns whether it did. Two requests racing for the
    /// same transition cannot both win.
    pub async fn update_psi_session(
        &self,
        tenant_id: i64,
        session_id: &str,
        update: &SessionUpdate<'_>,
    ) -> Result<bool> {
        if update.from.is_empty() {
            return Ok(false);
        }
        let placeholders: Vec<String> = (0..update.from.len())
            .map(|i| format!("${}", i + 11))
            .collect();
        let sql = format!(
            "UPDATE psi_sessions SET state = $1, updated_at = $2, \
             own_set_size = COALESCE($3, own_set_size), \
             peer_set_size = COALESCE($4, peer_set_size), \
             approved_by = COALESCE($5, approved_by), \
             result_count = COALESCE($6, result_count), \
             sealed_result = COALESCE($7, sealed_result), \
             note = COALESCE($8, note) \
             WHERE tenant_id = $9 AND session_id = $10 AND state IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(update.state)
            .bind(update.at)
            .bind(update.own_set_size)
            .bind(update.peer_set_size)
            .bind(update.approved_by)
            .bind(update.result_count)
            .bind(update.sealed_result)
            .bind(update.note)
            .bind(tenant_id)
            .bind(session_id);
        for state in update.from {
            query = query.bind(*state);
        }
        let done = query.execute(self.pool()).await?;
        Ok(done.rows_affected() == 1)
    }

    /// Remembers a request nonce of `sender_key`; false if it was already
    /// seen. Nonces seen before `forget_before` are deleted first: requests
    /// that old are refused by their timestamp.
    pub async fn remember_psi_nonce(
        &self,
        sender_key: &str,
        nonce: &str,
        now: i64,
        forget_before: i64,
    ) -> Result<bool> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM psi_nonces WHERE seen_at < $1")
            .bind(forget_before)
            .execute(&mut *tx)
            .await?;
        let done = sqlx::query(
            "INSERT INTO psi_nonces (sender_key, nonce, seen_at) VALUES ($1, $2, $3) \
             ON CONFLICT (sender_key, nonce) DO NOTHING",
        )
        .bind(sender_key)
        .bind(nonce)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn db() -> (tempfile::TempDir, TipDb) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.sqlite").display());
        let db = TipDb::connect(&url).await.unwrap();
        db.add_tenant("Agency A", "00", 0).await.unwrap();
        (dir, db)
    }

    fn session(id: &str, state: &str) -> SessionRow {
        SessionRow {
            tenant_id: 1,
            session_id: id.into(),
            peer: "agency-b".into(),
            role: "initiator".into(),
            mode: "intersection".into(),
            state: state.into(),
            created_day: "2025-01-02".into(),
            created_at: 10,
            updated_at: 10,
            own_set_size: Some(3),
            peer_set_size: None,
            approved_by: Some("sam".into()),
            result_count: None,
            sealed_result: None,
            note: None,
        }
    }

    #[tokio::test]
    async fn a_nonce_is_accepted_once_and_forgotten_when_old() {
        let (_dir, db) = db().await;
        assert!(db.remember_psi_nonce("k", "n1", 100, 0).await.unwrap());
        assert!(!db.remember_psi_nonce("k", "n1", 101, 0).await.unwrap());
        assert!(db.remember_psi_nonce("other", "n1", 101, 0).await.unwrap());
        // Once older than the window it is gone (and its timestamp would be
        // refused anyway).
        assert!(db.remember_psi_nonce("k", "n1", 1000, 500).await.unwrap());
    }

    #[tokio::test]
    async fn session_transitions_only_from_the_named_states() {
        let (_dir, db) = db().await;
        assert!(
            db.insert_psi_session(&session("ab", "awaiting-peer"))
                .await
                .unwrap()
        );
        assert!(
            !db.insert_psi_session(&session("ab", "awaiting-peer"))
                .await
                .unwrap()
        );
        let done = SessionUpdate {
            from: &["awaiting-peer"],
            state: "done",
            at: 20,
            result_count: Some(2),
            sealed_result: Some(b"sealed"),
            peer_set_size: Some(5),
            ..SessionUpdate::default()
        };
        assert!(db.update_psi_session(1, "ab", &done).await.unwrap());
        assert!(!db.update_psi_session(1, "ab", &done).await.unwrap());
        let row = db.psi_session(1, "ab").await.unwrap().unwrap();
        assert_eq!(row.state, "done");
        assert_eq!(row.result_count, Some(2));
        assert_eq!(row.peer_set_size, Some(5));
        assert_eq!(row.own_set_size, Some(3));
        assert_eq!(row.approved_by.as_deref(), Some("sam"));
        assert_eq!(row.sealed_result.as_deref(), Some(&b"sealed"[..]));
        assert_eq!(
            db.psi_sessions_on_day(1, "agency-b", "2025-01-02")
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            db.psi_sessions_on_day(1, "agency-b", "2025-01-03")
                .await
                .unwrap(),
            0
        );
    }

    #[tokio::test]
    async fn peers_are_found_by_name_and_key_and_replaced_by_name() {
        let (_dir, db) = db().await;
        let mut peer = PeerRow {
            tenant_id: 1,
            name: "agency-b".into(),
            base_url: "http://127.0.0.1:1".into(),
            public_key: "aa".into(),
            max_set_size: 10,
            max_sessions_per_day: 2,
            allow_intersection: true,
            created_at: 0,
        };
        db.put_psi_peer(&peer).await.unwrap();
        peer.max_set_size = 5;
        peer.allow_intersection = false;
        db.put_psi_peer(&peer).await.unwrap();
        assert_eq!(db.psi_peers(1).await.unwrap(), vec![peer.clone()]);
        assert_eq!(
            db.psi_peer_by_key(1, "aa").await.unwrap(),
            Some(peer.clone())
        );
        assert_eq!(db.psi_peer(1, "agency-b").await.unwrap(), Some(peer));
        assert_eq!(db.psi_peer_by_key(2, "aa").await.unwrap(), None);
        db.set_psi_identity(1, "bb").await.unwrap();
        assert_eq!(db.tenant_for_psi_identity("bb").await.unwrap(), Some(1));
        assert_eq!(db.psi_identity(1).await.unwrap().as_deref(), Some("bb"));
    }
}
