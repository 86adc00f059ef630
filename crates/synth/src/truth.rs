//! Ground truth: one [`TruthRecord`] per ad, in the same order as the ads.

use ctip_core::IdentifierKind;
use serde::{Deserialize, Serialize};

/// What kind of ad it is, whoever posted it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Escort,
    Massage,
    Job,
    Personal,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Escort => "escort",
            Category::Massage => "massage",
            Category::Job => "job",
            Category::Personal => "personal",
        }
    }
}

/// The truth about one ad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TruthRecord {
    /// The ad's `id`.
    pub id: String,
    /// The network that posted it (`net-00042`); `None` for benign ads. An ad
    /// showing a booking hub's phone still names its own network here: the
    /// hub link is visible only through the planted phone.
    #[serde(default)]
    pub network: Option<String>,
    /// The network template it was paraphrased from (`net-00042-t2`).
    #[serde(default)]
    pub template: Option<String>,
    pub category: Category,
    /// True for every network ad, false for every benign one.
    pub trafficking: bool,
    /// Every identifier written in the ad, once per occurrence, and nothing
    /// else. URLs and domains are never listed: ads carry links, but those
    /// kinds are not scored. Indicator phrases that contain numbers ("just
    /// turned 18", "girls 18-25 only") and reference numbers ("Job ID
    /// 20250314001") are not identifiers and are not listed either.
    #[serde(default)]
    pub planted: Vec<PlantedIdentifier>,
}

/// One identifier as planted in an ad.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlantedIdentifier {
    pub kind: IdentifierKind,
    /// Canonical value, as an extractor should report it: E.164 for phones,
    /// lower case for e-mails and handles (without `@`), the address for
    /// wallets (lower-case hex for ETH), the number of years for ages, and
    /// `amount currency[/minutes]min` for prices (`200 USD/60min`, `80 EUR`,
    /// `150 rose/30min`). A price written without a currency (`150 hh`) is in
    /// the currency of the ad's country.
    pub value: String,
    /// Platform of a handle (`instagram`), chain of a wallet (`btc`, `eth`);
    /// `None` for other kinds.
    #[serde(default)]
    pub qualifier: Option<String>,
    /// The exact text as written in the ad; it occurs in `Ad::text()`.
    pub surface: String,
    /// How the surface disguises the value: one of [`obfuscation::ALL`].
    pub obfuscation: String,
}

/// Names of the forms identifiers are written in, as found in
/// [`PlantedIdentifier::obfuscation`].
pub mod obfuscation {
    /// Written the ordinary way (`(213) 555-0147`, `rosie22@example.com`,
    /// `19yo`, `$200/hr`, `IG: @sweet_rosie`).
    pub const PLAIN: &str = "plain";
    /// Phone: some digits spelled, mixed case (`2ONE3-5FIVE5-0ONE4SEVEN`).
    pub const SPELLED_MIXED: &str = "spelled_mixed";
    /// Phone: every digit spelled with separators (`TwO oNe ThReE`).
    pub const SPELLED_ALL: &str = "spelled_all";
    /// Phone: spelled digits glued per group (`twoonethree-fivefivefive-...`).
    pub const SPELLED_GLUED: &str = "spelled_glued";
    /// Phone: full-width digits (`２１３５５５０１４７`).
    pub const FULLWIDTH: &str = "fullwidth";
    /// Phone: keycap emoji, digit + U+FE0F + U+20E3 (`2️⃣1️⃣3️⃣`).
    pub const KEYCAP: &str = "keycap";
    /// Phone: circled digits, `⓪` for zero (`②①③`).
    pub const CIRCLED: &str = "circled";
    /// Phone: each digit in brackets (`[2][1][3]-[5][5][5]-...`).
    pub const BRACKETED: &str = "bracketed";
    /// Phone: a symbol between or around digits (`2@1@3`, `**2**1**3**`).
    pub const SYMBOL_SEPARATED: &str = "symbol_separated";
    /// Phone: `O`/`o` for zero and `l`/`I` for one (`2l3-555-O147`).
    pub const LETTER_DIGITS: &str = "letter_digits";
    /// Phone: a digit pair as a tens or teen word (`twentyone3-555-0one47`).
    pub const TENS_WORDS: &str = "tens_words";
    /// Phone: "oh" for zero, other digits plain or spelled (`4ohthree`).
    pub const OH_ZERO: &str = "oh_zero";
    /// E-mail: `rosie22 at example dot com`.
    pub const AT_DOT_WORDS: &str = "at_dot_words";
    /// E-mail: `rosie22 [at] example [dot] com`.
    pub const AT_DOT_BRACKETS: &str = "at_dot_brackets";
    /// E-mail: `rosie22(at)example(dot)com`.
    pub const AT_DOT_PARENS: &str = "at_dot_parens";
    /// Age: spelled (`nineteen years old`, `age: twenty-two`, `diecinueve años`).
    pub const NUMBER_WORDS: &str = "number_words";

    /// Every name the generator emits.
    pub const ALL: &[&str] = &[
        PLAIN,
        SPELLED_MIXED,
        SPELLED_ALL,
        SPELLED_GLUED,
        FULLWIDTH,
        KEYCAP,
        CIRCLED,
        BRACKETED,
        SYMBOL_SEPARATED,
        LETTER_DIGITS,
        TENS_WORDS,
        OH_ZERO,
        AT_DOT_WORDS,
        AT_DOT_BRACKETS,
        AT_DOT_PARENS,
        NUMBER_WORDS,
    ];
}
