//! The questionnaire: what a reporter may tell us, checked before sealing.

use serde::{Deserialize, Serialize};

/// Longest free-text answer, in characters: room for a detailed account,
/// small enough that one request cannot fill the disk.
pub const MAX_TEXT_CHARS: usize = 20_000;
/// Longest short answer (a city, a date, one identifier list).
pub const MAX_SHORT_CHARS: usize = 2_000;

/// Is anyone in immediate danger? Stored outside the seal, because the inbox
/// must put those reports first before anyone has unlocked the key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Urgency {
    Yes,
    #[default]
    Unsure,
    No,
}

impl Urgency {
    pub fn parse(value: &str) -> Option<Urgency> {
        match value {
            "yes" => Some(Urgency::Yes),
            "no" => Some(Urgency::No),
            "unsure" | "" => Some(Urgency::Unsure),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Urgency::Yes => "yes",
            Urgency::Unsure => "unsure",
            Urgency::No => "no",
        }
    }

    /// Sort key for the inbox: danger first.
    pub fn rank(self) -> i64 {
        match self {
            Urgency::Yes => 0,
            Urgency::Unsure => 1,
            Urgency::No => 2,
        }
    }
}

/// The form as submitted, every field as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TipForm {
    pub what_happened: String,
    pub city: String,
    pub country: String,
    pub when: String,
    pub people: String,
    pub phones: String,
    pub handles: String,
    pub vehicles: String,
    pub addresses: String,
    pub danger: String,
    pub contact: String,
    pub language: String,
}

/// One problem with one field, named by the form field and a message key in
/// the translation catalogue, so it is shown in the reporter's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub message: &'static str,
}

/// The report as sealed: the validated answers, nothing about the sender.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TipContents {
    pub what_happened: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub when: String,
    #[serde(default)]
    pub people: String,
    #[serde(default)]
    pub phones: String,
    #[serde(default)]
    pub handles: String,
    #[serde(default)]
    pub vehicles: String,
    #[serde(default)]
    pub addresses: String,
    pub danger: Urgency,
    #[serde(default)]
    pub contact: String,
    #[serde(default)]
    pub language: String,
}

impl TipForm {
    /// Checks every field and returns all problems at once, so the reporter
    /// fixes them in one pass.
    pub fn validate(&self) -> Result<TipContents, Vec<FieldError>> {
        let mut errors = Vec::new();
        let what = self.what_happened.trim();
        if what.is_empty() {
            errors.push(FieldError {
                field: "what_happened",
                message: "error_required",
            });
        }
        let long = [("what_happened", &self.what_happened)];
        for (field, value) in long {
            if value.chars().count() > MAX_TEXT_CHARS {
                errors.push(FieldError {
                    field,
                    message: "error_too_long",
                });
            }
        }
        let short = [
            ("city", &self.city),
            ("when", &self.when),
            ("people", &self.people),
            ("phones", &self.phones),
            ("handles", &self.handles),
            ("vehicles", &self.vehicles),
            ("addresses", &self.addresses),
            ("contact", &self.contact),
        ];
        for (field, value) in short {
            if value.chars().count() > MAX_SHORT_CHARS {
                errors.push(FieldError {
                    field,
                    message: "error_too_long",
                });
            }
        }
        let country = self.country.trim().to_ascii_uppercase();
        if !country.is_empty() && crate::emergency::Country::parse(&country).is_none() {
            errors.push(FieldError {
                field: "country",
                message: "error_country",
            });
        }
        let danger = Urgency::parse(self.danger.trim());
        if danger.is_none() {
            errors.push(FieldError {
                field: "danger",
                message: "error_choice",
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(TipContents {
            what_happened: what.to_owned(),
            city: self.city.trim().to_owned(),
            country,
            when: self.when.trim().to_owned(),
            people: self.people.trim().to_owned(),
            phones: self.phones.trim().to_owned(),
            handles: self.handles.trim().to_owned(),
            vehicles: self.vehicles.trim().to_owned(),
            addresses: self.addresses.trim().to_owned(),
            danger: danger.unwrap_or_default(),
            contact: self.contact.trim().to_owned(),
            language: self.language.trim().to_owned(),
        })
    }
}

impl TipContents {
    /// The text the detection engine reads: every free answer, labelled.
    pub fn analysable_text(&self) -> String {
        [
            &self.what_happened,
            &self.people,
            &self.phones,
            &self.handles,
            &self.vehicles,
            &self.addresses,
        ]
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> TipForm {
        TipForm {
            what_happened: "  Two girls kept in a flat  ".into(),
            country: "es".into(),
            danger: "yes".into(),
            ..TipForm::default()
        }
    }

    #[test]
    fn accepts_and_trims() {
        let tip = valid().validate().unwrap();
        assert_eq!(tip.what_happened, "Two girls kept in a flat");
        assert_eq!(tip.country, "ES");
        assert_eq!(tip.danger, Urgency::Yes);
    }

    #[test]
    fn reports_every_problem() {
        let form = TipForm {
            what_happened: " ".into(),
            country: "Narnia".into(),
            danger: "maybe".into(),
            city: "x".repeat(MAX_SHORT_CHARS + 1),
            ..TipForm::default()
        };
        let errors = form.validate().unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["what_happened", "city", "country", "danger"]);
    }
}
