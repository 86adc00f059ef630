//! The caseworker pages: cases on HTCDS 2.0, with consent, referrals,
//! retention and every access audited.

use crate::session::Session;

/// Whether the account works with cases at all (the case list is its home).
pub(crate) fn works_cases(s: &Session) -> bool {
    use ctip_tipline::Role;
    matches!(
        s.role,
        Role::Caseworker | Role::Supervisor | Role::Analyst | Role::Provider
    )
}
