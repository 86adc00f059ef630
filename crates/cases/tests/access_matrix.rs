//! The access specification: every role × every operation × every kind of
//! relationship between the principal and the resource, checked against a
//! matrix written out by hand. Changing a rule means changing this matrix.

use ctip_cases::access::{
    CaseReferral, CaseResource, Decision, DenyReason, Operation, Principal, Resource, Role, View,
    decide,
};
use ctip_cases::picklist::ReferralStatus;
use ctip_cases::{Case, OutgoingReferral, RecordId};
use proptest::prelude::*;

/// Each cell: `F` full view, `D` de-identified view, `R` referral view,
/// `O` referral-offer view, `-` refused and visible (403), `x` refused and
/// hidden (404).
///
/// The principal is user `me` of tenant `t1`, in team `team-a`, and (only
/// meaningful for the provider role) provider `prov-me`. Columns:
///
/// | column    | resource                                                           |
/// |-----------|--------------------------------------------------------------------|
/// | own       | case owned by `me`, in `team-a`                                    |
/// | team      | case owned by someone else, in `team-a`                            |
/// | other     | case owned by someone else, in `team-b`                            |
/// | sent      | `other`, plus a referral to `prov-me` that is sent                 |
/// | acc       | … accepted                                                         |
/// | rej       | … rejected                                                         |
/// | done      | … completed                                                        |
/// | elsewh    | `other`, referred (accepted) to another provider only              |
/// | xten      | tenant `t2`, but owner `me`, `team-a`, accepted to `prov-me`       |
/// | audit     | the audit log of `t1`;  `audit-x` that of `t2`                     |
/// | admin     | users and settings of `t1`; `admin-x` those of `t2`                |
/// | stats     | de-identified statistics of `t1`; `stats-x` those of `t2`          |
const MATRIX: &str = "
# role      operation            own team other sent acc rej done elsewh xten | audit audit-x admin admin-x stats stats-x
caseworker  read                  F   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
caseworker  create                F   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
caseworker  update                F   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
caseworker  export                F   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
caseworker  purge                 -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
caseworker  assign                -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
caseworker  refer                 F   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
caseworker  respond_to_referral   -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
caseworker  override_consent      -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
caseworker  read_audit            -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
caseworker  manage_users          -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
caseworker  manage_settings       -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
caseworker  read_statistics       -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x

supervisor  read                  F   F    -     -    -   -   -    -      x   |  -     x       -     x       -     x
supervisor  create                F   F    -     -    -   -   -    -      x   |  -     x       -     x       -     x
supervisor  update                F   F    -     -    -   -   -    -      x   |  -     x       -     x       -     x
supervisor  export                F   F    -     -    -   -   -    -      x   |  -     x       -     x       -     x
supervisor  purge                 F   F    -     -    -   -   -    -      x   |  -     x       -     x       -     x
supervisor  assign                F   F    -     -    -   -   -    -      x   |  -     x       -     x       -     x
supervisor  refer                 F   F    -     -    -   -   -    -      x   |  -     x       -     x       -     x
supervisor  respond_to_referral   -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
supervisor  override_consent      F   F    -     -    -   -   -    -      x   |  -     x       -     x       -     x
supervisor  read_audit            -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
supervisor  manage_users          -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
supervisor  manage_settings       -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
supervisor  read_statistics       -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x

analyst     read                  D   D    D     D    D   D   D    D      x   |  -     x       -     x       -     x
analyst     create                -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
analyst     update                -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
analyst     export                D   D    D     D    D   D   D    D      x   |  -     x       -     x       -     x
analyst     purge                 -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
analyst     assign                -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
analyst     refer                 -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
analyst     respond_to_referral   -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
analyst     override_consent      -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
analyst     read_audit            -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
analyst     manage_users          -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
analyst     manage_settings       -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
analyst     read_statistics       -   -    -     -    -   -   -    -      x   |  -     x       -     x       D     x

provider    read                  x   x    x     O    R   -   -    x      x   |  -     x       -     x       -     x
provider    create                x   x    x     -    -   -   -    x      x   |  -     x       -     x       -     x
provider    update                x   x    x     -    -   -   -    x      x   |  -     x       -     x       -     x
provider    export                x   x    x     -    -   -   -    x      x   |  -     x       -     x       -     x
provider    purge                 x   x    x     -    -   -   -    x      x   |  -     x       -     x       -     x
provider    assign                x   x    x     -    -   -   -    x      x   |  -     x       -     x       -     x
provider    refer                 x   x    x     -    -   -   -    x      x   |  -     x       -     x       -     x
provider    respond_to_referral   x   x    x     O    R   -   -    x      x   |  -     x       -     x       -     x
provider    override_consent      x   x    x     -    -   -   -    x      x   |  -     x       -     x       -     x
provider    read_audit            -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
provider    manage_users          -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
provider    manage_settings       -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
provider    read_statistics       -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x

auditor     read                  -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
auditor     create                -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
auditor     update                -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
auditor     export                -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
auditor     purge                 -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
auditor     assign                -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
auditor     refer                 -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
auditor     respond_to_referral   -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
auditor     override_consent      -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
auditor     read_audit            -   -    -     -    -   -   -    -      x   |  F     x       -     x       -     x
auditor     manage_users          -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
auditor     manage_settings       -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
auditor     read_statistics       -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x

admin       read                  -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
admin       create                -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
admin       update                -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
admin       export                -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
admin       purge                 -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
admin       assign                -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
admin       refer                 -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
admin       respond_to_referral   -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
admin       override_consent      -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
admin       read_audit            -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
admin       manage_users          -   -    -     -    -   -   -    -      x   |  -     x       F     x       -     x
admin       manage_settings       -   -    -     -    -   -   -    -      x   |  -     x       F     x       -     x
admin       read_statistics       -   -    -     -    -   -   -    -      x   |  -     x       -     x       -     x
";

const COLUMNS: [&str; 15] = [
    "own", "team", "other", "sent", "acc", "rej", "done", "elsewh", "xten", "audit", "audit-x",
    "admin", "admin-x", "stats", "stats-x",
];

fn id(text: &str) -> RecordId {
    RecordId::parse(text).expect("test ids are valid")
}

fn principal(role: Role) -> Principal {
    Principal {
        user_id: id("me"),
        tenant_id: id("t1"),
        role,
        team_ids: vec![id("team-a")],
        // Every role carries the ids, so the matrix shows that only the
        // provider role gives them meaning.
        provider_id: Some(id("prov-me")),
    }
}

fn case(tenant: &str, owner: &str, team: &str, referrals: &[(&str, ReferralStatus)]) -> Resource {
    Resource::Case(CaseResource {
        tenant_id: id(tenant),
        case_id: id("case-1"),
        owner: Some(id(owner)),
        team_id: Some(id(team)),
        referrals: referrals
            .iter()
            .map(|(provider, status)| CaseReferral {
                provider_id: id(provider),
                status: *status,
            })
            .collect(),
    })
}

fn resource(column: &str) -> Resource {
    use ReferralStatus::{Accepted, Completed, Rejected, Sent};
    match column {
        "own" => case("t1", "me", "team-a", &[]),
        "team" => case("t1", "colleague", "team-a", &[]),
        "other" => case("t1", "colleague", "team-b", &[]),
        "sent" => case("t1", "colleague", "team-b", &[("prov-me", Sent)]),
        "acc" => case("t1", "colleague", "team-b", &[("prov-me", Accepted)]),
        "rej" => case("t1", "colleague", "team-b", &[("prov-me", Rejected)]),
        "done" => case("t1", "colleague", "team-b", &[("prov-me", Completed)]),
        "elsewh" => case("t1", "colleague", "team-b", &[("prov-other", Accepted)]),
        "xten" => case("t2", "me", "team-a", &[("prov-me", Accepted)]),
        "audit" => Resource::AuditLog {
            tenant_id: id("t1"),
        },
        "audit-x" => Resource::AuditLog {
            tenant_id: id("t2"),
        },
        "admin" => Resource::Administration {
            tenant_id: id("t1"),
        },
        "admin-x" => Resource::Administration {
            tenant_id: id("t2"),
        },
        "stats" => Resource::Statistics {
            tenant_id: id("t1"),
        },
        "stats-x" => Resource::Statistics {
            tenant_id: id("t2"),
        },
        other => panic!("no column {other}"),
    }
}

fn symbol(decision: Decision) -> &'static str {
    match decision {
        Decision::Allow { view: View::Full } => "F",
        Decision::Allow {
            view: View::Deidentified,
        } => "D",
        Decision::Allow {
            view: View::Referral,
        } => "R",
        Decision::Allow {
            view: View::ReferralOffer,
        } => "O",
        Decision::Deny { visible: true, .. } => "-",
        Decision::Deny { visible: false, .. } => "x",
    }
}

fn operation(name: &str) -> Operation {
    Operation::ALL
        .into_iter()
        .find(|operation| operation.as_str() == name)
        .unwrap_or_else(|| panic!("no operation {name}"))
}

#[test]
fn every_role_operation_and_relationship_matches_the_matrix() {
    let mut seen = std::collections::BTreeSet::new();
    let mut mismatches = Vec::new();
    for line in MATRIX.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let cells: Vec<&str> = line
            .split_whitespace()
            .filter(|cell| *cell != "|")
            .collect();
        assert_eq!(cells.len(), 2 + COLUMNS.len(), "row width: {line}");
        let role = Role::parse(cells[0]).unwrap_or_else(|| panic!("no role {}", cells[0]));
        let operation = operation(cells[1]);
        assert!(seen.insert((role, operation)), "row twice: {line}");
        for (column, expected) in COLUMNS.iter().zip(&cells[2..]) {
            let got = symbol(decide(&principal(role), operation, &resource(column)));
            if got != *expected {
                mismatches.push(format!(
                    "{} {} on {column}: expected {expected}, got {got}",
                    role.as_str(),
                    operation.as_str()
                ));
            }
        }
    }
    assert_eq!(
        seen.len(),
        Role::ALL.len() * Operation::ALL.len(),
        "the matrix must have one row per role and operation"
    );
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn cross_tenant_refusals_say_so_for_the_audit_log() {
    for role in Role::ALL {
        for operation in Operation::ALL {
            for column in ["xten", "audit-x", "admin-x", "stats-x"] {
                let decision = decide(&principal(role), operation, &resource(column));
                assert!(
                    decision.is_cross_tenant(),
                    "{role:?} {operation:?} {column}"
                );
                assert_eq!(decision.refusal_status(), Some(404));
            }
        }
    }
}

#[test]
fn refusals_name_the_rule_that_refused() {
    let cases = [
        (
            Role::Caseworker,
            Operation::Read,
            "team",
            DenyReason::NotOwnCase,
        ),
        (
            Role::Caseworker,
            Operation::Purge,
            "own",
            DenyReason::RoleNotPermitted,
        ),
        (
            Role::Supervisor,
            Operation::Read,
            "other",
            DenyReason::NotTeamCase,
        ),
        (
            Role::Provider,
            Operation::Read,
            "elsewh",
            DenyReason::NotReferred,
        ),
        (
            Role::Provider,
            Operation::Read,
            "done",
            DenyReason::ReferralClosed,
        ),
        (
            Role::Provider,
            Operation::Update,
            "acc",
            DenyReason::RoleNotPermitted,
        ),
        (
            Role::Admin,
            Operation::Read,
            "own",
            DenyReason::RoleNotPermitted,
        ),
        (
            Role::Auditor,
            Operation::Read,
            "audit",
            DenyReason::NotApplicable,
        ),
        (
            Role::Admin,
            Operation::ReadAudit,
            "audit",
            DenyReason::RoleNotPermitted,
        ),
    ];
    for (role, operation, column, reason) in cases {
        match decide(&principal(role), operation, &resource(column)) {
            Decision::Deny { reason: got, .. } => {
                assert_eq!(got, reason, "{role:?} {operation:?} {column}");
            }
            allowed => panic!("{role:?} {operation:?} {column}: {allowed:?}"),
        }
    }
}

#[test]
fn a_caseworker_may_not_create_a_case_outside_their_teams_or_for_someone_else() {
    let caseworker = principal(Role::Caseworker);
    let in_other_team = case("t1", "me", "team-b", &[]);
    assert!(!decide(&caseworker, Operation::Create, &in_other_team).is_allowed());
    let unowned = Resource::Case(CaseResource {
        tenant_id: id("t1"),
        case_id: id("case-1"),
        owner: None,
        team_id: Some(id("team-a")),
        referrals: Vec::new(),
    });
    assert!(!decide(&caseworker, Operation::Create, &unowned).is_allowed());
    // A case already owned but in no team stays the caseworker's own.
    let no_team = Resource::Case(CaseResource {
        tenant_id: id("t1"),
        case_id: id("case-1"),
        owner: Some(id("me")),
        team_id: None,
        referrals: Vec::new(),
    });
    assert!(decide(&caseworker, Operation::Read, &no_team).is_allowed());
    assert!(!decide(&caseworker, Operation::Create, &no_team).is_allowed());
    // And no supervisor sees it.
    assert!(!decide(&principal(Role::Supervisor), Operation::Read, &no_team).is_allowed());
}

#[test]
fn a_provider_account_without_a_provider_id_sees_no_case() {
    let mut provider = principal(Role::Provider);
    provider.provider_id = None;
    for column in ["sent", "acc"] {
        assert_eq!(
            decide(&provider, Operation::Read, &resource(column)),
            Decision::Deny {
                reason: DenyReason::NotReferred,
                visible: false
            }
        );
    }
}

#[test]
fn access_facts_are_read_from_a_stored_case() {
    let mut stored = Case::new(
        id("case-9"),
        ctip_cases::picklist::CaseStatus::Active,
        id("v-1"),
    );
    stored.owner = Some(id("me"));
    stored.outgoing_referrals = vec![
        outgoing_referral(id("prov-me"), Some(ReferralStatus::Accepted)),
        outgoing_referral(id("prov-old"), None),
    ];
    let facts = CaseResource::for_case(&stored, id("t1"), Some(id("team-a")));
    assert_eq!(facts.case_id, id("case-9"));
    assert_eq!(facts.owner, Some(id("me")));
    assert_eq!(
        facts.referrals,
        vec![CaseReferral {
            provider_id: id("prov-me"),
            status: ReferralStatus::Accepted
        }]
    );
}

fn outgoing_referral(provider: RecordId, status: Option<ReferralStatus>) -> OutgoingReferral {
    OutgoingReferral {
        id: None,
        referred_organisation: provider,
        referred_case_worker: None,
        reason: None,
        date: None,
        details: None,
        status,
    }
}

// --- property tests --------------------------------------------------------

/// Ids from a pool of three, so owners, teams and providers collide often.
fn pooled_id(prefix: &'static str) -> impl Strategy<Value = RecordId> {
    (0..3u8).prop_map(move |n| id(&format!("{prefix}{n}")))
}

fn any_role() -> impl Strategy<Value = Role> {
    prop::sample::select(Role::ALL.to_vec())
}

fn any_operation() -> impl Strategy<Value = Operation> {
    prop::sample::select(Operation::ALL.to_vec())
}

fn any_status() -> impl Strategy<Value = ReferralStatus> {
    prop::sample::select(vec![
        ReferralStatus::Sent,
        ReferralStatus::Accepted,
        ReferralStatus::Rejected,
        ReferralStatus::Completed,
    ])
}

fn any_principal() -> impl Strategy<Value = Principal> {
    (
        pooled_id("u"),
        pooled_id("t"),
        any_role(),
        prop::collection::vec(pooled_id("team"), 0..3),
        prop::option::of(pooled_id("p")),
    )
        .prop_map(
            |(user_id, tenant_id, role, team_ids, provider_id)| Principal {
                user_id,
                tenant_id,
                role,
                team_ids,
                provider_id,
            },
        )
}

fn any_resource() -> impl Strategy<Value = Resource> {
    let case = (
        pooled_id("t"),
        prop::option::of(pooled_id("u")),
        prop::option::of(pooled_id("team")),
        prop::collection::vec((pooled_id("p"), any_status()), 0..4),
    )
        .prop_map(|(tenant_id, owner, team_id, referrals)| {
            Resource::Case(CaseResource {
                tenant_id,
                case_id: id("case-1"),
                owner,
                team_id,
                referrals: referrals
                    .into_iter()
                    .map(|(provider_id, status)| CaseReferral {
                        provider_id,
                        status,
                    })
                    .collect(),
            })
        });
    prop_oneof![
        case,
        pooled_id("t").prop_map(|tenant_id| Resource::AuditLog { tenant_id }),
        pooled_id("t").prop_map(|tenant_id| Resource::Administration { tenant_id }),
        pooled_id("t").prop_map(|tenant_id| Resource::Statistics { tenant_id }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(4096))]

    #[test]
    fn no_principal_ever_gets_access_across_tenants(
        principal in any_principal(),
        operation in any_operation(),
        resource in any_resource(),
    ) {
        let decision = decide(&principal, operation, &resource);
        if resource.tenant_id() != &principal.tenant_id {
            prop_assert_eq!(
                decision,
                Decision::Deny { reason: DenyReason::CrossTenant, visible: false }
            );
        } else {
            prop_assert!(!decision.is_cross_tenant());
        }
    }

    #[test]
    fn roles_never_exceed_their_views(
        principal in any_principal(),
        operation in any_operation(),
        resource in any_resource(),
    ) {
        let view = decide(&principal, operation, &resource).view();
        let is_case = matches!(resource, Resource::Case(_));
        match principal.role {
            // No case contents at all.
            Role::Admin | Role::Auditor => prop_assert!(!(is_case && view.is_some())),
            // Only ever de-identified.
            Role::Analyst => prop_assert!(view.is_none() || view == Some(View::Deidentified)),
            // Only ever through a referral.
            Role::Provider => prop_assert!(matches!(
                view,
                None | Some(View::Referral | View::ReferralOffer)
            )),
            Role::Caseworker | Role::Supervisor => {
                prop_assert!(view.is_none() || view == Some(View::Full));
            }
        }
    }

    #[test]
    fn a_provider_sees_only_cases_referred_to_it(
        principal in any_principal(),
        operation in any_operation(),
        resource in any_resource(),
    ) {
        let allowed = decide(&principal, operation, &resource).is_allowed();
        if let (Role::Provider, Resource::Case(case)) = (principal.role, &resource) && allowed {
            let open_referral_to_me = case.referrals.iter().any(|referral| {
                Some(&referral.provider_id) == principal.provider_id.as_ref()
                    && matches!(referral.status, ReferralStatus::Sent | ReferralStatus::Accepted)
            });
            prop_assert!(open_referral_to_me);
        }
    }
}
