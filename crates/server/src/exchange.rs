//! Exchanging cases with another organisation (issue 6, section 2): signed
//! HTCDS bundles out of one tenant and into another, possibly on another
//! server.
//!
//! The format and its signature live in `ctip_share::bundle`; this module
//! decides what may leave, what may come in, and records both.
//!
//! # Decisions
//!
//! - **Supervisors exchange.** A supervisor oversees the cases of their
//!   teams and approves exchanges with other organisations
//!   (`ctip_tipline::Role::Supervisor`); an administrator never sees case
//!   contents, a caseworker sees only their own cases. Export asks
//!   `ctip_cases::decide_case` for [`Operation::Export`] with the full view,
//!   so a supervisor exports the cases of their teams and no other; cases
//!   outside them are counted, never opened.
//! - **Consent to sharing.** Handing a case to another organisation is what
//!   the victim's "sharing with law enforcement" consent is about: it is the
//!   only one of ctip's consent purposes that covers a case leaving the
//!   organisation for a partner agency (referrals to services are a
//!   different purpose and go through the service directory). A case is
//!   exported only if that consent stands on the day of export
//!   ([`may_share_with_law_enforcement`]), and the receiver checks it again
//!   for the bundle's day, so a sender that skipped the check is refused.
//!   Consent records are not sealed, so cases left out are never decrypted.
//! - **The receiver's own copy.** The sender's case owner is one of the
//!   sender's users and the referral statuses concern the sender's service
//!   providers (whose ids could collide with the receiver's and grant them
//!   access), so an imported case is owned by the importing supervisor, in
//!   their first team, with its outgoing referrals kept but their ctip status
//!   dropped.
//! - **Cases already held.** A case whose id the tenant already holds is
//!   "already held" if the stored case opens to the same case (ignoring
//!   owner and referral statuses, as above) and is skipped. If the id is
//!   taken by a different case, the whole bundle is refused and the ids are
//!   named: importing under a new id would keep two diverging records of
//!   one person without anyone deciding which is right, and a later bundle
//!   with the sender's corrections could never be matched again. Someone
//!   reconciles the two by hand, then imports the bundle.
//! - **All or nothing.** A bundle whose signature, sender, recipient, day,
//!   consent or any case document is wrong imports nothing; errors name the
//!   JSON pointer (from the envelope's root: `/cases/3/victim/id`), never a
//!   value. The exchange row and the new cases are written in one
//!   transaction ([`TipDb::import_exchange`]), so a replay (the same signed
//!   content, by [`VerifiedBundle::bundle_id`]) writes nothing either.
//! - **Record first.** As everywhere in ctip, the audit table and the ledger
//!   are written before the data moves: export entries before the signed
//!   bytes are returned, import entries before the transaction. The ledger
//!   may therefore name an import whose transaction then failed (a crash,
//!   the same bundle imported concurrently); it never misses one that
//!   happened. Stored cases opened to compare with the bundle are recorded
//!   as reads first. Entries carry ids only: `case:<id>` and
//!   `bundle:<sha256>`.

use ctip_cases::picklist::CaseStatus;
use ctip_cases::{
    Case, CaseResource, Consent, IsoDate, Operation, Principal, RecordId, View, decide_case,
    may_share_with_law_enforcement,
};
use ctip_share::bundle::{
    self, BundleError, BundleHeader, IdentityKey, IdentitySigner, SignError, VerifiedBundle,
};
use ctip_store::cases::{ExchangeImport, ExchangeRow, StoredCase, StoredReferral, TenantRow};
use ctip_store::ledger::{LedgerStore, NewEntry};
use ctip_store::tipline::{StaffRow, TipDb};
use ctip_tipline::{KeyPurpose, OrgSecretKey, PasswordHash, Role, WrappedKey};

use crate::case_store::{self, CaseStoreError};

/// Most problems listed in an error message; the rest are counted.
const LISTED_PROBLEMS: usize = 20;

#[derive(Debug, thiserror::Error)]
pub enum ExchangeError {
    #[error(transparent)]
    Store(#[from] ctip_store::StoreError),
    #[error("{name:?} is not an active {roles} with that password")]
    NotAuthorised { name: String, roles: &'static str },
    #[error("staff member {0:?} has no team to hold imported cases")]
    NoTeam(String),
    #[error("the stored password hash is unusable: {0}")]
    Staff(ctip_tipline::StaffError),
    #[error("the organisation key could not be unwrapped: {0}")]
    Key(ctip_tipline::KeyError),
    #[error(transparent)]
    CaseStore(#[from] CaseStoreError),
    #[error(
        "nothing to export: no case of your teams has consent to sharing on {day} ({without_consent} without it, {outside_teams} outside your teams)"
    )]
    NothingToShare {
        day: IsoDate,
        without_consent: usize,
        outside_teams: usize,
    },
    #[error("the bundle could not be signed: {0}")]
    Sign(SignError),
    #[error("the bundle is refused: {0}")]
    Bundle(BundleError),
    #[error("the bundle is refused: it is addressed to {recipient:?}, not to {ours:?}")]
    WrongRecipient { recipient: String, ours: String },
    #[error("the bundle is refused: it is dated {created}, after today ({today})")]
    Future { created: IsoDate, today: IsoDate },
    #[error("the bundle was already received (bundle {bundle_id}); nothing was imported")]
    Replay { bundle_id: String },
    #[error("{}", describe_invalid(.0))]
    InvalidCases(Vec<CaseProblem>),
    #[error(
        "the bundle is refused: case id(s) {} are already used here by different cases; reconcile them, then import again",
        .0.join(", ")
    )]
    Conflict(Vec<String>),
    #[error("the audit record could not be written, so nothing was done: {0}")]
    Ledger(ctip_store::ledger::LedgerStoreError),
    #[error("an audit entry does not fit the ledger's format: {0}")]
    Entry(ctip_ledger::EntryError),
}

// These variants spell their cause out in their own message, so they are
// built by hand rather than with `#[from]`: as an error `source` too, the
// cause would be printed twice in an error chain.
macro_rules! wraps {
    ($($variant:ident($cause:ty)),* $(,)?) => {
        $(impl From<$cause> for ExchangeError {
            fn from(cause: $cause) -> Self {
                ExchangeError::$variant(cause)
            }
        })*
    };
}

wraps!(
    Staff(ctip_tipline::StaffError),
    Key(ctip_tipline::KeyError),
    Sign(SignError),
    Bundle(BundleError),
    Ledger(ctip_store::ledger::LedgerStoreError),
    Entry(ctip_ledger::EntryError),
);

/// One reason a case of a bundle is refused: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseProblem {
    /// JSON pointer from the envelope's root (`/cases/2/victim/id`).
    pub pointer: String,
    /// What is wrong, never the value found.
    pub problem: String,
}

fn describe_invalid(problems: &[CaseProblem]) -> String {
    let mut text = format!(
        "the bundle is refused, nothing was imported: {} problem(s) in its cases",
        problems.len()
    );
    for problem in problems.iter().take(LISTED_PROBLEMS) {
        text.push_str(&format!("\n  {}: {}", problem.pointer, problem.problem));
    }
    if problems.len() > LISTED_PROBLEMS {
        text.push_str(&format!(
            "\n  … and {} more",
            problems.len() - LISTED_PROBLEMS
        ));
    }
    text
}

/// What to export, and as whom.
pub struct ExportRequest<'a> {
    /// The supervisor signing the bundle.
    pub staff: &'a str,
    /// Their password, which unwraps the organisation's key.
    pub password: &'a str,
    /// The organisation the bundle is for; the receiver refuses it if the
    /// name is not its own.
    pub recipient: Option<&'a str>,
    /// Today: consent must stand on this day, and it dates the bundle.
    pub day: IsoDate,
    /// Unix seconds, for the audit records.
    pub now: i64,
}

/// A signed bundle and what went into it.
#[derive(Debug)]
pub struct ExportOutcome {
    /// The signed envelope, to hand to the recipient.
    pub bundle: Vec<u8>,
    /// SHA-256 of its signed content (what the receiver records).
    pub bundle_id: String,
    /// The key it is signed with.
    pub sender_key: IdentityKey,
    /// Ids of the cases in the bundle.
    pub exported: Vec<String>,
    /// Cases of the supervisor's teams left out for lack of consent.
    pub without_consent: usize,
    /// Cases of the tenant outside the supervisor's teams (not opened).
    pub outside_teams: usize,
}

/// What to import, and as whom.
pub struct ImportRequest<'a> {
    /// The supervisor receiving the bundle.
    pub staff: &'a str,
    pub password: &'a str,
    /// The envelope as received.
    pub bytes: &'a [u8],
    /// The keys of the organisations this one exchanges with.
    pub trusted: &'a [IdentityKey],
    /// Today.
    pub day: IsoDate,
    /// Unix seconds, for the audit records.
    pub now: i64,
}

/// What an import did.
#[derive(Debug)]
pub struct ImportOutcome {
    pub bundle_id: String,
    pub sender_name: String,
    pub sender_key: IdentityKey,
    /// Ids of the cases stored.
    pub imported: Vec<String>,
    /// Ids of the cases this tenant already held, unchanged.
    pub already_held: Vec<String>,
}

/// A staff member whose password checked out, with their tenant's key.
struct Unlocked {
    staff: StaffRow,
    tenant: TenantRow,
    secret: OrgSecretKey,
}

impl Unlocked {
    fn actor(&self) -> String {
        format!("staff:{}", self.staff.name)
    }

    fn teams(&self) -> Vec<&str> {
        self.staff
            .teams
            .split(',')
            .filter(|team| !team.is_empty())
            .collect()
    }

    /// The staff member as case access control sees them.
    fn principal(&self) -> Option<Principal> {
        Some(Principal {
            user_id: RecordId::parse(&self.staff.name).ok()?,
            tenant_id: case_store::tenant_record_id(self.tenant.id),
            role: case_store::case_role(Role::parse(&self.staff.role).ok()?)?,
            team_ids: self
                .teams()
                .into_iter()
                .filter_map(|team| RecordId::parse(team).ok())
                .collect(),
            provider_id: None,
        })
    }
}

/// Checks that `name` is an active staff member in one of `roles` with
/// that password, and unwraps their tenant's key.
async fn unlock(
    db: &TipDb,
    name: &str,
    password: &str,
    roles: &[Role],
    roles_text: &'static str,
) -> Result<Unlocked, ExchangeError> {
    let refused = || ExchangeError::NotAuthorised {
        name: name.to_owned(),
        roles: roles_text,
    };
    let staff = db
        .staff_by_name(name)
        .await?
        .filter(|s| !s.disabled)
        .filter(|s| Role::parse(&s.role).is_ok_and(|role| roles.contains(&role)))
        .ok_or_else(refused)?;
    if !PasswordHash::from_stored(staff.password_hash.clone()).verify(password)? {
        return Err(refused());
    }
    let secret = WrappedKey::from_json(&staff.wrapped_key)?.unwrap_with(password)?;
    let tenant = db.tenant(staff.tenant_id).await?.ok_or_else(refused)?;
    Ok(Unlocked {
        staff,
        tenant,
        secret,
    })
}

fn signer(secret: &OrgSecretKey) -> IdentitySigner {
    IdentitySigner::from_seed(secret.derive(KeyPurpose::ExchangeIdentity).expose())
}

/// The organisation's public identity key, for partners to trust. Any
/// supervisor or administrator can read it out (it is public; their
/// password unwraps the key it derives from).
pub async fn identity(
    db: &TipDb,
    staff: &str,
    password: &str,
) -> Result<IdentityKey, ExchangeError> {
    let unlocked = unlock(
        db,
        staff,
        password,
        &[Role::Supervisor, Role::Admin],
        "supervisor or administrator",
    )
    .await?;
    Ok(signer(&unlocked.secret).public_key())
}

/// The bundles a tenant has received, for a supervisor, administrator or
/// auditor of that tenant.
pub async fn received(
    db: &TipDb,
    staff: &str,
    password: &str,
) -> Result<Vec<ExchangeRow>, ExchangeError> {
    let unlocked = unlock(
        db,
        staff,
        password,
        &[Role::Supervisor, Role::Admin, Role::Auditor],
        "supervisor, administrator or auditor",
    )
    .await?;
    Ok(db.exchanges(unlocked.tenant.id).await?)
}

/// Signs the consented cases of the supervisor's teams into a bundle.
pub async fn export_bundle(
    db: &TipDb,
    ledger: &LedgerStore,
    request: &ExportRequest<'_>,
) -> Result<ExportOutcome, ExchangeError> {
    let unlocked = unlock(
        db,
        request.staff,
        request.password,
        &[Role::Supervisor],
        "supervisor",
    )
    .await?;
    let principal = unlocked
        .principal()
        .ok_or_else(|| ExchangeError::NotAuthorised {
            name: request.staff.to_owned(),
            roles: "supervisor",
        })?;
    let key = case_store::field_key(&unlocked.secret);
    let mut cases = Vec::new();
    let mut without_consent = 0;
    let mut outside_teams = 0;
    for row in db.all_cases(unlocked.tenant.id).await? {
        // Referrals only matter to provider accounts, which never export.
        let allowed = case_store::resource(&row, &[])
            .map(|resource| decide_case(&principal, Operation::Export, &resource).view());
        if allowed != Some(Some(View::Full)) {
            outside_teams += 1;
            continue;
        }
        if !consent_to_share(&row, request.day)? {
            without_consent += 1;
            continue;
        }
        let case = case_store::open(&row, &key)?;
        // The sealed and the opened document hold the same consent; this
        // only guards against the two checks ever drifting apart.
        if may_share_with_law_enforcement(&case, request.day).is_ok() {
            cases.push(case);
        } else {
            without_consent += 1;
        }
    }
    if cases.is_empty() {
        return Err(ExchangeError::NothingToShare {
            day: request.day,
            without_consent,
            outside_teams,
        });
    }
    // A case the receiver's import would refuse spoils the whole bundle:
    // say which now.
    let mut problems = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        if let Err(errors) = ctip_cases::validate_case(case) {
            problems.extend(errors.iter().map(|error| case_problem(error, index)));
        }
    }
    if !problems.is_empty() {
        return Err(ExchangeError::InvalidCases(problems));
    }
    let signer = signer(&unlocked.secret);
    let day = request.day.to_string();
    let bytes = bundle::sign(
        &signer,
        &BundleHeader {
            sender_name: &unlocked.tenant.name,
            created_day: &day,
            recipient: request.recipient,
        },
        &ctip_cases::export_bundle(&cases),
    )?;
    // Reading our own bundle back gives its id and proves it verifies.
    let verified = bundle::verify(&bytes, &[signer.public_key()])?;
    let exported: Vec<String> = cases.iter().map(|c| c.id.as_str().to_owned()).collect();
    let mut entries: Vec<Audit> = exported
        .iter()
        .map(|id| Audit::new("export", format!("case:{id}"), String::new()))
        .collect();
    entries.push(Audit::new(
        "export",
        format!("bundle:{}", verified.bundle_id_hex()),
        format!(
            "cases={};without_consent={without_consent};outside_teams={outside_teams}",
            exported.len()
        ),
    ));
    record(db, ledger, &unlocked, request.now, entries).await?;
    Ok(ExportOutcome {
        bundle: bytes,
        bundle_id: verified.bundle_id_hex(),
        sender_key: signer.public_key(),
        exported,
        without_consent,
        outside_teams,
    })
}

/// Verifies a bundle and stores its new cases in the supervisor's tenant.
pub async fn import_bundle(
    db: &TipDb,
    ledger: &LedgerStore,
    request: &ImportRequest<'_>,
) -> Result<ImportOutcome, ExchangeError> {
    let unlocked = unlock(
        db,
        request.staff,
        request.password,
        &[Role::Supervisor],
        "supervisor",
    )
    .await?;
    let owner =
        RecordId::parse(&unlocked.staff.name).map_err(|_| ExchangeError::NotAuthorised {
            name: request.staff.to_owned(),
            roles: "supervisor",
        })?;
    let team = unlocked
        .teams()
        .first()
        .map(|team| (*team).to_owned())
        .ok_or_else(|| ExchangeError::NoTeam(request.staff.to_owned()))?;

    let verified = bundle::verify(request.bytes, request.trusted)?;
    check_envelope(&verified, &unlocked.tenant, request.day)?;
    let bundle_id = verified.bundle_id_hex();
    if db
        .exchanges(unlocked.tenant.id)
        .await?
        .iter()
        .any(|exchange| exchange.bundle_sha256 == bundle_id)
    {
        return Err(ExchangeError::Replay { bundle_id });
    }
    let incoming = valid_cases(&verified)?;

    // Which ids are taken here, before opening any stored case.
    let mut taken: Vec<(usize, StoredCase)> = Vec::new();
    for (index, case) in incoming.iter().enumerate() {
        if let Some(row) = db.case(unlocked.tenant.id, case.id.as_str()).await? {
            taken.push((index, row));
        }
    }
    if !taken.is_empty() {
        let reads = taken
            .iter()
            .map(|(_, row)| {
                Audit::new(
                    "read",
                    format!("case:{}", row.case_id),
                    format!("compare-with-bundle={}", &bundle_id[..16]),
                )
            })
            .collect();
        record(db, ledger, &unlocked, request.now, reads).await?;
    }
    let key = case_store::field_key(&unlocked.secret);
    let mut already_held = Vec::new();
    let mut conflicts = Vec::new();
    for (index, row) in &taken {
        let stored = case_store::open(row, &key)?;
        if as_received(&stored, None) == as_received(&incoming[*index], None) {
            already_held.push(row.case_id.clone());
        } else {
            conflicts.push(row.case_id.clone());
        }
    }
    if !conflicts.is_empty() {
        return Err(ExchangeError::Conflict(conflicts));
    }

    let resource_team = RecordId::parse(&team).ok();
    let mut rows: Vec<(StoredCase, Vec<StoredReferral>)> = Vec::new();
    let mut imported = Vec::new();
    for (index, case) in incoming.iter().enumerate() {
        if taken.iter().any(|(held, _)| *held == index) {
            continue;
        }
        let case = as_received(case, Some(owner.clone()));
        let allowed = unlocked.principal().map(|principal| {
            let resource = CaseResource::for_case(
                &case,
                case_store::tenant_record_id(unlocked.tenant.id),
                resource_team.clone(),
            );
            decide_case(&principal, Operation::Create, &resource).view()
        });
        if allowed != Some(Some(View::Full)) {
            return Err(ExchangeError::NotAuthorised {
                name: request.staff.to_owned(),
                roles: "supervisor of the team receiving the cases",
            });
        }
        let row = case_store::to_row(
            &case,
            unlocked.tenant.id,
            Some(&team),
            &key,
            request.day,
            None,
        );
        rows.push((row, case_store::referral_index(&case)));
        imported.push(case.id.as_str().to_owned());
    }

    let sender_key = verified.sender_key();
    let mut entries: Vec<Audit> = imported
        .iter()
        .map(|id| Audit::new("import", format!("case:{id}"), String::new()))
        .collect();
    entries.push(Audit::new(
        "import",
        format!("bundle:{bundle_id}"),
        format!(
            "cases={};already_held={};sender_key={sender_key}",
            imported.len(),
            already_held.len()
        ),
    ));
    record(db, ledger, &unlocked, request.now, entries).await?;

    let exchange = ExchangeRow {
        bundle_sha256: bundle_id.clone(),
        sender_key: sender_key.to_hex(),
        sender_name: verified.sender_name().to_owned(),
        received_day: request.day.to_string(),
        imported: imported.len() as i64,
        already_held: already_held.len() as i64,
    };
    match db
        .import_exchange(unlocked.tenant.id, &exchange, &rows)
        .await?
    {
        ExchangeImport::Imported => Ok(ImportOutcome {
            bundle_id,
            sender_name: verified.sender_name().to_owned(),
            sender_key,
            imported,
            already_held,
        }),
        ExchangeImport::Replay => Err(ExchangeError::Replay { bundle_id }),
        ExchangeImport::CaseTaken(case_id) => Err(ExchangeError::Conflict(vec![case_id])),
    }
}

/// Whether a stored case's consent to sharing stands on `day`, read from
/// the document as stored: consent records are not sealed, so the cases
/// that stay behind are never decrypted (and need no read record). A
/// consent object that does not read counts as no consent.
fn consent_to_share(row: &StoredCase, day: IsoDate) -> Result<bool, CaseStoreError> {
    let document = ctip_cases::sealing::stored_document(&row.document).map_err(|source| {
        CaseStoreError::Open {
            case_id: row.case_id.clone(),
            source,
        }
    })?;
    let Some(consent) = document.get("consent") else {
        return Ok(false);
    };
    let (Ok(consent), Ok(case_id)) = (
        serde_json::from_value::<Consent>(consent.clone()),
        RecordId::parse(&row.case_id),
    ) else {
        return Ok(false);
    };
    // `consent_for` reads only the case's id and consent.
    let mut skeleton = Case::new(case_id.clone(), CaseStatus::Active, case_id);
    skeleton.consent = Some(consent);
    Ok(may_share_with_law_enforcement(&skeleton, day).is_ok())
}

/// The envelope's claims against the receiving tenant and day.
fn check_envelope(
    verified: &VerifiedBundle,
    tenant: &TenantRow,
    today: IsoDate,
) -> Result<(), ExchangeError> {
    if let Some(recipient) = verified.recipient()
        && recipient != tenant.name
    {
        return Err(ExchangeError::WrongRecipient {
            recipient: recipient.to_owned(),
            ours: tenant.name.clone(),
        });
    }
    let created = bundle_day(verified)?;
    if created > today {
        return Err(ExchangeError::Future { created, today });
    }
    Ok(())
}

/// The bundle's day as the case model's date (`bundle::verify` checked
/// its form already).
fn bundle_day(verified: &VerifiedBundle) -> Result<IsoDate, ExchangeError> {
    IsoDate::parse(verified.created_day()).map_err(|_| {
        ExchangeError::Bundle(BundleError::Malformed {
            pointer: "/created_day".to_owned(),
            problem: "expected a calendar date YYYY-MM-DD",
        })
    })
}

/// The bundle's cases if every one is a valid HTCDS case with consent to
/// sharing on the bundle's day; otherwise every problem, by pointer.
fn valid_cases(verified: &VerifiedBundle) -> Result<Vec<Case>, ExchangeError> {
    let cases = ctip_cases::import_bundle(verified.cases_json()).map_err(|errors| {
        ExchangeError::InvalidCases(
            errors
                .iter()
                .map(|error| CaseProblem {
                    pointer: format!("/cases{}", error.pointer),
                    problem: problem_text(&error.kind),
                })
                .collect(),
        )
    })?;
    let day = bundle_day(verified)?;
    let problems: Vec<CaseProblem> = cases
        .iter()
        .enumerate()
        .filter_map(|(index, case)| {
            let refusal = may_share_with_law_enforcement(case, day).err()?;
            Some(CaseProblem {
                pointer: format!("/cases/{index}/consent"),
                problem: format!("no consent to sharing on the bundle's day {day}: {refusal}"),
            })
        })
        .collect();
    if problems.is_empty() {
        Ok(cases)
    } else {
        Err(ExchangeError::InvalidCases(problems))
    }
}

fn case_problem(error: &ctip_cases::ImportError, index: usize) -> CaseProblem {
    CaseProblem {
        pointer: format!("/cases/{index}{}", error.pointer),
        problem: problem_text(&error.kind),
    }
}

/// What is wrong, without the value: two kinds carry a parser's message,
/// which may quote the document.
fn problem_text(kind: &ctip_cases::ImportErrorKind) -> String {
    use ctip_cases::ImportErrorKind as Kind;
    match kind {
        Kind::InvalidJson { line, column, .. } => {
            format!("not valid JSON at line {line}, column {column}")
        }
        Kind::ModelMismatch { .. } => {
            "internal error, please report: a validated case does not fit the model".to_owned()
        }
        other => other.to_string(),
    }
}

/// The case as the receiving organisation keeps it (see the module
/// documentation): `owner` instead of the sender's, referral statuses
/// dropped.
fn as_received(case: &Case, owner: Option<RecordId>) -> Case {
    let mut case = case.clone();
    case.owner = owner;
    for referral in &mut case.outgoing_referrals {
        referral.status = None;
    }
    case
}

/// One audit record: the same action, record and detail go to the audit
/// table and the ledger.
struct Audit {
    action: &'static str,
    record: String,
    detail: String,
}

impl Audit {
    fn new(action: &'static str, record: String, detail: String) -> Self {
        Audit {
            action,
            record,
            detail,
        }
    }
}

/// Writes `entries` to the audit table and, in one batch, to the ledger.
async fn record(
    db: &TipDb,
    ledger: &LedgerStore,
    by: &Unlocked,
    at: i64,
    entries: Vec<Audit>,
) -> Result<(), ExchangeError> {
    use ctip_ledger::{Action, Actor, Detail, RecordRef, Tenant};
    let actor = by.actor();
    let tenant = Tenant::new(case_store::tenant_record_id(by.tenant.id).as_str())?;
    // Every entry is checked against the ledger's format before anything
    // is written, so a bad one cannot leave half a record.
    let mut ledger_entries = Vec::with_capacity(entries.len());
    for entry in &entries {
        let (kind, id) = entry
            .record
            .split_once(':')
            .ok_or(ctip_ledger::EntryError::MalformedRecordRef)?;
        let mut new = NewEntry::new(
            at,
            Actor::new(actor.clone())?,
            Action::from_name(entry.action)?,
            RecordRef::new(kind, id)?,
            tenant.clone(),
        );
        if !entry.detail.is_empty() {
            new = new.with_detail(Detail::new(entry.detail.clone())?);
        }
        ledger_entries.push(new);
    }
    for entry in &entries {
        db.audit(
            by.tenant.id,
            at,
            &actor,
            entry.action,
            &entry.record,
            &entry.detail,
        )
        .await?;
    }
    ledger.append_batch(ledger_entries).await?;
    Ok(())
}
