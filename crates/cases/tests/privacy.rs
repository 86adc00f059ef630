//! Sensitive paths and de-identification.

mod common;

use common::{Choices, generate_document};
use ctip_cases::picklist::{AgeBand, CaseStatus};
use ctip_cases::table::{FIELDS, ObjectKind, field_paths};
use ctip_cases::{
    Case, IsoDate, RecordId, Sensitivity, deidentify, export_case, import_case,
    sensitive_field_templates, validate_case,
};
use proptest::prelude::*;

fn date(text: &str) -> IsoDate {
    IsoDate::parse(text).expect("valid test date")
}

fn full_case() -> Case {
    import_case(&generate_document(&mut Choices::full()).to_string()).expect("full document")
}

#[test]
fn the_categories_the_issue_names_are_all_marked() {
    let sensitivity = |key: &str| {
        FIELDS
            .iter()
            .find(|spec| spec.key == key)
            .and_then(|spec| spec.sensitivity)
    };
    assert_eq!(sensitivity("prs_FirstName"), Some(Sensitivity::Name));
    assert_eq!(sensitivity("prs_SecondName"), Some(Sensitivity::Name));
    assert_eq!(sensitivity("prs_Birthdate"), Some(Sensitivity::BirthDate));
    assert_eq!(
        sensitivity("prs_MobilePhone"),
        Some(Sensitivity::ContactDetails)
    );
    assert_eq!(sensitivity("prs_Email"), Some(Sensitivity::ContactDetails));
    assert_eq!(
        sensitivity("prs_MailingStreet"),
        Some(Sensitivity::ContactDetails)
    );
    assert_eq!(
        sensitivity("prs_IdentityNumber"),
        Some(Sensitivity::IdentityNumber)
    );
    assert_eq!(sensitivity("vic_TypeOfExploitation"), None);
    assert_eq!(sensitivity("org_Name"), None, "organisations are public");
    // All free text is sensitive, whatever the field.
    for spec in FIELDS {
        if let ctip_cases::table::FieldKind::Text { max_chars } = spec.kind
            && max_chars == ctip_cases::table::LONG_TEXT_MAX_CHARS
        {
            assert_eq!(
                spec.sensitivity,
                Some(Sensitivity::FreeText),
                "{}",
                spec.key
            );
        }
    }
}

#[test]
fn sensitive_paths_list_every_sensitive_value_present_and_nothing_else() {
    let case = full_case();
    let document = export_case(&case);
    let paths = case.sensitive_paths();
    let templates = sensitive_field_templates();
    assert!(!paths.is_empty());
    for path in &paths {
        assert!(
            document.pointer(&path.pointer).is_some(),
            "{}",
            path.pointer
        );
        let template = path
            .pointer
            .split('/')
            .map(|token| {
                if token.parse::<usize>().is_ok() {
                    "*"
                } else {
                    token
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        assert!(
            templates.contains(&(template.clone(), path.sensitivity)),
            "{} ({template}) is not a sensitive field",
            path.pointer
        );
    }
    // Every template occurs in the full document (its lists hold two records).
    for (template, _) in &templates {
        let first = template.replace("/*", "/0");
        assert!(
            paths.iter().any(|path| path.pointer == first),
            "{first} is missing from sensitive_paths"
        );
    }
    assert!(
        paths
            .iter()
            .any(|p| p.pointer == "/perpetrators/1/prs_FirstName")
    );
    assert!(
        paths
            .iter()
            .any(|p| p.pointer == "/comments/1/cco_CaseComment")
    );
}

#[test]
fn a_bare_case_has_no_sensitive_values() {
    let case = Case::new(
        RecordId::parse("c").expect("id"),
        CaseStatus::Active,
        RecordId::parse("v").expect("id"),
    );
    assert!(case.sensitive_paths().is_empty());
}

#[test]
fn deidentification_drops_sensitive_fields_and_bands_ages() {
    let mut case = full_case();
    case.victim.person.birthdate = Some(date("2008-07-01"));
    case.victim.context.age_when_trafficked = Some(14);
    let view = deidentify(&case, date("2026-06-30"));
    assert!(
        view.sensitive_paths().is_empty(),
        "{:?}",
        view.sensitive_paths()
    );
    assert_eq!(
        view.victim.person.age_band,
        Some(AgeBand::From9To17),
        "17 on the day before 18"
    );
    assert_eq!(view.victim.context.age_when_trafficked, None);
    assert_eq!(
        view.victim.context.age_band_when_trafficked,
        Some(AgeBand::From9To17)
    );
    assert!(
        view.comments.is_empty(),
        "comments are nothing but free text"
    );
    assert_eq!(
        view.victim.context.exploitation_types,
        case.victim.context.exploitation_types
    );
    assert_eq!(view.historic_events.len(), case.historic_events.len());
    assert_eq!(
        view.historic_events[0].country,
        case.historic_events[0].country
    );
    assert_eq!(view.historic_events[0].street, None);
    assert_eq!(view.consent, case.consent, "consent records are kept");
    assert_eq!(view.id, case.id);
    assert_eq!(validate_case(&view), Ok(()), "the view is a valid case");
    let on_birthday = deidentify(&case, date("2026-07-01"));
    assert_eq!(
        on_birthday.victim.person.age_band,
        Some(AgeBand::From18To20)
    );
}

#[test]
fn deidentification_replaces_person_ids_and_follows_lookups() {
    let case = full_case();
    let view = deidentify(&case, date("2026-01-01"));
    assert_eq!(view.victim.id.as_str(), "person-1");
    let mut ids: Vec<&str> = view
        .persons
        .iter()
        .map(|p| p.id.as_str())
        .chain(view.perpetrators.iter().map(|p| p.id.as_str()))
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, ["person-2", "person-3", "person-4", "person-5"]);
    let worker = case
        .persons
        .iter()
        .position(|p| p.id.as_str() == "worker-1")
        .expect("worker-1");
    let pseudonym = &view.persons[worker].id;
    let referral = view.incoming_referral.as_ref().expect("kept");
    assert_eq!(referral.referring_case_worker.as_ref(), Some(pseudonym));
    let exported = export_case(&view).to_string();
    for original in ["victim-1", "worker-1", "perpetrator-1"] {
        assert!(!exported.contains(original), "{original} survived");
    }
}

#[test]
fn every_sensitive_template_is_under_an_object_the_walker_knows() {
    // Guards the table: sensitive fields in kinds unreachable from the root
    // would never be encrypted.
    let reachable: Vec<String> = field_paths().into_iter().map(|(path, _)| path).collect();
    for spec in FIELDS.iter().filter(|spec| spec.sensitivity.is_some()) {
        let in_some_kind = ObjectKind::ALL
            .iter()
            .any(|kind| kind.field(spec.key).is_some());
        assert!(in_some_kind, "{}", spec.key);
        assert!(
            reachable
                .iter()
                .any(|path| path.ends_with(&format!("/{}", spec.key))),
            "{}",
            spec.key
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn deidentified_views_hold_no_sensitive_value_and_stay_valid(numbers in prop::collection::vec(any::<u32>(), 1..256)) {
        let case = import_case(&generate_document(&mut Choices::random(numbers)).to_string());
        prop_assert!(case.is_ok());
        let case = case.unwrap_or_else(|_| unreachable!());
        // Generated birth dates run to 2029; every one is past by 2100.
        let view = deidentify(&case, date("2100-01-01"));
        prop_assert!(view.sensitive_paths().is_empty());
        prop_assert_eq!(validate_case(&view), Ok(()));
        if case.victim.person.birthdate.is_some() {
            prop_assert!(view.victim.person.age_band.is_some());
        }
        prop_assert_eq!(deidentify(&view, date("2100-01-01")), view.clone(), "de-identification is idempotent");
    }
}
