//! Throughput of field-level sealing, the work the server does on every
//! case it stores or opens: `cargo run --release -p ctip-cases --example
//! sealing_bench -- [CASES]`.

use ctip_cases::{FieldKey, import_case_value, open_case, seal_case};
use serde_json::json;
use std::time::Instant;

fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000);
    // A realistic case: the person, victim context, two events, a comment,
    // a referral and consent; 14 sealed values.
    let document = json!({
        "htcds_version": "2.0",
        "id": "case-bench",
        "cas_Status": "Active",
        "cas_CaseOwner": "cw1",
        "organisations": [{ "id": "org-1", "org_Name": "Safe House" }],
        "victim": {
            "id": "victim-1",
            "prs_FirstName": "Amarachi", "prs_SecondName": "Okonkwo",
            "prs_Birthdate": "2004-03-09", "prs_Gender": "Feminine",
            "prs_MobilePhone": "+2348031234567", "prs_Email": "a.o@example.org",
            "prs_IdentityNumber": "A01234567", "prs_Citizenship": ["NG"],
            "vic_TraffickingStatus": "PossibleVictimOfTrafficking",
            "vic_TypeOfExploitation": ["SexualExploitation"],
            "vic_DetailsOfVulnerabilities": "Recruited with a promise of hairdressing work in Europe; debt of 35,000 euros."
        },
        "historic_trafficking_events": [
            { "id": "event-1", "hte_City": "Benin City", "hte_Country": "NG", "hte_Type": "Recruitment",
              "hte_Description": "Met the recruiter at a church event." },
            { "id": "event-2", "hte_City": "Madrid", "hte_Country": "ES", "hte_Type": "Exploitation",
              "hte_Street": "Calle Falsa 123", "hte_Description": "Flat above a bar, passport kept by the madam." }
        ],
        "comments": [{ "id": "comment-1", "cco_CaseComment": "First interview done with an interpreter.",
                       "ctip:author": "cw1", "ctip:created_on": "2026-11-02" }],
        "outgoing_referrals": [{ "cas_ReferredOrganisation": "org-1", "cas_OutgoingReferralDate": "2026-11-03",
                                 "cas_OutgoingReferralDetails": "Needs safe accommodation this week", "ctip:status": "sent" }],
        "consent": { "ctip:referral_to_services": { "given_on": "2026-11-02", "recorded_by": "cw1" } }
    });
    let case = import_case_value(&document).expect("the benchmark case is valid");
    let key = FieldKey::from_bytes(&[7; 32]);
    let sealed_fields = case.sensitive_paths().len();

    let start = Instant::now();
    let stored: Vec<String> = (0..count).map(|_| seal_case(&case, &key)).collect();
    let seal = start.elapsed();
    let start = Instant::now();
    for row in &stored {
        let opened = open_case(row, "case-bench", &key).expect("opens");
        assert_eq!(opened.id, case.id);
    }
    let open = start.elapsed();
    println!(
        "{count} cases, {sealed_fields} sealed fields each, {} bytes stored per case",
        stored[0].len()
    );
    println!(
        "seal (export + encrypt): {:.0} cases/s ({:.1} µs each)",
        count as f64 / seal.as_secs_f64(),
        seal.as_secs_f64() * 1e6 / count as f64
    );
    println!(
        "open (decrypt + validate + import): {:.0} cases/s ({:.1} µs each)",
        count as f64 / open.as_secs_f64(),
        open.as_secs_f64() * 1e6 / count as f64
    );
}
