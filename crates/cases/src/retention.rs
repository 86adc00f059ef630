//! When a case must be purged: retention set by status.
//!
//! - Open cases (`Active`, `FollowUp`) are never purged, even if they were
//!   closed once before: reopening a case stops the clock.
//! - A closed case (`Closed`, `ClosedReferred`) is due for purging
//!   [`RetentionPolicy`]'s number of days after the day it was closed, each
//!   status with its own period. Closing again after a reopening restarts
//!   the count from the new closing day (the server stores that day).
//! - A legal hold keeps a closed case whatever its age.
//!
//! [`purge_due`] is pure: the server's sweep passes today's date, purges
//! what comes back [`PurgeDecision::Purge`], and records each purge in the
//! ledger. Purging is irreversible, so everything that is unclear keeps the
//! case: a closed case without a closing day is an error, not a purge.

use crate::picklist::CaseStatus;
use crate::values::IsoDate;

/// How long closed cases are kept, per closed status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RetentionPolicy {
    closed_case_days: u32,
    closed_referred_case_days: u32,
}

/// Why a retention policy was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RetentionPolicyError {
    /// A period of zero days would purge a case on the day it is closed,
    /// before anyone could notice a closing made by mistake.
    #[error("the retention period for {status} cases must be at least one day")]
    ZeroDays {
        /// The status whose period was zero.
        status: CaseStatus,
    },
}

impl RetentionPolicy {
    /// A policy keeping `Closed` cases `closed_case_days` days and
    /// `ClosedReferred` cases (closed because another organisation took the
    /// case over) `closed_referred_case_days` days after closing.
    pub fn new(
        closed_case_days: u32,
        closed_referred_case_days: u32,
    ) -> Result<Self, RetentionPolicyError> {
        if closed_case_days == 0 {
            return Err(RetentionPolicyError::ZeroDays {
                status: CaseStatus::Closed,
            });
        }
        if closed_referred_case_days == 0 {
            return Err(RetentionPolicyError::ZeroDays {
                status: CaseStatus::ClosedReferred,
            });
        }
        Ok(Self {
            closed_case_days,
            closed_referred_case_days,
        })
    }

    /// A policy keeping every closed case the same number of days.
    pub fn uniform(days: u32) -> Result<Self, RetentionPolicyError> {
        Self::new(days, days)
    }

    /// Days a `Closed` case is kept after closing.
    pub fn closed_case_days(&self) -> u32 {
        self.closed_case_days
    }

    /// Days a `ClosedReferred` case is kept after closing.
    pub fn closed_referred_case_days(&self) -> u32 {
        self.closed_referred_case_days
    }

    /// The retention period after closing for a status; `None` for open
    /// statuses, which are kept indefinitely.
    pub fn days_for(&self, status: CaseStatus) -> Option<u32> {
        match status {
            CaseStatus::Active | CaseStatus::FollowUp => None,
            CaseStatus::Closed => Some(self.closed_case_days),
            CaseStatus::ClosedReferred => Some(self.closed_referred_case_days),
        }
    }
}

/// What retention needs to know about a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CaseMeta {
    /// The case's status (`cas_Status`).
    pub status: CaseStatus,
    /// The day the case was last closed, if it was. The server sets it on
    /// every closing and may keep it after a reopening; it only counts while
    /// the status is closed.
    pub closed_on: Option<IsoDate>,
    /// Whether a legal hold forbids purging.
    pub legal_hold: bool,
}

/// The outcome of [`purge_due`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PurgeDecision {
    /// The case is open: it is kept and no purge is scheduled.
    KeepOpen,
    /// The case is closed but under legal hold.
    KeepLegalHold,
    /// The case is closed and kept until the day before `purge_due_on`.
    Keep {
        /// The first day the case is due for purging. A day after
        /// 9999-12-31 cannot be written and is reported as 9999-12-31,
        /// though the case is kept through it.
        purge_due_on: IsoDate,
    },
    /// The case must be purged now.
    Purge {
        /// The first day it was due (for the ledger entry).
        due_since: IsoDate,
    },
}

/// Why retention could not decide.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RetentionError {
    /// The case is closed but has no closing day, so its period has no start.
    /// The case is kept; the record needs fixing.
    #[error("the case is {status} but has no closing day")]
    ClosedWithoutClosingDate {
        /// The closed status.
        status: CaseStatus,
    },
}

/// Decides whether a case must be purged on `today` under `policy`.
pub fn purge_due(
    case: &CaseMeta,
    today: IsoDate,
    policy: &RetentionPolicy,
) -> Result<PurgeDecision, RetentionError> {
    let Some(days) = policy.days_for(case.status) else {
        return Ok(PurgeDecision::KeepOpen);
    };
    if case.legal_hold {
        return Ok(PurgeDecision::KeepLegalHold);
    }
    let Some(closed_on) = case.closed_on else {
        return Err(RetentionError::ClosedWithoutClosingDate {
            status: case.status,
        });
    };
    let due = day_number(closed_on) + i64::from(days);
    if day_number(today) >= due {
        Ok(PurgeDecision::Purge {
            // `due` is at most today, so it has a date.
            due_since: date_of_day_number(due).unwrap_or(today),
        })
    } else {
        Ok(PurgeDecision::Keep {
            purge_due_on: date_of_day_number(due).unwrap_or_else(last_writable_day),
        })
    }
}

/// Days from 0000-03-01 (proleptic Gregorian). Counting years from March
/// puts the leap day at the end of the counted year, so a year's leap days
/// before it are simply `y/4 - y/100 + y/400`.
fn day_number(date: IsoDate) -> i64 {
    let month = i64::from(date.month());
    let year = i64::from(date.year()) - i64::from(month <= 2);
    let month_from_march = (month + 9) % 12;
    // Month lengths from March run 31 30 31 30 31 31 30 31 30 31 31 (28|29):
    // (153 m + 2) / 5 is the number of days before month m.
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(date.day()) - 1;
    march_first(year) + day_of_year
}

fn march_first(year: i64) -> i64 {
    365 * year + year.div_euclid(4) - year.div_euclid(100) + year.div_euclid(400)
}

/// The inverse of [`day_number`]; `None` outside 0000-01-01 ..= 9999-12-31.
fn date_of_day_number(number: i64) -> Option<IsoDate> {
    // 146097 days make 400 years; the estimate is off by at most one year.
    let mut year = number.checked_mul(400)?.div_euclid(146_097);
    while march_first(year + 1) <= number {
        year += 1;
    }
    while march_first(year) > number {
        year -= 1;
    }
    let day_of_year = number - march_first(year);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year + i64::from(month <= 2);
    IsoDate::from_ymd(
        u16::try_from(year).ok()?,
        u8::try_from(month).ok()?,
        u8::try_from(day).ok()?,
    )
    .ok()
}

/// The last day an [`IsoDate`] can hold.
fn last_writable_day() -> IsoDate {
    IsoDate::from_ymd(9999, 12, 31).expect("9999-12-31 is a calendar date")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> IsoDate {
        IsoDate::parse(text).expect("test dates are valid")
    }

    #[test]
    fn day_numbers_start_on_the_first_of_march_of_year_zero() {
        assert_eq!(day_number(date("0000-03-01")), 0);
        assert_eq!(day_number(date("0000-01-01")), -60);
        assert_eq!(day_number(date("0001-03-01")), 365);
        // 1970-01-01 is 719 468 days after 0000-03-01.
        assert_eq!(day_number(date("1970-01-01")), 719_468);
    }

    #[test]
    fn every_day_of_the_calendar_follows_the_one_before() {
        let mut previous: Option<i64> = None;
        for year in 0..=9999u16 {
            for month in 1..=12u8 {
                for day in 1..=31u8 {
                    let Ok(current) = IsoDate::from_ymd(year, month, day) else {
                        continue;
                    };
                    let number = day_number(current);
                    if let Some(previous) = previous {
                        assert_eq!(number, previous + 1, "{current}");
                    }
                    assert_eq!(date_of_day_number(number), Some(current));
                    previous = Some(number);
                }
            }
        }
    }

    #[test]
    fn day_numbers_outside_the_calendar_have_no_date() {
        assert_eq!(date_of_day_number(day_number(date("0000-01-01")) - 1), None);
        assert_eq!(
            date_of_day_number(day_number(last_writable_day()) + 1),
            None
        );
        assert_eq!(date_of_day_number(i64::MAX), None);
        assert_eq!(date_of_day_number(i64::MIN), None);
    }
}
