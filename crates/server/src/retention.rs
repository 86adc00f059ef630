//! The retention sweep: purges closed cases whose period has passed.
//!
//! It needs no key: status, closing day and legal hold are columns beside
//! the sealed document, so the sweep can run unattended (`ctip serve cases
//! purge` from a daily timer). Each purge is written to the audit table and
//! the ledger before the row is deleted; if the record cannot be written,
//! the case is kept.

use ctip_cases::picklist::CaseStatus;
use ctip_cases::{CaseMeta, IsoDate, Picklist, PurgeDecision, RetentionPolicy, purge_due};
use ctip_store::ledger::LedgerStore;
use ctip_store::tipline::TipDb;

use crate::staff::append_audit;

/// What a sweep did.
#[derive(Debug, Default)]
pub struct SweepReport {
    /// Closed cases looked at.
    pub checked: usize,
    /// (tenant, case id) purged, or due in a dry run.
    pub purged: Vec<(i64, String)>,
    /// Closed cases kept under legal hold.
    pub held: usize,
    /// Closed cases kept because their period has not passed.
    pub kept: usize,
    /// Cases kept because something is wrong with them or the record of
    /// the purge could not be written (ids and reasons, no content).
    pub problems: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    #[error(transparent)]
    Store(#[from] ctip_store::StoreError),
}

/// The retention policy a tenant has set.
fn policy(tenant: &ctip_store::cases::TenantRow) -> Result<RetentionPolicy, String> {
    let days = |d: i64| u32::try_from(d).map_err(|_| format!("retention of {d} days"));
    RetentionPolicy::new(
        days(tenant.closed_retention_days)?,
        days(tenant.referred_retention_days)?,
    )
    .map_err(|e| e.to_string())
}

/// Purges every closed case due on `today` in every tenant. With
/// `dry_run`, lists them instead and changes nothing.
pub async fn sweep(
    db: &TipDb,
    ledger: Option<&LedgerStore>,
    today: IsoDate,
    dry_run: bool,
) -> Result<SweepReport, SweepError> {
    let mut report = SweepReport::default();
    for tenant in db.tenants().await? {
        let policy = match policy(&tenant) {
            Ok(policy) => policy,
            Err(problem) => {
                report
                    .problems
                    .push(format!("tenant {}: {problem}", tenant.id));
                continue;
            }
        };
        for case in db.all_cases(tenant.id).await? {
            let Ok(status) = CaseStatus::parse(&case.status) else {
                report
                    .problems
                    .push(format!("{}: unknown status column", case.case_id));
                continue;
            };
            let closed_on = match case.closed_on.as_deref().map(IsoDate::parse) {
                None => None,
                Some(Ok(day)) => Some(day),
                Some(Err(_)) => {
                    report
                        .problems
                        .push(format!("{}: malformed closing day", case.case_id));
                    continue;
                }
            };
            let meta = CaseMeta {
                status,
                closed_on,
                legal_hold: case.legal_hold,
            };
            let due_since = match purge_due(&meta, today, &policy) {
                Ok(PurgeDecision::KeepOpen) => continue,
                Ok(PurgeDecision::KeepLegalHold) => {
                    report.checked += 1;
                    report.held += 1;
                    continue;
                }
                Ok(PurgeDecision::Keep { .. }) => {
                    report.checked += 1;
                    report.kept += 1;
                    continue;
                }
                Ok(PurgeDecision::Purge { due_since }) => due_since,
                Err(e) => {
                    report.checked += 1;
                    report.problems.push(format!("{}: {e}", case.case_id));
                    continue;
                }
            };
            report.checked += 1;
            if !dry_run {
                let recorded = append_audit(
                    db,
                    ledger,
                    tenant.id,
                    "system:retention",
                    "purge",
                    &format!("case:{}", case.case_id),
                    &format!("due-since-{due_since}"),
                )
                .await;
                if !recorded {
                    report.problems.push(format!(
                        "{}: the purge could not be recorded, so the case was kept",
                        case.case_id
                    ));
                    continue;
                }
                db.delete_case(tenant.id, &case.case_id).await?;
            }
            report.purged.push((tenant.id, case.case_id));
        }
    }
    Ok(report)
}
