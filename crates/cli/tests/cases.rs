//! Case management over real HTTP on loopback (issue 5): every case route
//! tried with every role and from another tenant, consent before referral
//! and export (with the supervisor's audited override), the referral's life
//! with a provider, sealed fields at rest, the retention sweep with legal
//! hold, and a ledger that verifies afterwards.
//!
//! Runs on SQLite always, and on PostgreSQL too when `CTIP_TEST_POSTGRES_URL`
//! is set (`.ci/postgres` starts one on loopback and sets it).

mod support;

use ctip_cases::{
    CaseReferral, CaseResource, Decision, Operation, Principal, RecordId, Role, decide_case,
    picklist::ReferralStatus,
};
use serde_json::Value;
use support::{Server, Site, Staff, ctip, sign_in};

/// Words that must never be stored in the clear.
const FIRST_NAME: &str = "Amarachi-Sentinel";
const FAMILY_NAME: &str = "Okonkwo-Sentinel";

const ROLE_REFUSED: &str = "Your role cannot open this page.";
const NO_SUCH_CASE: &str = "No such case.";

fn demo_service_ids(site: &Site) -> Vec<String> {
    let out = site.run(&["directory", "export"], &[]);
    assert!(out.status.success());
    let document: Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut ids = Vec::new();
    fn walk(value: &Value, ids: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::Array(services)) = map.get("services") {
                    for service in services {
                        if let Some(id) = service.get("id").and_then(Value::as_str) {
                            ids.push(id.to_owned());
                        }
                    }
                }
                map.values().for_each(|v| walk(v, ids));
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, ids)),
            _ => {}
        }
    }
    walk(&document, &mut ids);
    ids.sort();
    ids.dedup();
    ids
}

fn case_id_from(reply: &support::Reply) -> String {
    assert_eq!(reply.status, 303, "{}", reply.body);
    reply
        .header("location")
        .unwrap()
        .strip_prefix("/staff/cases/")
        .unwrap()
        .to_owned()
}

/// Which accounts may open a staff route.
type AllowedFor = fn(&Account) -> bool;

/// One case route: how to call it, and the operation access control
/// decides it by.
struct Route {
    operation: Operation,
    path: &'static str,
    post: Option<&'static [(&'static str, &'static str)]>,
}

/// Each route with input that is valid as far as access goes but refused
/// after it (or harmless), so a run changes nothing.
const ROUTES: &[Route] = &[
    Route {
        operation: Operation::Read,
        path: "",
        post: None,
    },
    Route {
        operation: Operation::Update,
        path: "/consent",
        post: Some(&[("purpose", "no-such-purpose"), ("change", "give")]),
    },
    Route {
        operation: Operation::Update,
        path: "/status",
        post: Some(&[("status", "NoSuchStatus")]),
    },
    Route {
        operation: Operation::Update,
        path: "/comment",
        post: Some(&[("comment", "   ")]),
    },
    Route {
        operation: Operation::Refer,
        path: "/refer",
        post: Some(&[("provider", "no-such-service")]),
    },
    Route {
        operation: Operation::RespondToReferral,
        path: "/referrals/0",
        post: Some(&[("to", "no-such-status")]),
    },
    Route {
        operation: Operation::Export,
        path: "/export",
        post: Some(&[]),
    },
    Route {
        operation: Operation::Purge,
        path: "/hold",
        post: Some(&[("hold", "maybe")]),
    },
    Route {
        operation: Operation::Purge,
        path: "/purge",
        post: Some(&[("confirm", "not-the-id")]),
    },
];

fn call(server: &Server, staff: &Staff, case_id: &str, route: &Route) -> support::Reply {
    let path = format!("/staff/cases/{case_id}{}", route.path);
    match route.post {
        None => staff.get(server, &path),
        Some(fields) => staff.post(server, &path, fields),
    }
}

struct Account {
    name: &'static str,
    role: Role,
    tenant: &'static str,
    teams: &'static [&'static str],
    provider: Option<String>,
}

impl Account {
    fn principal(&self) -> Principal {
        Principal {
            user_id: RecordId::parse(self.name).unwrap(),
            tenant_id: RecordId::parse(self.tenant).unwrap(),
            role: self.role,
            team_ids: self
                .teams
                .iter()
                .map(|t| RecordId::parse(t).unwrap())
                .collect(),
            provider_id: self
                .provider
                .as_deref()
                .map(|p| RecordId::parse(p).unwrap()),
        }
    }
}

fn case_flow(database: Option<String>) {
    let mut site = Site::new(database);
    let services = demo_service_ids(&site);
    assert!(services.len() >= 2, "the demo directory has services");
    let provider_id = services[0].clone();
    for (name, role, extra) in [
        ("cw1", "caseworker", vec!["--teams", "team-a"]),
        ("cw2", "caseworker", vec!["--teams", "team-b"]),
        ("sup", "supervisor", vec!["--teams", "team-a"]),
        ("sup-b", "supervisor", vec!["--teams", "team-b"]),
        ("ana", "analyst", vec![]),
        ("aud", "auditor", vec![]),
        ("prov", "provider", vec!["--provider", provider_id.as_str()]),
    ] {
        site.add_staff("alice", name, role, &extra);
    }
    site.add_tenant("Other Agency", "zed");
    site.add_staff("zed", "cw-x", "caseworker", &["--teams", "team-a"]);
    let server = site.start(&[]);

    // A caseworker opens a case with consent to referral only.
    let cw1 = sign_in(&server, &site, "cw1");
    let created = cw1.post(
        &server,
        "/staff/cases",
        &[
            ("first_name", FIRST_NAME),
            ("second_name", FAMILY_NAME),
            ("birthdate", "2004-03-09"),
            ("gender", "Feminine"),
            ("citizenship", "ng"),
            ("exploitation", "SexualExploitation"),
            ("team", "team-a"),
            ("consent_referral", "yes"),
        ],
    );
    let case_id = case_id_from(&created);
    let page = cw1.get(&server, &format!("/staff/cases/{case_id}"));
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(FIRST_NAME), "the owner sees the name");

    // Sensitive fields are sealed at rest; the access facts are not.
    let dump = site.dump();
    let dump_text = String::from_utf8_lossy(&dump);
    for secret in [FIRST_NAME, FAMILY_NAME, "2004-03-09"] {
        assert!(
            !dump_text.contains(secret),
            "{secret} is stored in the clear"
        );
    }
    assert!(dump_text.contains(&case_id) && dump_text.contains("SexualExploitation"));

    // A new case must be the creator's and in their team.
    let elsewhere = cw1.post(
        &server,
        "/staff/cases",
        &[("first_name", "X"), ("team", "team-b")],
    );
    assert_eq!(elsewhere.status, 403, "{}", elsewhere.body);

    // Any field can be edited as an HTCDS document, validated first; the id
    // stays, and referrals cannot be slipped in without the referral form.
    let today = ctip_tipline::day_of(support::unix_now() as i64);
    let edited = |extra: serde_json::Value| {
        let mut document = serde_json::json!({
            "htcds_version": "2.0",
            "id": case_id,
            "cas_Status": "Active",
            "cas_CaseOwner": "cw1",
            "victim": {
                "id": "victim-1",
                "prs_FirstName": FIRST_NAME,
                "prs_SecondName": FAMILY_NAME,
                "prs_Birthdate": "2004-03-09",
                "prs_Gender": "Feminine",
                "prs_Citizenship": ["NG"],
                "vic_TypeOfExploitation": ["SexualExploitation"],
                "vic_MethodsOfControl": ["DebtBondage"]
            },
            "consent": { "ctip:referral_to_services": { "given_on": today, "recorded_by": "cw1" } }
        });
        for (key, value) in extra.as_object().unwrap() {
            document[key] = value.clone();
        }
        document.to_string()
    };
    let path = format!("/staff/cases/{case_id}/document");
    let saved = cw1.post(
        &server,
        &path,
        &[("document", &edited(serde_json::json!({})))],
    );
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert!(
        cw1.get(&server, &format!("/staff/cases/{case_id}"))
            .body
            .contains("DebtBondage")
    );
    let bad_value = cw1.post(
        &server,
        &path,
        &[(
            "document",
            &edited(serde_json::json!({ "cas_Status": "Sleeping" })),
        )],
    );
    assert_eq!(bad_value.status, 422);
    assert!(bad_value.body.contains("/cas_Status"), "{}", bad_value.body);
    let new_id = cw1.post(
        &server,
        &path,
        &[(
            "document",
            &edited(serde_json::json!({ "id": "case-other" })),
        )],
    );
    assert_eq!(new_id.status, 422);
    let slipped = cw1.post(
        &server,
        &path,
        &[(
            "document",
            &edited(serde_json::json!({
                "organisations": [{ "id": "org-9", "org_Name": "Anyone" }],
                "outgoing_referrals": [{ "cas_ReferredOrganisation": "org-9", "ctip:status": "sent" }]
            })),
        )],
    );
    assert_eq!(slipped.status, 422, "{}", slipped.body);

    // Without consent to sharing, export is refused; with a reason, the
    // supervisor may override, and that is audited.
    let refused = cw1.post(&server, &format!("/staff/cases/{case_id}/export"), &[]);
    assert_eq!(refused.status, 403);
    assert!(
        refused.body.contains("Refused: no consent"),
        "{}",
        refused.body
    );
    let sup = sign_in(&server, &site, "sup");
    let no_reason = sup.post(
        &server,
        &format!("/staff/cases/{case_id}/export"),
        &[("override_code", "court_order"), ("override_reason", "")],
    );
    assert_eq!(no_reason.status, 422, "an override needs a written reason");
    let exported = sup.post(
        &server,
        &format!("/staff/cases/{case_id}/export"),
        &[
            ("override_code", "court_order"),
            ("override_reason", "Order 2026/113 of the district court"),
        ],
    );
    assert_eq!(exported.status, 200, "{}", exported.body);
    assert_eq!(exported.header("content-type"), Some("application/json"));
    let document: Value = serde_json::from_str(&exported.body).unwrap();
    assert_eq!(document["victim"]["prs_FirstName"], FIRST_NAME);
    ctip_cases::import_case_value(&document).expect("the export is a valid HTCDS case");

    // Referral: to a provider of the directory, with consent.
    let sent = cw1.post(
        &server,
        &format!("/staff/cases/{case_id}/refer"),
        &[
            ("provider", provider_id.as_str()),
            ("reason", "AdditionalServicesRequired"),
            ("details", "Needs safe accommodation this week"),
        ],
    );
    assert_eq!(sent.status, 303, "{}", sent.body);
    let prov = sign_in(&server, &site, "prov");
    let offers = prov.get(&server, "/staff/cases");
    assert!(
        offers.body.contains(&case_id),
        "the provider sees the offer"
    );
    let offer = prov.get(&server, &format!("/staff/cases/{case_id}"));
    assert_eq!(offer.status, 200);
    assert!(offer.body.contains("Needs safe accommodation"));
    assert!(
        !offer.body.contains(FIRST_NAME),
        "an offer holds no personal data"
    );

    // Every case route, every role, two tenants: the server's answers are
    // the access policy's.
    let tenant_one = "org-1";
    let accounts = [
        Account {
            name: "cw1",
            role: Role::Caseworker,
            tenant: tenant_one,
            teams: &["team-a"],
            provider: None,
        },
        Account {
            name: "cw2",
            role: Role::Caseworker,
            tenant: tenant_one,
            teams: &["team-b"],
            provider: None,
        },
        Account {
            name: "sup",
            role: Role::Supervisor,
            tenant: tenant_one,
            teams: &["team-a"],
            provider: None,
        },
        Account {
            name: "sup-b",
            role: Role::Supervisor,
            tenant: tenant_one,
            teams: &["team-b"],
            provider: None,
        },
        Account {
            name: "ana",
            role: Role::Analyst,
            tenant: tenant_one,
            teams: &[],
            provider: None,
        },
        Account {
            name: "prov",
            role: Role::Provider,
            tenant: tenant_one,
            teams: &[],
            provider: Some(provider_id.clone()),
        },
        Account {
            name: "aud",
            role: Role::Auditor,
            tenant: tenant_one,
            teams: &[],
            provider: None,
        },
        Account {
            name: "alice",
            role: Role::Admin,
            tenant: tenant_one,
            teams: &[],
            provider: None,
        },
        Account {
            name: "zed",
            role: Role::Admin,
            tenant: "org-2",
            teams: &[],
            provider: None,
        },
        Account {
            name: "cw-x",
            role: Role::Caseworker,
            tenant: "org-2",
            teams: &["team-a"],
            provider: None,
        },
    ];
    let resource = CaseResource {
        tenant_id: RecordId::parse(tenant_one).unwrap(),
        case_id: RecordId::parse(&case_id).unwrap(),
        owner: Some(RecordId::parse("cw1").unwrap()),
        team_id: Some(RecordId::parse("team-a").unwrap()),
        referrals: vec![CaseReferral {
            provider_id: RecordId::parse(&provider_id).unwrap(),
            status: ReferralStatus::Sent,
        }],
    };
    let mut tried = 0;
    for account in &accounts {
        let staff = sign_in(&server, &site, account.name);
        for route in ROUTES {
            let reply = call(&server, &staff, &case_id, route);
            let decision = decide_case(&account.principal(), route.operation, &resource);
            let role_uses_cases = !matches!(account.role, Role::Admin | Role::Auditor);
            match decision {
                // Admins and auditors never reach case pages at all.
                _ if !role_uses_cases => {
                    assert_eq!(reply.status, 403, "{} {}", account.name, route.path);
                    assert!(reply.body.contains(ROLE_REFUSED));
                }
                Decision::Allow { .. } => {
                    assert!(
                        !reply.body.contains(ROLE_REFUSED) && !reply.body.contains(NO_SUCH_CASE),
                        "{} {} {}: allowed by policy, refused by the server",
                        account.name,
                        route.path,
                        reply.status
                    );
                    assert!(
                        reply.status < 500,
                        "{} {}: {}",
                        account.name,
                        route.path,
                        reply.body
                    );
                }
                Decision::Deny { .. } => {
                    let expected = decision.refusal_status().unwrap();
                    assert_eq!(
                        reply.status, expected,
                        "{} {}: denied by policy",
                        account.name, route.path
                    );
                    let page = if expected == 404 {
                        NO_SUCH_CASE
                    } else {
                        ROLE_REFUSED
                    };
                    assert!(reply.body.contains(page), "{}", reply.body);
                    assert!(!reply.body.contains(FIRST_NAME));
                }
            }
            tried += 1;
        }
    }
    assert_eq!(tried, accounts.len() * ROUTES.len());

    // The other staff routes, for the same accounts: tips are the host
    // organisation's and only its hotline and administrators read them;
    // identifier search is the host's tip-line roles'; each tenant's
    // administrators and auditors read their own audit log; PSI is for
    // supervisors. A refusal is a 403 page (or a redirect home), never data.
    let staff_routes: [(&str, AllowedFor); 5] = [
        ("/staff/tips/1", |a| {
            a.role == Role::Admin && a.tenant == "org-1"
        }),
        ("/staff/search?q=%2B12025550143", |a| {
            matches!(a.role, Role::Admin | Role::Analyst) && a.tenant == "org-1"
        }),
        ("/staff/audit", |a| {
            matches!(a.role, Role::Admin | Role::Auditor)
        }),
        // Entry 0 is tenant one's: the other tenant's administrator gets a
        // 404 (checked below), not its proof.
        ("/staff/ledger/proof/0", |a| {
            matches!(a.role, Role::Admin | Role::Auditor) && a.tenant == "org-1"
        }),
        ("/staff/exchange/psi", |a| a.role == Role::Supervisor),
    ];
    for account in &accounts {
        let staff = sign_in(&server, &site, account.name);
        for (path, allowed) in &staff_routes {
            let reply = staff.get(&server, path);
            if allowed(account) {
                assert!(
                    reply.status == 200 || (reply.status == 404 && path.starts_with("/staff/tips")),
                    "{} {path}: {} {}",
                    account.name,
                    reply.status,
                    reply.body
                );
            } else {
                let other_tenants_entry = path.starts_with("/staff/ledger")
                    && matches!(account.role, Role::Admin | Role::Auditor);
                let expected: &[u16] = if other_tenants_entry {
                    &[404]
                } else {
                    &[403, 303]
                };
                assert!(
                    expected.contains(&reply.status),
                    "{} {path}: {}",
                    account.name,
                    reply.status
                );
                assert!(!reply.body.contains(FIRST_NAME));
            }
        }
    }

    // The other tenant's attempt looked like a missing case, and its own
    // audit log says what happened; tenant one's log holds no trace of it.
    let zed = sign_in(&server, &site, "zed");
    let zed_log = zed.get(&server, "/staff/audit");
    assert_eq!(zed_log.status, 200);
    assert!(zed_log.body.contains("cross-tenant"), "{}", zed_log.body);
    assert!(
        !zed_log.body.contains("staff:cw1"),
        "tenants' logs are apart"
    );
    let aud = sign_in(&server, &site, "aud");
    let log = aud.get(&server, "/staff/audit");
    assert_eq!(log.status, 200);
    assert!(!log.body.contains("staff:cw-x"));
    assert!(log.body.contains("override"), "the override is in the log");

    // The analyst sees the case de-identified.
    let ana = sign_in(&server, &site, "ana");
    let view = ana.get(&server, &format!("/staff/cases/{case_id}"));
    assert_eq!(view.status, 200);
    assert!(!view.body.contains(FIRST_NAME) && !view.body.contains("2004-03-09"));
    assert!(view.body.contains("SexualExploitation"));

    // An analyst takes the cases with consent to statistics, de-identified,
    // to `ctip stats`.
    let counted = case_id_from(&cw1.post(
        &server,
        "/staff/cases",
        &[
            ("first_name", FIRST_NAME),
            ("birthdate", "2001-07-30"),
            ("exploitation", "ForcedLabour"),
            ("team", "team-a"),
            ("consent_statistics", "yes"),
        ],
    ));
    let bundle = site.dir.path().join("research.json");
    let out = site.run(
        &[
            "cases",
            "export-deidentified",
            "--by",
            "ana",
            "--out",
            bundle.to_str().unwrap(),
        ],
        &[("CTIP_PASSWORD", support::PASSWORD)],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("1 de-identified cases") && stdout.contains("1 left out"),
        "{stdout}"
    );
    let research = std::fs::read_to_string(&bundle).unwrap();
    assert!(research.contains(&counted) && research.contains("ForcedLabour"));
    assert!(!research.contains(FIRST_NAME) && !research.contains("2001-07-30"));
    let not_analyst = site.run(
        &[
            "cases",
            "export-deidentified",
            "--by",
            "cw1",
            "--out",
            site.dir.path().join("x.json").to_str().unwrap(),
        ],
        &[("CTIP_PASSWORD", support::PASSWORD)],
    );
    assert_eq!(
        not_analyst.status.code(),
        Some(1),
        "only analysts export for research"
    );
    let stats_dir = site.dir.path().join("stats");
    let stats = ctip()
        .args([
            "stats",
            "--cases",
            bundle.to_str().unwrap(),
            "--mode",
            "threshold",
            "--dataset",
            "cases",
        ])
        .args([
            "--budget",
            site.dir.path().join("budget.json").to_str().unwrap(),
        ])
        .args(["--out", stats_dir.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        stats.status.success(),
        "{}",
        String::from_utf8_lossy(&stats.stderr)
    );
    assert!(stats_dir.join("stats.html").exists());

    // The provider accepts, then sees what the service needs.
    let accepted = prov.post(
        &server,
        &format!("/staff/cases/{case_id}/referrals/0"),
        &[("to", "accepted")],
    );
    assert_eq!(accepted.status, 303, "{}", accepted.body);
    let referral = prov.get(&server, &format!("/staff/cases/{case_id}"));
    assert!(referral.body.contains(FIRST_NAME));
    assert!(
        !referral.body.contains("SexualExploitation"),
        "only the person, not the case"
    );
    let completed = prov.post(
        &server,
        &format!("/staff/cases/{case_id}/referrals/0"),
        &[("to", "completed")],
    );
    assert_eq!(completed.status, 303);
    // The provider knew of the case, so it is refused rather than hidden.
    let after = prov.get(&server, &format!("/staff/cases/{case_id}"));
    assert_eq!(after.status, 403, "a closed referral shows nothing more");
    assert!(!after.body.contains(FIRST_NAME));

    // Consent withdrawn: a new referral is refused.
    let withdrawn = cw1.post(
        &server,
        &format!("/staff/cases/{case_id}/consent"),
        &[("purpose", "referral_to_services"), ("change", "withdraw")],
    );
    assert_eq!(withdrawn.status, 303, "{}", withdrawn.body);
    let again = cw1.post(
        &server,
        &format!("/staff/cases/{case_id}/refer"),
        &[("provider", services[1].as_str())],
    );
    assert_eq!(again.status, 403);
    assert!(again.body.contains("withdrawn"), "{}", again.body);

    // Retention: a second case under legal hold survives the sweep, the
    // first is purged once its period has passed.
    let held = case_id_from(&cw1.post(
        &server,
        "/staff/cases",
        &[("first_name", "Held"), ("team", "team-a")],
    ));
    for id in [&case_id, &held] {
        let closed = cw1.post(
            &server,
            &format!("/staff/cases/{id}/status"),
            &[
                ("status", "Closed"),
                ("closure", "Moved to a partner's care"),
            ],
        );
        assert_eq!(closed.status, 303, "{}", closed.body);
    }
    assert_eq!(
        sup.post(
            &server,
            &format!("/staff/cases/{held}/hold"),
            &[("hold", "on")]
        )
        .status,
        303
    );
    let retention = site.run(
        &[
            "cases",
            "retention",
            "--closed-days",
            "30",
            "--referred-days",
            "30",
        ],
        &[],
    );
    assert!(
        retention.status.success(),
        "{}",
        String::from_utf8_lossy(&retention.stderr)
    );
    let early = site.run(&["cases", "purge"], &[]);
    assert!(early.status.success());
    assert!(String::from_utf8_lossy(&early.stdout).contains("0 purged"));
    let in_31_days = add_days(&today, 31);
    let sweep = site.run(&["cases", "purge", "--as-of", &in_31_days], &[]);
    let sweep_out = String::from_utf8_lossy(&sweep.stdout);
    assert!(
        sweep.status.success(),
        "{}",
        String::from_utf8_lossy(&sweep.stderr)
    );
    assert!(
        sweep_out.contains("1 purged") && sweep_out.contains("1 kept under legal hold"),
        "{sweep_out}"
    );
    assert_eq!(
        cw1.get(&server, &format!("/staff/cases/{case_id}")).status,
        404
    );
    assert_eq!(
        cw1.get(&server, &format!("/staff/cases/{held}")).status,
        200
    );
    let log = aud.get(&server, "/staff/audit");
    assert!(log.body.contains("system:retention"));

    // A supervisor erases a case at the person's request: refused under
    // legal hold, done once the hold is lifted, and recorded.
    let erase = |confirm: &str| {
        sup.post(
            &server,
            &format!("/staff/cases/{held}/purge"),
            &[("confirm", confirm)],
        )
    };
    assert_eq!(erase(&held).status, 409, "legal hold stops erasure");
    assert_eq!(
        sup.post(
            &server,
            &format!("/staff/cases/{held}/hold"),
            &[("hold", "off")]
        )
        .status,
        303
    );
    assert_eq!(erase("wrong").status, 422);
    assert_eq!(erase(&held).status, 303);
    assert_eq!(
        cw1.get(&server, &format!("/staff/cases/{held}")).status,
        404
    );
    assert!(aud.get(&server, "/staff/audit").body.contains("on request"));

    drop(server);
    let verify = ctip()
        .args(site.ledger_args())
        .arg("verify")
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}{}",
        String::from_utf8_lossy(&verify.stdout),
        String::from_utf8_lossy(&verify.stderr)
    );
}

/// `day` plus `days`, through the Unix day count.
fn add_days(day: &str, days: i64) -> String {
    let midnight = (0..=i64::from(u16::MAX))
        .map(|d| d * 86_400)
        .find(|&t| ctip_tipline::day_of(t) == day)
        .expect("a day after 1970");
    ctip_tipline::day_of(midnight + days * 86_400)
}

#[test]
fn cases_on_sqlite() {
    case_flow(None);
}

#[test]
fn cases_on_postgres() {
    match std::env::var("CTIP_TEST_POSTGRES_URL") {
        Ok(url) => case_flow(Some(support::fresh_postgres_database(&url))),
        Err(_) => eprintln!("CTIP_TEST_POSTGRES_URL is not set; skipping the PostgreSQL run"),
    }
}
