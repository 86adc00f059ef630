//! Whether the victim's consent allows a use of their case on a given day,
//! and the one exception: an audited override.
//!
//! Every check returns a [`ConsentGrant`] on success. A grant can only be
//! made here (its fields are private), names its case, purpose and day, and
//! says whether consent was given or overridden; [`crate::referral`] asks
//! for one before it writes a referral, so a referral without consent cannot
//! be built by mistake.
//!
//! ## Rules
//!
//! - Consent is per purpose ([`ConsentPurpose`]). It stands on a day if it
//!   was given on or before that day and not withdrawn on or before it
//!   ([`crate::PurposeConsent::stands_on`]). No record means no consent. The
//!   model has no expiry date; consent ends only by withdrawal.
//! - If the HTCDS checkbox `con_Consent` is explicitly `false` (the person
//!   declined the interview and the management of their data), no purpose
//!   stands, whatever the per-purpose records say: when the two disagree
//!   the refusal wins.
//! - An override ([`override_consent`]) needs the
//!   [`Operation::OverrideConsent`] permission on the case, which
//!   [`crate::access`] gives to the case's supervisors only, a reason code,
//!   and a written reason of at least [`OverrideReason::MIN_CHARS`]
//!   characters. Statistics and research consent cannot be overridden:
//!   no emergency needs a person counted in research against their will.
//! - The written reason may name people and circumstances, so it belongs in
//!   the encrypted case record; the [`AuditNote`] that goes to the ledger
//!   carries only who, what, which case, the day and the reason code.

use crate::access::{CaseResource, Decision, DenyReason, Operation, Principal, Role, decide_case};
use crate::model::{Case, ConsentPurpose};
use crate::values::{IsoDate, RecordId};

/// Why consent does not allow a use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConsentRefusal {
    /// No consent was ever recorded for the purpose.
    #[error("no consent to {} has been recorded", .purpose.as_str())]
    NeverGiven {
        /// The purpose asked for.
        purpose: ConsentPurpose,
    },
    /// Consent is recorded from a later day than the one asked about.
    #[error("consent to {} is recorded only from {given_on}, after {day}", .purpose.as_str())]
    NotYetGiven {
        /// The purpose asked for.
        purpose: ConsentPurpose,
        /// The day consent was given.
        given_on: IsoDate,
        /// The day asked about.
        day: IsoDate,
    },
    /// Consent was withdrawn on or before the day asked about.
    #[error("consent to {} was withdrawn on {withdrawn_on}", .purpose.as_str())]
    Withdrawn {
        /// The purpose asked for.
        purpose: ConsentPurpose,
        /// The day it was withdrawn.
        withdrawn_on: IsoDate,
    },
    /// `con_Consent` is `false`: the person declined the management of their
    /// data, which outranks any per-purpose record.
    #[error("the person declined the management of their data (con_Consent is false)")]
    DataManagementDeclined {
        /// The purpose asked for.
        purpose: ConsentPurpose,
    },
}

impl ConsentRefusal {
    /// The purpose that was refused.
    pub fn purpose(&self) -> ConsentPurpose {
        match self {
            Self::NeverGiven { purpose }
            | Self::NotYetGiven { purpose, .. }
            | Self::Withdrawn { purpose, .. }
            | Self::DataManagementDeclined { purpose } => *purpose,
        }
    }
}

/// Proof that a use of a case is covered for one purpose on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentGrant {
    case_id: RecordId,
    purpose: ConsentPurpose,
    day: IsoDate,
    basis: ConsentBasis,
}

impl ConsentGrant {
    /// The case the grant covers.
    pub fn case_id(&self) -> &RecordId {
        &self.case_id
    }

    /// The purpose the grant covers.
    pub fn purpose(&self) -> ConsentPurpose {
        self.purpose
    }

    /// The day the grant was made for; it is worth nothing on another day.
    pub fn day(&self) -> IsoDate {
        self.day
    }

    /// Whether consent was given or overridden.
    pub fn basis(&self) -> &ConsentBasis {
        &self.basis
    }

    /// The note the ledger must record, if consent was overridden.
    pub fn audit_note(&self) -> Option<&AuditNote> {
        match &self.basis {
            ConsentBasis::Given { .. } => None,
            ConsentBasis::Overridden(note) => Some(note),
        }
    }
}

/// Why a use is covered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConsentBasis {
    /// The person's consent stands.
    Given {
        /// The day it was given.
        given_on: IsoDate,
        /// The user who recorded it.
        recorded_by: RecordId,
    },
    /// A supervisor set a refusal aside; the note must be audited.
    Overridden(AuditNote),
}

/// Checks the consent for `purpose` on `day`.
pub fn consent_for(
    case: &Case,
    purpose: ConsentPurpose,
    day: IsoDate,
) -> Result<ConsentGrant, ConsentRefusal> {
    let consent = case.consent.as_ref();
    if consent.and_then(|consent| consent.consent) == Some(false) {
        return Err(ConsentRefusal::DataManagementDeclined { purpose });
    }
    let Some(record) = consent.and_then(|consent| consent.for_purpose(purpose)) else {
        return Err(ConsentRefusal::NeverGiven { purpose });
    };
    // The same test as `PurposeConsent::stands_on`, split to say why not.
    if day < record.given_on {
        return Err(ConsentRefusal::NotYetGiven {
            purpose,
            given_on: record.given_on,
            day,
        });
    }
    if let Some(withdrawn_on) = record.withdrawn_on
        && withdrawn_on <= day
    {
        return Err(ConsentRefusal::Withdrawn {
            purpose,
            withdrawn_on,
        });
    }
    Ok(ConsentGrant {
        case_id: case.id.clone(),
        purpose,
        day,
        basis: ConsentBasis::Given {
            given_on: record.given_on,
            recorded_by: record.recorded_by.clone(),
        },
    })
}

/// Whether the case may be referred to a service provider on `day`.
pub fn may_refer(case: &Case, day: IsoDate) -> Result<ConsentGrant, ConsentRefusal> {
    consent_for(case, ConsentPurpose::ReferralToServices, day)
}

/// Whether the case may be shared with law enforcement on `day`.
pub fn may_share_with_law_enforcement(
    case: &Case,
    day: IsoDate,
) -> Result<ConsentGrant, ConsentRefusal> {
    consent_for(case, ConsentPurpose::SharingWithLawEnforcement, day)
}

/// Whether the case may be counted in de-identified statistics and research
/// on `day`.
pub fn may_count_in_statistics(case: &Case, day: IsoDate) -> Result<ConsentGrant, ConsentRefusal> {
    consent_for(case, ConsentPurpose::StatisticsAndResearch, day)
}

/// Whether a purpose's refusal may be overridden at all.
pub fn is_overridable(purpose: ConsentPurpose) -> bool {
    match purpose {
        ConsentPurpose::ReferralToServices | ConsentPurpose::SharingWithLawEnforcement => true,
        ConsentPurpose::StatisticsAndResearch => false,
    }
}

/// The category of an override's reason: what the audit log may say about
/// why, without personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OverrideReasonCode {
    /// Someone's life or physical safety is at immediate risk.
    RiskToLife,
    /// A child must be protected (child protection services must be told).
    ChildSafeguarding,
    /// A court ordered the disclosure.
    CourtOrder,
    /// A law obliges the organisation to report or disclose.
    StatutoryDuty,
}

impl OverrideReasonCode {
    /// Every code.
    pub const ALL: [OverrideReasonCode; 4] = [
        Self::RiskToLife,
        Self::ChildSafeguarding,
        Self::CourtOrder,
        Self::StatutoryDuty,
    ];

    /// The code as audited (`risk_to_life`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RiskToLife => "risk_to_life",
            Self::ChildSafeguarding => "child_safeguarding",
            Self::CourtOrder => "court_order",
            Self::StatutoryDuty => "statutory_duty",
        }
    }

    /// The code with that name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|code| code.as_str() == name)
    }
}

/// Why an override's written reason was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OverrideReasonError {
    /// Too short to explain anything.
    #[error("the reason must have at least {min} characters, not {found}")]
    TooShort {
        /// The least accepted, after trimming.
        min: usize,
        /// How many there were, after trimming.
        found: usize,
    },
    /// Longer than a case record field should hold.
    #[error("the reason must have at most {max} characters, not {found}")]
    TooLong {
        /// The most accepted, after trimming.
        max: usize,
        /// How many there were, after trimming.
        found: usize,
    },
}

/// The written reason for an override, trimmed and of a sensible length.
/// It may hold personal data: store it in the encrypted case record, never
/// in the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverrideReason(String);

impl OverrideReason {
    /// The least number of characters (Unicode scalar values, after
    /// trimming): enough that "urgent" or "see file" is refused.
    pub const MIN_CHARS: usize = 20;
    /// The most characters accepted, so that the reason fits a record field.
    pub const MAX_CHARS: usize = 4000;

    /// Validates a written reason.
    pub fn new(text: &str) -> Result<Self, OverrideReasonError> {
        let trimmed = text.trim();
        let found = trimmed.chars().count();
        if found < Self::MIN_CHARS {
            Err(OverrideReasonError::TooShort {
                min: Self::MIN_CHARS,
                found,
            })
        } else if found > Self::MAX_CHARS {
            Err(OverrideReasonError::TooLong {
                max: Self::MAX_CHARS,
                found,
            })
        } else {
            Ok(Self(trimmed.to_owned()))
        }
    }

    /// The reason's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A request to set a refused consent aside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentOverride {
    /// Who asks.
    pub by: Principal,
    /// The purpose whose refusal is set aside.
    pub purpose: ConsentPurpose,
    /// The category of the reason, for the audit log.
    pub reason_code: OverrideReasonCode,
    /// The written reason, for the encrypted case record.
    pub reason: OverrideReason,
}

/// What the ledger records about an override: who, what, which case, when
/// and the reason's category, never the reason's text or case contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditNote {
    /// The tenant of the case.
    pub tenant_id: RecordId,
    /// The case.
    pub case_id: RecordId,
    /// The user who overrode.
    pub actor: RecordId,
    /// Their role.
    pub actor_role: Role,
    /// The purpose whose refusal was set aside.
    pub purpose: ConsentPurpose,
    /// Why, as a category.
    pub reason_code: OverrideReasonCode,
    /// The refusal that was set aside, as a category.
    pub refusal: RefusalKind,
    /// The day of the override.
    pub day: IsoDate,
}

impl AuditNote {
    /// The event name for the ledger.
    pub const EVENT: &'static str = "consent_override";
}

/// The kind of a [`ConsentRefusal`], without its dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefusalKind {
    /// See [`ConsentRefusal::NeverGiven`].
    NeverGiven,
    /// See [`ConsentRefusal::NotYetGiven`].
    NotYetGiven,
    /// See [`ConsentRefusal::Withdrawn`].
    Withdrawn,
    /// See [`ConsentRefusal::DataManagementDeclined`].
    DataManagementDeclined,
}

impl RefusalKind {
    /// The kind as audited (`never_given`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NeverGiven => "never_given",
            Self::NotYetGiven => "not_yet_given",
            Self::Withdrawn => "withdrawn",
            Self::DataManagementDeclined => "data_management_declined",
        }
    }
}

impl From<&ConsentRefusal> for RefusalKind {
    fn from(refusal: &ConsentRefusal) -> Self {
        match refusal {
            ConsentRefusal::NeverGiven { .. } => Self::NeverGiven,
            ConsentRefusal::NotYetGiven { .. } => Self::NotYetGiven,
            ConsentRefusal::Withdrawn { .. } => Self::Withdrawn,
            ConsentRefusal::DataManagementDeclined { .. } => Self::DataManagementDeclined,
        }
    }
}

/// Why an override was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OverrideRefusal {
    /// The purpose's refusal can never be set aside.
    #[error("consent to {} cannot be overridden", .0.as_str())]
    NotOverridable(ConsentPurpose),
    /// The principal may not override consent on this case.
    #[error("no permission to override consent on this case: {reason}")]
    NotPermitted {
        /// Why, from [`crate::access::decide`].
        reason: DenyReason,
        /// Whether the principal may learn the case exists (403 or 404).
        visible: bool,
    },
    /// The access facts given are those of another case.
    #[error("the case resource does not describe the case")]
    CaseMismatch,
}

/// Accepts an override of the consent for `request.purpose` on `day`, if the
/// requester holds the permission on this case.
///
/// If consent in fact stands, the grant says so and there is nothing to
/// audit as an override. Otherwise the grant carries the [`AuditNote`] that
/// the server must append to the ledger in the same transaction as the use,
/// and the server stores `request.reason` in the encrypted case record.
pub fn override_consent(
    case: &Case,
    resource: &CaseResource,
    day: IsoDate,
    request: &ConsentOverride,
) -> Result<ConsentGrant, OverrideRefusal> {
    if resource.case_id != case.id {
        return Err(OverrideRefusal::CaseMismatch);
    }
    if !is_overridable(request.purpose) {
        return Err(OverrideRefusal::NotOverridable(request.purpose));
    }
    if let Decision::Deny { reason, visible } =
        decide_case(&request.by, Operation::OverrideConsent, resource)
    {
        return Err(OverrideRefusal::NotPermitted { reason, visible });
    }
    match consent_for(case, request.purpose, day) {
        Ok(grant) => Ok(grant),
        Err(refusal) => Ok(ConsentGrant {
            case_id: case.id.clone(),
            purpose: request.purpose,
            day,
            basis: ConsentBasis::Overridden(AuditNote {
                tenant_id: resource.tenant_id.clone(),
                case_id: case.id.clone(),
                actor: request.by.user_id.clone(),
                actor_role: request.by.role,
                purpose: request.purpose,
                reason_code: request.reason_code,
                refusal: RefusalKind::from(&refusal),
                day,
            }),
        }),
    }
}
