//! Export then import gives back the same case; imported documents export
//! back to themselves; exports validate against the published schema.

mod common;

use common::{Choices, generate_document, schema_errors, schema_validator};
use ctip_cases::picklist::{CaseStatus, ExploitationType, MethodOfControl, ReferralStatus};
use ctip_cases::table::field_paths;
use ctip_cases::{
    Case, CaseComment, ConsentPurpose, IsoDate, Organisation, OutgoingReferral, PurposeConsent,
    RecordId, export_bundle, export_case, import_bundle, import_case, validate_case,
};
use proptest::prelude::*;
use serde_json::Value;

fn id(text: &str) -> RecordId {
    RecordId::parse(text).expect("valid test id")
}

fn date(text: &str) -> IsoDate {
    IsoDate::parse(text).expect("valid test date")
}

/// Resolves a pointer template (`/perpetrators/*/prs_FirstName`) against the
/// first element of each list.
fn first_instance(template: &str) -> String {
    template.replace("/*", "/0")
}

#[test]
fn a_document_with_every_field_imports_and_exports_back_unchanged() {
    let document = generate_document(&mut Choices::full());
    let case = import_case(&document.to_string()).unwrap_or_else(|errors| {
        panic!("the full document must import: {errors:#?}");
    });
    assert_eq!(export_case(&case), document);
}

#[test]
fn the_model_holds_every_field_of_the_table() {
    let document = export_case(
        &import_case(&generate_document(&mut Choices::full()).to_string()).expect("imports"),
    );
    for (template, spec) in field_paths() {
        let pointer = first_instance(&template);
        assert!(
            document.pointer(&pointer).is_some(),
            "{} ({template}) was lost between import and export",
            spec.key
        );
    }
}

#[test]
fn the_export_of_every_field_validates_against_the_schema() {
    let validator = schema_validator();
    let document = generate_document(&mut Choices::full());
    assert_eq!(schema_errors(&validator, &document), Vec::new());
}

#[test]
fn a_case_built_in_code_survives_export_and_import() {
    let mut case = Case::new(id("case-7"), CaseStatus::Active, id("victim-7"));
    case.victim.person.first_name = Some("Amina".to_owned());
    case.victim.person.birthdate = Some(date("2006-03-01"));
    case.victim.context.exploitation_types =
        vec![ExploitationType::ForcedLabour, ExploitationType::Servitude];
    case.victim.context.methods_of_control = vec![MethodOfControl::WithholdsDocuments];
    case.organisations.push(Organisation {
        id: id("shelter-1"),
        name: Some("Safe House".to_owned()),
        shipping_city: None,
        shipping_country: None,
        shipping_state: None,
        shipping_street: None,
        shipping_postal_code: None,
        shipping_longitude: None,
        shipping_latitude: None,
        phone: None,
        organisation_type: None,
    });
    case.outgoing_referrals.push(OutgoingReferral {
        id: Some(id("ref-1")),
        referred_organisation: id("shelter-1"),
        referred_case_worker: None,
        reason: None,
        date: Some(date("2024-05-02")),
        details: None,
        status: Some(ReferralStatus::Sent),
    });
    case.comments.push(CaseComment {
        id: None,
        text: "First meeting went well.".to_owned(),
        author: Some(id("user-3")),
        created_on: Some(date("2024-05-01")),
    });
    let consent = case.consent.get_or_insert_with(Default::default);
    *consent.for_purpose_mut(ConsentPurpose::ReferralToServices) = Some(PurposeConsent {
        given_on: date("2024-05-01"),
        recorded_by: id("user-3"),
        withdrawn_on: None,
    });
    assert_eq!(validate_case(&case), Ok(()));
    let document = export_case(&case);
    assert_eq!(document["victim"]["vic_TypeOfExploitation"][1], "Servitude");
    assert_eq!(
        document["consent"]["ctip:referral_to_services"]["given_on"],
        "2024-05-01"
    );
    let back = import_case(&document.to_string()).expect("re-imports");
    assert_eq!(back, case);
    assert!(back.consent_stands(ConsentPurpose::ReferralToServices, date("2024-05-01")));
    assert!(!back.consent_stands(ConsentPurpose::ReferralToServices, date("2024-04-30")));
    assert!(!back.consent_stands(
        ConsentPurpose::SharingWithLawEnforcement,
        date("2024-06-01")
    ));
}

#[test]
fn validate_case_catches_what_the_types_cannot() {
    let mut case = Case::new(id("case-8"), CaseStatus::Active, id("victim-8"));
    case.victim.person.first_name = Some("   ".to_owned());
    case.victim.context.location_of_exploitation = Some(id("nowhere"));
    let errors = validate_case(&case).expect_err("blank name and dangling lookup");
    let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
    assert_eq!(
        pointers,
        [
            "/victim/prs_FirstName",
            "/victim/vic_LocationOfExploitation"
        ]
    );
}

#[test]
fn bundles_round_trip() {
    let first = import_case(&generate_document(&mut Choices::full()).to_string()).expect("full");
    let mut second = Case::new(id("case-2"), CaseStatus::Closed, id("victim-2"));
    second.reason_for_closure = Some("Moved abroad".to_owned());
    let bundle = export_bundle(&[first.clone(), second.clone()]);
    let back = import_bundle(&bundle.to_string()).expect("bundle imports");
    assert_eq!(back, vec![first, second]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn generated_documents_import_and_export_to_themselves(numbers in prop::collection::vec(any::<u32>(), 1..256)) {
        let document = generate_document(&mut Choices::random(numbers));
        let case = import_case(&document.to_string());
        prop_assert!(case.is_ok(), "{:#?}", case.err());
        let case = case.unwrap_or_else(|_| unreachable!());
        prop_assert_eq!(export_case(&case), document);
    }

    #[test]
    fn generated_documents_validate_against_the_schema(numbers in prop::collection::vec(any::<u32>(), 1..256)) {
        let validator = schema_validator();
        let document = generate_document(&mut Choices::random(numbers));
        prop_assert_eq!(schema_errors(&validator, &document), Vec::<(String, String)>::new());
    }
}

#[test]
fn exported_documents_name_the_schema_and_the_htcds_version() {
    let case = Case::new(id("case-9"), CaseStatus::FollowUp, id("victim-9"));
    let document = export_case(&case);
    assert_eq!(document["$schema"], Value::from(ctip_cases::SCHEMA_ID));
    assert_eq!(document["htcds_version"], "2.0");
    assert_eq!(document["cas_Status"], "FollowUp");
}
