//! The tip line's database: SQLite by default, PostgreSQL for a multi-user
//! deployment, one code path through sqlx's `Any` driver.
//!
//! Everything stored about a report is either sealed (only the organisation's
//! secret key opens it) or deliberately coarse: the day it came in, its
//! status, and whether the reporter said someone is in danger, which the inbox
//! must sort by before anyone unlocks the key.

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor, Row};

use crate::{Result, StoreError};

const SQLITE_MIGRATIONS: &[&str] = &[
    include_str!("../migrations/server/sqlite/0001_tipline.sql"),
    include_str!("../migrations/server/sqlite/0002_ledger.sql"),
    include_str!("../migrations/server/sqlite/0003_cases.sql"),
    include_str!("../migrations/server/sqlite/0004_psi.sql"),
];
const POSTGRES_MIGRATIONS: &[&str] = &[
    include_str!("../migrations/server/postgres/0001_tipline.sql"),
    include_str!("../migrations/server/postgres/0002_ledger.sql"),
    include_str!("../migrations/server/postgres/0003_cases.sql"),
    include_str!("../migrations/server/postgres/0004_psi.sql"),
];

/// Which database a [`TipDb`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A report as the database holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TipRow {
    pub id: i64,
    pub reporter_key: Vec<u8>,
    pub received_day: String,
    pub urgency: i64,
    pub status: String,
    pub case_ref: Option<String>,
    pub updated_day: String,
    pub sealed: Vec<u8>,
}

/// A report to insert.
#[derive(Debug, Clone)]
pub struct NewTip {
    pub lookup: Vec<u8>,
    pub reporter_key: Vec<u8>,
    pub received_day: String,
    pub urgency: i64,
    pub sealed: Vec<u8>,
    /// (media type, sealed bytes) per attachment.
    pub attachments: Vec<(String, Vec<u8>)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRow {
    pub id: i64,
    pub author: String,
    pub day: String,
    pub sealed_org: Vec<u8>,
    pub sealed_reporter: Option<Vec<u8>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRow {
    pub id: i64,
    pub tip_id: i64,
    pub media_type: String,
    pub sealed: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRow {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub password_hash: String,
    pub totp_secret: String,
    pub wrapped_key: String,
    pub disabled: bool,
    pub tenant_id: i64,
    /// Team ids, comma-separated.
    pub teams: String,
    pub provider_id: Option<String>,
}

/// A staff account to create.
#[derive(Debug, Clone)]
pub struct NewStaff<'a> {
    pub tenant_id: i64,
    pub name: &'a str,
    pub role: &'a str,
    pub password_hash: &'a str,
    pub totp_secret: &'a str,
    pub wrapped_key: &'a str,
    /// Team ids, comma-separated.
    pub teams: &'a str,
    pub provider_id: Option<&'a str>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub record: String,
    pub detail: String,
}

/// The tip line's store.
#[derive(Clone)]
pub struct TipDb {
    pool: AnyPool,
    backend: Backend,
}

impl TipDb {
    /// Connects to `url` (`sqlite://path` or `postgres://…`), creating a
    /// SQLite file if needed, and brings the schema up to date.
    pub async fn connect(url: &str) -> Result<TipDb> {
        install_default_drivers();
        let (backend, url) = if let Some(path) = url.strip_prefix("sqlite://") {
            let path = path.split('?').next().unwrap_or(path);
            (Backend::Sqlite, format!("sqlite://{path}?mode=rwc"))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_owned())
        } else {
            return Err(StoreError::Url(
                url.split(':').next().unwrap_or("").to_owned(),
            ));
        };
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // FULL: a report acknowledged with a receipt survives
                        // power loss, not only a crash of the process.
                        conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;")
                            .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        let db = TipDb { pool, backend };
        db.migrate().await?;
        Ok(db)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The connection pool, for the ledger store that shares this database.
    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    async fn migrate(&self) -> Result<()> {
        let migrations = match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS,
            Backend::Postgres => POSTGRES_MIGRATIONS,
        };
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            // Two servers starting at once must not both migrate.
            sqlx::query("SELECT pg_advisory_xact_lock(727274)")
                .execute(&mut *tx)
                .await?;
        }
        sqlx::raw_sql("CREATE TABLE IF NOT EXISTS tipline_schema (version BIGINT NOT NULL)")
            .execute(&mut *tx)
            .await?;
        let version: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM tipline_schema")
            .fetch_one(&mut *tx)
            .await?;
        let version = version.unwrap_or(0);
        let known = migrations.len() as i64;
        if version > known {
            return Err(StoreError::TooNew {
                path: "tip line database".into(),
                found: version,
                known,
            });
        }
        for (index, sql) in migrations.iter().enumerate().skip(version as usize) {
            sqlx::raw_sql(*sql).execute(&mut *tx).await?;
            sqlx::query("INSERT INTO tipline_schema (version) VALUES ($1)")
                .bind(index as i64 + 1)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(
            sqlx::query_scalar("SELECT value FROM tipline_meta WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    pub async fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO tipline_meta (key, value) VALUES ($1, $2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(value)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn add_staff(&self, staff: &NewStaff<'_>) -> Result<i64> {
        let id = sqlx::query(
            "INSERT INTO staff (name, role, password_hash, totp_secret, wrapped_key, created_at, \
             tenant_id, teams, provider_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(staff.name)
        .bind(staff.role)
        .bind(staff.password_hash)
        .bind(staff.totp_secret)
        .bind(staff.wrapped_key)
        .bind(staff.created_at)
        .bind(staff.tenant_id)
        .bind(staff.teams)
        .bind(staff.provider_id)
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?;
        Ok(id)
    }

    pub async fn staff_by_name(&self, name: &str) -> Result<Option<StaffRow>> {
        let row = sqlx::query(
            "SELECT id, name, role, password_hash, totp_secret, wrapped_key, disabled, \
             tenant_id, teams, provider_id FROM staff WHERE name = $1",
        )
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(StaffRow {
                id: r.try_get(0)?,
                name: r.try_get(1)?,
                role: r.try_get(2)?,
                password_hash: r.try_get(3)?,
                totp_secret: r.try_get(4)?,
                wrapped_key: r.try_get(5)?,
                disabled: r.try_get::<i64, _>(6)? != 0,
                tenant_id: r.try_get(7)?,
                teams: r.try_get(8)?,
                provider_id: r.try_get(9)?,
            })
        })
        .transpose()
    }

    pub async fn staff_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM staff")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Inserts reports and their attachments in one transaction: one commit
    /// (one fsync) for the whole batch. Returns the new ids in order.
    pub async fn insert_tips(&self, tips: &[NewTip]) -> Result<Vec<i64>> {
        let mut tx = self.pool.begin().await?;
        let mut ids = Vec::with_capacity(tips.len());
        for tip in tips {
            let id: i64 = sqlx::query(
                "INSERT INTO tips (lookup, reporter_key, received_day, urgency, status, updated_day, sealed) \
                 VALUES ($1, $2, $3, $4, 'new', $3, $5) RETURNING id",
            )
            .bind(&tip.lookup)
            .bind(&tip.reporter_key)
            .bind(&tip.received_day)
            .bind(tip.urgency)
            .bind(&tip.sealed)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
            for (media_type, sealed) in &tip.attachments {
                sqlx::query(
                    "INSERT INTO tip_attachments (tip_id, media_type, sealed) VALUES ($1, $2, $3)",
                )
                .bind(id)
                .bind(media_type)
                .bind(sealed)
                .execute(&mut *tx)
                .await?;
            }
            ids.push(id);
        }
        tx.commit().await?;
        Ok(ids)
    }

    const TIP_COLUMNS: &'static str =
        "id, reporter_key, received_day, urgency, status, case_ref, updated_day, sealed";

    fn tip_row(r: &sqlx::any::AnyRow) -> Result<TipRow> {
        Ok(TipRow {
            id: r.try_get(0)?,
            reporter_key: r.try_get(1)?,
            received_day: r.try_get(2)?,
            urgency: r.try_get(3)?,
            status: r.try_get(4)?,
            case_ref: r.try_get(5)?,
            updated_day: r.try_get(6)?,
            sealed: r.try_get(7)?,
        })
    }

    pub async fn tip_by_lookup(&self, lookup: &[u8]) -> Result<Option<TipRow>> {
        let sql = format!("SELECT {} FROM tips WHERE lookup = $1", Self::TIP_COLUMNS);
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(lookup)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(Self::tip_row).transpose()
    }

    pub async fn tip(&self, id: i64) -> Result<Option<TipRow>> {
        let sql = format!("SELECT {} FROM tips WHERE id = $1", Self::TIP_COLUMNS);
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(Self::tip_row).transpose()
    }

    /// The inbox: open reports, immediate danger first, newest first within.
    /// `status` narrows to one status; `None` shows all but closed ones.
    pub async fn inbox(&self, status: Option<&str>, limit: i64) -> Result<Vec<TipRow>> {
        let filter = if status.is_some() {
            "status = $1"
        } else {
            "status <> 'closed' AND $1 = $1"
        };
        let sql = format!(
            "SELECT {} FROM tips WHERE {filter} ORDER BY urgency, id DESC LIMIT $2",
            Self::TIP_COLUMNS
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(status.unwrap_or(""))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(Self::tip_row).collect()
    }

    /// Every report, oldest first, for searches that must open each one.
    pub async fn all_tips(&self) -> Result<Vec<TipRow>> {
        let sql = format!("SELECT {} FROM tips ORDER BY id", Self::TIP_COLUMNS);
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(Self::tip_row).collect()
    }

    pub async fn tip_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM tips")
            .fetch_one(&self.pool)
            .await?)
    }

    pub async fn set_status(
        &self,
        id: i64,
        status: &str,
        case_ref: Option<&str>,
        day: &str,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE tips SET status = $1, case_ref = $2, updated_day = $3 WHERE id = $4",
        )
        .bind(status)
        .bind(case_ref)
        .bind(day)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn add_message(
        &self,
        tip_id: i64,
        author: &str,
        day: &str,
        sealed_org: &[u8],
        sealed_reporter: Option<&[u8]>,
    ) -> Result<i64> {
        let mut tx = self.pool.begin().await?;
        let id = sqlx::query(
            "INSERT INTO tip_messages (tip_id, author, day, sealed_org, sealed_reporter) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(tip_id)
        .bind(author)
        .bind(day)
        .bind(sealed_org)
        .bind(sealed_reporter)
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        sqlx::query("UPDATE tips SET updated_day = $1 WHERE id = $2")
            .bind(day)
            .bind(tip_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn messages(&self, tip_id: i64) -> Result<Vec<MessageRow>> {
        let rows = sqlx::query(
            "SELECT id, author, day, sealed_org, sealed_reporter FROM tip_messages \
             WHERE tip_id = $1 ORDER BY id",
        )
        .bind(tip_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(MessageRow {
                    id: r.try_get(0)?,
                    author: r.try_get(1)?,
                    day: r.try_get(2)?,
                    sealed_org: r.try_get(3)?,
                    sealed_reporter: r.try_get(4)?,
                })
            })
            .collect()
    }

    pub async fn attachments(&self, tip_id: i64) -> Result<Vec<AttachmentRow>> {
        let rows = sqlx::query(
            "SELECT id, tip_id, media_type, sealed FROM tip_attachments WHERE tip_id = $1 ORDER BY id",
        )
        .bind(tip_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AttachmentRow {
                    id: r.try_get(0)?,
                    tip_id: r.try_get(1)?,
                    media_type: r.try_get(2)?,
                    sealed: r.try_get(3)?,
                })
            })
            .collect()
    }

    pub async fn attachment(&self, id: i64) -> Result<Option<AttachmentRow>> {
        let row =
            sqlx::query("SELECT id, tip_id, media_type, sealed FROM tip_attachments WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| {
            Ok(AttachmentRow {
                id: r.try_get(0)?,
                tip_id: r.try_get(1)?,
                media_type: r.try_get(2)?,
                sealed: r.try_get(3)?,
            })
        })
        .transpose()
    }

    /// Appends one audit entry. The table is only ever appended to.
    pub async fn audit(
        &self,
        tenant_id: i64,
        at: i64,
        actor: &str,
        action: &str,
        record: &str,
        detail: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO audit (at, actor, action, record, detail, tenant_id) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(at)
        .bind(actor)
        .bind(action)
        .bind(record)
        .bind(detail)
        .bind(tenant_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The newest `limit` audit entries of one tenant.
    pub async fn audit_entries(&self, tenant_id: i64, limit: i64) -> Result<Vec<AuditRow>> {
        let rows = sqlx::query(
            "SELECT id, at, actor, action, record, detail FROM audit WHERE tenant_id = $1 \
             ORDER BY id DESC LIMIT $2",
        )
        .bind(tenant_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AuditRow {
                    id: r.try_get(0)?,
                    at: r.try_get(1)?,
                    actor: r.try_get(2)?,
                    action: r.try_get(3)?,
                    record: r.try_get(4)?,
                    detail: r.try_get(5)?,
                })
            })
            .collect()
    }

    /// Every text and blob value in every tip-line table, for tests that
    /// prove what the database does not contain.
    pub async fn dump_for_inspection(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        for (table, columns) in [
            ("tipline_meta", "key, value"),
            (
                "staff",
                "name, role, password_hash, totp_secret, wrapped_key",
            ),
            (
                "tips",
                "received_day, status, COALESCE(case_ref, ''), updated_day",
            ),
            ("audit", "actor, action, record, detail"),
            ("tenants", "name, public_key"),
            (
                "cases",
                "case_id, COALESCE(owner, ''), COALESCE(team_id, ''), status, document",
            ),
            ("case_referrals", "case_id, provider_id, status"),
        ] {
            let sql = format!("SELECT {columns} FROM {table}");
            for row in sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(&self.pool)
                .await?
            {
                for i in 0..row.len() {
                    let text: String = row.try_get(i)?;
                    out.extend_from_slice(text.as_bytes());
                    out.push(b'\n');
                }
            }
        }
        for (table, column) in [
            ("tips", "lookup"),
            ("tips", "reporter_key"),
            ("tips", "sealed"),
            ("tip_messages", "sealed_org"),
            ("tip_attachments", "sealed"),
        ] {
            let sql = format!("SELECT {column} FROM {table}");
            for row in sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_all(&self.pool)
                .await?
            {
                let blob: Vec<u8> = row.try_get(0)?;
                out.extend_from_slice(&blob);
                out.push(b'\n');
            }
        }
        Ok(out)
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}
