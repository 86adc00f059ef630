//! The HTCDS 2.0 field sheet, embedded.
//!
//! `data/field-standards-2.0.tsv` is a verbatim copy of the sheet (CC BY 4.0,
//! IOM; see `data/LICENSE.md` and `data/SOURCE`). It is compiled into the crate
//! so that labels and descriptions reach the JSON Schema without any file on
//! disk, and so that the conformance test can compare the model against the
//! sheet it was built from.

use std::sync::LazyLock;

/// The embedded copy of the sheet.
pub const FIELD_SHEET_TSV: &str = include_str!("../data/field-standards-2.0.tsv");

/// The HTCDS version the sheet describes.
pub const HTCDS_VERSION: &str = "2.0";

/// A field's status in the sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldStatus {
    /// `DRAFT`: the standard's current fields (all of v2.0 is marked draft).
    Draft,
    /// `DEPRECATED`: kept for old records; the sheet names the replacement.
    Deprecated,
    /// `N/A`: example questions, not fields.
    NotApplicable,
}

/// One field row of the sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandardField {
    /// The section heading above the row (e.g. `Person - / Victim Context`).
    pub section: &'static str,
    /// The row's status.
    pub status: FieldStatus,
    /// Whether the sheet marks the field `Core`.
    pub core: bool,
    /// The field name including its prefix (`vic_TypeOfExploitation`). Built
    /// from prefix and name when the sheet leaves the column empty.
    pub name: String,
    /// The human label (`Type of Exploitation`).
    pub label: &'static str,
    /// The sheet's field type (`Multiselect Picklist`, `Date`, …); empty when
    /// the sheet gives none.
    pub field_type: &'static str,
    /// The picklist value names, split on ` / `; empty for non-picklists. For
    /// open code lists this is the sheet's instruction (`Use ISO 3166 …`).
    pub value_names: Vec<&'static str>,
    /// The picklist value labels, in the same order as `value_names`.
    pub value_labels: Vec<&'static str>,
    /// The description column.
    pub description: &'static str,
    /// The notes column.
    pub notes: &'static str,
}

impl StandardField {
    /// Whether the row names a field (DRAFT or DEPRECATED), rather than an
    /// example question.
    pub fn is_field(&self) -> bool {
        self.status != FieldStatus::NotApplicable
    }
}

/// Splits a sheet list cell (`A / B / C`) into its trimmed, non-empty items.
pub fn split_sheet_list(cell: &'static str) -> Vec<&'static str> {
    cell.split(" / ")
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .collect()
}

/// Parses the sheet's TSV text: one [`StandardField`] per field row, section
/// headings carried down. Rows that are neither sections nor fields are
/// skipped.
pub fn parse_field_sheet(tsv: &'static str) -> Vec<StandardField> {
    let mut section = "";
    let mut fields = Vec::new();
    for line in tsv.lines().skip(1) {
        let columns: Vec<&'static str> = line.split('\t').collect();
        let raw_column = |i: usize| columns.get(i).copied().unwrap_or("");
        let column = |i: usize| raw_column(i).trim();
        if !column(0).is_empty() {
            section = column(0);
            continue;
        }
        let status = match column(1) {
            "DRAFT" => FieldStatus::Draft,
            "DEPRECATED" => FieldStatus::Deprecated,
            "N/A" => FieldStatus::NotApplicable,
            _ => continue,
        };
        let name = if column(6).is_empty() {
            format!("{}{}", column(3), column(4))
        } else {
            column(6).to_owned()
        };
        fields.push(StandardField {
            section,
            status,
            core: column(2) == "Core",
            name,
            label: column(5),
            field_type: column(7),
            // Split before trimming: `SocialCare / ` ends with an empty item.
            value_names: split_sheet_list(raw_column(9)),
            value_labels: split_sheet_list(raw_column(10)),
            description: column(11),
            notes: column(12),
        });
    }
    fields
}

static EMBEDDED: LazyLock<Vec<StandardField>> =
    LazyLock::new(|| parse_field_sheet(FIELD_SHEET_TSV));

/// Every row of the embedded sheet.
pub fn standard_fields() -> &'static [StandardField] {
    &EMBEDDED
}

/// The embedded sheet's row for a field name including its prefix.
pub fn standard_field(name: &str) -> Option<&'static StandardField> {
    standard_fields().iter().find(|field| field.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_sheet_has_its_sections_and_fields() {
        let fields = standard_fields();
        let real = fields.iter().filter(|f| f.is_field()).count();
        assert_eq!(real, 84, "field rows (DRAFT or DEPRECATED)");
        let gender = standard_field("prs_Gender").expect("prs_Gender row");
        assert_eq!(gender.section, "Person");
        assert!(gender.core);
        assert_eq!(gender.value_names.len(), 6);
        assert_eq!(gender.value_labels[5], "Not Specified/Unknown");
        let organisation = standard_field("per_Organisation").expect("short row");
        assert_eq!(organisation.field_type, "");
        let support = standard_field("spl_Type").expect("spl_Type row");
        assert_eq!(support.value_names.len(), 9, "trailing separator dropped");
        assert_eq!(support.value_names[8], "SocialCare");
    }
}
