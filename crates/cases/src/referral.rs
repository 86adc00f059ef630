//! Referrals to service providers: who may send one, and how it moves
//! through `sent → accepted | rejected`, `accepted → completed`.
//!
//! - **Sending** ([`send_referral`]) needs the [`Operation::Refer`]
//!   permission on the case (its caseworker or a supervisor of its team), a
//!   provider listed in the tenant's [`ServiceDirectory`], and a
//!   [`ConsentGrant`] for referral to services for this case and this day
//!   (given, or overridden by a supervisor).
//! - **Moving** ([`move_referral`]) is the provider's alone: only the
//!   provider the referral names may accept or reject a sent referral and
//!   complete an accepted one. The referring side does not move it, so the
//!   status always says what the provider did.
//! - `rejected` and `completed` are final. There is no cancellation: the
//!   `ctip:status` picklist has no value for it, and a referral withdrawn by
//!   the referring side is a new state the HTCDS document would have to
//!   carry first.

use std::collections::BTreeSet;

use crate::access::{CaseResource, Decision, DenyReason, Operation, Principal, decide_case};
use crate::consent_rules::ConsentGrant;
use crate::model::{ConsentPurpose, OutgoingReferral};
use crate::picklist::ReferralStatus;
use crate::values::{IsoDate, RecordId};

/// The providers a tenant may refer to, by their directory ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceDirectory {
    providers: BTreeSet<RecordId>,
}

impl ServiceDirectory {
    /// A directory listing these providers.
    pub fn new(providers: impl IntoIterator<Item = RecordId>) -> Self {
        Self {
            providers: providers.into_iter().collect(),
        }
    }

    /// Whether the provider is listed.
    pub fn contains(&self, provider: &RecordId) -> bool {
        self.providers.contains(provider)
    }
}

/// Why a referral was not sent or not moved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferralError {
    /// The principal may not do this on this case.
    #[error("not permitted on this case: {reason}")]
    NotPermitted {
        /// Why, from [`crate::access::decide`].
        reason: DenyReason,
        /// Whether the principal may learn the case exists (403 or 404).
        visible: bool,
    },
    /// The provider is not in the tenant's service directory.
    #[error("provider {provider} is not in the service directory")]
    UnknownProvider {
        /// The provider asked for.
        provider: RecordId,
    },
    /// The consent grant covers another purpose.
    #[error("the consent grant covers {}, not referral to services", .found.as_str())]
    WrongConsentPurpose {
        /// The purpose the grant covers.
        found: ConsentPurpose,
    },
    /// The consent grant covers another case.
    #[error("the consent grant covers another case")]
    ConsentForAnotherCase,
    /// The consent grant was made for another day.
    #[error("the consent grant was made for {granted_for}, not {day}")]
    StaleConsent {
        /// The grant's day.
        granted_for: IsoDate,
        /// The day of the referral.
        day: IsoDate,
    },
    /// A provider acting on a referral made to another provider.
    #[error("the referral was made to another provider")]
    NotTheReferredProvider,
    /// The referral given is not among the case's referrals.
    #[error("the referral is not one of the case's referrals")]
    NotOnCase,
    /// The referral has no `ctip:status` (it was imported, not sent through
    /// ctip), so it cannot move.
    #[error("the referral has no status")]
    NoStatus,
    /// The state machine has no such step.
    #[error("a referral cannot go from {from} to {to}")]
    InvalidTransition {
        /// The current status.
        from: ReferralStatus,
        /// The status asked for.
        to: ReferralStatus,
    },
}

fn not_permitted(decision: Decision) -> Option<ReferralError> {
    match decision {
        Decision::Allow { .. } => None,
        Decision::Deny { reason, visible } => Some(ReferralError::NotPermitted { reason, visible }),
    }
}

/// Whether the state machine has a step from `from` to `to`.
pub fn is_allowed_transition(from: ReferralStatus, to: ReferralStatus) -> bool {
    next_statuses(from).contains(&to)
}

/// The statuses a referral may move to from `from`; empty when final.
pub fn next_statuses(from: ReferralStatus) -> &'static [ReferralStatus] {
    match from {
        ReferralStatus::Sent => &[ReferralStatus::Accepted, ReferralStatus::Rejected],
        ReferralStatus::Accepted => &[ReferralStatus::Completed],
        ReferralStatus::Rejected | ReferralStatus::Completed => &[],
    }
}

/// Writes a new referral of the case to `provider`, with status `sent` and
/// dated `day`. The server fills in the reason and details, and adds it to
/// the case's `outgoing_referrals`.
pub fn send_referral(
    by: &Principal,
    case: &CaseResource,
    provider: &RecordId,
    directory: &ServiceDirectory,
    consent: &ConsentGrant,
    day: IsoDate,
) -> Result<OutgoingReferral, ReferralError> {
    if let Some(error) = not_permitted(decide_case(by, Operation::Refer, case)) {
        return Err(error);
    }
    if consent.case_id() != &case.case_id {
        return Err(ReferralError::ConsentForAnotherCase);
    }
    if consent.purpose() != ConsentPurpose::ReferralToServices {
        return Err(ReferralError::WrongConsentPurpose {
            found: consent.purpose(),
        });
    }
    if consent.day() != day {
        return Err(ReferralError::StaleConsent {
            granted_for: consent.day(),
            day,
        });
    }
    if !directory.contains(provider) {
        return Err(ReferralError::UnknownProvider {
            provider: provider.clone(),
        });
    }
    Ok(OutgoingReferral {
        id: None,
        referred_organisation: provider.clone(),
        referred_case_worker: None,
        reason: None,
        date: Some(day),
        details: None,
        status: Some(ReferralStatus::Sent),
    })
}

/// Moves `referral` (one of the case's) to `to`, returning the new status
/// for the server to store. Only the referred provider may; see the module
/// documentation.
pub fn move_referral(
    by: &Principal,
    case: &CaseResource,
    referral: &OutgoingReferral,
    to: ReferralStatus,
) -> Result<ReferralStatus, ReferralError> {
    if let Some(error) = not_permitted(decide_case(by, Operation::RespondToReferral, case)) {
        return Err(error);
    }
    // `decide_case` allowed a provider with some open referral on the case;
    // this one must be theirs.
    if by.provider_id.as_ref() != Some(&referral.referred_organisation) {
        return Err(ReferralError::NotTheReferredProvider);
    }
    let from = referral.status.ok_or(ReferralError::NoStatus)?;
    let on_case = case.referrals.iter().any(|listed| {
        listed.provider_id == referral.referred_organisation && listed.status == from
    });
    if !on_case {
        return Err(ReferralError::NotOnCase);
    }
    if is_allowed_transition(from, to) {
        Ok(to)
    } else {
        Err(ReferralError::InvalidTransition { from, to })
    }
}
