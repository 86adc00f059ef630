//! Who may do what to which resource: issue 5's access rules as one pure,
//! total function, [`decide`].
//!
//! The server describes the request (a [`Principal`], an [`Operation`] and
//! the [`Resource`] it touches) and applies the [`Decision`]. Nothing here
//! reads a database or a clock, so every rule is testable with plain values
//! (`tests/access_matrix.rs` holds the full role × operation × relationship
//! matrix, which is the specification).
//!
//! ## The rules
//!
//! - **Tenants first.** A principal never touches a resource of another
//!   tenant, whatever their role and whatever ids happen to match. Such an
//!   attempt is [`DenyReason::CrossTenant`] with `visible: false`: the server
//!   answers 404, exactly as for a record that does not exist, and audits it.
//! - **Caseworker:** the cases they own ([`CaseResource::owner`]): read,
//!   update, export and refer; they may create a case only as its owner and
//!   in one of their own teams, so that every new case has a supervisor.
//! - **Supervisor:** the cases of their teams ([`CaseResource::team_id`] in
//!   [`Principal::team_ids`]): everything a caseworker may do, plus purge,
//!   reassign, and override consent. Owning a case outside their teams gives
//!   a supervisor nothing: the team is the unit of supervision.
//! - **Analyst:** read and export any case of the tenant, always as the
//!   [`View::Deidentified`] view ([`crate::deidentify`]), and read the
//!   de-identified statistics. The server must also leave out cases without
//!   statistics consent (see [`crate::consent_rules::may_count_in_statistics`]).
//! - **Provider:** a service-provider account, living in the tenant of the
//!   organisation that refers to it (the service directory is per tenant, so
//!   tenant isolation has no exception). It sees a case only through a
//!   referral to its [`Principal::provider_id`]: while the referral is `sent`
//!   it sees the [`View::ReferralOffer`] (enough to accept or reject), once
//!   `accepted` the [`View::Referral`]; after `rejected` or `completed` it
//!   sees nothing more. Cases never referred to it are hidden (404), so a
//!   provider cannot probe which cases exist.
//! - **Auditor:** the tenant's audit log, nothing else.
//! - **Admin:** users and settings (including the service directory), and no
//!   case contents at all: not even de-identified ones, nor the audit log.
//!
//! Consent override is held by the supervisor alone: the person asking for a
//! referral (the caseworker) is not the one who may set the victim's refusal
//! aside, so every override involves two people.
//!
//! The retention sweep purges as the system, not as a principal; it asks
//! [`crate::retention::purge_due`], not this module.

use crate::model::Case;
use crate::picklist::ReferralStatus;
use crate::values::RecordId;

/// A user's role in their organisation. One role per account: a person who
/// needs two roles holds two accounts, so that every audit entry names the
/// capacity in which something was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Works their own cases with victims.
    Caseworker,
    /// Oversees the caseworkers and cases of their teams.
    Supervisor,
    /// Studies de-identified data.
    Analyst,
    /// A service provider's account, acting on referrals made to it.
    Provider,
    /// Reviews the audit log.
    Auditor,
    /// Manages users and settings.
    Admin,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 6] = [
        Self::Caseworker,
        Self::Supervisor,
        Self::Analyst,
        Self::Provider,
        Self::Auditor,
        Self::Admin,
    ];

    /// The role's name, as stored and audited (`caseworker`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Caseworker => "caseworker",
            Self::Supervisor => "supervisor",
            Self::Analyst => "analyst",
            Self::Provider => "provider",
            Self::Auditor => "auditor",
            Self::Admin => "admin",
        }
    }

    /// The role with that name.
    pub fn parse(name: &str) -> Option<Role> {
        Self::ALL.into_iter().find(|role| role.as_str() == name)
    }
}

/// The authenticated user making a request, as the server knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The user's id, compared with case owners.
    pub user_id: RecordId,
    /// The organisation (tenant) the account belongs to.
    pub tenant_id: RecordId,
    /// The account's role.
    pub role: Role,
    /// The teams the user belongs to; only a supervisor's teams grant access.
    pub team_ids: Vec<RecordId>,
    /// For a provider account, the provider's id in the tenant's service
    /// directory. A provider account without one sees no case; the field is
    /// ignored for every other role.
    pub provider_id: Option<RecordId>,
}

impl Principal {
    fn is_in_team(&self, team: Option<&RecordId>) -> bool {
        team.is_some_and(|team| self.team_ids.contains(team))
    }

    fn owns(&self, case: &CaseResource) -> bool {
        case.owner.as_ref() == Some(&self.user_id)
    }
}

/// One outgoing referral of a case, as far as access is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseReferral {
    /// The provider referred to (its id in the service directory).
    pub provider_id: RecordId,
    /// Where the referral stands.
    pub status: ReferralStatus,
}

/// What access control needs to know about a case: whose it is, whose team
/// it is in, and whom it was referred to. Never its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseResource {
    /// The tenant holding the case.
    pub tenant_id: RecordId,
    /// The case's id (for audit and to tie consent to the case).
    pub case_id: RecordId,
    /// The owning user (`cas_CaseOwner`), if any.
    pub owner: Option<RecordId>,
    /// The team the case belongs to, if any.
    pub team_id: Option<RecordId>,
    /// The case's outgoing referrals.
    pub referrals: Vec<CaseReferral>,
}

impl CaseResource {
    /// The access facts of a stored case. The tenant and team are not part
    /// of the HTCDS document, so the server passes them. Referrals without a
    /// `ctip:status` (imported from another system, never sent through ctip)
    /// grant no provider access.
    pub fn for_case(case: &Case, tenant_id: RecordId, team_id: Option<RecordId>) -> Self {
        Self {
            tenant_id,
            case_id: case.id.clone(),
            owner: case.owner.clone(),
            team_id,
            referrals: case
                .outgoing_referrals
                .iter()
                .filter_map(|referral| {
                    referral.status.map(|status| CaseReferral {
                        provider_id: referral.referred_organisation.clone(),
                        status,
                    })
                })
                .collect(),
        }
    }

    /// How far the best referral of this case to `provider` has got: an
    /// accepted one wins over a sent one, which wins over closed ones.
    fn referral_standing(&self, provider: Option<&RecordId>) -> ReferralStanding {
        let Some(provider) = provider else {
            return ReferralStanding::None;
        };
        self.referrals
            .iter()
            .filter(|referral| &referral.provider_id == provider)
            .map(|referral| match referral.status {
                ReferralStatus::Accepted => ReferralStanding::Accepted,
                ReferralStatus::Sent => ReferralStanding::Sent,
                ReferralStatus::Rejected | ReferralStatus::Completed => ReferralStanding::Closed,
            })
            .max()
            .unwrap_or(ReferralStanding::None)
    }
}

/// A provider's strongest tie to a case, in increasing order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum ReferralStanding {
    None,
    Closed,
    Sent,
    Accepted,
}

/// What a request touches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resource {
    /// A case: an existing one, or for [`Operation::Create`] the case about
    /// to be created (its owner and team as requested).
    Case(CaseResource),
    /// The tenant's audit log and ledger proofs.
    AuditLog {
        /// The tenant whose log it is.
        tenant_id: RecordId,
    },
    /// The tenant's users and settings (including the service directory).
    Administration {
        /// The tenant administered.
        tenant_id: RecordId,
    },
    /// The tenant's de-identified statistics.
    Statistics {
        /// The tenant the statistics are about.
        tenant_id: RecordId,
    },
}

impl Resource {
    /// The tenant the resource belongs to.
    pub fn tenant_id(&self) -> &RecordId {
        match self {
            Self::Case(case) => &case.tenant_id,
            Self::AuditLog { tenant_id }
            | Self::Administration { tenant_id }
            | Self::Statistics { tenant_id } => tenant_id,
        }
    }
}

/// What a request does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operation {
    /// Read a case.
    Read,
    /// Create a case.
    Create,
    /// Change a case (including its consent records and comments).
    Update,
    /// Export a case as an HTCDS document (consent for the export's purpose
    /// is checked separately, by [`crate::consent_rules`]).
    Export,
    /// Purge a case before its retention period ends (e.g. on request).
    Purge,
    /// Change a case's owner or team.
    Assign,
    /// Send or manage an outgoing referral of a case.
    Refer,
    /// Accept, reject or complete a referral, as the provider.
    RespondToReferral,
    /// Set a refused consent aside, with a reason, for one purpose.
    OverrideConsent,
    /// Read the audit log and ledger proofs.
    ReadAudit,
    /// Create, change or disable user accounts.
    ManageUsers,
    /// Change the tenant's settings and service directory.
    ManageSettings,
    /// Read de-identified statistics.
    ReadStatistics,
}

impl Operation {
    /// Every operation.
    pub const ALL: [Operation; 13] = [
        Self::Read,
        Self::Create,
        Self::Update,
        Self::Export,
        Self::Purge,
        Self::Assign,
        Self::Refer,
        Self::RespondToReferral,
        Self::OverrideConsent,
        Self::ReadAudit,
        Self::ManageUsers,
        Self::ManageSettings,
        Self::ReadStatistics,
    ];

    /// The operation's name, as audited (`read`, `override_consent`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Create => "create",
            Self::Update => "update",
            Self::Export => "export",
            Self::Purge => "purge",
            Self::Assign => "assign",
            Self::Refer => "refer",
            Self::RespondToReferral => "respond_to_referral",
            Self::OverrideConsent => "override_consent",
            Self::ReadAudit => "read_audit",
            Self::ManageUsers => "manage_users",
            Self::ManageSettings => "manage_settings",
            Self::ReadStatistics => "read_statistics",
        }
    }

    /// Whether the operation acts on a case (the others act on the audit
    /// log, the administration or the statistics).
    pub fn acts_on_cases(self) -> bool {
        matches!(
            self,
            Self::Read
                | Self::Create
                | Self::Update
                | Self::Export
                | Self::Purge
                | Self::Assign
                | Self::Refer
                | Self::RespondToReferral
                | Self::OverrideConsent
        )
    }
}

/// How much of the resource an allowed request may show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum View {
    /// Everything (decrypted sensitive fields included).
    Full,
    /// The output of [`crate::deidentify`], or aggregate statistics.
    Deidentified,
    /// What a provider needs to deliver the service of an accepted referral:
    /// the referral and the person's details the referral shares.
    Referral,
    /// What a provider needs to decide on a sent referral: the referral's
    /// reason, date and details written for the provider, no personal data.
    ReferralOffer,
}

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum DenyReason {
    /// The resource belongs to another tenant.
    #[error("the resource belongs to another organisation")]
    CrossTenant,
    /// The operation does not act on that kind of resource.
    #[error("the operation does not apply to this kind of resource")]
    NotApplicable,
    /// The role never may do this.
    #[error("the role may not do this")]
    RoleNotPermitted,
    /// A caseworker acting on a case they do not own.
    #[error("the case is not the user's own")]
    NotOwnCase,
    /// A supervisor acting on a case outside their teams.
    #[error("the case is not in one of the user's teams")]
    NotTeamCase,
    /// A provider acting on a case never referred to it.
    #[error("the case was not referred to the provider")]
    NotReferred,
    /// A provider acting on a case whose referrals to it are all rejected or
    /// completed.
    #[error("the case's referral to the provider is closed")]
    ReferralClosed,
}

/// The outcome of [`decide`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Decision {
    /// Go ahead, showing no more than `view`.
    Allow {
        /// How much of the resource the response may show.
        view: View,
    },
    /// Refuse.
    Deny {
        /// Why, for the audit log (never shown to a user who may not know
        /// the resource exists).
        reason: DenyReason,
        /// Whether the principal may learn that the resource exists: `true`
        /// means answer 403, `false` means answer 404 as if it did not.
        visible: bool,
    },
}

impl Decision {
    /// Whether the request may go ahead.
    pub fn is_allowed(self) -> bool {
        matches!(self, Self::Allow { .. })
    }

    /// The view allowed, if the request is.
    pub fn view(self) -> Option<View> {
        match self {
            Self::Allow { view } => Some(view),
            Self::Deny { .. } => None,
        }
    }

    /// The HTTP status the server answers with on refusal (403 or 404), or
    /// `None` if the request is allowed.
    pub fn refusal_status(self) -> Option<u16> {
        match self {
            Self::Allow { .. } => None,
            Self::Deny { visible: true, .. } => Some(403),
            Self::Deny { visible: false, .. } => Some(404),
        }
    }

    /// Whether this was a cross-tenant attempt, which the issue requires to
    /// be audited as such.
    pub fn is_cross_tenant(self) -> bool {
        matches!(
            self,
            Self::Deny {
                reason: DenyReason::CrossTenant,
                ..
            }
        )
    }
}

const fn allow(view: View) -> Decision {
    Decision::Allow { view }
}

const fn deny(reason: DenyReason) -> Decision {
    Decision::Deny {
        reason,
        visible: true,
    }
}

const fn hide(reason: DenyReason) -> Decision {
    Decision::Deny {
        reason,
        visible: false,
    }
}

/// Decides whether `principal` may perform `operation` on `resource`, and
/// with which view. See the module documentation for the rules.
pub fn decide(principal: &Principal, operation: Operation, resource: &Resource) -> Decision {
    if resource.tenant_id() != &principal.tenant_id {
        return hide(DenyReason::CrossTenant);
    }
    match resource {
        Resource::Case(case) => decide_case(principal, operation, case),
        Resource::AuditLog { .. } => decide_tenant_resource(
            principal,
            operation,
            &[Operation::ReadAudit],
            Role::Auditor,
            View::Full,
        ),
        Resource::Administration { .. } => decide_tenant_resource(
            principal,
            operation,
            &[Operation::ManageUsers, Operation::ManageSettings],
            Role::Admin,
            View::Full,
        ),
        Resource::Statistics { .. } => decide_tenant_resource(
            principal,
            operation,
            &[Operation::ReadStatistics],
            Role::Analyst,
            View::Deidentified,
        ),
    }
}

/// [`decide`] for a case, without wrapping it in a [`Resource`].
pub fn decide_case(principal: &Principal, operation: Operation, case: &CaseResource) -> Decision {
    use Operation as Op;

    if case.tenant_id != principal.tenant_id {
        return hide(DenyReason::CrossTenant);
    }
    if !operation.acts_on_cases() {
        return deny(DenyReason::NotApplicable);
    }
    match principal.role {
        Role::Caseworker => match operation {
            Op::Create if principal.owns(case) && principal.is_in_team(case.team_id.as_ref()) => {
                allow(View::Full)
            }
            Op::Create => deny(DenyReason::NotOwnCase),
            Op::Read | Op::Update | Op::Export | Op::Refer if principal.owns(case) => {
                allow(View::Full)
            }
            Op::Read | Op::Update | Op::Export | Op::Refer => deny(DenyReason::NotOwnCase),
            _ => deny(DenyReason::RoleNotPermitted),
        },
        Role::Supervisor => match operation {
            Op::RespondToReferral => deny(DenyReason::RoleNotPermitted),
            _ if principal.is_in_team(case.team_id.as_ref()) => allow(View::Full),
            _ => deny(DenyReason::NotTeamCase),
        },
        Role::Analyst => match operation {
            Op::Read | Op::Export => allow(View::Deidentified),
            _ => deny(DenyReason::RoleNotPermitted),
        },
        Role::Provider => {
            let standing = case.referral_standing(principal.provider_id.as_ref());
            match (operation, standing) {
                // Never confirm that an unreferred case exists.
                (_, ReferralStanding::None) => hide(DenyReason::NotReferred),
                (Op::Read | Op::RespondToReferral, ReferralStanding::Accepted) => {
                    allow(View::Referral)
                }
                (Op::Read | Op::RespondToReferral, ReferralStanding::Sent) => {
                    allow(View::ReferralOffer)
                }
                (Op::Read | Op::RespondToReferral, ReferralStanding::Closed) => {
                    deny(DenyReason::ReferralClosed)
                }
                _ => deny(DenyReason::RoleNotPermitted),
            }
        }
        Role::Auditor | Role::Admin => deny(DenyReason::RoleNotPermitted),
    }
}

/// The audit log, administration and statistics each belong to one role and
/// a fixed set of operations.
fn decide_tenant_resource(
    principal: &Principal,
    operation: Operation,
    operations: &[Operation],
    role: Role,
    view: View,
) -> Decision {
    if !operations.contains(&operation) {
        deny(DenyReason::NotApplicable)
    } else if principal.role == role {
        allow(view)
    } else {
        deny(DenyReason::RoleNotPermitted)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(text: &str) -> RecordId {
        RecordId::parse(text).expect("test ids are valid")
    }

    #[test]
    fn role_names_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn accepted_referral_outranks_closed_and_sent_ones() {
        let provider = id("prov-1");
        let case = CaseResource {
            tenant_id: id("t-1"),
            case_id: id("case-1"),
            owner: None,
            team_id: None,
            referrals: vec![
                CaseReferral {
                    provider_id: provider.clone(),
                    status: ReferralStatus::Completed,
                },
                CaseReferral {
                    provider_id: provider.clone(),
                    status: ReferralStatus::Accepted,
                },
                CaseReferral {
                    provider_id: provider.clone(),
                    status: ReferralStatus::Sent,
                },
            ],
        };
        assert_eq!(
            case.referral_standing(Some(&provider)),
            ReferralStanding::Accepted
        );
        assert_eq!(case.referral_standing(None), ReferralStanding::None);
        assert_eq!(
            case.referral_standing(Some(&id("prov-2"))),
            ReferralStanding::None
        );
    }
}
