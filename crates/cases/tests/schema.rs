//! The published JSON Schema: well-formed draft 2020-12, versioned, and in
//! agreement with the importer on what is valid.

mod common;

use common::{schema_errors, schema_validator};
use ctip_cases::{SCHEMA_ID, htcds_json_schema, import_case};
use proptest::prelude::*;
use serde_json::{Value, json};

fn minimal() -> Value {
    json!({
        "$schema": SCHEMA_ID,
        "htcds_version": "2.0",
        "id": "case-1",
        "cas_Status": "Active",
        "organisations": [{ "id": "org-1" }],
        "victim": { "id": "victim-1" }
    })
}

fn with(parent: &str, key: &str, value: Value) -> Value {
    let mut document = minimal();
    if let Some(object) = document.pointer_mut(parent).and_then(Value::as_object_mut) {
        object.insert(key.to_owned(), value);
    }
    document
}

#[test]
fn the_schema_is_a_versioned_draft_2020_12_schema() {
    let schema = htcds_json_schema();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(schema["$id"], SCHEMA_ID);
    assert!(SCHEMA_ID.contains("/htcds/2.0/"));
    assert!(
        jsonschema::meta::is_valid(&schema),
        "valid against the 2020-12 meta-schema"
    );
    assert_eq!(schema["additionalProperties"], json!(false));
    assert_eq!(schema, htcds_json_schema(), "generation is deterministic");
    assert_eq!(
        schema["$defs"]["victim"]["properties"]["prs_FirstName"]["x-ctip-sensitive"],
        "name"
    );
    assert_eq!(
        schema["$defs"]["victim"]["properties"]["vic_Vulnerabilities"]["deprecated"],
        json!(true)
    );
}

/// Values every validator must refuse, at a place in the minimal document.
fn invalid_samples() -> Vec<(&'static str, &'static str, Value)> {
    vec![
        ("", "cas_Status", json!("Open")),
        ("", "htcds_version", json!("2.1")),
        (
            "",
            "$schema",
            json!("https://ctip.example/schema/htcds/2.0/ctip-0.json"),
        ),
        ("", "unexpected", json!(1)),
        ("/victim", "prs_Gender", json!("female")),
        ("/victim", "prs_Birthdate", json!("2023-02-29")),
        ("/victim", "prs_Birthdate", json!("29/02/2024")),
        ("/victim", "prs_FirstName", json!("")),
        ("/victim", "prs_FirstName", json!("\t \n")),
        ("/victim", "prs_FirstName", json!("x".repeat(256))),
        ("/victim", "prs_Deceased", json!("true")),
        ("/victim", "prs_NumberOfChildren", json!(2.5)),
        ("/victim", "prs_NumberOfChildren", json!(101)),
        ("/victim", "prs_Citizenship", json!(["GB", "GB"])),
        ("/victim", "prs_Citizenship", json!(["gb"])),
        ("/victim", "prs_PrimaryLanguage", json!("english")),
        ("/victim", "prs_MobilePhone", json!("+44 7700 900123")),
        ("/victim", "prs_Email", json!("no-at-sign.org")),
        ("/victim", "prs_MailingLatitude", json!(-90.5)),
        ("/victim", "vic_TypeOfExploitation", json!("ForcedLabour")),
        ("/victim", "vic_MethodsOfControl", json!(["Violence"])),
        ("/victim", "ctip:unknown", json!(true)),
        ("/victim", "id", json!("has space")),
        ("/organisations/0", "org_Type", json!("Charity")),
        (
            "",
            "consent",
            json!({ "ctip:referral_to_services": { "given_on": "2024-01-01" } }),
        ),
        ("", "comments", json!([{ "ctip:author": "user-1" }])),
        (
            "",
            "outgoing_referrals",
            json!([{ "cas_ReferredOrganisation": "org-1", "ctip:status": "declined" }]),
        ),
    ]
}

#[test]
fn the_schema_and_the_importer_refuse_the_same_bad_values() {
    let validator = schema_validator();
    assert_eq!(schema_errors(&validator, &minimal()), Vec::new());
    assert!(import_case(&minimal().to_string()).is_ok());
    for (parent, key, value) in invalid_samples() {
        let document = with(parent, key, value.clone());
        assert!(
            !validator.is_valid(&document),
            "schema accepted {key} = {value} under {parent:?}"
        );
        assert!(
            import_case(&document.to_string()).is_err(),
            "importer accepted {key} = {value} under {parent:?}"
        );
    }
}

#[test]
fn rules_beyond_the_schema_are_the_importers() {
    let validator = schema_validator();
    // Each of these is schema-valid but refused on import.
    let dangling = with("/victim", "vic_LocationOfExploitation", json!("org-404"));
    let mut duplicate = minimal();
    duplicate["organisations"] = json!([{ "id": "org-1" }, { "id": "org-1" }]);
    let withdrawn_early = with(
        "",
        "consent",
        json!({ "ctip:referral_to_services": {
            "given_on": "2024-01-02", "recorded_by": "u", "withdrawn_on": "2024-01-01" } }),
    );
    for document in [dangling, duplicate, withdrawn_early] {
        assert!(validator.is_valid(&document), "{document}");
        assert!(import_case(&document.to_string()).is_err(), "{document}");
    }
}

fn agree(parent: &str, key: &str, value: &str) -> Result<(), TestCaseError> {
    let validator = schema_validator();
    let document = with(parent, key, json!(value));
    let by_schema = validator.is_valid(&document);
    let by_import = import_case(&document.to_string()).is_ok();
    prop_assert_eq!(by_schema, by_import, "{} = {:?}", key, value);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn phone_rules_agree(value in prop_oneof!["\\+?[0-9]{0,17}", "\\PC{0,18}"]) {
        agree("/victim", "prs_HomePhone", &value)?;
    }

    #[test]
    fn date_rules_agree(value in prop_oneof!["[0-9]{4}-[0-1][0-9]-[0-3][0-9]", "[0-9-]{8,12}"]) {
        agree("/victim", "prs_Birthdate", &value)?;
    }

    #[test]
    fn email_rules_agree(value in prop_oneof!["[a-z.@ ]{1,12}", "[a-z]{1,5}@[a-z]{1,5}\\.[a-z]{0,3}", "\\PC{0,12}"]) {
        agree("/victim", "prs_Email", &value)?;
    }

    #[test]
    fn identifier_rules_agree(value in prop_oneof!["[A-Za-z0-9._:-]{0,10}", "\\PC{0,10}"]) {
        agree("/victim", "id", &value)?;
    }

    #[test]
    fn text_rules_agree(value in prop_oneof!["[ \\t\\r\\na-z]{0,6}", "\\PC{0,8}"]) {
        agree("/victim", "prs_MailingState", &value)?;
    }
}
