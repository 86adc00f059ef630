//! Template clusters and networks as stored by `ctip networks build`.

use crate::encoding::decode_identifiers;
use crate::{Result, Store, StoreError};
use ctip_core::{Ad, Identifier, IdentifierKind};
use sqlx::{QueryBuilder, Row, Sqlite};

/// Rows per multi-row INSERT here: at most 6 parameters each.
const ROWS: usize = 1000;

/// An ad as linking reads it. Without text (`with_text` false), `title` and
/// `body` are empty.
#[derive(Debug, Clone)]
pub struct LinkableAd {
    pub rowid: i64,
    pub scan_id: i64,
    pub ad: Ad,
    pub score: f32,
    pub identifiers: Vec<Identifier>,
}

/// What the last build kept of one ad.
#[derive(Debug, Clone)]
pub struct LinkState {
    pub rowid: i64,
    pub sketch: Vec<u8>,
    pub template: i64,
    pub network: i64,
    pub coverage: Option<f32>,
}

/// What a build writes for one ad.
#[derive(Debug, Clone)]
pub struct LinkUpdate {
    pub rowid: i64,
    pub scan_id: i64,
    /// Set for ads linked for the first time.
    pub sketch: Option<Vec<u8>>,
    pub template: i64,
    pub network: i64,
    pub coverage: Option<f32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TemplateRow {
    pub id: i64,
    pub ads: i64,
    pub text: String,
    pub coverage: f32,
    pub compression: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NetworkRow {
    pub id: i64,
    pub ads: i64,
    pub risk: f32,
    /// The network's summary, as JSON.
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerdictRow {
    pub kind: IdentifierKind,
    pub value: String,
    pub ads: i64,
    pub groups: i64,
    pub hub: bool,
    pub overridden: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HubDecision {
    Link,
    Suppress,
}

impl HubDecision {
    fn as_str(self) -> &'static str {
        match self {
            HubDecision::Link => "link",
            HubDecision::Suppress => "suppress",
        }
    }
}

fn kind(text: &str) -> Result<IdentifierKind> {
    IdentifierKind::parse(text).ok_or_else(|| {
        StoreError::Database(sqlx::Error::Decode(
            format!("unknown identifier kind {text:?}").into(),
        ))
    })
}

impl Store {
    /// The sketch, template and network of every linked ad, in rowid order.
    pub async fn link_state(&self) -> Result<Vec<LinkState>> {
        let rows = sqlx::query(
            "SELECT ad_rowid, sketch, template, network, coverage FROM ad_links ORDER BY ad_rowid",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(LinkState {
                    rowid: r.try_get(0)?,
                    sketch: r.try_get(1)?,
                    template: r.try_get(2)?,
                    network: r.try_get(3)?,
                    coverage: r.try_get::<Option<f64>, _>(4)?.map(|c| c as f32),
                })
            })
            .collect()
    }

    /// Linked ads that were rescanned or are gone since they were linked:
    /// their old sketches no longer describe them.
    pub async fn stale_links(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM ad_links l LEFT JOIN ads a ON a.rowid = l.ad_rowid \
             WHERE a.rowid IS NULL OR a.scan_id != l.scan_id",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(n as u64)
    }

    /// Up to `limit` ads with rowid above `after`, in rowid order.
    pub async fn linkable_ads(
        &self,
        after: i64,
        limit: u32,
        with_text: bool,
    ) -> Result<Vec<LinkableAd>> {
        let columns = linkable_columns(with_text);
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {columns} FROM ads WHERE rowid > $1 ORDER BY rowid LIMIT $2"
        )))
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(linkable).collect()
    }

    /// The ads with these rowids, in rowid order.
    pub async fn linkable_ads_by_rowid(
        &self,
        rowids: &[i64],
        with_text: bool,
    ) -> Result<Vec<LinkableAd>> {
        let mut out = Vec::with_capacity(rowids.len());
        for chunk in rowids.chunks(ROWS) {
            let mut query = QueryBuilder::<Sqlite>::new(format!(
                "SELECT {} FROM ads WHERE rowid IN (",
                linkable_columns(with_text)
            ));
            let mut list = query.separated(", ");
            for rowid in chunk {
                list.push_bind(*rowid);
            }
            query.push(") ORDER BY rowid");
            for row in query.build().fetch_all(&self.pool).await? {
                out.push(linkable(&row)?);
            }
        }
        out.sort_by_key(|a| a.rowid);
        Ok(out)
    }

    /// Writes a build. `full` replaces every ad's links; otherwise `updates`
    /// hold new ads (with sketches) and old ads whose template, network or
    /// coverage changed. Templates, networks and verdicts are replaced
    /// whole. One transaction: a crash keeps the previous build.
    pub async fn save_links(
        &self,
        full: bool,
        updates: &[LinkUpdate],
        templates: &[TemplateRow],
        networks: &[NetworkRow],
        verdicts: &[VerdictRow],
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        if full {
            sqlx::query("DELETE FROM ad_links")
                .execute(&mut *tx)
                .await?;
        }
        let (new, changed): (Vec<&LinkUpdate>, Vec<&LinkUpdate>) =
            updates.iter().partition(|u| u.sketch.is_some());
        for chunk in new.chunks(ROWS) {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT OR REPLACE INTO ad_links (ad_rowid, scan_id, sketch, template, network, coverage) ",
            );
            insert.push_values(chunk, |mut row, u| {
                row.push_bind(u.rowid)
                    .push_bind(u.scan_id)
                    .push_bind(u.sketch.as_deref().unwrap_or_default())
                    .push_bind(u.template)
                    .push_bind(u.network)
                    .push_bind(u.coverage.map(f64::from));
            });
            insert.build().execute(&mut *tx).await?;
        }
        for u in changed {
            sqlx::query(
                "UPDATE ad_links SET template = $1, network = $2, coverage = $3 WHERE ad_rowid = $4",
            )
            .bind(u.template)
            .bind(u.network)
            .bind(u.coverage.map(f64::from))
            .bind(u.rowid)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("DELETE FROM templates")
            .execute(&mut *tx)
            .await?;
        for chunk in templates.chunks(ROWS) {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO templates (id, ads, text, coverage, compression) ",
            );
            insert.push_values(chunk, |mut row, t| {
                row.push_bind(t.id)
                    .push_bind(t.ads)
                    .push_bind(t.text.as_str())
                    .push_bind(f64::from(t.coverage))
                    .push_bind(f64::from(t.compression));
            });
            insert.build().execute(&mut *tx).await?;
        }
        sqlx::query("DELETE FROM networks")
            .execute(&mut *tx)
            .await?;
        for chunk in networks.chunks(ROWS) {
            let mut insert =
                QueryBuilder::<Sqlite>::new("INSERT INTO networks (id, ads, risk, summary) ");
            insert.push_values(chunk, |mut row, n| {
                row.push_bind(n.id)
                    .push_bind(n.ads)
                    .push_bind(f64::from(n.risk))
                    .push_bind(n.summary.as_str());
            });
            insert.build().execute(&mut *tx).await?;
        }
        sqlx::query("DELETE FROM identifier_verdicts")
            .execute(&mut *tx)
            .await?;
        for chunk in verdicts.chunks(ROWS) {
            let mut insert = QueryBuilder::<Sqlite>::new(
                "INSERT INTO identifier_verdicts (kind, value, ads, groups, hub, overridden) ",
            );
            insert.push_values(chunk, |mut row, v| {
                row.push_bind(v.kind.as_str())
                    .push_bind(v.value.as_str())
                    .push_bind(v.ads)
                    .push_bind(v.groups)
                    .push_bind(v.hub)
                    .push_bind(v.overridden);
            });
            insert.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn hub_overrides(&self) -> Result<Vec<(IdentifierKind, String, HubDecision)>> {
        let rows =
            sqlx::query("SELECT kind, value, decision FROM hub_overrides ORDER BY kind, value")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| {
                let decision: String = r.try_get(2)?;
                Ok((
                    kind(&r.try_get::<String, _>(0)?)?,
                    r.try_get(1)?,
                    if decision == "link" {
                        HubDecision::Link
                    } else {
                        HubDecision::Suppress
                    },
                ))
            })
            .collect()
    }

    /// Records an analyst's decision on an identifier; `None` returns it to
    /// the hub rule.
    pub async fn set_hub_override(
        &self,
        kind: IdentifierKind,
        value: &str,
        decision: Option<HubDecision>,
    ) -> Result<()> {
        match decision {
            Some(d) => {
                sqlx::query(
                    "INSERT INTO hub_overrides (kind, value, decision) VALUES ($1, $2, $3) \
                     ON CONFLICT(kind, value) DO UPDATE SET decision = excluded.decision",
                )
                .bind(kind.as_str())
                .bind(value)
                .bind(d.as_str())
                .execute(&self.pool)
                .await?;
            }
            None => {
                sqlx::query("DELETE FROM hub_overrides WHERE kind = $1 AND value = $2")
                    .bind(kind.as_str())
                    .bind(value)
                    .execute(&self.pool)
                    .await?;
            }
        }
        Ok(())
    }

    /// Networks, riskiest first.
    pub async fn networks(&self, limit: u32, min_ads: u32) -> Result<Vec<NetworkRow>> {
        let rows = sqlx::query(
            "SELECT id, ads, risk, summary FROM networks WHERE ads >= $1 \
             ORDER BY risk DESC, ads DESC, id LIMIT $2",
        )
        .bind(i64::from(min_ads))
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(network_row).collect()
    }

    pub async fn network(&self, id: i64) -> Result<Option<NetworkRow>> {
        let row = sqlx::query("SELECT id, ads, risk, summary FROM networks WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(network_row).transpose()
    }

    /// The network (by id) of an ad, by the ad's id.
    pub async fn network_of_ad(&self, ad_id: &str) -> Result<Option<(i64, i64)>> {
        let row = sqlx::query(
            "SELECT a.rowid, l.network FROM ads a JOIN ad_links l ON l.ad_rowid = a.rowid WHERE a.id = $1",
        )
        .bind(ad_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((r.try_get(0)?, r.try_get(1)?))).transpose()
    }

    /// Rowids and ids of a network's ads, in rowid order.
    pub async fn network_members(&self, network: i64) -> Result<Vec<(i64, String)>> {
        let rows = sqlx::query(
            "SELECT a.rowid, a.id FROM ad_links l JOIN ads a ON a.rowid = l.ad_rowid \
             WHERE l.network = $1 ORDER BY a.rowid",
        )
        .bind(network)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// Template cluster (by id) of each of a network's ads, by rowid.
    pub async fn network_templates(&self, network: i64) -> Result<Vec<(i64, i64)>> {
        let rows = sqlx::query(
            "SELECT ad_rowid, template FROM ad_links WHERE network = $1 ORDER BY ad_rowid",
        )
        .bind(network)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// Networks whose ads show an identifier, largest first.
    pub async fn networks_with_identifier(
        &self,
        kind: IdentifierKind,
        value: &str,
    ) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT l.network FROM ad_identifiers i JOIN ads a ON a.id = i.ad_id \
             JOIN ad_links l ON l.ad_rowid = a.rowid JOIN networks n ON n.id = l.network \
             WHERE i.kind = $1 AND i.value = $2 GROUP BY l.network ORDER BY MAX(n.ads) DESC, l.network",
        )
        .bind(kind.as_str())
        .bind(value)
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn all_templates(&self) -> Result<Vec<TemplateRow>> {
        let rows =
            sqlx::query("SELECT id, ads, text, coverage, compression FROM templates ORDER BY id")
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(template_row).collect()
    }

    pub async fn templates_by_id(&self, ids: &[i64]) -> Result<Vec<TemplateRow>> {
        let mut out = Vec::new();
        for chunk in ids.chunks(ROWS) {
            let mut query = QueryBuilder::<Sqlite>::new(
                "SELECT id, ads, text, coverage, compression FROM templates WHERE id IN (",
            );
            let mut list = query.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            query.push(") ORDER BY ads DESC, id");
            for r in query.build().fetch_all(&self.pool).await? {
                out.push(template_row(&r)?);
            }
        }
        Ok(out)
    }

    /// The verdict on an identifier, if two or more ads show it.
    pub async fn verdict(&self, kind: IdentifierKind, value: &str) -> Result<Option<VerdictRow>> {
        let row = sqlx::query(
            "SELECT kind, value, ads, groups, hub, overridden FROM identifier_verdicts WHERE kind = $1 AND value = $2",
        )
        .bind(kind.as_str())
        .bind(value)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(verdict_row).transpose()
    }

    /// Identifiers judged hubs, most ads first.
    pub async fn hubs(&self) -> Result<Vec<VerdictRow>> {
        let rows = sqlx::query(
            "SELECT kind, value, ads, groups, hub, overridden FROM identifier_verdicts \
             WHERE hub = 1 ORDER BY ads DESC, kind, value",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(verdict_row).collect()
    }
}

fn linkable_columns(with_text: bool) -> &'static str {
    if with_text {
        "rowid, scan_id, id, title, body, url, posted_at, city, region, country, name, score, result"
    } else {
        "rowid, scan_id, id, NULL AS title, '' AS body, url, posted_at, city, region, country, name, score, result"
    }
}

fn linkable(row: &sqlx::sqlite::SqliteRow) -> Result<LinkableAd> {
    let ad = crate::ad_from_row(row)?;
    let result: String = row.try_get("result")?;
    Ok(LinkableAd {
        rowid: row.try_get("rowid")?,
        scan_id: row.try_get("scan_id")?,
        score: row.try_get::<f64, _>("score")? as f32,
        identifiers: decode_identifiers(&result)?,
        ad,
    })
}

fn template_row(r: &sqlx::sqlite::SqliteRow) -> Result<TemplateRow> {
    Ok(TemplateRow {
        id: r.try_get(0)?,
        ads: r.try_get(1)?,
        text: r.try_get(2)?,
        coverage: r.try_get::<f64, _>(3)? as f32,
        compression: r.try_get::<f64, _>(4)? as f32,
    })
}

fn network_row(r: &sqlx::sqlite::SqliteRow) -> Result<NetworkRow> {
    Ok(NetworkRow {
        id: r.try_get(0)?,
        ads: r.try_get(1)?,
        risk: r.try_get::<f64, _>(2)? as f32,
        summary: r.try_get(3)?,
    })
}

fn verdict_row(r: &sqlx::sqlite::SqliteRow) -> Result<VerdictRow> {
    Ok(VerdictRow {
        kind: kind(&r.try_get::<String, _>(0)?)?,
        value: r.try_get(1)?,
        ads: r.try_get(2)?,
        groups: r.try_get(3)?,
        hub: r.try_get(4)?,
        overridden: r.try_get(5)?,
    })
}
