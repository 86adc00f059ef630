//! Tenants and case records in the server's database (issue 5).
//!
//! The store never sees a sensitive value in the clear: the server seals
//! them inside `document` before calling here. The columns beside the
//! document are the facts access control, retention and listings need
//! (owner, team, status, closing day, legal hold, referrals), so none of
//! those needs a key.

use sqlx::Row;
use sqlx::any::AnyRow;

use crate::Result;
use crate::tipline::TipDb;

/// An organisation using the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantRow {
    pub id: i64,
    pub name: String,
    /// Hex of the tenant's X25519 public key.
    pub public_key: String,
    pub closed_retention_days: i64,
    pub referred_retention_days: i64,
}

/// A case as stored: access facts in columns, the HTCDS document (with its
/// sensitive values sealed) as JSON text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCase {
    pub tenant_id: i64,
    pub case_id: String,
    pub owner: Option<String>,
    pub team_id: Option<String>,
    pub status: String,
    pub closed_on: Option<String>,
    pub legal_hold: bool,
    pub created_day: String,
    pub updated_day: String,
    /// Incremented on every update; updates name the version they read.
    pub version: i64,
    pub document: String,
}

/// An outgoing referral made through ctip, indexed for the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReferral {
    pub position: i64,
    pub provider_id: String,
    pub status: String,
}

/// A case in a list: the access facts, never the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseListing {
    pub case_id: String,
    pub owner: Option<String>,
    pub team_id: Option<String>,
    pub status: String,
    pub closed_on: Option<String>,
    pub legal_hold: bool,
    pub updated_day: String,
}

/// Which of a tenant's cases a list covers.
#[derive(Debug, Clone, Copy)]
pub enum CaseScope<'a> {
    /// Every case of the tenant.
    All,
    /// The cases a user owns.
    Owner(&'a str),
    /// The cases of these teams.
    Teams(&'a [String]),
    /// The cases with a referral to this provider.
    ReferredTo(&'a str),
}

/// A signed bundle of cases received from another organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeRow {
    pub bundle_sha256: String,
    pub sender_key: String,
    pub sender_name: String,
    pub received_day: String,
    pub imported: i64,
    pub already_held: i64,
}

const CASE_COLUMNS: &str = "tenant_id, case_id, owner, team_id, status, closed_on, legal_hold, \
                            created_day, updated_day, version, document";
const LISTING_COLUMNS: &str =
    "c.case_id, c.owner, c.team_id, c.status, c.closed_on, c.legal_hold, c.updated_day";

fn tenant_row(r: &AnyRow) -> Result<TenantRow> {
    Ok(TenantRow {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        public_key: r.try_get(2)?,
        closed_retention_days: r.try_get(3)?,
        referred_retention_days: r.try_get(4)?,
    })
}

fn case_row(r: &AnyRow) -> Result<StoredCase> {
    Ok(StoredCase {
        tenant_id: r.try_get(0)?,
        case_id: r.try_get(1)?,
        owner: r.try_get(2)?,
        team_id: r.try_get(3)?,
        status: r.try_get(4)?,
        closed_on: r.try_get(5)?,
        legal_hold: r.try_get::<i64, _>(6)? != 0,
        created_day: r.try_get(7)?,
        updated_day: r.try_get(8)?,
        version: r.try_get(9)?,
        document: r.try_get(10)?,
    })
}

fn listing_row(r: &AnyRow) -> Result<CaseListing> {
    Ok(CaseListing {
        case_id: r.try_get(0)?,
        owner: r.try_get(1)?,
        team_id: r.try_get(2)?,
        status: r.try_get(3)?,
        closed_on: r.try_get(4)?,
        legal_hold: r.try_get::<i64, _>(5)? != 0,
        updated_day: r.try_get(6)?,
    })
}

impl TipDb {
    /// Adds a tenant with the next free id and returns it.
    pub async fn add_tenant(&self, name: &str, public_key: &str, now: i64) -> Result<i64> {
        let mut tx = self.pool().begin().await?;
        let max: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM tenants")
            .fetch_one(&mut *tx)
            .await?;
        let id = max.unwrap_or(0) + 1;
        sqlx::query(
            "INSERT INTO tenants (id, name, public_key, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(name)
        .bind(public_key)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Makes sure tenant 1, the organisation hosting the tip line, exists:
    /// databases set up before case management have its key only in
    /// `tipline_meta`.
    pub async fn ensure_host_tenant(&self, name: &str, public_key: &str, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO tenants (id, name, public_key, created_at) VALUES (1, $1, $2, $3) \
             ON CONFLICT (id) DO NOTHING",
        )
        .bind(name)
        .bind(public_key)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    pub async fn tenant(&self, id: i64) -> Result<Option<TenantRow>> {
        let row = sqlx::query(
            "SELECT id, name, public_key, closed_retention_days, referred_retention_days \
             FROM tenants WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(tenant_row).transpose()
    }

    pub async fn tenant_by_name(&self, name: &str) -> Result<Option<TenantRow>> {
        let row = sqlx::query(
            "SELECT id, name, public_key, closed_retention_days, referred_retention_days \
             FROM tenants WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(tenant_row).transpose()
    }

    pub async fn tenants(&self) -> Result<Vec<TenantRow>> {
        let rows = sqlx::query(
            "SELECT id, name, public_key, closed_retention_days, referred_retention_days \
             FROM tenants ORDER BY id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(tenant_row).collect()
    }

    /// Sets how many days closed cases are kept.
    pub async fn set_retention(&self, tenant_id: i64, closed: i64, referred: i64) -> Result<()> {
        sqlx::query(
            "UPDATE tenants SET closed_retention_days = $1, referred_retention_days = $2 \
             WHERE id = $3",
        )
        .bind(closed)
        .bind(referred)
        .bind(tenant_id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Stores a new case and its referral index. Returns `false`, writing
    /// nothing, if the tenant already holds a case with that id.
    pub async fn insert_case(
        &self,
        case: &StoredCase,
        referrals: &[StoredReferral],
    ) -> Result<bool> {
        let mut tx = self.pool().begin().await?;
        let inserted = insert_case_row(&mut tx, case).await?;
        if !inserted {
            return Ok(false);
        }
        write_referrals(&mut tx, case, referrals).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Replaces a case read at `expected_version` (its new version is
    /// `case.version`). Returns `false`, writing nothing, if someone changed
    /// or purged it since.
    pub async fn update_case(
        &self,
        case: &StoredCase,
        expected_version: i64,
        referrals: &[StoredReferral],
    ) -> Result<bool> {
        let mut tx = self.pool().begin().await?;
        let updated = sqlx::query(
            "UPDATE cases SET owner = $1, team_id = $2, status = $3, closed_on = $4, \
             legal_hold = $5, updated_day = $6, version = $7, document = $8 \
             WHERE tenant_id = $9 AND case_id = $10 AND version = $11",
        )
        .bind(&case.owner)
        .bind(&case.team_id)
        .bind(&case.status)
        .bind(&case.closed_on)
        .bind(case.legal_hold as i64)
        .bind(&case.updated_day)
        .bind(case.version)
        .bind(&case.document)
        .bind(case.tenant_id)
        .bind(&case.case_id)
        .bind(expected_version)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !updated {
            return Ok(false);
        }
        sqlx::query("DELETE FROM case_referrals WHERE tenant_id = $1 AND case_id = $2")
            .bind(case.tenant_id)
            .bind(&case.case_id)
            .execute(&mut *tx)
            .await?;
        write_referrals(&mut tx, case, referrals).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn case(&self, tenant_id: i64, case_id: &str) -> Result<Option<StoredCase>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE tenant_id = $1 AND case_id = $2"
        )))
        .bind(tenant_id)
        .bind(case_id)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(case_row).transpose()
    }

    /// Whether a tenant other than `tenant_id` holds a case with this id: a
    /// request for it is a cross-tenant attempt, audited as such.
    pub async fn case_held_elsewhere(&self, tenant_id: i64, case_id: &str) -> Result<bool> {
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM cases WHERE case_id = $1 AND tenant_id <> $2")
                .bind(case_id)
                .bind(tenant_id)
                .fetch_one(self.pool())
                .await?;
        Ok(count > 0)
    }

    /// Every case of a tenant, documents included (for purges, exports and
    /// statistics).
    pub async fn all_cases(&self, tenant_id: i64) -> Result<Vec<StoredCase>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE tenant_id = $1 ORDER BY case_id"
        )))
        .bind(tenant_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(case_row).collect()
    }

    /// The referral index of a case.
    pub async fn case_referrals(
        &self,
        tenant_id: i64,
        case_id: &str,
    ) -> Result<Vec<StoredReferral>> {
        let rows = sqlx::query(
            "SELECT position, provider_id, status FROM case_referrals \
             WHERE tenant_id = $1 AND case_id = $2 ORDER BY position",
        )
        .bind(tenant_id)
        .bind(case_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredReferral {
                    position: r.try_get(0)?,
                    provider_id: r.try_get(1)?,
                    status: r.try_get(2)?,
                })
            })
            .collect()
    }

    /// A tenant's cases within `scope`, most recently updated first.
    pub async fn list_cases(
        &self,
        tenant_id: i64,
        scope: CaseScope<'_>,
        limit: i64,
    ) -> Result<Vec<CaseListing>> {
        let order = "ORDER BY c.updated_day DESC, c.case_id";
        let rows =
            match scope {
                CaseScope::All => sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {LISTING_COLUMNS} FROM cases c WHERE c.tenant_id = $1 {order} LIMIT $2"
                )))
                .bind(tenant_id)
                .bind(limit)
                .fetch_all(self.pool())
                .await?,
                CaseScope::Owner(owner) => sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {LISTING_COLUMNS} FROM cases c WHERE c.tenant_id = $1 AND c.owner = $2 \
                     {order} LIMIT $3"
                )))
                .bind(tenant_id)
                .bind(owner)
                .bind(limit)
                .fetch_all(self.pool())
                .await?,
                CaseScope::Teams(teams) => {
                    // Teams are few per person; one query per team keeps the SQL
                    // identical on both backends (no array binding).
                    let mut all = Vec::new();
                    for team in teams {
                        all.extend(
                            sqlx::query(sqlx::AssertSqlSafe(format!(
                                "SELECT {LISTING_COLUMNS} FROM cases c \
                             WHERE c.tenant_id = $1 AND c.team_id = $2 {order} LIMIT $3"
                            )))
                            .bind(tenant_id)
                            .bind(team)
                            .bind(limit)
                            .fetch_all(self.pool())
                            .await?,
                        );
                    }
                    all
                }
                CaseScope::ReferredTo(provider) => {
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "SELECT {LISTING_COLUMNS} FROM cases c WHERE c.tenant_id = $1 AND EXISTS \
                     (SELECT 1 FROM case_referrals r WHERE r.tenant_id = c.tenant_id \
                      AND r.case_id = c.case_id AND r.provider_id = $2 \
                      AND r.status IN ('sent', 'accepted')) {order} LIMIT $3"
                    )))
                    .bind(tenant_id)
                    .bind(provider)
                    .bind(limit)
                    .fetch_all(self.pool())
                    .await?
                }
            };
        let mut listed = rows.iter().map(listing_row).collect::<Result<Vec<_>>>()?;
        if matches!(scope, CaseScope::Teams(_)) {
            listed.sort_by(|a, b| {
                b.updated_day
                    .cmp(&a.updated_day)
                    .then_with(|| a.case_id.cmp(&b.case_id))
            });
            listed.truncate(limit.max(0) as usize);
        }
        Ok(listed)
    }

    /// Deletes a case and its referral index. Returns whether it existed.
    pub async fn delete_case(&self, tenant_id: i64, case_id: &str) -> Result<bool> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM case_referrals WHERE tenant_id = $1 AND case_id = $2")
            .bind(tenant_id)
            .bind(case_id)
            .execute(&mut *tx)
            .await?;
        let deleted = sqlx::query("DELETE FROM cases WHERE tenant_id = $1 AND case_id = $2")
            .bind(tenant_id)
            .bind(case_id)
            .execute(&mut *tx)
            .await?
            .rows_affected()
            == 1;
        tx.commit().await?;
        Ok(deleted)
    }

    /// Records a received bundle. Returns `false` if this tenant already
    /// received the same bundle (a replay).
    pub async fn record_exchange(&self, tenant_id: i64, exchange: &ExchangeRow) -> Result<bool> {
        let inserted = sqlx::query(
            "INSERT INTO case_exchanges (tenant_id, bundle_sha256, sender_key, sender_name, \
             received_day, imported, already_held) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (tenant_id, bundle_sha256) DO NOTHING",
        )
        .bind(tenant_id)
        .bind(&exchange.bundle_sha256)
        .bind(&exchange.sender_key)
        .bind(&exchange.sender_name)
        .bind(&exchange.received_day)
        .bind(exchange.imported)
        .bind(exchange.already_held)
        .execute(self.pool())
        .await?
        .rows_affected()
            == 1;
        Ok(inserted)
    }

    pub async fn exchanges(&self, tenant_id: i64) -> Result<Vec<ExchangeRow>> {
        let rows = sqlx::query(
            "SELECT bundle_sha256, sender_key, sender_name, received_day, imported, already_held \
             FROM case_exchanges WHERE tenant_id = $1 ORDER BY received_day, bundle_sha256",
        )
        .bind(tenant_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ExchangeRow {
                    bundle_sha256: r.try_get(0)?,
                    sender_key: r.try_get(1)?,
                    sender_name: r.try_get(2)?,
                    received_day: r.try_get(3)?,
                    imported: r.try_get(4)?,
                    already_held: r.try_get(5)?,
                })
            })
            .collect()
    }
}

/// Inserts a case row unless the tenant holds that id; says whether it did.
async fn insert_case_row(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    case: &StoredCase,
) -> Result<bool> {
    Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO cases ({CASE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (tenant_id, case_id) DO NOTHING"
    )))
    .bind(case.tenant_id)
    .bind(&case.case_id)
    .bind(&case.owner)
    .bind(&case.team_id)
    .bind(&case.status)
    .bind(&case.closed_on)
    .bind(case.legal_hold as i64)
    .bind(&case.created_day)
    .bind(&case.updated_day)
    .bind(case.version)
    .bind(&case.document)
    .execute(&mut **tx)
    .await?
    .rows_affected()
        == 1)
}

async fn write_referrals(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    case: &StoredCase,
    referrals: &[StoredReferral],
) -> Result<()> {
    for referral in referrals {
        sqlx::query(
            "INSERT INTO case_referrals (tenant_id, case_id, position, provider_id, status) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(case.tenant_id)
        .bind(&case.case_id)
        .bind(referral.position)
        .bind(&referral.provider_id)
        .bind(&referral.status)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// What [`TipDb::import_exchange`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExchangeImport {
    /// The exchange and every case were written.
    Imported,
    /// The tenant already received this bundle; nothing was written.
    Replay,
    /// The tenant already holds a case with this id; nothing was written.
    CaseTaken(String),
}

impl TipDb {
    /// Records a received bundle and stores its new cases in one
    /// transaction: either the exchange and all the cases are written, or
    /// nothing is (a replay, or a case id taken since the caller looked).
    /// The cases are rows of `tenant_id` (their `tenant_id` field).
    pub async fn import_exchange(
        &self,
        tenant_id: i64,
        exchange: &ExchangeRow,
        cases: &[(StoredCase, Vec<StoredReferral>)],
    ) -> Result<ExchangeImport> {
        let mut tx = self.pool().begin().await?;
        let recorded = sqlx::query(
            "INSERT INTO case_exchanges (tenant_id, bundle_sha256, sender_key, sender_name, \
             received_day, imported, already_held) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (tenant_id, bundle_sha256) DO NOTHING",
        )
        .bind(tenant_id)
        .bind(&exchange.bundle_sha256)
        .bind(&exchange.sender_key)
        .bind(&exchange.sender_name)
        .bind(&exchange.received_day)
        .bind(exchange.imported)
        .bind(exchange.already_held)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if !recorded {
            return Ok(ExchangeImport::Replay);
        }
        for (case, referrals) in cases {
            let inserted = insert_case_row(&mut tx, case).await?;
            if !inserted {
                return Ok(ExchangeImport::CaseTaken(case.case_id.clone()));
            }
            write_referrals(&mut tx, case, referrals).await?;
        }
        tx.commit().await?;
        Ok(ExchangeImport::Imported)
    }
}
