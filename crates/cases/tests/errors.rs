//! Every kind of import error, with the JSON pointer it names, the value it
//! quotes (or withholds) and what it expected. Import is all or nothing.

use ctip_cases::picklist::{ExploitationType, Picklist};
use ctip_cases::table::LookupTarget;
use ctip_cases::{Found, ImportError, ImportErrorKind, import_bundle, import_case};
use serde_json::{Value, json};

fn minimal() -> Value {
    json!({
        "htcds_version": "2.0",
        "id": "case-1",
        "cas_Status": "Active",
        "organisations": [{ "id": "org-1", "org_Name": "Safe House" }],
        "persons": [{ "id": "worker-1", "prs_Title": "Case worker" }],
        "victim": { "id": "victim-1" }
    })
}

fn with(pointer_parent: &str, key: &str, value: Value) -> Value {
    let mut document = minimal();
    let parent = document
        .pointer_mut(pointer_parent)
        .and_then(Value::as_object_mut)
        .expect("parent object exists in the minimal document");
    parent.insert(key.to_owned(), value);
    document
}

fn errors_of(document: &Value) -> Vec<ImportError> {
    import_case(&document.to_string()).expect_err("the document is invalid")
}

fn only_error(document: &Value) -> ImportError {
    let errors = errors_of(document);
    assert_eq!(errors.len(), 1, "{errors:#?}");
    errors.into_iter().next().unwrap_or_else(|| unreachable!())
}

#[test]
fn the_minimal_document_is_valid() {
    assert!(import_case(&minimal().to_string()).is_ok());
}

#[test]
fn a_bad_picklist_value_names_its_index_and_lists_the_allowed_values() {
    let document = with(
        "/victim",
        "vic_TypeOfExploitation",
        json!(["ForcedLabour", "Forced labour"]),
    );
    let error = only_error(&document);
    assert_eq!(error.pointer, "/victim/vic_TypeOfExploitation/1");
    assert_eq!(error.found, Found::Value("\"Forced labour\"".to_owned()));
    assert_eq!(
        error.kind,
        ImportErrorKind::NotInPicklist {
            allowed: ExploitationType::VALUES
        }
    );
    let message = error.to_string();
    assert!(
        message.contains("\"ForcedMilitaryByNonStateActors\""),
        "{message}"
    );
    assert!(
        message.starts_with("/victim/vic_TypeOfExploitation/1: "),
        "{message}"
    );
}

#[test]
fn picklist_values_are_case_sensitive() {
    let error = only_error(&with("", "cas_Status", json!("active")));
    assert_eq!(error.pointer, "/cas_Status");
    assert!(matches!(error.kind, ImportErrorKind::NotInPicklist { .. }));
}

#[test]
fn wrong_json_types_are_named() {
    let error = only_error(&with("/victim", "prs_Deceased", json!("yes")));
    assert_eq!(error.pointer, "/victim/prs_Deceased");
    assert_eq!(
        error.kind,
        ImportErrorKind::WrongType {
            expected: "true or false"
        }
    );
    let error = only_error(&with(
        "/victim",
        "vic_MethodsOfControl",
        json!("DebtBondage"),
    ));
    assert_eq!(
        error.kind,
        ImportErrorKind::WrongType {
            expected: "an array"
        }
    );
    let error = only_error(&with("", "victim", json!(["victim-1"])));
    assert_eq!(error.pointer, "/victim");
    assert_eq!(
        error.kind,
        ImportErrorKind::WrongType {
            expected: "an object"
        }
    );
    let error = only_error(&with("/victim", "prs_Gender", Value::Null));
    assert_eq!(
        error.kind,
        ImportErrorKind::WrongType {
            expected: "a string"
        }
    );
}

#[test]
fn unknown_fields_are_refused_with_a_suggestion_and_their_value_withheld() {
    let error = only_error(&with("/victim", "FirstName", json!("Amina")));
    assert_eq!(error.pointer, "/victim/FirstName");
    assert_eq!(error.found, Found::Withheld);
    let ImportErrorKind::UnknownField {
        allowed,
        suggestion,
    } = &error.kind
    else {
        panic!("expected an unknown-field error, got {error:?}");
    };
    assert_eq!(*suggestion, Some("prs_FirstName"));
    assert!(allowed.contains(&"vic_TraffickingStatus"));
    assert!(!error.to_string().contains("Amina"));
}

#[test]
fn keys_with_slashes_and_tildes_are_escaped_in_pointers() {
    let error = only_error(&with("/victim", "a/b~c", json!(1)));
    assert_eq!(error.pointer, "/victim/a~1b~0c");
}

#[test]
fn missing_required_fields_point_where_they_belong() {
    let mut document = minimal();
    document["victim"]
        .as_object_mut()
        .map(|victim| victim.remove("id"));
    document
        .as_object_mut()
        .map(|root| root.remove("cas_Status"));
    let errors = errors_of(&document);
    let found: Vec<(&str, &ImportErrorKind)> = errors
        .iter()
        .map(|e| (e.pointer.as_str(), &e.kind))
        .collect();
    assert_eq!(
        found,
        [
            ("/victim/id", &ImportErrorKind::MissingField { field: "id" }),
            (
                "/cas_Status",
                &ImportErrorKind::MissingField {
                    field: "cas_Status"
                }
            ),
        ]
    );
}

#[test]
fn dates_must_be_real_iso_dates() {
    for bad in [
        "2023-02-29",
        "01/02/2024",
        "2024-1-5",
        "2024-01-05T10:00:00Z",
    ] {
        let error = only_error(&with("/persons/0", "prs_Birthdate", json!(bad)));
        assert_eq!(error.pointer, "/persons/0/prs_Birthdate");
        assert_eq!(error.kind, ImportErrorKind::InvalidDate);
        assert_eq!(error.found, Found::Withheld, "a birth date is sensitive");
    }
    let error = only_error(&with(
        "",
        "historic_trafficking_events",
        json!([{ "hte_Date": "2024-04-31" }]),
    ));
    assert_eq!(error.pointer, "/historic_trafficking_events/0/hte_Date");
    assert_eq!(error.found, Found::Value("\"2024-04-31\"".to_owned()));
}

#[test]
fn formats_are_checked_and_explained() {
    let cases = [
        ("prs_MobilePhone", json!("0770 090 0123")),
        ("prs_Email", json!("amina at example.org")),
        ("prs_PrimaryLanguage", json!("English")),
        ("prs_MailingCountry", json!("United Kingdom")),
    ];
    for (key, value) in cases {
        let error = only_error(&with("/victim", key, value));
        assert_eq!(error.pointer, format!("/victim/{key}"));
        assert!(
            matches!(error.kind, ImportErrorKind::InvalidFormat { .. }),
            "{key}: {error:?}"
        );
    }
    let error = only_error(&with("/victim", "prs_Citizenship", json!(["GB", "Thai"])));
    assert_eq!(error.pointer, "/victim/prs_Citizenship/1");
    assert_eq!(error.found, Found::Value("\"Thai\"".to_owned()));
    let error = only_error(&with("/victim", "id", json!("Amina Doe")));
    assert!(matches!(error.kind, ImportErrorKind::InvalidFormat { .. }));
}

#[test]
fn numbers_out_of_range_or_not_whole_are_refused() {
    let error = only_error(&with("/victim", "vic_AgeWhenTrafficked", json!(131)));
    assert_eq!(
        error.kind,
        ImportErrorKind::OutOfRange {
            min: 0.0,
            max: 130.0,
            whole: true
        }
    );
    let error = only_error(&with("/victim", "vic_AgeWhenTrafficked", json!(12.5)));
    assert_eq!(error.pointer, "/victim/vic_AgeWhenTrafficked");
    let error = only_error(&with("/victim", "prs_NumberOfChildren", json!(-1)));
    assert!(matches!(error.kind, ImportErrorKind::OutOfRange { .. }));
    let error = only_error(&with("/organisations/0", "org_ShippingLatitude", json!(91)));
    assert_eq!(
        error.kind,
        ImportErrorKind::OutOfRange {
            min: -90.0,
            max: 90.0,
            whole: false
        }
    );
    // 12.0 is a whole number, as JSON Schema's `integer` agrees.
    let document = with("/victim", "vic_AgeWhenTrafficked", json!(12.0));
    let case = import_case(&document.to_string()).expect("12.0 is whole");
    assert_eq!(case.victim.context.age_when_trafficked, Some(12));
}

#[test]
fn text_must_be_non_blank_and_within_its_length() {
    let error = only_error(&with("/victim", "prs_FirstName", json!(" \t")));
    assert_eq!(error.kind, ImportErrorKind::EmptyText);
    let error = only_error(&with("/victim", "prs_FirstName", json!("a".repeat(256))));
    assert_eq!(
        error.kind,
        ImportErrorKind::TooLong {
            max_chars: 255,
            found_chars: 256
        }
    );
    // Characters, not bytes, are counted.
    let document = with("/victim", "prs_FirstName", json!("é".repeat(255)));
    assert!(import_case(&document.to_string()).is_ok());
}

#[test]
fn multiselect_values_must_not_repeat() {
    let document = with(
        "/victim",
        "vic_MethodsOfControl",
        json!(["DebtBondage", "FalsePromises", "DebtBondage"]),
    );
    let error = only_error(&document);
    assert_eq!(error.pointer, "/victim/vic_MethodsOfControl/2");
    assert_eq!(
        error.kind,
        ImportErrorKind::DuplicateItem { first_index: 0 }
    );
}

#[test]
fn the_version_and_schema_are_constants() {
    let error = only_error(&with("", "htcds_version", json!("1.0")));
    assert_eq!(error.pointer, "/htcds_version");
    assert_eq!(
        error.kind,
        ImportErrorKind::WrongConstant { expected: "2.0" }
    );
    let error = only_error(&with(
        "",
        "$schema",
        json!("https://example.org/other.json"),
    ));
    assert_eq!(error.pointer, "/$schema");
}

#[test]
fn identifiers_must_be_unique_where_lookups_need_them() {
    let mut document = minimal();
    document["perpetrators"] = json!([{ "id": "victim-1" }]);
    document["organisations"] = json!([{ "id": "org-1" }, { "id": "org-1" }]);
    document["outgoing_referrals"] = json!([
        { "id": "r1", "cas_ReferredOrganisation": "org-1" },
        { "id": "r1", "cas_ReferredOrganisation": "org-1" }
    ]);
    let errors = errors_of(&document);
    let found: Vec<(&str, &ImportErrorKind)> = errors
        .iter()
        .map(|e| (e.pointer.as_str(), &e.kind))
        .collect();
    assert_eq!(errors.len(), 3, "{errors:#?}");
    assert!(found.contains(&(
        "/organisations/1/id",
        &ImportErrorKind::DuplicateId {
            first_pointer: "/organisations/0/id".to_owned()
        }
    )));
    assert!(found.contains(&(
        "/outgoing_referrals/1/id",
        &ImportErrorKind::DuplicateId {
            first_pointer: "/outgoing_referrals/0/id".to_owned()
        }
    )));
    // People share one namespace, because person lookups may point at any of
    // them. Which one is "first" depends on key order, so only the clash is
    // asserted.
    assert!(
        errors
            .iter()
            .any(|e| matches!(e.kind, ImportErrorKind::DuplicateId { .. })
                && (e.pointer == "/perpetrators/0/id" || e.pointer == "/victim/id"))
    );
}

#[test]
fn lookups_must_resolve_inside_the_document() {
    let mut document = minimal();
    document["victim"]["vic_LocationOfExploitation"] = json!("org-9");
    document["incoming_referral"] = json!({
        "cas_ReferringOrganisation": "org-1",
        "cas_ReferringPrimaryCaseWorker": "worker-2"
    });
    document["cas_CaseOwner"] = json!("user-not-in-document");
    let errors = errors_of(&document);
    let found: Vec<(&str, &ImportErrorKind)> = errors
        .iter()
        .map(|e| (e.pointer.as_str(), &e.kind))
        .collect();
    assert_eq!(errors.len(), 2, "users are not resolved: {errors:#?}");
    assert!(found.contains(&(
        "/victim/vic_LocationOfExploitation",
        &ImportErrorKind::DanglingReference {
            target: LookupTarget::Organisation
        }
    )));
    assert!(found.contains(&(
        "/incoming_referral/cas_ReferringPrimaryCaseWorker",
        &ImportErrorKind::DanglingReference {
            target: LookupTarget::Person
        }
    )));
}

#[test]
fn consent_cannot_be_withdrawn_before_it_was_given() {
    let document = with(
        "",
        "consent",
        json!({
            "con_Consent": true,
            "ctip:sharing_with_law_enforcement": {
                "given_on": "2024-05-02",
                "recorded_by": "user-1",
                "withdrawn_on": "2024-05-01"
            }
        }),
    );
    let error = only_error(&document);
    assert_eq!(
        error.pointer,
        "/consent/ctip:sharing_with_law_enforcement/withdrawn_on"
    );
    assert!(matches!(
        error.kind,
        ImportErrorKind::WithdrawnBeforeGiven { .. }
    ));
    let document = with(
        "",
        "consent",
        json!({ "ctip:statistics_and_research": { "given_on": "2024-05-02" } }),
    );
    let error = only_error(&document);
    assert_eq!(
        error.pointer,
        "/consent/ctip:statistics_and_research/recorded_by"
    );
}

#[test]
fn malformed_json_and_repeated_keys_are_reported_with_a_position() {
    let errors = import_case("{\"id\": \"case-1\",\n \"cas_Status\": }").expect_err("bad JSON");
    assert!(matches!(
        errors[0].kind,
        ImportErrorKind::InvalidJson { line: 2, .. }
    ));
    let errors = import_case(
        r#"{"htcds_version":"2.0","id":"c","cas_Status":"Active","victim":{"id":"v","prs_FirstName":"A","prs_FirstName":"B"}}"#,
    )
    .expect_err("a repeated key would lose data");
    let ImportErrorKind::InvalidJson { reason, .. } = &errors[0].kind else {
        panic!("expected invalid JSON, got {errors:?}");
    };
    assert!(
        reason.contains("duplicate key \"prs_FirstName\""),
        "{reason}"
    );
}

#[test]
fn every_error_is_reported_at_once_and_nothing_is_imported() {
    let mut document = minimal();
    document["cas_Status"] = json!("Open");
    document["victim"]["prs_Gender"] = json!("F");
    document["victim"]["prs_Birthdate"] = json!("1999-02-30");
    document["victim"]["vic_MethodsOfControl"] = json!(["DebtBondage", "Violence"]);
    document["comments"] = json!([{ "cco_CaseComment": "" }, { "text": "x" }]);
    let errors = errors_of(&document);
    let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
    for expected in [
        "/cas_Status",
        "/victim/prs_Gender",
        "/victim/prs_Birthdate",
        "/victim/vic_MethodsOfControl/1",
        "/comments/0/cco_CaseComment",
        "/comments/1/text",
        "/comments/1/cco_CaseComment",
    ] {
        assert!(
            pointers.contains(&expected),
            "{expected} missing from {pointers:?}"
        );
    }
    assert_eq!(errors.len(), 7, "{errors:#?}");
}

#[test]
fn a_bundle_is_all_or_nothing_and_refuses_repeated_case_ids() {
    let good = minimal();
    let mut bad = minimal();
    bad["id"] = json!("case-2");
    bad["victim"]["prs_Gender"] = json!("Female");
    let errors = import_bundle(&json!([good, bad]).to_string()).expect_err("one case is bad");
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].pointer, "/1/victim/prs_Gender");
    let errors = import_bundle(&json!([minimal(), minimal()]).to_string()).expect_err("same id");
    assert_eq!(errors[0].pointer, "/1/id");
    assert_eq!(
        errors[0].kind,
        ImportErrorKind::DuplicateId {
            first_pointer: "/0/id".to_owned()
        }
    );
    let errors = import_bundle(&minimal().to_string()).expect_err("not an array");
    assert_eq!(errors[0].pointer, "");
    assert!(import_bundle("[]").is_ok_and(|cases| cases.is_empty()));
}

#[test]
fn errors_on_sensitive_fields_never_repeat_the_value() {
    let mut document = minimal();
    document["victim"]["prs_IdentityNumber"] = json!("AB123456C ".repeat(40));
    document["victim"]["prs_MobilePhone"] = json!("call me 555");
    document["comments"] = json!([{ "cco_CaseComment": 42 }]);
    for error in errors_of(&document) {
        assert_eq!(error.found, Found::Withheld, "{error:?}");
        let message = error.to_string();
        assert!(
            !message.contains("AB123456C") && !message.contains("555"),
            "{message}"
        );
    }
}
