//! Private statistics: case counts by country, exploitation type, age band
//! and year, released either with differential privacy or with a k-anonymity
//! threshold, under a per-dataset ledger.
//!
//! This is the core of `ctip stats`. It works on plain values
//! ([`CaseFacts`]) and never reads files, clocks or the network; the only
//! outside resource it touches is the operating system's randomness, through
//! OpenDP, when it adds noise.
//!
//! # Flow
//!
//! 1. [`ConfidentialCounts::tabulate`] counts the facts into the cells of a
//!    [`Grouping`] over a [`StatsDomain`]. The result holds the exact counts
//!    and is for the data holder only (it is deliberately not serialisable).
//! 2. [`release_dp`] or [`release_threshold`] turns it into a [`Release`],
//!    after the [`BudgetLedger`] has accepted and recorded the release. A
//!    refused release returns an error and produces no output at all.
//! 3. [`HolderErrorReport::compare`] compares a release with the exact
//!    counts, for the data holder's eyes only: publishing it would undo the
//!    protection.
//!
//! # Unit of privacy
//!
//! One [`CaseFacts`] record is one case, and by default one case is taken to
//! be one person: adding or removing a person changes one cell by one. If a
//! person can appear in several cases (re-trafficked, or recorded by two
//! offices), set [`DpParams::max_records_per_person`] to the most cases one
//! person can have; the noise then grows in proportion. The guarantee covers
//! only people with at most that many records, so the caller must deduplicate
//! or cap per person before tabulating when person identities are known.
//!
//! # Why the domain is an argument
//!
//! The categories of every dimension (all ISO countries, all picklist
//! values, all age bands, a fixed year range) are passed in and never taken
//! from the data. If the cells were the categories that occur, the mere
//! presence of a cell such as "Iceland / organ removal / 2024" would reveal
//! that at least one such case exists, whatever noise is added to its count;
//! a data-independent list of cells makes the table's shape carry no
//! information. For the same reason a record whose value lies outside the
//! domain is an error ([`StatsError::OutsideDomain`]) rather than a new
//! cell; all four dimensions are checked even when not grouped by, so that
//! every grouping of one dataset counts the same population.
//!
//! # Differential privacy
//!
//! [`release_dp`] builds an OpenDP measurement: `make_count_by_categories`
//! (stability 1 from the symmetric distance to L1) chained with the discrete
//! Laplace mechanism (`make_laplace` on integer vectors, which samples exact
//! integer noise; no floating-point noise is added anywhere). The noise
//! scale is `max_records_per_person / ε`, and OpenDP's own privacy map is
//! checked to give at most the declared ε before anything is sampled.
//!
//! Released counts are then clamped at zero. That is post-processing of the
//! DP output, so it costs no privacy, but it biases cells whose true count
//! is near zero upwards; large cells are unaffected in practice.
//!
//! Releases compose sequentially: the ledger adds up the ε of every release
//! of a dataset and refuses one that would take the sum past the dataset's
//! total. New cases added to a dataset do not refresh its budget: keep the
//! same dataset id for all versions of the same people's records.
//!
//! OpenDP is used without its `use-openssl` feature (which vendors and
//! builds OpenSSL); its randomness then comes from `rand` 0.7's
//! `thread_rng`, a ChaCha20 generator seeded and periodically reseeded from
//! the operating system. OpenDP labels that configuration "non-secure"
//! because it prefers OpenSSL's generator; see the crate's ARCHITECTURE
//! notes for the trade-off.
//!
//! # k-anonymity threshold
//!
//! [`release_threshold`] follows the practice of the Counter Trafficking
//! Data Collaborative: exact counts, with every cell below `k` (default 11)
//! suppressed. Totals are not part of the release, but row, column and
//! grand totals may become known anyway (from a coarser release, or from a
//! published total), so complementary suppression makes sure no line of the
//! table (the cells that differ in one dimension only) has exactly one
//! suppressed cell: a lone suppressed cell would be its line's total minus
//! the rest. This per-line rule is the common heuristic, not a full audit
//! against linear-programming attacks on many overlapping tables.
//!
//! Threshold releases give no differential-privacy guarantee, and exact
//! counts make any DP guarantee on the same records void. The ledger
//! therefore fixes each dataset to one mode ([`DatasetPolicy`]). Exact
//! releases of a dataset that grows over time can also be differenced
//! (this month's table minus last month's); the ledger records every
//! threshold release so such series can be reviewed.

mod domain;
mod dp;
mod epsilon;
mod error;
mod holder;
mod ledger;
mod release;
mod threshold;

pub use domain::{
    CaseFacts, CellKey, ConfidentialCounts, Dimension, Grouping, MAX_CELLS, StatsDomain,
};
pub use dp::{DpParams, release_dp};
pub use epsilon::{Epsilon, EpsilonError};
pub use error::{DomainError, StatsError};
pub use holder::{CellComparison, ErrorSummary, HolderErrorReport};
pub use ledger::{BudgetLedger, Charge, DatasetPolicy, LedgerEntry, LedgerError};
pub use release::{
    DpDetails, Release, ReleaseMode, ReleaseRequest, ReleasedCell, ReleasedValue, ThresholdDetails,
};
pub use threshold::{DEFAULT_K, ThresholdParams, release_threshold};
