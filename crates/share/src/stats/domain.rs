//! What is counted: case facts, the data-independent domain of each
//! dimension, groupings, cell keys, and the holder-only exact table.

use std::collections::HashMap;
use std::fmt;
use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

use super::error::{DomainError, StatsError};

/// The most cells one grouping may have. The full four-way grouping over
/// all ISO countries, the HTCDS exploitation picklist, nine age bands and
/// thirty years is about 740,000 cells; the cap leaves room above that while
/// keeping the noise vector and OpenDP's category map within a few hundred
/// megabytes.
pub const MAX_CELLS: u64 = 2_000_000;

/// The longest year range a domain may span.
const MAX_YEARS: u32 = 200;

/// The facts of one case that statistics are computed from. The lead
/// derives these from `ctip_cases::Case`; this crate does not depend on it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CaseFacts {
    /// ISO 3166-1 alpha-2 code, e.g. `"NG"`.
    pub country: String,
    /// HTCDS `vic_TypeOfExploitation` picklist value, e.g. `"ForcedLabour"`.
    pub exploitation: String,
    /// Age band label, e.g. `"18-20"`.
    pub age_band: String,
    pub year: i32,
}

/// One of the four dimensions a table can be grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Country,
    Exploitation,
    AgeBand,
    Year,
}

impl Dimension {
    pub const ALL: [Dimension; 4] = [
        Dimension::Country,
        Dimension::Exploitation,
        Dimension::AgeBand,
        Dimension::Year,
    ];
}

impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dimension::Country => "country",
            Dimension::Exploitation => "exploitation type",
            Dimension::AgeBand => "age band",
            Dimension::Year => "year",
        })
    }
}

/// Which dimensions a table is grouped by, in the order of its keys (the
/// first varies slowest). No dimension may repeat; an empty grouping is the
/// single total count.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Vec<Dimension>", into = "Vec<Dimension>")]
pub struct Grouping(Vec<Dimension>);

impl Grouping {
    pub fn new(dimensions: &[Dimension]) -> Result<Self, DomainError> {
        for (position, dimension) in dimensions.iter().enumerate() {
            if dimensions[..position].contains(dimension) {
                return Err(DomainError::RepeatedDimension(*dimension));
            }
        }
        Ok(Self(dimensions.to_vec()))
    }

    pub fn dimensions(&self) -> &[Dimension] {
        &self.0
    }
}

impl TryFrom<Vec<Dimension>> for Grouping {
    type Error = DomainError;
    fn try_from(dimensions: Vec<Dimension>) -> Result<Self, Self::Error> {
        Self::new(&dimensions)
    }
}

impl From<Grouping> for Vec<Dimension> {
    fn from(grouping: Grouping) -> Self {
        grouping.0
    }
}

impl fmt::Display for Grouping {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("total");
        }
        for (position, dimension) in self.0.iter().enumerate() {
            if position > 0 {
                f.write_str(" × ")?;
            }
            write!(f, "{dimension}")?;
        }
        Ok(())
    }
}

/// The categories of every dimension, fixed before looking at the data.
///
/// See the module documentation for why this must not be derived from the
/// records: build it from the full ISO 3166-1 list, the full HTCDS
/// picklist, all age bands and a year range chosen by policy.
#[derive(Clone, Debug)]
pub struct StatsDomain {
    countries: Vec<String>,
    exploitation_types: Vec<String>,
    age_bands: Vec<String>,
    first_year: i32,
    year_count: u32,
    country_index: HashMap<String, u32>,
    exploitation_index: HashMap<String, u32>,
    age_band_index: HashMap<String, u32>,
}

impl StatsDomain {
    /// Checks that every dimension is non-empty and free of duplicates,
    /// that countries are ISO alpha-2 shaped, and that the year range is
    /// non-empty and at most 200 years long.
    pub fn new<C, E, A>(
        countries: C,
        exploitation_types: E,
        age_bands: A,
        years: RangeInclusive<i32>,
    ) -> Result<Self, DomainError>
    where
        C: IntoIterator,
        C::Item: Into<String>,
        E: IntoIterator,
        E::Item: Into<String>,
        A: IntoIterator,
        A::Item: Into<String>,
    {
        let countries: Vec<String> = countries.into_iter().map(Into::into).collect();
        if let Some(bad) = countries
            .iter()
            .find(|code| code.len() != 2 || !code.bytes().all(|b| b.is_ascii_uppercase()))
        {
            return Err(DomainError::NotIsoAlpha2(bad.clone()));
        }
        let exploitation_types: Vec<String> =
            exploitation_types.into_iter().map(Into::into).collect();
        let age_bands: Vec<String> = age_bands.into_iter().map(Into::into).collect();

        let (first, last) = (*years.start(), *years.end());
        let span = i64::from(last) - i64::from(first) + 1;
        if span < 1 || span > i64::from(MAX_YEARS) {
            return Err(DomainError::BadYearRange {
                first,
                last,
                max: MAX_YEARS,
            });
        }

        Ok(Self {
            country_index: index_categories(Dimension::Country, &countries)?,
            exploitation_index: index_categories(Dimension::Exploitation, &exploitation_types)?,
            age_band_index: index_categories(Dimension::AgeBand, &age_bands)?,
            countries,
            exploitation_types,
            age_bands,
            first_year: first,
            // 1..=MAX_YEARS, checked above.
            year_count: span as u32,
        })
    }

    pub fn countries(&self) -> &[String] {
        &self.countries
    }

    pub fn exploitation_types(&self) -> &[String] {
        &self.exploitation_types
    }

    pub fn age_bands(&self) -> &[String] {
        &self.age_bands
    }

    pub fn years(&self) -> RangeInclusive<i32> {
        // year_count >= 1 and the range was valid i32s at construction.
        self.first_year..=self.first_year + (self.year_count as i32 - 1)
    }

    /// How many categories a dimension has.
    pub fn size(&self, dimension: Dimension) -> u32 {
        // Category lists come from Vecs whose indices fit u32 (checked in
        // index_categories).
        match dimension {
            Dimension::Country => self.countries.len() as u32,
            Dimension::Exploitation => self.exploitation_types.len() as u32,
            Dimension::AgeBand => self.age_bands.len() as u32,
            Dimension::Year => self.year_count,
        }
    }

    /// How many cells a grouping has over this domain.
    pub fn cell_count(&self, grouping: &Grouping) -> Result<u64, DomainError> {
        let cells: u128 = grouping
            .dimensions()
            .iter()
            .map(|&dimension| u128::from(self.size(dimension)))
            .product();
        if cells > u128::from(MAX_CELLS) {
            return Err(DomainError::TooManyCells {
                cells,
                max: MAX_CELLS,
            });
        }
        // <= MAX_CELLS.
        Ok(cells as u64)
    }

    /// The position of a record's value in one dimension, or `None` when the
    /// value is outside the domain.
    fn position(&self, dimension: Dimension, facts: &CaseFacts) -> Option<u32> {
        match dimension {
            Dimension::Country => self.country_index.get(&facts.country).copied(),
            Dimension::Exploitation => self.exploitation_index.get(&facts.exploitation).copied(),
            Dimension::AgeBand => self.age_band_index.get(&facts.age_band).copied(),
            Dimension::Year => {
                let offset = i64::from(facts.year) - i64::from(self.first_year);
                u32::try_from(offset)
                    .ok()
                    .filter(|&offset| offset < self.year_count)
            }
        }
    }

    fn set_key_part(&self, key: &mut CellKey, dimension: Dimension, position: u32) {
        let at = position as usize;
        match dimension {
            Dimension::Country => key.country = Some(self.countries[at].clone()),
            Dimension::Exploitation => key.exploitation = Some(self.exploitation_types[at].clone()),
            Dimension::AgeBand => key.age_band = Some(self.age_bands[at].clone()),
            // position < year_count <= MAX_YEARS.
            Dimension::Year => key.year = Some(self.first_year + position as i32),
        }
    }
}

fn index_categories(
    dimension: Dimension,
    categories: &[String],
) -> Result<HashMap<String, u32>, DomainError> {
    if categories.is_empty() {
        return Err(DomainError::Empty(dimension));
    }
    if u64::try_from(categories.len()).map_or(true, |n| n > MAX_CELLS) {
        return Err(DomainError::TooManyCells {
            cells: categories.len() as u128,
            max: MAX_CELLS,
        });
    }
    let mut index = HashMap::with_capacity(categories.len());
    for (position, category) in categories.iter().enumerate() {
        if category.trim().is_empty() {
            return Err(DomainError::EmptyCategory(dimension));
        }
        // position < MAX_CELLS < u32::MAX.
        if index.insert(category.clone(), position as u32).is_some() {
            return Err(DomainError::Duplicate {
                dimension,
                value: category.clone(),
            });
        }
    }
    Ok(index)
}

/// The key of one cell: the category of each grouped dimension, `None` for
/// the dimensions not grouped by.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CellKey {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exploitation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_band: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
}

impl fmt::Display for CellKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let year = self.year.map(|year| year.to_string());
        let parts: Vec<&str> = [
            self.country.as_deref(),
            self.exploitation.as_deref(),
            self.age_band.as_deref(),
            year.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        if parts.is_empty() {
            f.write_str("all")
        } else {
            f.write_str(&parts.join(" / "))
        }
    }
}

/// The exact counts of a grouping: for the data holder only.
///
/// It keeps, for every record, the cell it falls in, because the DP
/// mechanism starts from the records (so that OpenDP accounts for the
/// counting step too), and the exact count of every cell, for threshold
/// releases and for [`HolderErrorReport`](super::HolderErrorReport). It is
/// intentionally neither `Serialize` nor printable in full.
pub struct ConfidentialCounts {
    domain: StatsDomain,
    grouping: Grouping,
    /// Size of each grouped dimension, in grouping order.
    radices: Vec<u32>,
    cell_of_record: Vec<u32>,
    counts: Vec<u64>,
}

impl ConfidentialCounts {
    /// Counts the records into the cells of `grouping`. Every record must
    /// have all four values inside `domain`, grouped by or not.
    pub fn tabulate(
        facts: &[CaseFacts],
        domain: &StatsDomain,
        grouping: &Grouping,
    ) -> Result<Self, StatsError> {
        let cell_count = domain.cell_count(grouping)?;
        let radices: Vec<u32> = grouping
            .dimensions()
            .iter()
            .map(|&dimension| domain.size(dimension))
            .collect();
        // cell_count <= MAX_CELLS, so it fits in usize and u32.
        let mut counts = vec![0u64; cell_count as usize];
        let mut cell_of_record = Vec::with_capacity(facts.len());
        for (record, fact) in facts.iter().enumerate() {
            let mut positions = [0u32; 4];
            for (slot, dimension) in Dimension::ALL.into_iter().enumerate() {
                positions[slot] =
                    domain
                        .position(dimension, fact)
                        .ok_or_else(|| StatsError::OutsideDomain {
                            record,
                            dimension,
                            value: match dimension {
                                Dimension::Country => fact.country.clone(),
                                Dimension::Exploitation => fact.exploitation.clone(),
                                Dimension::AgeBand => fact.age_band.clone(),
                                Dimension::Year => fact.year.to_string(),
                            },
                        })?;
            }
            let mut cell = 0u32;
            for (&dimension, &radix) in grouping.dimensions().iter().zip(&radices) {
                let slot = Dimension::ALL
                    .iter()
                    .position(|&d| d == dimension)
                    .unwrap_or_default();
                // Mixed radix; the result is < cell_count <= MAX_CELLS.
                cell = cell * radix + positions[slot];
            }
            counts[cell as usize] += 1;
            cell_of_record.push(cell);
        }
        Ok(Self {
            domain: domain.clone(),
            grouping: grouping.clone(),
            radices,
            cell_of_record,
            counts,
        })
    }

    pub fn grouping(&self) -> &Grouping {
        &self.grouping
    }

    pub fn domain(&self) -> &StatsDomain {
        &self.domain
    }

    /// Number of cells (the product of the grouped dimensions' sizes).
    pub fn cell_count(&self) -> usize {
        self.counts.len()
    }

    /// Number of records counted.
    pub fn record_count(&self) -> usize {
        self.cell_of_record.len()
    }

    /// The exact count of every cell, in cell order.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// The key of the cell at `index` (cells are ordered with the first
    /// grouped dimension varying slowest), or `None` past the end.
    pub fn key(&self, index: usize) -> Option<CellKey> {
        if index >= self.counts.len() {
            return None;
        }
        let mut key = CellKey::default();
        // index < cell_count <= MAX_CELLS < u32::MAX.
        let mut rest = index as u32;
        for (&dimension, &radix) in self.grouping.dimensions().iter().zip(&self.radices).rev() {
            self.domain.set_key_part(&mut key, dimension, rest % radix);
            rest /= radix;
        }
        Some(key)
    }

    /// Every cell's key with its exact count, in cell order.
    pub fn cells(&self) -> impl Iterator<Item = (CellKey, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .filter_map(|(index, &count)| self.key(index).map(|key| (key, count)))
    }

    pub(crate) fn radices(&self) -> &[u32] {
        &self.radices
    }

    /// OpenDP's measurements take `&Vec<_>`, hence not a slice.
    pub(crate) fn cell_of_record(&self) -> &Vec<u32> {
        &self.cell_of_record
    }
}

impl fmt::Debug for ConfidentialCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfidentialCounts")
            .field("grouping", &self.grouping)
            .field("cells", &self.counts.len())
            .field("records", &self.cell_of_record.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domain() -> StatsDomain {
        StatsDomain::new(
            ["NG", "TH"],
            ["ForcedLabour", "SexualExploitation", "Other"],
            ["0-8", "9-17", "18-20"],
            2020..=2021,
        )
        .unwrap()
    }

    fn fact(country: &str, exploitation: &str, age_band: &str, year: i32) -> CaseFacts {
        CaseFacts {
            country: country.into(),
            exploitation: exploitation.into(),
            age_band: age_band.into(),
            year,
        }
    }

    #[test]
    fn keys_follow_mixed_radix_order() {
        let grouping = Grouping::new(&[Dimension::Country, Dimension::Year]).unwrap();
        let table = ConfidentialCounts::tabulate(
            &[
                fact("TH", "Other", "0-8", 2020),
                fact("TH", "Other", "0-8", 2021),
            ],
            &domain(),
            &grouping,
        )
        .unwrap();
        let keys: Vec<String> = (0..table.cell_count())
            .map(|index| table.key(index).unwrap().to_string())
            .collect();
        assert_eq!(keys, ["NG / 2020", "NG / 2021", "TH / 2020", "TH / 2021"]);
        assert_eq!(table.counts(), &[0, 0, 1, 1]);
        assert!(table.key(4).is_none());
    }

    #[test]
    fn domain_rejects_bad_lists() {
        let bad_country = StatsDomain::new(["ng"], ["Other"], ["0-8"], 2020..=2020);
        assert!(matches!(bad_country, Err(DomainError::NotIsoAlpha2(_))));
        let duplicate = StatsDomain::new(["NG"], ["Other", "Other"], ["0-8"], 2020..=2020);
        assert!(matches!(duplicate, Err(DomainError::Duplicate { .. })));
        let empty = StatsDomain::new(["NG"], ["Other"], Vec::<String>::new(), 2020..=2020);
        assert!(matches!(empty, Err(DomainError::Empty(Dimension::AgeBand))));
        #[allow(clippy::reversed_empty_ranges)]
        let backwards = StatsDomain::new(["NG"], ["Other"], ["0-8"], 2021..=2020);
        assert!(matches!(backwards, Err(DomainError::BadYearRange { .. })));
    }

    #[test]
    fn grouping_rejects_repeats_even_from_json() {
        assert!(Grouping::new(&[Dimension::Year, Dimension::Year]).is_err());
        let parsed: Result<Grouping, _> = serde_json::from_str(r#"["year","year"]"#);
        assert!(parsed.is_err());
        let parsed: Grouping = serde_json::from_str(r#"["country","age_band"]"#).unwrap();
        assert_eq!(parsed.to_string(), "country × age band");
    }
}
