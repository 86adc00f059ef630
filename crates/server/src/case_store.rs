//! Cases between the domain (`ctip-cases`) and the database (`ctip-store`):
//! sealing on the way in, opening on the way out, the referral index, and
//! the access facts. Shared by the caseworker pages, the retention sweep and
//! the exchange of bundles with other organisations.

use ctip_cases::picklist::CaseStatus;
use ctip_cases::{Case, CaseResource, FieldKey, IsoDate, Picklist, Principal, RecordId};
use ctip_store::cases::{StoredCase, StoredReferral};
use ctip_store::tipline::TipDb;
use ctip_tipline::{KeyPurpose, OrgSecretKey, Role};

use crate::session::Session;

#[derive(Debug, thiserror::Error)]
pub enum CaseStoreError {
    #[error(transparent)]
    Store(#[from] ctip_store::StoreError),
    #[error("stored case {case_id}: {source}")]
    Open {
        case_id: String,
        source: ctip_cases::SealError,
    },
    #[error("stored case {0} has a malformed day or status column")]
    Column(String),
}

/// The tenant's key for case fields, derived from the tenant's secret.
pub fn field_key(secret: &OrgSecretKey) -> FieldKey {
    FieldKey::from_bytes(secret.derive(KeyPurpose::CaseFields).expose())
}

/// How tenants are named in case access decisions and the ledger.
pub fn tenant_record_id(tenant_id: i64) -> RecordId {
    RecordId::parse(&format!("org-{tenant_id}")).expect("org-N is a valid record id")
}

/// The case-management role of a staff account, if it has one.
pub fn case_role(role: Role) -> Option<ctip_cases::Role> {
    match role {
        Role::Caseworker => Some(ctip_cases::Role::Caseworker),
        Role::Supervisor => Some(ctip_cases::Role::Supervisor),
        Role::Analyst => Some(ctip_cases::Role::Analyst),
        Role::Provider => Some(ctip_cases::Role::Provider),
        Role::Auditor => Some(ctip_cases::Role::Auditor),
        Role::Admin => Some(ctip_cases::Role::Admin),
        Role::Hotline => None,
    }
}

/// The signed-in staff member as access control sees them: `None` for an
/// account without a case role (staff names are checked at enrolment to be
/// valid record ids).
pub fn principal(session: &Session) -> Option<Principal> {
    Some(Principal {
        user_id: RecordId::parse(&session.name).ok()?,
        tenant_id: tenant_record_id(session.tenant_id),
        role: case_role(session.role)?,
        team_ids: session
            .teams
            .iter()
            .filter_map(|team| RecordId::parse(team).ok())
            .collect(),
        provider_id: session
            .provider_id
            .as_deref()
            .and_then(|p| RecordId::parse(p).ok()),
    })
}

/// The access facts of a stored case, from its columns and referral index
/// alone (no key needed). `None` if the row's id is not a record id, which
/// only a hand-edited database can hold.
pub fn resource(row: &StoredCase, referrals: &[StoredReferral]) -> Option<CaseResource> {
    Some(CaseResource {
        tenant_id: tenant_record_id(row.tenant_id),
        case_id: RecordId::parse(&row.case_id).ok()?,
        owner: row.owner.as_deref().and_then(|o| RecordId::parse(o).ok()),
        team_id: row.team_id.as_deref().and_then(|t| RecordId::parse(t).ok()),
        referrals: referrals
            .iter()
            .filter_map(|r| {
                Some(ctip_cases::CaseReferral {
                    provider_id: RecordId::parse(&r.provider_id).ok()?,
                    status: ctip_cases::picklist::ReferralStatus::parse(&r.status).ok()?,
                })
            })
            .collect(),
    })
}

/// The referral index of a case: its referrals made through ctip.
pub fn referral_index(case: &Case) -> Vec<StoredReferral> {
    case.outgoing_referrals
        .iter()
        .enumerate()
        .filter_map(|(position, referral)| {
            Some(StoredReferral {
                position: position as i64,
                provider_id: referral.referred_organisation.as_str().to_owned(),
                status: referral.status?.as_str().to_owned(),
            })
        })
        .collect()
}

fn is_closed(status: CaseStatus) -> bool {
    matches!(status, CaseStatus::Closed | CaseStatus::ClosedReferred)
}

/// The row for `case`, given what the previous version held (`None` for a
/// new case). Closing sets the closing day; reopening keeps it (retention
/// only counts it while the case is closed).
pub fn to_row(
    case: &Case,
    tenant_id: i64,
    team_id: Option<&str>,
    key: &FieldKey,
    today: IsoDate,
    previous: Option<&StoredCase>,
) -> StoredCase {
    let today = today.to_string();
    let was_closed = previous
        .and_then(|p| CaseStatus::parse(&p.status).ok())
        .is_some_and(is_closed);
    let closed_on = if is_closed(case.status) && !was_closed {
        Some(today.clone())
    } else {
        previous.and_then(|p| p.closed_on.clone())
    };
    StoredCase {
        tenant_id,
        case_id: case.id.as_str().to_owned(),
        owner: case.owner.as_ref().map(|o| o.as_str().to_owned()),
        team_id: team_id.map(str::to_owned),
        status: case.status.as_str().to_owned(),
        closed_on,
        legal_hold: previous.is_some_and(|p| p.legal_hold),
        created_day: previous.map_or_else(|| today.clone(), |p| p.created_day.clone()),
        updated_day: today,
        version: previous.map_or(1, |p| p.version + 1),
        document: ctip_cases::seal_case(case, key),
    }
}

/// Opens a stored case with the tenant's key.
pub fn open(row: &StoredCase, key: &FieldKey) -> Result<Case, CaseStoreError> {
    ctip_cases::open_case(&row.document, &row.case_id, key).map_err(|source| CaseStoreError::Open {
        case_id: row.case_id.clone(),
        source,
    })
}

/// Stores a new case. Returns `false`, storing nothing, if the tenant
/// already holds a case with that id.
pub async fn insert(
    db: &TipDb,
    case: &Case,
    tenant_id: i64,
    team_id: Option<&str>,
    key: &FieldKey,
    today: IsoDate,
) -> Result<bool, CaseStoreError> {
    let row = to_row(case, tenant_id, team_id, key, today, None);
    Ok(db.insert_case(&row, &referral_index(case)).await?)
}

/// Replaces a case read as `previous`. Returns `false` if it changed since.
pub async fn update(
    db: &TipDb,
    case: &Case,
    previous: &StoredCase,
    key: &FieldKey,
    today: IsoDate,
) -> Result<bool, CaseStoreError> {
    let row = to_row(
        case,
        previous.tenant_id,
        previous.team_id.as_deref(),
        key,
        today,
        Some(previous),
    );
    Ok(db
        .update_case(&row, previous.version, &referral_index(case))
        .await?)
}

/// Today as the case model's date.
pub fn today(now: i64) -> IsoDate {
    IsoDate::parse(&ctip_tipline::day_of(now)).expect("day_of writes ISO dates")
}

#[derive(Debug, thiserror::Error)]
pub enum ResearchExportError {
    #[error(transparent)]
    Setup(#[from] crate::SetupError),
    #[error(transparent)]
    Cases(#[from] CaseStoreError),
    #[error("{0:?} is not an active analyst with that password")]
    NotAnalyst(String),
    #[error("the export could not be recorded in the audit ledger, so nothing was written")]
    NotRecorded,
}

/// What [`research_export`] produced.
pub struct ResearchExport {
    /// The HTCDS bundle of de-identified cases.
    pub bundle: serde_json::Value,
    pub exported: usize,
    /// Cases left out because their statistics consent does not stand.
    pub without_consent: usize,
}

/// The de-identified bundle an analyst takes to `ctip stats`: every case of
/// their tenant whose consent to statistics stands on `today`, through
/// `ctip_cases::deidentify` (age bands instead of birth dates, no names,
/// contact details, identity numbers or free text). Each exported case is
/// recorded in the ledger before anything is returned.
pub async fn research_export(
    db: &TipDb,
    ledger: Option<&ctip_store::ledger::LedgerStore>,
    analyst: &str,
    password: &str,
    today: IsoDate,
) -> Result<ResearchExport, ResearchExportError> {
    let (row, secret) = crate::setup::unlock_staff(db, analyst, password).await?;
    if row.role != Role::Analyst.as_str() {
        return Err(ResearchExportError::NotAnalyst(analyst.to_owned()));
    }
    let key = field_key(&secret);
    let mut cases = Vec::new();
    let mut without_consent = 0;
    for stored in db
        .all_cases(row.tenant_id)
        .await
        .map_err(CaseStoreError::from)?
    {
        let case = open(&stored, &key)?;
        if ctip_cases::may_count_in_statistics(&case, today).is_ok() {
            cases.push(ctip_cases::deidentify(&case, today));
        } else {
            without_consent += 1;
        }
    }
    let actor = format!("staff:{analyst}");
    for case in &cases {
        let record = format!("case:{}", case.id.as_str());
        if !crate::staff::append_audit(
            db,
            ledger,
            row.tenant_id,
            &actor,
            "export",
            &record,
            "deidentified for statistics",
        )
        .await
        {
            return Err(ResearchExportError::NotRecorded);
        }
    }
    Ok(ResearchExport {
        bundle: ctip_cases::export_bundle(&cases),
        exported: cases.len(),
        without_consent,
    })
}
