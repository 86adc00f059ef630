//! Consent per purpose on a given day, and overrides by every role.

use ctip_cases::access::{CaseResource, DenyReason, Principal, Role};
use ctip_cases::consent_rules::{
    ConsentBasis, ConsentOverride, ConsentRefusal, OverrideReason, OverrideReasonCode,
    OverrideReasonError, OverrideRefusal, RefusalKind, consent_for, may_count_in_statistics,
    may_refer, may_share_with_law_enforcement, override_consent,
};
use ctip_cases::picklist::CaseStatus;
use ctip_cases::{Case, Consent, ConsentPurpose, IsoDate, PurposeConsent, RecordId};
use proptest::prelude::*;

fn id(text: &str) -> RecordId {
    RecordId::parse(text).expect("test ids are valid")
}

fn date(text: &str) -> IsoDate {
    IsoDate::parse(text).expect("test dates are valid")
}

fn case_with(consent: Option<Consent>) -> Case {
    let mut case = Case::new(id("case-1"), CaseStatus::Active, id("victim-1"));
    case.owner = Some(id("worker"));
    case.consent = consent;
    case
}

fn record(given_on: &str, withdrawn_on: Option<&str>) -> PurposeConsent {
    PurposeConsent {
        given_on: date(given_on),
        recorded_by: id("worker"),
        withdrawn_on: withdrawn_on.map(date),
    }
}

/// A case whose only consent record is `record`, for `purpose`.
fn case_consenting(purpose: ConsentPurpose, record: PurposeConsent) -> Case {
    let mut consent = Consent::default();
    *consent.for_purpose_mut(purpose) = Some(record);
    case_with(Some(consent))
}

#[test]
fn given_consent_stands_from_its_day() {
    for purpose in ConsentPurpose::ALL {
        let case = case_consenting(purpose, record("2024-03-10", None));
        let grant = consent_for(&case, purpose, date("2024-03-10")).expect("given that day");
        assert_eq!(grant.purpose(), purpose);
        assert_eq!(grant.case_id(), &id("case-1"));
        assert_eq!(grant.day(), date("2024-03-10"));
        assert_eq!(
            grant.basis(),
            &ConsentBasis::Given {
                given_on: date("2024-03-10"),
                recorded_by: id("worker")
            }
        );
        assert!(grant.audit_note().is_none());
        assert!(consent_for(&case, purpose, date("2030-01-01")).is_ok());
    }
}

#[test]
fn consent_does_not_reach_back_before_it_was_given() {
    let case = case_consenting(
        ConsentPurpose::ReferralToServices,
        record("2024-03-10", None),
    );
    assert_eq!(
        may_refer(&case, date("2024-03-09")),
        Err(ConsentRefusal::NotYetGiven {
            purpose: ConsentPurpose::ReferralToServices,
            given_on: date("2024-03-10"),
            day: date("2024-03-09"),
        })
    );
}

#[test]
fn withdrawn_consent_ends_on_the_day_of_withdrawal() {
    let case = case_consenting(
        ConsentPurpose::SharingWithLawEnforcement,
        record("2024-03-10", Some("2024-06-01")),
    );
    assert!(may_share_with_law_enforcement(&case, date("2024-05-31")).is_ok());
    for day in ["2024-06-01", "2024-06-02", "2099-01-01"] {
        assert_eq!(
            may_share_with_law_enforcement(&case, date(day)),
            Err(ConsentRefusal::Withdrawn {
                purpose: ConsentPurpose::SharingWithLawEnforcement,
                withdrawn_on: date("2024-06-01"),
            }),
            "{day}"
        );
    }
}

#[test]
fn consent_withdrawn_the_day_it_was_given_never_stood() {
    let case = case_consenting(
        ConsentPurpose::StatisticsAndResearch,
        record("2024-03-10", Some("2024-03-10")),
    );
    assert!(matches!(
        may_count_in_statistics(&case, date("2024-03-10")),
        Err(ConsentRefusal::Withdrawn { .. })
    ));
}

#[test]
fn consent_never_given_is_refused_for_every_purpose() {
    for case in [case_with(None), case_with(Some(Consent::default()))] {
        for purpose in ConsentPurpose::ALL {
            assert_eq!(
                consent_for(&case, purpose, date("2024-01-01")),
                Err(ConsentRefusal::NeverGiven { purpose })
            );
        }
    }
}

#[test]
fn consent_for_one_purpose_does_not_cover_another() {
    let case = case_consenting(
        ConsentPurpose::ReferralToServices,
        record("2024-01-01", None),
    );
    assert!(may_refer(&case, date("2024-02-01")).is_ok());
    assert!(may_share_with_law_enforcement(&case, date("2024-02-01")).is_err());
    assert!(may_count_in_statistics(&case, date("2024-02-01")).is_err());
}

#[test]
fn declining_data_management_outranks_every_purpose_record() {
    let mut consent = Consent {
        consent: Some(false),
        ..Consent::default()
    };
    for purpose in ConsentPurpose::ALL {
        *consent.for_purpose_mut(purpose) = Some(record("2024-01-01", None));
    }
    let case = case_with(Some(consent.clone()));
    for purpose in ConsentPurpose::ALL {
        assert_eq!(
            consent_for(&case, purpose, date("2024-02-01")),
            Err(ConsentRefusal::DataManagementDeclined { purpose })
        );
    }
    // An explicit yes, or no answer, leaves the per-purpose records in force.
    for checkbox in [Some(true), None] {
        consent.consent = checkbox;
        let case = case_with(Some(consent.clone()));
        assert!(may_refer(&case, date("2024-02-01")).is_ok());
    }
}

proptest! {
    /// The refusal reasons are a split of the model's own rule, never a
    /// second opinion on it.
    #[test]
    fn consent_checks_agree_with_the_model(
        given in 0u16..60,
        withdrawn in prop::option::of(0u16..60),
        day in 0u16..60,
        purpose in prop::sample::select(ConsentPurpose::ALL.to_vec()),
    ) {
        let on = |offset: u16| {
            IsoDate::from_ymd(2024, 1 + u8::try_from(offset / 28).expect("small"), 1 + u8::try_from(offset % 28).expect("small"))
                .expect("a real day")
        };
        let record = PurposeConsent {
            given_on: on(given),
            recorded_by: id("worker"),
            withdrawn_on: withdrawn.map(on),
        };
        let case = case_consenting(purpose, record);
        prop_assert_eq!(
            consent_for(&case, purpose, on(day)).is_ok(),
            case.consent_stands(purpose, on(day))
        );
    }
}

// --- overrides -------------------------------------------------------------

fn principal(role: Role, tenant: &str) -> Principal {
    Principal {
        user_id: id("someone"),
        tenant_id: id(tenant),
        role,
        team_ids: vec![id("team-a")],
        provider_id: Some(id("prov-1")),
    }
}

/// The case's access facts: in tenant `t1`, team `team-a`, owned by `someone`
/// (so that a caseworker is refused for their role, not for ownership).
fn facts(case: &Case) -> CaseResource {
    let mut facts = CaseResource::for_case(case, id("t1"), Some(id("team-a")));
    facts.owner = Some(id("someone"));
    facts
}

fn reason() -> OverrideReason {
    OverrideReason::new("Client at immediate risk; shelter placement tonight.")
        .expect("long enough")
}

fn request(by: Principal, purpose: ConsentPurpose) -> ConsentOverride {
    ConsentOverride {
        by,
        purpose,
        reason_code: OverrideReasonCode::RiskToLife,
        reason: reason(),
    }
}

#[test]
fn only_a_supervisor_of_the_case_may_override() {
    let case = case_with(None);
    let day = date("2024-05-05");
    for role in Role::ALL {
        let result = override_consent(
            &case,
            &facts(&case),
            day,
            &request(principal(role, "t1"), ConsentPurpose::ReferralToServices),
        );
        match role {
            Role::Supervisor => {
                let grant = result.expect("supervisors hold the permission");
                let note = grant.audit_note().expect("an override is audited");
                assert_eq!(note.actor, id("someone"));
                assert_eq!(note.actor_role, Role::Supervisor);
                assert_eq!(note.tenant_id, id("t1"));
                assert_eq!(note.case_id, id("case-1"));
                assert_eq!(note.purpose, ConsentPurpose::ReferralToServices);
                assert_eq!(note.reason_code, OverrideReasonCode::RiskToLife);
                assert_eq!(note.refusal, RefusalKind::NeverGiven);
                assert_eq!(note.day, day);
                assert_eq!(grant.purpose(), ConsentPurpose::ReferralToServices);
                assert_eq!(grant.day(), day);
            }
            // Providers have no referral here, so the case stays hidden.
            Role::Provider => assert_eq!(
                result,
                Err(OverrideRefusal::NotPermitted {
                    reason: DenyReason::NotReferred,
                    visible: false
                })
            ),
            Role::Caseworker | Role::Analyst | Role::Auditor | Role::Admin => assert_eq!(
                result,
                Err(OverrideRefusal::NotPermitted {
                    reason: DenyReason::RoleNotPermitted,
                    visible: true
                }),
                "{role:?}"
            ),
        }
    }
}

#[test]
fn a_supervisor_of_another_team_or_tenant_may_not_override() {
    let case = case_with(None);
    let mut other_team = principal(Role::Supervisor, "t1");
    other_team.team_ids = vec![id("team-b")];
    assert_eq!(
        override_consent(
            &case,
            &facts(&case),
            date("2024-05-05"),
            &request(other_team, ConsentPurpose::SharingWithLawEnforcement)
        ),
        Err(OverrideRefusal::NotPermitted {
            reason: DenyReason::NotTeamCase,
            visible: true
        })
    );
    assert_eq!(
        override_consent(
            &case,
            &facts(&case),
            date("2024-05-05"),
            &request(
                principal(Role::Supervisor, "t2"),
                ConsentPurpose::SharingWithLawEnforcement
            )
        ),
        Err(OverrideRefusal::NotPermitted {
            reason: DenyReason::CrossTenant,
            visible: false
        })
    );
}

#[test]
fn statistics_consent_cannot_be_overridden_by_anyone() {
    let case = case_with(None);
    for role in Role::ALL {
        assert_eq!(
            override_consent(
                &case,
                &facts(&case),
                date("2024-05-05"),
                &request(principal(role, "t1"), ConsentPurpose::StatisticsAndResearch)
            ),
            Err(OverrideRefusal::NotOverridable(
                ConsentPurpose::StatisticsAndResearch
            ))
        );
    }
}

#[test]
fn an_override_records_which_refusal_it_set_aside() {
    let withdrawn = case_consenting(
        ConsentPurpose::SharingWithLawEnforcement,
        record("2024-01-01", Some("2024-02-01")),
    );
    let grant = override_consent(
        &withdrawn,
        &facts(&withdrawn),
        date("2024-05-05"),
        &request(
            principal(Role::Supervisor, "t1"),
            ConsentPurpose::SharingWithLawEnforcement,
        ),
    )
    .expect("supervisor");
    assert_eq!(
        grant.audit_note().map(|note| note.refusal),
        Some(RefusalKind::Withdrawn)
    );
}

#[test]
fn an_override_where_consent_stands_is_no_override() {
    let case = case_consenting(
        ConsentPurpose::ReferralToServices,
        record("2024-01-01", None),
    );
    let grant = override_consent(
        &case,
        &facts(&case),
        date("2024-05-05"),
        &request(
            principal(Role::Supervisor, "t1"),
            ConsentPurpose::ReferralToServices,
        ),
    )
    .expect("supervisor");
    assert!(grant.audit_note().is_none());
    assert!(matches!(grant.basis(), ConsentBasis::Given { .. }));
}

#[test]
fn an_override_must_describe_the_case_it_is_for() {
    let case = case_with(None);
    let mut other = facts(&case);
    other.case_id = id("case-2");
    assert_eq!(
        override_consent(
            &case,
            &other,
            date("2024-05-05"),
            &request(
                principal(Role::Supervisor, "t1"),
                ConsentPurpose::ReferralToServices
            )
        ),
        Err(OverrideRefusal::CaseMismatch)
    );
}

#[test]
fn the_audit_note_never_carries_the_written_reason() {
    let case = case_with(None);
    let grant = override_consent(
        &case,
        &facts(&case),
        date("2024-05-05"),
        &request(
            principal(Role::Supervisor, "t1"),
            ConsentPurpose::ReferralToServices,
        ),
    )
    .expect("supervisor");
    let note = format!("{:?}", grant.audit_note().expect("overridden"));
    assert!(!note.contains("shelter"), "{note}");
}

#[test]
fn override_reasons_need_twenty_characters_after_trimming() {
    assert_eq!(
        OverrideReason::new("   urgent   "),
        Err(OverrideReasonError::TooShort { min: 20, found: 6 })
    );
    assert_eq!(
        OverrideReason::new(""),
        Err(OverrideReasonError::TooShort { min: 20, found: 0 })
    );
    // 19 and 20 characters, counted as characters, not bytes.
    assert!(OverrideReason::new(&"é".repeat(19)).is_err());
    let twenty = OverrideReason::new(&format!("  {}  ", "é".repeat(20))).expect("twenty");
    assert_eq!(twenty.as_str(), "é".repeat(20));
    assert_eq!(
        OverrideReason::new(&"a".repeat(4001)),
        Err(OverrideReasonError::TooLong {
            max: 4000,
            found: 4001
        })
    );
    assert!(OverrideReason::new(&"a".repeat(4000)).is_ok());
}

#[test]
fn reason_codes_round_trip() {
    for code in OverrideReasonCode::ALL {
        assert_eq!(OverrideReasonCode::parse(code.as_str()), Some(code));
    }
    assert_eq!(OverrideReasonCode::parse("because"), None);
}
