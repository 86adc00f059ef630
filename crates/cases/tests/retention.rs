//! Retention by status: boundaries, legal hold, reopened cases.

use ctip_cases::IsoDate;
use ctip_cases::picklist::{CaseStatus, Picklist};
use ctip_cases::retention::{
    CaseMeta, PurgeDecision, RetentionError, RetentionPolicy, RetentionPolicyError, purge_due,
};
use proptest::prelude::*;

fn date(text: &str) -> IsoDate {
    IsoDate::parse(text).expect("test dates are valid")
}

fn closed(on: &str) -> CaseMeta {
    CaseMeta {
        status: CaseStatus::Closed,
        closed_on: Some(date(on)),
        legal_hold: false,
    }
}

fn policy(days: u32) -> RetentionPolicy {
    RetentionPolicy::uniform(days).expect("positive")
}

#[test]
fn a_closed_case_is_purged_on_the_exact_day_its_period_ends() {
    // 2024 is a leap year: 2024-01-31 + 30 days is 2024-03-01.
    let case = closed("2024-01-31");
    let policy = policy(30);
    assert_eq!(
        purge_due(&case, date("2024-02-29"), &policy),
        Ok(PurgeDecision::Keep {
            purge_due_on: date("2024-03-01")
        })
    );
    assert_eq!(
        purge_due(&case, date("2024-03-01"), &policy),
        Ok(PurgeDecision::Purge {
            due_since: date("2024-03-01")
        })
    );
    assert_eq!(
        purge_due(&case, date("2025-06-01"), &policy),
        Ok(PurgeDecision::Purge {
            due_since: date("2024-03-01")
        })
    );
}

#[test]
fn periods_cross_years_and_leap_days() {
    let policy = policy(365);
    assert_eq!(
        purge_due(&closed("2023-03-01"), date("2023-03-01"), &policy),
        Ok(PurgeDecision::Keep {
            purge_due_on: date("2024-02-29")
        })
    );
    assert_eq!(
        purge_due(&closed("2024-03-01"), date("2024-03-01"), &policy),
        Ok(PurgeDecision::Keep {
            purge_due_on: date("2025-03-01")
        })
    );
    assert_eq!(
        purge_due(&closed("2023-12-31"), date("2024-12-30"), &policy),
        Ok(PurgeDecision::Purge {
            due_since: date("2024-12-30")
        })
    );
}

#[test]
fn open_cases_are_never_purged_even_if_closed_before() {
    for status in [CaseStatus::Active, CaseStatus::FollowUp] {
        for closed_on in [None, Some(date("2000-01-01"))] {
            for legal_hold in [false, true] {
                let case = CaseMeta {
                    status,
                    closed_on,
                    legal_hold,
                };
                assert_eq!(
                    purge_due(&case, date("2099-12-31"), &policy(1)),
                    Ok(PurgeDecision::KeepOpen)
                );
            }
        }
    }
}

#[test]
fn a_reopened_and_closed_again_case_counts_from_the_new_closing() {
    let policy = policy(90);
    let first_closing = closed("2024-01-01");
    assert!(matches!(
        purge_due(&first_closing, date("2024-04-01"), &policy),
        Ok(PurgeDecision::Purge { .. })
    ));
    let reopened = CaseMeta {
        status: CaseStatus::Active,
        ..first_closing
    };
    assert_eq!(
        purge_due(&reopened, date("2024-04-01"), &policy),
        Ok(PurgeDecision::KeepOpen)
    );
    let closed_again = closed("2024-03-15");
    assert_eq!(
        purge_due(&closed_again, date("2024-04-01"), &policy),
        Ok(PurgeDecision::Keep {
            purge_due_on: date("2024-06-13")
        })
    );
}

#[test]
fn a_legal_hold_keeps_an_overdue_closed_case() {
    let mut case = closed("2000-01-01");
    case.legal_hold = true;
    assert_eq!(
        purge_due(&case, date("2024-01-01"), &policy(1)),
        Ok(PurgeDecision::KeepLegalHold)
    );
    case.legal_hold = false;
    assert!(matches!(
        purge_due(&case, date("2024-01-01"), &policy(1)),
        Ok(PurgeDecision::Purge { .. })
    ));
}

#[test]
fn each_closed_status_has_its_own_period() {
    let policy = RetentionPolicy::new(30, 365).expect("positive");
    assert_eq!(policy.days_for(CaseStatus::Closed), Some(30));
    assert_eq!(policy.days_for(CaseStatus::ClosedReferred), Some(365));
    assert_eq!(policy.days_for(CaseStatus::Active), None);
    let referred = CaseMeta {
        status: CaseStatus::ClosedReferred,
        closed_on: Some(date("2024-01-01")),
        legal_hold: false,
    };
    assert!(matches!(
        purge_due(&closed("2024-01-01"), date("2024-06-01"), &policy),
        Ok(PurgeDecision::Purge { .. })
    ));
    assert_eq!(
        purge_due(&referred, date("2024-06-01"), &policy),
        Ok(PurgeDecision::Keep {
            purge_due_on: date("2024-12-31")
        })
    );
}

#[test]
fn a_closed_case_without_a_closing_day_is_kept_and_reported() {
    for status in [CaseStatus::Closed, CaseStatus::ClosedReferred] {
        let case = CaseMeta {
            status,
            closed_on: None,
            legal_hold: false,
        };
        assert_eq!(
            purge_due(&case, date("2024-01-01"), &policy(1)),
            Err(RetentionError::ClosedWithoutClosingDate { status })
        );
    }
}

#[test]
fn a_zero_day_period_is_refused() {
    assert_eq!(
        RetentionPolicy::new(0, 10),
        Err(RetentionPolicyError::ZeroDays {
            status: CaseStatus::Closed
        })
    );
    assert_eq!(
        RetentionPolicy::new(10, 0),
        Err(RetentionPolicyError::ZeroDays {
            status: CaseStatus::ClosedReferred
        })
    );
}

#[test]
fn a_due_day_past_the_calendar_keeps_the_case() {
    let case = closed("9999-12-01");
    assert_eq!(
        purge_due(&case, date("9999-12-31"), &policy(u32::MAX)),
        Ok(PurgeDecision::Keep {
            purge_due_on: date("9999-12-31")
        })
    );
    assert_eq!(
        purge_due(&case, date("9999-12-31"), &policy(31)),
        Ok(PurgeDecision::Keep {
            purge_due_on: date("9999-12-31")
        })
    );
    assert_eq!(
        purge_due(&case, date("9999-12-31"), &policy(30)),
        Ok(PurgeDecision::Purge {
            due_since: date("9999-12-31")
        })
    );
}

fn any_date() -> impl Strategy<Value = IsoDate> {
    (0u16..=9999, 1u8..=12, 1u8..=28)
        .prop_map(|(y, m, d)| IsoDate::from_ymd(y, m, d).expect("day 1-28 exists"))
}

proptest! {
    /// Keep and purge flip exactly once, on the due day, and the reported
    /// day is that day.
    #[test]
    fn the_due_day_is_the_first_purge_day(
        closed_on in any_date(),
        today in any_date(),
        days in 1u32..100_000,
        status in prop::sample::select(vec![CaseStatus::Closed, CaseStatus::ClosedReferred]),
    ) {
        let case = CaseMeta { status, closed_on: Some(closed_on), legal_hold: false };
        let policy = policy(days);
        match purge_due(&case, today, &policy) {
            Ok(PurgeDecision::Keep { purge_due_on }) => {
                // A due day past the calendar is reported as its last day.
                prop_assert!(today < purge_due_on || purge_due_on == date("9999-12-31"));
                prop_assert!(closed_on < purge_due_on);
                if purge_due_on < date("9999-12-31") {
                    prop_assert_eq!(
                        purge_due(&case, purge_due_on, &policy),
                        Ok(PurgeDecision::Purge { due_since: purge_due_on })
                    );
                }
            }
            Ok(PurgeDecision::Purge { due_since }) => {
                prop_assert!(due_since <= today);
                prop_assert!(closed_on < due_since);
                prop_assert_eq!(
                    purge_due(&case, due_since, &policy),
                    Ok(PurgeDecision::Purge { due_since })
                );
            }
            other => prop_assert!(false, "unexpected {:?}", other),
        }
    }

    #[test]
    fn no_case_under_legal_hold_or_open_is_ever_purged(
        closed_on in prop::option::of(any_date()),
        today in any_date(),
        days in 1u32..,
        status in prop::sample::select(CaseStatus::ALL.to_vec()),
        legal_hold in any::<bool>(),
    ) {
        let case = CaseMeta { status, closed_on, legal_hold };
        let decision = purge_due(&case, today, &policy(days));
        let open = matches!(status, CaseStatus::Active | CaseStatus::FollowUp);
        if open || legal_hold {
            let purged = matches!(decision, Ok(PurgeDecision::Purge { .. }));
            prop_assert!(!purged, "{:?}", decision);
        }
    }
}
