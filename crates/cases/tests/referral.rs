//! Sending referrals and every pair of the referral state machine, by every
//! kind of actor.

use ctip_cases::access::{CaseResource, DenyReason, Principal, Role};
use ctip_cases::consent_rules::{
    ConsentOverride, OverrideReason, OverrideReasonCode, may_refer, may_share_with_law_enforcement,
    override_consent,
};
use ctip_cases::picklist::{CaseStatus, Picklist, ReferralStatus};
use ctip_cases::referral::{
    ReferralError, ServiceDirectory, is_allowed_transition, move_referral, next_statuses,
    send_referral,
};
use ctip_cases::{Case, Consent, IsoDate, OutgoingReferral, PurposeConsent, RecordId};

fn id(text: &str) -> RecordId {
    RecordId::parse(text).expect("test ids are valid")
}

fn date(text: &str) -> IsoDate {
    IsoDate::parse(text).expect("test dates are valid")
}

fn day() -> IsoDate {
    date("2024-05-05")
}

fn principal(role: Role, user: &str, tenant: &str, provider: Option<&str>) -> Principal {
    Principal {
        user_id: id(user),
        tenant_id: id(tenant),
        role,
        team_ids: vec![id("team-a")],
        provider_id: provider.map(id),
    }
}

fn caseworker() -> Principal {
    principal(Role::Caseworker, "worker", "t1", None)
}

/// A case of `worker` in `team-a`, tenant `t1`, with referral consent given.
fn consenting_case() -> Case {
    let mut case = Case::new(id("case-1"), CaseStatus::Active, id("victim-1"));
    case.owner = Some(id("worker"));
    case.consent = Some(Consent {
        consent: Some(true),
        referral_to_services: Some(PurposeConsent {
            given_on: date("2024-01-01"),
            recorded_by: id("worker"),
            withdrawn_on: None,
        }),
        sharing_with_law_enforcement: Some(PurposeConsent {
            given_on: date("2024-01-01"),
            recorded_by: id("worker"),
            withdrawn_on: None,
        }),
        statistics_and_research: None,
    });
    case
}

fn directory() -> ServiceDirectory {
    ServiceDirectory::new([id("shelter-1"), id("clinic-1")])
}

#[test]
fn a_caseworker_refers_their_case_with_consent_to_a_listed_provider() {
    let case = consenting_case();
    let facts = CaseResource::for_case(&case, id("t1"), Some(id("team-a")));
    let grant = may_refer(&case, day()).expect("consent given");
    let referral = send_referral(
        &caseworker(),
        &facts,
        &id("shelter-1"),
        &directory(),
        &grant,
        day(),
    )
    .expect("allowed");
    assert_eq!(referral.referred_organisation, id("shelter-1"));
    assert_eq!(referral.status, Some(ReferralStatus::Sent));
    assert_eq!(referral.date, Some(day()));
}

#[test]
fn a_provider_outside_the_directory_is_refused() {
    let case = consenting_case();
    let facts = CaseResource::for_case(&case, id("t1"), Some(id("team-a")));
    let grant = may_refer(&case, day()).expect("consent given");
    assert_eq!(
        send_referral(
            &caseworker(),
            &facts,
            &id("unknown-1"),
            &directory(),
            &grant,
            day()
        ),
        Err(ReferralError::UnknownProvider {
            provider: id("unknown-1")
        })
    );
}

#[test]
fn a_referral_needs_a_referral_grant_for_this_case_and_day() {
    let case = consenting_case();
    let facts = CaseResource::for_case(&case, id("t1"), Some(id("team-a")));
    let send = |grant| {
        send_referral(
            &caseworker(),
            &facts,
            &id("shelter-1"),
            &directory(),
            grant,
            day(),
        )
    };

    let wrong_purpose = may_share_with_law_enforcement(&case, day()).expect("given");
    assert!(matches!(
        send(&wrong_purpose),
        Err(ReferralError::WrongConsentPurpose { .. })
    ));

    let yesterday = may_refer(&case, date("2024-05-04")).expect("given");
    assert_eq!(
        send(&yesterday),
        Err(ReferralError::StaleConsent {
            granted_for: date("2024-05-04"),
            day: day()
        })
    );

    let mut other_case = consenting_case();
    other_case.id = id("case-2");
    let other = may_refer(&other_case, day()).expect("given");
    assert_eq!(send(&other), Err(ReferralError::ConsentForAnotherCase));
}

#[test]
fn a_supervisor_override_lets_a_referral_without_consent_go_out() {
    let mut case = consenting_case();
    case.consent = None;
    let facts = CaseResource::for_case(&case, id("t1"), Some(id("team-a")));
    assert!(may_refer(&case, day()).is_err());
    let grant = override_consent(
        &case,
        &facts,
        day(),
        &ConsentOverride {
            by: principal(Role::Supervisor, "boss", "t1", None),
            purpose: ctip_cases::ConsentPurpose::ReferralToServices,
            reason_code: OverrideReasonCode::ChildSafeguarding,
            reason: OverrideReason::new("Minor; child protection services must act today.")
                .expect("long enough"),
        },
    )
    .expect("supervisor");
    assert!(grant.audit_note().is_some());
    assert!(
        send_referral(
            &caseworker(),
            &facts,
            &id("shelter-1"),
            &directory(),
            &grant,
            day()
        )
        .is_ok()
    );
}

#[test]
fn only_the_case_s_caseworker_and_supervisors_may_send() {
    let case = consenting_case();
    let facts = CaseResource::for_case(&case, id("t1"), Some(id("team-a")));
    let grant = may_refer(&case, day()).expect("given");
    let senders = [
        (caseworker(), None),
        (principal(Role::Supervisor, "boss", "t1", None), None),
        (
            principal(Role::Caseworker, "colleague", "t1", None),
            Some((DenyReason::NotOwnCase, true)),
        ),
        (
            principal(Role::Analyst, "analyst", "t1", None),
            Some((DenyReason::RoleNotPermitted, true)),
        ),
        (
            principal(Role::Provider, "p", "t1", Some("shelter-1")),
            Some((DenyReason::NotReferred, false)),
        ),
        (
            principal(Role::Admin, "admin", "t1", None),
            Some((DenyReason::RoleNotPermitted, true)),
        ),
        (
            principal(Role::Caseworker, "worker", "t2", None),
            Some((DenyReason::CrossTenant, false)),
        ),
    ];
    for (sender, refusal) in senders {
        let result = send_referral(
            &sender,
            &facts,
            &id("shelter-1"),
            &directory(),
            &grant,
            day(),
        );
        match refusal {
            None => assert!(result.is_ok(), "{sender:?}"),
            Some((reason, visible)) => assert_eq!(
                result,
                Err(ReferralError::NotPermitted { reason, visible }),
                "{sender:?}"
            ),
        }
    }
}

// --- the state machine -------------------------------------------------------

/// The state machine, written out as the specification: every pair not
/// listed is refused.
const ALLOWED: [(ReferralStatus, ReferralStatus); 3] = [
    (ReferralStatus::Sent, ReferralStatus::Accepted),
    (ReferralStatus::Sent, ReferralStatus::Rejected),
    (ReferralStatus::Accepted, ReferralStatus::Completed),
];

fn referral_to(provider: &str, status: ReferralStatus) -> OutgoingReferral {
    OutgoingReferral {
        id: Some(id("ref-1")),
        referred_organisation: id(provider),
        referred_case_worker: None,
        reason: None,
        date: Some(date("2024-05-01")),
        details: None,
        status: Some(status),
    }
}

fn case_referred(status: ReferralStatus) -> (CaseResource, OutgoingReferral) {
    let mut case = consenting_case();
    let referral = referral_to("shelter-1", status);
    case.outgoing_referrals = vec![referral.clone()];
    (
        CaseResource::for_case(&case, id("t1"), Some(id("team-a"))),
        referral,
    )
}

#[test]
fn the_state_machine_allows_exactly_the_listed_steps() {
    for &from in ReferralStatus::ALL {
        for &to in ReferralStatus::ALL {
            assert_eq!(
                is_allowed_transition(from, to),
                ALLOWED.contains(&(from, to)),
                "{from} -> {to}"
            );
        }
        assert!(
            next_statuses(from)
                .iter()
                .all(|&to| is_allowed_transition(from, to))
        );
    }
    assert!(next_statuses(ReferralStatus::Rejected).is_empty());
    assert!(next_statuses(ReferralStatus::Completed).is_empty());
}

#[test]
fn the_referred_provider_moves_the_referral_along_allowed_steps_only() {
    let provider = principal(Role::Provider, "p", "t1", Some("shelter-1"));
    for &from in ReferralStatus::ALL {
        for &to in ReferralStatus::ALL {
            let (facts, referral) = case_referred(from);
            let result = move_referral(&provider, &facts, &referral, to);
            let expected = match from {
                // Closed referrals show the provider nothing more.
                ReferralStatus::Rejected | ReferralStatus::Completed => {
                    Err(ReferralError::NotPermitted {
                        reason: DenyReason::ReferralClosed,
                        visible: true,
                    })
                }
                _ if ALLOWED.contains(&(from, to)) => Ok(to),
                _ => Err(ReferralError::InvalidTransition { from, to }),
            };
            assert_eq!(result, expected, "{from} -> {to}");
        }
    }
}

#[test]
fn nobody_but_the_referred_provider_moves_a_referral() {
    let actors = [
        (
            caseworker(),
            ReferralError::NotPermitted {
                reason: DenyReason::RoleNotPermitted,
                visible: true,
            },
        ),
        (
            principal(Role::Supervisor, "boss", "t1", None),
            ReferralError::NotPermitted {
                reason: DenyReason::RoleNotPermitted,
                visible: true,
            },
        ),
        (
            principal(Role::Analyst, "a", "t1", None),
            ReferralError::NotPermitted {
                reason: DenyReason::RoleNotPermitted,
                visible: true,
            },
        ),
        (
            principal(Role::Auditor, "a", "t1", None),
            ReferralError::NotPermitted {
                reason: DenyReason::RoleNotPermitted,
                visible: true,
            },
        ),
        (
            principal(Role::Admin, "a", "t1", None),
            ReferralError::NotPermitted {
                reason: DenyReason::RoleNotPermitted,
                visible: true,
            },
        ),
        (
            principal(Role::Provider, "p", "t1", Some("clinic-1")),
            ReferralError::NotPermitted {
                reason: DenyReason::NotReferred,
                visible: false,
            },
        ),
        (
            principal(Role::Provider, "p", "t2", Some("shelter-1")),
            ReferralError::NotPermitted {
                reason: DenyReason::CrossTenant,
                visible: false,
            },
        ),
    ];
    for (actor, expected) in actors {
        for (from, to) in ALLOWED {
            let (facts, referral) = case_referred(from);
            assert_eq!(
                move_referral(&actor, &facts, &referral, to),
                Err(expected.clone()),
                "{actor:?} {from} -> {to}"
            );
        }
    }
}

#[test]
fn a_provider_cannot_move_another_provider_s_referral_on_a_shared_case() {
    let mut case = consenting_case();
    let mine = referral_to("shelter-1", ReferralStatus::Accepted);
    let theirs = referral_to("clinic-1", ReferralStatus::Sent);
    case.outgoing_referrals = vec![mine, theirs.clone()];
    let facts = CaseResource::for_case(&case, id("t1"), Some(id("team-a")));
    let provider = principal(Role::Provider, "p", "t1", Some("shelter-1"));
    assert_eq!(
        move_referral(&provider, &facts, &theirs, ReferralStatus::Rejected),
        Err(ReferralError::NotTheReferredProvider)
    );
}

#[test]
fn a_referral_that_is_not_on_the_case_or_has_no_status_cannot_move() {
    let provider = principal(Role::Provider, "p", "t1", Some("shelter-1"));
    let (facts, _) = case_referred(ReferralStatus::Accepted);
    // Claims to be sent, but the case holds it as accepted.
    let forged = referral_to("shelter-1", ReferralStatus::Sent);
    assert_eq!(
        move_referral(&provider, &facts, &forged, ReferralStatus::Accepted),
        Err(ReferralError::NotOnCase)
    );
    let mut imported = referral_to("shelter-1", ReferralStatus::Sent);
    imported.status = None;
    assert_eq!(
        move_referral(&provider, &facts, &imported, ReferralStatus::Accepted),
        Err(ReferralError::NoStatus)
    );
}
