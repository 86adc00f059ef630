//! The per-dataset privacy-budget ledger.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::epsilon::Epsilon;
use super::release::ReleaseRequest;

/// How a dataset may be released. Fixed when the dataset is registered:
/// exact (threshold) counts and DP counts of the same records must not be
/// mixed, because the exact ones void the DP guarantee.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum DatasetPolicy {
    /// Differentially private releases whose ε add up to at most
    /// `total_epsilon` (sequential composition).
    DifferentialPrivacy { total_epsilon: Epsilon },
    /// Threshold releases with `k` at least `min_k`. They spend no budget,
    /// but each one is recorded.
    Threshold { min_k: u64 },
}

/// What one release cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum Charge {
    DifferentialPrivacy { epsilon: Epsilon },
    Threshold { k: u64 },
}

/// One recorded release.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    pub release_id: String,
    pub recorded_at_unix: i64,
    /// What was released, e.g. "counts by country × year; discrete Laplace,
    /// scale 1".
    pub query: String,
    pub charge: Charge,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct DatasetAccount {
    policy: DatasetPolicy,
    entries: Vec<LedgerEntry>,
}

/// Why the ledger refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LedgerError {
    #[error("dataset {0:?} is not registered in the privacy ledger")]
    UnknownDataset(String),
    #[error("dataset {0:?} is already registered")]
    AlreadyRegistered(String),
    #[error("release {release_id:?} is already recorded for dataset {dataset_id:?}")]
    DuplicateRelease {
        dataset_id: String,
        release_id: String,
    },
    #[error(
        "privacy budget exceeded for dataset {dataset_id:?}: the release needs epsilon {requested}, \
         {} of {total} remains",
        *.remaining_millionths as f64 / 1e6
    )]
    BudgetExceeded {
        dataset_id: String,
        requested: Epsilon,
        remaining_millionths: u64,
        total: Epsilon,
    },
    #[error(
        "dataset {dataset_id:?} is registered for {registered} releases, not {requested}; \
         mixing exact and differentially private releases voids the guarantee"
    )]
    ModeMismatch {
        dataset_id: String,
        registered: &'static str,
        requested: &'static str,
    },
    #[error("dataset {dataset_id:?} requires k >= {min_k}, the release asked for k = {k}")]
    ThresholdTooLow {
        dataset_id: String,
        k: u64,
        min_k: u64,
    },
}

/// Privacy budgets and release history, per dataset id.
///
/// Serialise it with serde (JSON works) to persist it between runs. A
/// release is checked and recorded in one step before any output is
/// computed, so a refused release outputs nothing, and a release that fails
/// after being recorded stays charged.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BudgetLedger {
    datasets: BTreeMap<String, DatasetAccount>,
}

impl BudgetLedger {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers a dataset with its policy. A registered dataset's policy
    /// cannot be changed: raising a budget after releases were made is a
    /// governance decision that should leave a trace outside this ledger.
    pub fn register(
        &mut self,
        dataset_id: impl Into<String>,
        policy: DatasetPolicy,
    ) -> Result<(), LedgerError> {
        let dataset_id = dataset_id.into();
        if self.datasets.contains_key(&dataset_id) {
            return Err(LedgerError::AlreadyRegistered(dataset_id));
        }
        self.datasets.insert(
            dataset_id,
            DatasetAccount {
                policy,
                entries: Vec::new(),
            },
        );
        Ok(())
    }

    pub fn dataset_ids(&self) -> impl Iterator<Item = &str> {
        self.datasets.keys().map(String::as_str)
    }

    pub fn policy(&self, dataset_id: &str) -> Option<DatasetPolicy> {
        self.datasets.get(dataset_id).map(|account| account.policy)
    }

    /// Every recorded release of a dataset, oldest first.
    pub fn entries(&self, dataset_id: &str) -> Result<&[LedgerEntry], LedgerError> {
        Ok(&self.account(dataset_id)?.entries)
    }

    /// The ε spent so far (0 for threshold datasets), in millionths.
    pub fn spent_millionths(&self, dataset_id: &str) -> Result<u64, LedgerError> {
        Ok(spent(&self.account(dataset_id)?.entries))
    }

    /// The ε still available, or `None` for a threshold dataset.
    pub fn remaining_epsilon(&self, dataset_id: &str) -> Result<Option<f64>, LedgerError> {
        let account = self.account(dataset_id)?;
        Ok(match account.policy {
            DatasetPolicy::DifferentialPrivacy { total_epsilon } => Some(
                total_epsilon
                    .millionths()
                    .saturating_sub(spent(&account.entries)) as f64
                    / 1e6,
            ),
            DatasetPolicy::Threshold { .. } => None,
        })
    }

    /// Checks a DP release against the dataset's policy and budget, and
    /// records it if allowed.
    pub(crate) fn charge_epsilon(
        &mut self,
        request: &ReleaseRequest,
        epsilon: Epsilon,
        query: String,
    ) -> Result<(), LedgerError> {
        let account = self.account_for_new_release(request)?;
        let total = match account.policy {
            DatasetPolicy::DifferentialPrivacy { total_epsilon } => total_epsilon,
            DatasetPolicy::Threshold { .. } => {
                return Err(LedgerError::ModeMismatch {
                    dataset_id: request.dataset_id.clone(),
                    registered: "threshold",
                    requested: "differentially private",
                });
            }
        };
        let spent = spent(&account.entries);
        let after = spent.saturating_add(epsilon.millionths());
        if after > total.millionths() {
            return Err(LedgerError::BudgetExceeded {
                dataset_id: request.dataset_id.clone(),
                requested: epsilon,
                remaining_millionths: total.millionths().saturating_sub(spent),
                total,
            });
        }
        account.entries.push(LedgerEntry {
            release_id: request.release_id.clone(),
            recorded_at_unix: request.released_at_unix,
            query,
            charge: Charge::DifferentialPrivacy { epsilon },
        });
        Ok(())
    }

    /// Checks a threshold release against the dataset's policy, and records
    /// it if allowed.
    pub(crate) fn record_threshold(
        &mut self,
        request: &ReleaseRequest,
        k: u64,
        query: String,
    ) -> Result<(), LedgerError> {
        let account = self.account_for_new_release(request)?;
        match account.policy {
            DatasetPolicy::Threshold { min_k } if k < min_k => {
                return Err(LedgerError::ThresholdTooLow {
                    dataset_id: request.dataset_id.clone(),
                    k,
                    min_k,
                });
            }
            DatasetPolicy::Threshold { .. } => {}
            DatasetPolicy::DifferentialPrivacy { .. } => {
                return Err(LedgerError::ModeMismatch {
                    dataset_id: request.dataset_id.clone(),
                    registered: "differentially private",
                    requested: "threshold",
                });
            }
        }
        account.entries.push(LedgerEntry {
            release_id: request.release_id.clone(),
            recorded_at_unix: request.released_at_unix,
            query,
            charge: Charge::Threshold { k },
        });
        Ok(())
    }

    fn account(&self, dataset_id: &str) -> Result<&DatasetAccount, LedgerError> {
        self.datasets
            .get(dataset_id)
            .ok_or_else(|| LedgerError::UnknownDataset(dataset_id.to_owned()))
    }

    fn account_for_new_release(
        &mut self,
        request: &ReleaseRequest,
    ) -> Result<&mut DatasetAccount, LedgerError> {
        let account = self
            .datasets
            .get_mut(&request.dataset_id)
            .ok_or_else(|| LedgerError::UnknownDataset(request.dataset_id.clone()))?;
        if account
            .entries
            .iter()
            .any(|entry| entry.release_id == request.release_id)
        {
            return Err(LedgerError::DuplicateRelease {
                dataset_id: request.dataset_id.clone(),
                release_id: request.release_id.clone(),
            });
        }
        Ok(account)
    }
}

fn spent(entries: &[LedgerEntry]) -> u64 {
    entries
        .iter()
        .map(|entry| match entry.charge {
            Charge::DifferentialPrivacy { epsilon } => epsilon.millionths(),
            Charge::Threshold { .. } => 0,
        })
        .fold(0u64, u64::saturating_add)
}
