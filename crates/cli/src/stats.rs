//! `ctip stats`: case counts released with differential privacy or a
//! k-threshold, from HTCDS case files (issue 6, section 3).
//!
//! The work is done by `ctip_share::stats`; this module reads the cases,
//! decides which of them may be counted and what their facts are, keeps the
//! privacy-budget ledger on disk, and writes the files.
//!
//! # What is counted
//!
//! A case is counted only if its person's consent to statistics and research
//! stands on the day of the release, in UTC ([`ctip_cases::may_count_in_statistics`];
//! that consent cannot be overridden) and all four facts below can be read
//! from it; every table of a dataset then counts the same cases, whatever it
//! is grouped by. A case left out is counted under the first reason that
//! applies, in the order of [`Exclusion::ALL`], and only as a number.
//!
//! - **Country**: the country of exploitation. `hte_Country` of the earliest
//!   historic trafficking event of type `Exploitation` that names one (dated
//!   events by date, then undated ones in the order listed), else
//!   `org_ShippingCountry` of the organisation that `vic_LocationOfExploitation`
//!   points at. Alpha-3 codes are read as their alpha-2 equivalents.
//! - **Exploitation type**: `vic_TypeOfExploitation`. A case with several
//!   types is counted once, under `Multiple`, so that one case stays one
//!   record (a person counted under every type would change several cells).
//! - **Age band**: the age when trafficked, in the CTDC bands of
//!   `ctip_cases::picklist::AgeBand`: `ctip:age_band_when_trafficked`, else
//!   `vic_AgeWhenTrafficked`, else the age from `prs_Birthdate` on the date of
//!   the exploitation event above.
//! - **Year**: the year the case came to the organisation
//!   (`cas_IncomingReferralDate`), else the year of that exploitation event;
//!   it must lie in `--years`.
//!
//! The categories are fixed before the data is read (every ISO 3166-1
//! country, every picklist value plus `Multiple`, every age band, the year
//! range), so which cells a table has says nothing about the cases.
//!
//! # Files and order of work
//!
//! The release is checked against the ledger in memory first: a refused
//! release stops before anything is written. Then every output is written to
//! a temporary file beside its destination, the ledger is saved (temporary
//! file, then rename), and only then are the outputs renamed into place. A
//! failure after the ledger is saved leaves the budget spent, never
//! refunded. The ledger's directory is locked (`flock`) from the ledger's
//! read to its write, so two releases run at once cannot both spend the same
//! budget.
//!
//! `stats.json` and `stats.html` hold only the public release. In DP mode
//! they do not give the exact numbers of cases counted or left out (an exact
//! total would weaken the guarantee); in threshold mode those numbers are
//! shown when they reach k. `holder.json` and `holder.html`, written only with
//! `--holder-report`, hold the true counts and say on every page that they
//! must not be published.

use std::collections::{BTreeMap, HashMap};
use std::fs::{self, File};
use std::io::Write;
use std::ops::RangeInclusive;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, ValueEnum};
use ctip_cases::picklist::{AgeBand, ExploitationType, HistoricEventType};
use ctip_cases::{Case, CountryCode, ImportError, IsoDate, Picklist};
use ctip_report::stats::{
    BudgetStatus, CellValue, Coverage, ErrorFigures, HolderCell, HolderPage, Protection,
    PublicCount, ReleaseCell, ReleasePage,
};
use ctip_share::stats::{
    BudgetLedger, CaseFacts, CellKey, ConfidentialCounts, DEFAULT_K, DatasetPolicy, Dimension,
    DpDetails, DpParams, Epsilon, Grouping, HolderErrorReport, Release, ReleaseMode,
    ReleaseRequest, ReleasedValue, StatsDomain, ThresholdParams, release_dp, release_threshold,
};
use serde::Serialize;

use crate::ExitCode;

/// The exploitation category of a case that records several types.
pub const MULTIPLE_TYPES: &str = "Multiple";

/// The first year of the default `--years` range; the last is this year.
const DEFAULT_FIRST_YEAR: i32 = 2000;

/// At most this many import errors are printed per file.
const MAX_ERRORS_SHOWN: usize = 20;

const PUBLIC_JSON: &str = "stats.json";
const PUBLIC_HTML: &str = "stats.html";
const HOLDER_JSON: &str = "holder.json";
const HOLDER_HTML: &str = "holder.html";

const HOLDER_NOTICE: &str = "FOR THE DATA HOLDER ONLY. DO NOT PUBLISH. This file holds the true \
    counts behind a privacy-protected release; beside the release it undoes the protection. \
    Keep it with the case data and share it with no one who may not see the cases.";

#[derive(Args)]
pub struct StatsArgs {
    /// HTCDS case files: a bundle (a JSON array of case documents, as `ctip
    /// schema htcds` describes) or a single case document.
    #[arg(long = "cases", value_name = "FILE", required = true, num_args = 1..)]
    cases: Vec<PathBuf>,
    /// `dp`: differential privacy (noisy counts, spends privacy budget);
    /// `threshold`: exact counts with cells below k suppressed. A dataset
    /// keeps the mode of its first release.
    #[arg(long, value_enum)]
    mode: Mode,
    /// The privacy loss of this release (dp), e.g. 0.5; charged to the
    /// dataset's budget.
    #[arg(long, required_if_eq("mode", "dp"))]
    epsilon: Option<f64>,
    /// The dataset's whole privacy budget (dp), set when the dataset is
    /// first seen and fixed afterwards.
    #[arg(long)]
    total_epsilon: Option<f64>,
    /// The most cases one person can have (dp); the noise grows with it.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    max_records_per_person: u32,
    /// Threshold (threshold mode): cells with fewer cases are suppressed.
    /// At least 11.
    #[arg(long, default_value_t = DEFAULT_K)]
    k: u64,
    /// What to count by: a comma-separated list of country, exploitation,
    /// age-band and year, or `total`.
    #[arg(long, default_value = "country,exploitation", value_parser = parse_grouping)]
    by: Grouping,
    /// Years the table covers, e.g. 2015-2024 (default: 2000 to this year).
    /// Cases outside the range are left out.
    #[arg(long, value_parser = parse_years)]
    years: Option<RangeInclusive<i32>>,
    /// The dataset's name in the budget ledger. Use the same name for every
    /// release of the same people's cases.
    #[arg(long)]
    dataset: String,
    /// The privacy-budget ledger (JSON), created on first use.
    #[arg(
        long,
        env = "CTIP_PRIVACY_BUDGET",
        default_value = "ctip-data/privacy-budget.json"
    )]
    budget: PathBuf,
    /// The release's id in the ledger (default: release-N, N counting this
    /// dataset's releases).
    #[arg(long)]
    release_id: Option<String>,
    /// Folder for stats.json and stats.html (the public release).
    #[arg(long, default_value = "ctip-stats")]
    out: PathBuf,
    /// Also write holder.json and holder.html: the error against the true
    /// counts, for the data holder only.
    #[arg(long)]
    holder_report: bool,
    /// Folder for the holder's files (default: the --out folder). A folder
    /// apart from the release makes publishing them by mistake less likely.
    #[arg(long, requires = "holder_report")]
    holder_out: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Mode {
    Dp,
    Threshold,
}

fn parse_grouping(text: &str) -> Result<Grouping, String> {
    let names: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .collect();
    if names.is_empty() {
        return Err("give at least one of country, exploitation, age-band, year, or total".into());
    }
    if names == ["total"] {
        return Grouping::new(&[]).map_err(|e| e.to_string());
    }
    let dimensions = names
        .iter()
        .map(|name| match name.to_ascii_lowercase().as_str() {
            "country" => Ok(Dimension::Country),
            "exploitation" | "exploitation-type" => Ok(Dimension::Exploitation),
            "age-band" | "age_band" | "age" => Ok(Dimension::AgeBand),
            "year" => Ok(Dimension::Year),
            _ => Err(format!(
                "`{name}` is not one of country, exploitation, age-band, year (or total alone)"
            )),
        })
        .collect::<Result<Vec<_>, _>>()?;
    Grouping::new(&dimensions).map_err(|e| e.to_string())
}

fn parse_years(text: &str) -> Result<RangeInclusive<i32>, String> {
    let bad = || format!("`{text}` is not a year range such as 2015-2024 (or one year)");
    let (first, last) = match text.trim().split_once('-') {
        Some((first, last)) => (first.trim(), last.trim()),
        None => (text.trim(), text.trim()),
    };
    let first: i32 = first.parse().map_err(|_| bad())?;
    let last: i32 = last.parse().map_err(|_| bad())?;
    if !(0..=9999).contains(&first) || !(0..=9999).contains(&last) || last < first {
        return Err(bad());
    }
    Ok(first..=last)
}

/// Why a case was left out. Each case gets the first reason that applies,
/// in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Exclusion {
    NoConsent,
    NoCountry,
    NoExploitationType,
    NoAge,
    NoYear,
    YearOutsideRange,
}

impl Exclusion {
    const ALL: [Exclusion; 6] = [
        Exclusion::NoConsent,
        Exclusion::NoCountry,
        Exclusion::NoExploitationType,
        Exclusion::NoAge,
        Exclusion::NoYear,
        Exclusion::YearOutsideRange,
    ];

    fn key(self) -> &'static str {
        match self {
            Exclusion::NoConsent => "no_statistics_consent",
            Exclusion::NoCountry => "no_country_of_exploitation",
            Exclusion::NoExploitationType => "no_exploitation_type",
            Exclusion::NoAge => "no_age_when_trafficked",
            Exclusion::NoYear => "no_year",
            Exclusion::YearOutsideRange => "year_outside_range",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Exclusion::NoConsent => "no consent to statistics and research on the day of release",
            Exclusion::NoCountry => "no country of exploitation recorded",
            Exclusion::NoExploitationType => "no type of exploitation recorded",
            Exclusion::NoAge => "no age when trafficked recorded",
            Exclusion::NoYear => "no incoming referral date or exploitation date recorded",
            Exclusion::YearOutsideRange => "year outside the range of the table",
        }
    }
}

/// What one case contributes: its facts, or why it is left out.
fn case_facts(
    case: &Case,
    today: IsoDate,
    years: &RangeInclusive<i32>,
) -> Result<CaseFacts, Exclusion> {
    if ctip_cases::may_count_in_statistics(case, today).is_err() {
        return Err(Exclusion::NoConsent);
    }
    let mut exploitation_events: Vec<_> = case
        .historic_events
        .iter()
        .filter(|event| event.event_type == Some(HistoricEventType::Exploitation))
        .collect();
    // Dated events first, earliest first; the sort is stable, so undated
    // ones keep the order they are listed in.
    exploitation_events.sort_by_key(|event| (event.date.is_none(), event.date));
    let exploitation_date = exploitation_events.iter().find_map(|event| event.date);

    let country = exploitation_events
        .iter()
        .find_map(|event| event.country.as_ref())
        .or_else(|| {
            let location = case.victim.context.location_of_exploitation.as_ref()?;
            case.organisations
                .iter()
                .find(|organisation| &organisation.id == location)?
                .shipping_country
                .as_ref()
        })
        .and_then(alpha2)
        .ok_or(Exclusion::NoCountry)?;

    let mut types = case.victim.context.exploitation_types.clone();
    types.sort_unstable();
    types.dedup();
    let exploitation = match types.as_slice() {
        [] => return Err(Exclusion::NoExploitationType),
        [only] => only.as_str(),
        _ => MULTIPLE_TYPES,
    };

    let context = &case.victim.context;
    let age_band = context
        .age_band_when_trafficked
        .or_else(|| context.age_when_trafficked.map(AgeBand::for_age))
        .or_else(|| {
            let born = case.victim.person.birthdate?;
            born.whole_years_until(exploitation_date?)
                .map(AgeBand::for_age)
        })
        .ok_or(Exclusion::NoAge)?;

    let year = case
        .incoming_referral
        .as_ref()
        .and_then(|referral| referral.date)
        .or(exploitation_date)
        .map(|date| i32::from(date.year()))
        .ok_or(Exclusion::NoYear)?;
    if !years.contains(&year) {
        return Err(Exclusion::YearOutsideRange);
    }

    Ok(CaseFacts {
        country: country.to_owned(),
        exploitation: exploitation.to_owned(),
        age_band: age_band.as_str().to_owned(),
        year,
    })
}

/// The ISO 3166-1 alpha-2 code of a country code of either length.
fn alpha2(code: &CountryCode) -> Option<&'static str> {
    let code = code.as_str();
    match code.len() {
        2 => iso_alpha2().find(|candidate| *candidate == code),
        3 => ALPHA3_TO_ALPHA2
            .binary_search_by(|(alpha3, _)| (*alpha3).cmp(code))
            .ok()
            .map(|at| ALPHA3_TO_ALPHA2[at].1),
        _ => None,
    }
}

fn iso_alpha2() -> impl Iterator<Item = &'static str> {
    CountryCode::all_codes().filter(|code| code.len() == 2)
}

/// ISO 3166-1 alpha-3 to alpha-2, sorted by alpha-3. Copied from Debian's
/// `iso-codes` (`iso_3166-1.json`), the source of ctip-cases' code lists;
/// a test checks it against both.
#[rustfmt::skip]
const ALPHA3_TO_ALPHA2: &[(&str, &str)] = &[
    ("ABW", "AW"), ("AFG", "AF"), ("AGO", "AO"), ("AIA", "AI"), ("ALA", "AX"), ("ALB", "AL"),
    ("AND", "AD"), ("ARE", "AE"), ("ARG", "AR"), ("ARM", "AM"), ("ASM", "AS"), ("ATA", "AQ"),
    ("ATF", "TF"), ("ATG", "AG"), ("AUS", "AU"), ("AUT", "AT"), ("AZE", "AZ"), ("BDI", "BI"),
    ("BEL", "BE"), ("BEN", "BJ"), ("BES", "BQ"), ("BFA", "BF"), ("BGD", "BD"), ("BGR", "BG"),
    ("BHR", "BH"), ("BHS", "BS"), ("BIH", "BA"), ("BLM", "BL"), ("BLR", "BY"), ("BLZ", "BZ"),
    ("BMU", "BM"), ("BOL", "BO"), ("BRA", "BR"), ("BRB", "BB"), ("BRN", "BN"), ("BTN", "BT"),
    ("BVT", "BV"), ("BWA", "BW"), ("CAF", "CF"), ("CAN", "CA"), ("CCK", "CC"), ("CHE", "CH"),
    ("CHL", "CL"), ("CHN", "CN"), ("CIV", "CI"), ("CMR", "CM"), ("COD", "CD"), ("COG", "CG"),
    ("COK", "CK"), ("COL", "CO"), ("COM", "KM"), ("CPV", "CV"), ("CRI", "CR"), ("CUB", "CU"),
    ("CUW", "CW"), ("CXR", "CX"), ("CYM", "KY"), ("CYP", "CY"), ("CZE", "CZ"), ("DEU", "DE"),
    ("DJI", "DJ"), ("DMA", "DM"), ("DNK", "DK"), ("DOM", "DO"), ("DZA", "DZ"), ("ECU", "EC"),
    ("EGY", "EG"), ("ERI", "ER"), ("ESH", "EH"), ("ESP", "ES"), ("EST", "EE"), ("ETH", "ET"),
    ("FIN", "FI"), ("FJI", "FJ"), ("FLK", "FK"), ("FRA", "FR"), ("FRO", "FO"), ("FSM", "FM"),
    ("GAB", "GA"), ("GBR", "GB"), ("GEO", "GE"), ("GGY", "GG"), ("GHA", "GH"), ("GIB", "GI"),
    ("GIN", "GN"), ("GLP", "GP"), ("GMB", "GM"), ("GNB", "GW"), ("GNQ", "GQ"), ("GRC", "GR"),
    ("GRD", "GD"), ("GRL", "GL"), ("GTM", "GT"), ("GUF", "GF"), ("GUM", "GU"), ("GUY", "GY"),
    ("HKG", "HK"), ("HMD", "HM"), ("HND", "HN"), ("HRV", "HR"), ("HTI", "HT"), ("HUN", "HU"),
    ("IDN", "ID"), ("IMN", "IM"), ("IND", "IN"), ("IOT", "IO"), ("IRL", "IE"), ("IRN", "IR"),
    ("IRQ", "IQ"), ("ISL", "IS"), ("ISR", "IL"), ("ITA", "IT"), ("JAM", "JM"), ("JEY", "JE"),
    ("JOR", "JO"), ("JPN", "JP"), ("KAZ", "KZ"), ("KEN", "KE"), ("KGZ", "KG"), ("KHM", "KH"),
    ("KIR", "KI"), ("KNA", "KN"), ("KOR", "KR"), ("KWT", "KW"), ("LAO", "LA"), ("LBN", "LB"),
    ("LBR", "LR"), ("LBY", "LY"), ("LCA", "LC"), ("LIE", "LI"), ("LKA", "LK"), ("LSO", "LS"),
    ("LTU", "LT"), ("LUX", "LU"), ("LVA", "LV"), ("MAC", "MO"), ("MAF", "MF"), ("MAR", "MA"),
    ("MCO", "MC"), ("MDA", "MD"), ("MDG", "MG"), ("MDV", "MV"), ("MEX", "MX"), ("MHL", "MH"),
    ("MKD", "MK"), ("MLI", "ML"), ("MLT", "MT"), ("MMR", "MM"), ("MNE", "ME"), ("MNG", "MN"),
    ("MNP", "MP"), ("MOZ", "MZ"), ("MRT", "MR"), ("MSR", "MS"), ("MTQ", "MQ"), ("MUS", "MU"),
    ("MWI", "MW"), ("MYS", "MY"), ("MYT", "YT"), ("NAM", "NA"), ("NCL", "NC"), ("NER", "NE"),
    ("NFK", "NF"), ("NGA", "NG"), ("NIC", "NI"), ("NIU", "NU"), ("NLD", "NL"), ("NOR", "NO"),
    ("NPL", "NP"), ("NRU", "NR"), ("NZL", "NZ"), ("OMN", "OM"), ("PAK", "PK"), ("PAN", "PA"),
    ("PCN", "PN"), ("PER", "PE"), ("PHL", "PH"), ("PLW", "PW"), ("PNG", "PG"), ("POL", "PL"),
    ("PRI", "PR"), ("PRK", "KP"), ("PRT", "PT"), ("PRY", "PY"), ("PSE", "PS"), ("PYF", "PF"),
    ("QAT", "QA"), ("REU", "RE"), ("ROU", "RO"), ("RUS", "RU"), ("RWA", "RW"), ("SAU", "SA"),
    ("SDN", "SD"), ("SEN", "SN"), ("SGP", "SG"), ("SGS", "GS"), ("SHN", "SH"), ("SJM", "SJ"),
    ("SLB", "SB"), ("SLE", "SL"), ("SLV", "SV"), ("SMR", "SM"), ("SOM", "SO"), ("SPM", "PM"),
    ("SRB", "RS"), ("SSD", "SS"), ("STP", "ST"), ("SUR", "SR"), ("SVK", "SK"), ("SVN", "SI"),
    ("SWE", "SE"), ("SWZ", "SZ"), ("SXM", "SX"), ("SYC", "SC"), ("SYR", "SY"), ("TCA", "TC"),
    ("TCD", "TD"), ("TGO", "TG"), ("THA", "TH"), ("TJK", "TJ"), ("TKL", "TK"), ("TKM", "TM"),
    ("TLS", "TL"), ("TON", "TO"), ("TTO", "TT"), ("TUN", "TN"), ("TUR", "TR"), ("TUV", "TV"),
    ("TWN", "TW"), ("TZA", "TZ"), ("UGA", "UG"), ("UKR", "UA"), ("UMI", "UM"), ("URY", "UY"),
    ("USA", "US"), ("UZB", "UZ"), ("VAT", "VA"), ("VCT", "VC"), ("VEN", "VE"), ("VGB", "VG"),
    ("VIR", "VI"), ("VNM", "VN"), ("VUT", "VU"), ("WLF", "WF"), ("WSM", "WS"), ("YEM", "YE"),
    ("ZAF", "ZA"), ("ZMB", "ZM"), ("ZWE", "ZW"),
];

/// The domain: every ISO country, every exploitation type plus
/// [`MULTIPLE_TYPES`], every age band, the year range. None of it comes from
/// the data.
fn domain(years: RangeInclusive<i32>) -> Result<StatsDomain> {
    let exploitation = ExploitationType::VALUES
        .iter()
        .copied()
        .chain([MULTIPLE_TYPES]);
    StatsDomain::new(
        iso_alpha2(),
        exploitation,
        AgeBand::VALUES.iter().copied(),
        years,
    )
    .context("cannot build the statistics domain")
}

/// Reads every case file, all or nothing: any invalid file stops the run
/// with its errors, each naming the file and the JSON pointer. A case id
/// that appears in two files is refused, since counting one case twice
/// breaks the one-case-one-record assumption.
fn read_cases(paths: &[PathBuf]) -> Result<Vec<Case>> {
    let mut cases = Vec::new();
    let mut seen: HashMap<String, String> = HashMap::new();
    for path in paths {
        let text =
            fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let single = text.trim_start().starts_with('{');
        let imported = if single {
            ctip_cases::import_case(&text).map(|case| vec![case])
        } else {
            ctip_cases::import_bundle(&text)
        };
        let file_cases = imported.map_err(|errors| import_failure(path, &errors))?;
        for (index, case) in file_cases.iter().enumerate() {
            let here = if single {
                format!("{} /id", path.display())
            } else {
                format!("{} /{index}/id", path.display())
            };
            if let Some(first) = seen.get(case.id.as_str()) {
                bail!(
                    "{here}: the same case id is already used at {first}; each case may be counted once"
                );
            }
            seen.insert(case.id.as_str().to_owned(), here);
        }
        cases.extend(file_cases);
    }
    Ok(cases)
}

fn import_failure(path: &Path, errors: &[ImportError]) -> anyhow::Error {
    let mut message = format!(
        "{}: not valid HTCDS case data ({} problem{})",
        path.display(),
        errors.len(),
        if errors.len() == 1 { "" } else { "s" }
    );
    // ImportError's own text gives the pointer and withholds sensitive
    // values.
    for error in errors.iter().take(MAX_ERRORS_SHOWN) {
        message.push_str(&format!("\n  {}: {error}", path.display()));
    }
    if errors.len() > MAX_ERRORS_SHOWN {
        message.push_str(&format!(
            "\n  … and {} more",
            errors.len() - MAX_ERRORS_SHOWN
        ));
    }
    anyhow!(message)
}

/// The cases sorted into counted facts and exclusion counts.
struct Tally {
    facts: Vec<CaseFacts>,
    /// Victim id of each counted case, parallel to `facts`.
    victims: Vec<String>,
    excluded: Vec<(Exclusion, u64)>,
}

impl Tally {
    fn excluded_total(&self) -> u64 {
        self.excluded.iter().map(|(_, n)| n).sum()
    }
}

fn tally(cases: &[Case], today: IsoDate, years: &RangeInclusive<i32>) -> Tally {
    let mut facts = Vec::with_capacity(cases.len());
    let mut victims = Vec::with_capacity(cases.len());
    let mut excluded: HashMap<Exclusion, u64> = HashMap::new();
    for case in cases {
        match case_facts(case, today, years) {
            Ok(fact) => {
                facts.push(fact);
                victims.push(case.victim.id.as_str().to_owned());
            }
            Err(reason) => *excluded.entry(reason).or_default() += 1,
        }
    }
    Tally {
        facts,
        victims,
        excluded: Exclusion::ALL
            .iter()
            .map(|reason| (*reason, excluded.get(reason).copied().unwrap_or(0)))
            .collect(),
    }
}

/// The largest number of counted cases that share one victim id.
fn most_cases_per_victim(victims: &[String]) -> u32 {
    let mut per_victim: HashMap<&str, u32> = HashMap::new();
    for victim in victims {
        *per_victim.entry(victim).or_default() += 1;
    }
    per_victim.values().copied().max().unwrap_or(0)
}

pub fn run(args: StatsArgs) -> Result<ExitCode> {
    if let Some(code) = check_usage(&args) {
        return Ok(code);
    }
    let now = SystemTime::now();
    let generated_at = humantime::format_rfc3339_seconds(now).to_string();
    let released_at_unix = i64::try_from(
        now.duration_since(UNIX_EPOCH)
            .context("the system clock is before 1970")?
            .as_secs(),
    )
    .context("the system clock is out of range")?;
    let today = IsoDate::parse(&generated_at[..10])
        .map_err(|_| anyhow!("cannot read today's date from {generated_at}"))?;
    let years = args
        .years
        .clone()
        .unwrap_or(DEFAULT_FIRST_YEAR..=i32::from(today.year()));
    let domain = domain(years.clone())?;

    let cases = read_cases(&args.cases)?;
    let tally = tally(&cases, today, &years);
    let most_per_victim = most_cases_per_victim(&tally.victims);
    if args.mode == Mode::Dp && most_per_victim > args.max_records_per_person {
        bail!(
            "one victim id appears in {most_per_victim} counted cases, more than \
             --max-records-per-person {}; the privacy guarantee would not cover that person. \
             Give --max-records-per-person {most_per_victim} (more noise) or merge the cases",
            args.max_records_per_person
        );
    }
    if args.mode == Mode::Threshold && most_per_victim > 1 {
        eprintln!(
            "note: some victims have several counted cases (up to {most_per_victim}); a cell of \
             k cases may then hold fewer than k people"
        );
    }
    let table = ConfidentialCounts::tabulate(&tally.facts, &domain, &args.by)
        .context("cannot count the cases")?;

    // Lock, load, release in memory. Nothing is written before the ledger
    // has accepted the release.
    let ledger_dir = parent_dir(&args.budget);
    let created_ledger_dir = !ledger_dir.exists();
    if created_ledger_dir {
        if args.mode == Mode::Dp && args.total_epsilon.is_none() {
            bail!(
                "{}: no privacy budget ledger yet; give --total-epsilon to create it with dataset {:?}",
                args.budget.display(),
                args.dataset
            );
        }
        fs::create_dir_all(&ledger_dir)
            .with_context(|| format!("cannot create {}", ledger_dir.display()))?;
    }
    let _lock = lock_directory(&ledger_dir)?;
    let outcome = release(&args, &table, released_at_unix);
    let (ledger, release) = match outcome {
        Ok(done) => done,
        Err(error) => {
            if created_ledger_dir {
                // Leave no trace of a refused release; fails harmlessly if
                // something else has since put a file there.
                let _ = fs::remove_dir(&ledger_dir);
            }
            return Err(error);
        }
    };
    let holder = if args.holder_report {
        Some(
            HolderErrorReport::compare(
                &table,
                &release,
                HolderErrorReport::DEFAULT_LARGE_CELL_MIN_COUNT,
            )
            .context("cannot compare the release with the true counts")?,
        )
    } else {
        None
    };
    let budget = budget_status(&ledger, &args.dataset);

    let context = OutputContext {
        args: &args,
        generated_at: &generated_at,
        domain: &domain,
        tally: &tally,
        budget,
    };
    let mut staged = Vec::new();
    let result = (|| -> Result<()> {
        fs::create_dir_all(&args.out)
            .with_context(|| format!("cannot create {}", args.out.display()))?;
        staged.push(Staged::write(
            &args.out.join(PUBLIC_JSON),
            &public_json(&context, &release)?,
        )?);
        staged.push(Staged::write(
            &args.out.join(PUBLIC_HTML),
            public_html(&context, &release).as_bytes(),
        )?);
        if let Some(holder) = &holder {
            let dir = args.holder_out.as_ref().unwrap_or(&args.out);
            fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            staged.push(Staged::write(
                &dir.join(HOLDER_JSON),
                &holder_json(&context, &release, holder, &table)?,
            )?);
            staged.push(Staged::write(
                &dir.join(HOLDER_HTML),
                holder_html(&context, &release, holder).as_bytes(),
            )?);
        }
        // The ledger is saved before any output appears, so a release is
        // never published without its cost recorded.
        save_ledger(&args.budget, &ledger)?;
        Ok(())
    })();
    if let Err(error) = result {
        for file in &staged {
            file.discard();
        }
        return Err(error);
    }
    for file in staged {
        file.commit()?;
    }

    report_to_operator(&args, &release, &tally, budget, holder.is_some());
    Ok(ExitCode::Ok)
}

/// Option combinations clap cannot check; prints the problem and returns
/// the usage exit code.
fn check_usage(args: &StatsArgs) -> Option<ExitCode> {
    let problem = match args.mode {
        Mode::Threshold if args.epsilon.is_some() || args.total_epsilon.is_some() => {
            Some("--epsilon and --total-epsilon apply to --mode dp only")
        }
        Mode::Dp if args.k != DEFAULT_K => Some("--k applies to --mode threshold only"),
        _ if args.dataset.trim().is_empty() => Some("--dataset must not be empty"),
        _ => None,
    }?;
    eprintln!("error: {problem}");
    Some(ExitCode::Usage)
}

/// Loads the ledger (or starts one), registers the dataset if it is new,
/// and makes the release, all in memory.
fn release(
    args: &StatsArgs,
    table: &ConfidentialCounts,
    released_at_unix: i64,
) -> Result<(BudgetLedger, Release)> {
    let mut ledger = load_ledger(&args.budget)?;
    let total = args
        .total_epsilon
        .map(|total| Epsilon::new(total).context("--total-epsilon"))
        .transpose()?;
    match ledger.policy(&args.dataset) {
        None => {
            let policy = match args.mode {
                Mode::Dp => DatasetPolicy::DifferentialPrivacy {
                    total_epsilon: total.ok_or_else(|| {
                        anyhow!(
                            "dataset {:?} is not in the privacy budget ledger {}; give --total-epsilon to register it",
                            args.dataset,
                            args.budget.display()
                        )
                    })?,
                },
                Mode::Threshold => DatasetPolicy::Threshold { min_k: DEFAULT_K },
            };
            ledger.register(args.dataset.clone(), policy)?;
        }
        Some(DatasetPolicy::DifferentialPrivacy { total_epsilon }) => {
            if let Some(total) = total.filter(|total| *total != total_epsilon) {
                bail!(
                    "dataset {:?} already has a total budget of epsilon {total_epsilon} in {}; \
                     it cannot be changed to {total}",
                    args.dataset,
                    args.budget.display()
                );
            }
        }
        Some(DatasetPolicy::Threshold { .. }) => {}
    }
    let release_id = match &args.release_id {
        Some(id) => id.clone(),
        None => format!("release-{}", ledger.entries(&args.dataset)?.len() + 1),
    };
    let request = ReleaseRequest {
        dataset_id: args.dataset.clone(),
        release_id,
        released_at_unix,
    };
    let release = match args.mode {
        Mode::Dp => {
            let epsilon = args
                .epsilon
                .ok_or_else(|| anyhow!("--mode dp needs --epsilon"))?;
            let params = DpParams::new(Epsilon::new(epsilon).context("--epsilon")?)
                .with_max_records_per_person(args.max_records_per_person);
            release_dp(table, &params, &mut ledger, &request)
        }
        Mode::Threshold => {
            let params = ThresholdParams {
                k: args.k,
                ..ThresholdParams::default()
            };
            release_threshold(table, &params, &mut ledger, &request)
        }
    }
    .with_context(|| {
        format!(
            "release refused, nothing written (ledger {})",
            args.budget.display()
        )
    })?;
    Ok((ledger, release))
}

fn load_ledger(path: &Path) -> Result<BudgetLedger> {
    match fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text)
            .with_context(|| format!("{}: not a ctip privacy budget ledger", path.display())),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(BudgetLedger::new()),
        Err(error) => Err(error).with_context(|| format!("cannot read {}", path.display())),
    }
}

fn save_ledger(path: &Path, ledger: &BudgetLedger) -> Result<()> {
    let mut json = serde_json::to_vec_pretty(ledger)?;
    json.push(b'\n');
    Staged::write(path, &json)?.commit()
}

fn budget_status(ledger: &BudgetLedger, dataset: &str) -> Option<BudgetStatus> {
    match ledger.policy(dataset)? {
        DatasetPolicy::DifferentialPrivacy { total_epsilon } => Some(BudgetStatus {
            spent: ledger.spent_millionths(dataset).ok()? as f64 / 1e6,
            total: total_epsilon.value(),
        }),
        DatasetPolicy::Threshold { .. } => None,
    }
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// An exclusive lock on a directory, released when dropped.
struct DirectoryLock {
    _directory: File,
}

fn lock_directory(dir: &Path) -> Result<DirectoryLock> {
    let directory = File::open(dir).with_context(|| format!("cannot open {}", dir.display()))?;
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        loop {
            // SAFETY: flock on a descriptor we own; no memory is involved.
            let rc = unsafe { libc::flock(directory.as_raw_fd(), libc::LOCK_EX) };
            if rc == 0 {
                break;
            }
            let error = std::io::Error::last_os_error();
            if error.kind() != std::io::ErrorKind::Interrupted {
                return Err(error).with_context(|| format!("cannot lock {}", dir.display()));
            }
        }
    }
    Ok(DirectoryLock {
        _directory: directory,
    })
}

/// A file written in full beside its destination, renamed into place by
/// [`Staged::commit`] so that readers never see half a file.
struct Staged {
    temporary: PathBuf,
    destination: PathBuf,
}

impl Staged {
    fn write(destination: &Path, bytes: &[u8]) -> Result<Staged> {
        let name = destination
            .file_name()
            .ok_or_else(|| anyhow!("{} is not a file name", destination.display()))?;
        let mut temporary_name = std::ffi::OsString::from(".");
        temporary_name.push(name);
        temporary_name.push(format!(".tmp-{}", std::process::id()));
        let temporary = destination.with_file_name(temporary_name);
        let staged = Staged {
            temporary,
            destination: destination.to_path_buf(),
        };
        let written = (|| -> std::io::Result<()> {
            let mut file = File::create(&staged.temporary)?;
            file.write_all(bytes)?;
            file.sync_all()
        })();
        if let Err(error) = written {
            staged.discard();
            return Err(error).with_context(|| format!("cannot write {}", destination.display()));
        }
        Ok(staged)
    }

    fn commit(self) -> Result<()> {
        if let Err(error) = fs::rename(&self.temporary, &self.destination) {
            self.discard();
            return Err(error).with_context(|| {
                format!(
                    "cannot move the new {} into place",
                    self.destination.display()
                )
            });
        }
        // Make the rename itself durable; a failure here loses nothing
        // already visible, so it is not an error.
        if let Ok(directory) = File::open(parent_dir(&self.destination)) {
            let _ = directory.sync_all();
        }
        Ok(())
    }

    fn discard(&self) {
        let _ = fs::remove_file(&self.temporary);
    }
}

/// Everything the output files share.
struct OutputContext<'a> {
    args: &'a StatsArgs,
    generated_at: &'a str,
    domain: &'a StatsDomain,
    tally: &'a Tally,
    budget: Option<BudgetStatus>,
}

impl OutputContext<'_> {
    fn dimensions(&self) -> Vec<String> {
        self.args
            .by
            .dimensions()
            .iter()
            .map(|dimension| column_name(*dimension).to_owned())
            .collect()
    }

    /// A count as the public may see it: exact in threshold mode when it
    /// reaches k (zero included in "fewer than k", as zero cells are),
    /// withheld in DP mode.
    fn public(&self, count: u64, release: &Release) -> PublicCount {
        match &release.mode {
            ReleaseMode::Threshold(details) if count >= details.k => PublicCount::Exact(count),
            ReleaseMode::Threshold(details) => PublicCount::FewerThan(details.k),
            ReleaseMode::DifferentialPrivacy(_) => PublicCount::Withheld,
        }
    }

    fn coverage(&self, release: &Release) -> Coverage {
        Coverage {
            counted: self.public(self.tally.facts.len() as u64, release),
            excluded: self.public(self.tally.excluded_total(), release),
            excluded_by_reason: self
                .tally
                .excluded
                .iter()
                .map(|(reason, count)| (reason.describe().to_owned(), self.public(*count, release)))
                .collect(),
        }
    }
}

fn column_name(dimension: Dimension) -> &'static str {
    match dimension {
        Dimension::Country => "Country of exploitation",
        Dimension::Exploitation => "Type of exploitation",
        Dimension::AgeBand => "Age when trafficked",
        Dimension::Year => "Year",
    }
}

fn definition(dimension: Dimension) -> &'static str {
    match dimension {
        Dimension::Country => {
            "hte_Country of the earliest historic trafficking event of type Exploitation that \
             names a country, else org_ShippingCountry of the organisation named in \
             vic_LocationOfExploitation; ISO 3166-1 alpha-2"
        }
        Dimension::Exploitation => {
            "vic_TypeOfExploitation; a case with several types is counted once, under Multiple"
        }
        Dimension::AgeBand => {
            "ctip:age_band_when_trafficked, else vic_AgeWhenTrafficked, else the age from \
             prs_Birthdate on the date of that exploitation event; CTDC's age bands"
        }
        Dimension::Year => {
            "the year of cas_IncomingReferralDate (when the case came to the organisation), \
             else the year of that exploitation event"
        }
    }
}

fn cell_labels(key: &CellKey, grouping: &Grouping) -> Vec<String> {
    grouping
        .dimensions()
        .iter()
        .map(|dimension| match dimension {
            Dimension::Country => key.country.clone().unwrap_or_default(),
            Dimension::Exploitation => key.exploitation.clone().unwrap_or_default(),
            Dimension::AgeBand => key.age_band.clone().unwrap_or_default(),
            Dimension::Year => key.year.map(|year| year.to_string()).unwrap_or_default(),
        })
        .collect()
}

fn cell_value(value: ReleasedValue) -> CellValue {
    match value {
        ReleasedValue::Count(count) => CellValue::Count(count),
        ReleasedValue::Suppressed => CellValue::Suppressed,
    }
}

/// The noise bound that holds for every cell of the release at once with
/// 95% confidence: OpenDP's bound at a significance of 5% shared out over the
/// cells (a union bound). Readers of a large sparse table need it: with
/// thousands of empty cells, some get noise well past the one-cell bound.
fn table_accuracy_95(details: &DpDetails, cells: usize) -> f64 {
    let alpha = 0.05 / cells.max(1) as f64;
    opendp::accuracy::discrete_laplacian_scale_to_accuracy(details.scale, alpha)
        .unwrap_or(f64::INFINITY)
}

fn protection(release: &Release) -> Protection {
    match &release.mode {
        ReleaseMode::DifferentialPrivacy(details) => Protection::DifferentialPrivacy {
            epsilon: details.epsilon.value(),
            scale: details.scale,
            accuracy_95: details.accuracy_95,
            table_accuracy_95: table_accuracy_95(details, release.cells.len()),
            max_records_per_person: details.max_records_per_person,
        },
        ReleaseMode::Threshold(details) => Protection::Threshold {
            k: details.k,
            suppress_zeros: details.suppress_zeros,
        },
    }
}

/// A case count in the public JSON: a number, `{"fewer_than": k}` or
/// `"withheld"`.
#[derive(Serialize)]
#[serde(untagged)]
enum JsonCount {
    Exact(u64),
    FewerThan { fewer_than: u64 },
    Withheld(&'static str),
}

impl From<PublicCount> for JsonCount {
    fn from(count: PublicCount) -> Self {
        match count {
            PublicCount::Exact(n) => JsonCount::Exact(n),
            PublicCount::FewerThan(k) => JsonCount::FewerThan { fewer_than: k },
            PublicCount::Withheld => JsonCount::Withheld("withheld"),
        }
    }
}

#[derive(Serialize)]
struct PublicJson<'a> {
    format: &'static str,
    generated_at: &'a str,
    ctip_version: &'static str,
    legend: String,
    /// DP only: the noise bound for all cells at once with 95% confidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    table_accuracy_95: Option<f64>,
    release: &'a Release,
    domain: JsonDomain<'a>,
    definitions: BTreeMap<&'static str, &'static str>,
    coverage: JsonCoverage,
    #[serde(skip_serializing_if = "Option::is_none")]
    budget: Option<JsonBudget>,
}

#[derive(Serialize)]
struct JsonDomain<'a> {
    countries: &'a [String],
    exploitation_types: &'a [String],
    age_bands: &'a [String],
    first_year: i32,
    last_year: i32,
}

#[derive(Serialize)]
struct JsonCoverage {
    rule: &'static str,
    counted: JsonCount,
    excluded: JsonCount,
    excluded_by_reason: Vec<JsonReason>,
}

#[derive(Serialize)]
struct JsonReason {
    reason: &'static str,
    description: &'static str,
    count: JsonCount,
}

#[derive(Serialize)]
struct JsonBudget {
    spent_epsilon: f64,
    total_epsilon: f64,
}

fn dimension_key(dimension: Dimension) -> &'static str {
    match dimension {
        Dimension::Country => "country",
        Dimension::Exploitation => "exploitation",
        Dimension::AgeBand => "age_band",
        Dimension::Year => "year",
    }
}

fn public_json(context: &OutputContext, release: &Release) -> Result<Vec<u8>> {
    let coverage = context.coverage(release);
    let years = context.domain.years();
    let document = PublicJson {
        format: "ctip-stats-release/1",
        generated_at: context.generated_at,
        ctip_version: env!("CARGO_PKG_VERSION"),
        legend: release.legend(),
        table_accuracy_95: match &release.mode {
            ReleaseMode::DifferentialPrivacy(details) => {
                Some(table_accuracy_95(details, release.cells.len()))
            }
            ReleaseMode::Threshold(_) => None,
        },
        release,
        domain: JsonDomain {
            countries: context.domain.countries(),
            exploitation_types: context.domain.exploitation_types(),
            age_bands: context.domain.age_bands(),
            first_year: *years.start(),
            last_year: *years.end(),
        },
        definitions: Dimension::ALL
            .iter()
            .map(|dimension| (dimension_key(*dimension), definition(*dimension)))
            .collect(),
        coverage: JsonCoverage {
            rule: "a case is counted only with consent to statistics and research on the day of \
                   release and with all four facts recorded; a case left out is counted under \
                   its first reason",
            counted: coverage.counted.into(),
            excluded: coverage.excluded.into(),
            excluded_by_reason: context
                .tally
                .excluded
                .iter()
                .zip(&coverage.excluded_by_reason)
                .map(|((reason, _), (_, count))| JsonReason {
                    reason: reason.key(),
                    description: reason.describe(),
                    count: (*count).into(),
                })
                .collect(),
        },
        budget: context.budget.map(|budget| JsonBudget {
            spent_epsilon: budget.spent,
            total_epsilon: budget.total,
        }),
    };
    let mut json = serde_json::to_vec_pretty(&document)?;
    json.push(b'\n');
    Ok(json)
}

fn public_html(context: &OutputContext, release: &Release) -> String {
    let page = ReleasePage {
        generated_at: context.generated_at,
        ctip_version: env!("CARGO_PKG_VERSION"),
        dataset_id: &release.dataset_id,
        release_id: &release.release_id,
        dimensions: context.dimensions(),
        protection: protection(release),
        budget: context.budget,
        cells: release
            .cells
            .iter()
            .map(|cell| ReleaseCell {
                labels: cell_labels(&cell.key, &release.grouping),
                value: cell_value(cell.value),
            })
            .collect(),
        coverage: context.coverage(release),
        definitions: Dimension::ALL
            .iter()
            .map(|dimension| {
                (
                    column_name(*dimension).to_owned(),
                    definition(*dimension).to_owned(),
                )
            })
            .collect(),
        json_file: PUBLIC_JSON,
    };
    ctip_report::stats::render_release(&page)
}

/// The holder's cells: those with a true or released count above zero, or
/// suppressed; the rest are empty in both.
fn holder_cells(
    holder: &HolderErrorReport,
) -> impl Iterator<Item = &ctip_share::stats::CellComparison> {
    holder
        .cells
        .iter()
        .filter(|cell| cell.true_count > 0 || cell.released != ReleasedValue::Count(0))
}

#[derive(Serialize)]
struct HolderJson<'a> {
    notice: &'static str,
    format: &'static str,
    generated_at: &'a str,
    dataset_id: &'a str,
    release_id: &'a str,
    grouping: &'a Grouping,
    cases_counted: u64,
    excluded_by_reason: Vec<JsonExactReason>,
    error_summary: JsonErrorSummary,
    cells: Vec<JsonHolderCell<'a>>,
}

#[derive(Serialize)]
struct JsonExactReason {
    reason: &'static str,
    description: &'static str,
    count: u64,
}

#[derive(Serialize)]
struct JsonErrorSummary {
    cells: usize,
    released_cells: usize,
    suppressed_cells: usize,
    suppressed_cases: u64,
    mean_absolute_error: Option<f64>,
    p95_absolute_error: Option<u64>,
    max_absolute_error: Option<u64>,
    large_cell_min_count: u64,
    large_cells: usize,
    mean_relative_error_large: Option<f64>,
    share_large_within_10_percent: Option<f64>,
}

#[derive(Serialize)]
struct JsonHolderCell<'a> {
    key: &'a CellKey,
    true_count: u64,
    released: ReleasedValue,
    absolute_error: Option<u64>,
}

fn error_figures(holder: &HolderErrorReport) -> ErrorFigures {
    let s = &holder.summary;
    ErrorFigures {
        cells: s.cells,
        released_cells: s.released_cells,
        suppressed_cells: s.suppressed_cells,
        suppressed_cases: s.suppressed_cases,
        mean_absolute_error: s.mean_absolute_error,
        p95_absolute_error: s.p95_absolute_error,
        max_absolute_error: s.max_absolute_error,
        large_cell_min_count: s.large_cell_min_count,
        large_cells: s.large_cells,
        mean_relative_error_large: s.mean_relative_error_large,
        share_large_within_10_percent: s.share_large_within_10_percent,
    }
}

fn holder_json(
    context: &OutputContext,
    release: &Release,
    holder: &HolderErrorReport,
    table: &ConfidentialCounts,
) -> Result<Vec<u8>> {
    let e = error_figures(holder);
    let document = HolderJson {
        notice: HOLDER_NOTICE,
        format: "ctip-stats-holder/1",
        generated_at: context.generated_at,
        dataset_id: &release.dataset_id,
        release_id: &release.release_id,
        grouping: &release.grouping,
        cases_counted: table.record_count() as u64,
        excluded_by_reason: context
            .tally
            .excluded
            .iter()
            .map(|(reason, count)| JsonExactReason {
                reason: reason.key(),
                description: reason.describe(),
                count: *count,
            })
            .collect(),
        error_summary: JsonErrorSummary {
            cells: e.cells,
            released_cells: e.released_cells,
            suppressed_cells: e.suppressed_cells,
            suppressed_cases: e.suppressed_cases,
            mean_absolute_error: e.mean_absolute_error,
            p95_absolute_error: e.p95_absolute_error,
            max_absolute_error: e.max_absolute_error,
            large_cell_min_count: e.large_cell_min_count,
            large_cells: e.large_cells,
            mean_relative_error_large: e.mean_relative_error_large,
            share_large_within_10_percent: e.share_large_within_10_percent,
        },
        cells: holder_cells(holder)
            .map(|cell| JsonHolderCell {
                key: &cell.key,
                true_count: cell.true_count,
                released: cell.released,
                absolute_error: cell.absolute_error,
            })
            .collect(),
    };
    let mut json = serde_json::to_vec_pretty(&document)?;
    json.push(b'\n');
    Ok(json)
}

fn holder_html(context: &OutputContext, release: &Release, holder: &HolderErrorReport) -> String {
    let public_files = format!(
        "{} and {} in {}",
        PUBLIC_JSON,
        PUBLIC_HTML,
        context.args.out.display()
    );
    let page = HolderPage {
        generated_at: context.generated_at,
        ctip_version: env!("CARGO_PKG_VERSION"),
        dataset_id: &release.dataset_id,
        release_id: &release.release_id,
        dimensions: context.dimensions(),
        protection: protection(release),
        budget: context.budget,
        cases_counted: context.tally.facts.len() as u64,
        excluded_by_reason: context
            .tally
            .excluded
            .iter()
            .map(|(reason, count)| (reason.describe().to_owned(), *count))
            .collect(),
        errors: error_figures(holder),
        cells: holder_cells(holder)
            .map(|cell| HolderCell {
                labels: cell_labels(&cell.key, &release.grouping),
                true_count: cell.true_count,
                released: cell_value(cell.released),
                absolute_error: cell.absolute_error,
            })
            .collect(),
        public_files: &public_files,
    };
    ctip_report::stats::render_holder(&page)
}

/// The operator is the data holder: stderr gets the exact numbers, never a
/// case's contents.
fn report_to_operator(
    args: &StatsArgs,
    release: &Release,
    tally: &Tally,
    budget: Option<BudgetStatus>,
    holder: bool,
) {
    let mode = match &release.mode {
        ReleaseMode::DifferentialPrivacy(details) => format!(
            "differential privacy, epsilon {}, 95% of counts within {}",
            details.epsilon,
            details.accuracy_95.floor()
        ),
        ReleaseMode::Threshold(details) => format!(
            "threshold k = {}, {} cells suppressed",
            details.k,
            release.suppressed_cells()
        ),
    };
    eprintln!(
        "released {} of dataset {:?}: {} cells by {} ({mode})",
        release.release_id,
        release.dataset_id,
        release.cells.len(),
        release.grouping
    );
    let reasons: Vec<String> = tally
        .excluded
        .iter()
        .filter(|(_, count)| *count > 0)
        .map(|(reason, count)| format!("{count} {}", reason.describe()))
        .collect();
    eprintln!(
        "counted {} cases; left out {}{}",
        tally.facts.len(),
        tally.excluded_total(),
        if reasons.is_empty() {
            String::new()
        } else {
            format!(" ({})", reasons.join("; "))
        }
    );
    if let Some(budget) = budget {
        eprintln!(
            "privacy budget of {:?}: {} of {} spent ({})",
            release.dataset_id,
            budget.spent,
            budget.total,
            args.budget.display()
        );
    }
    eprintln!(
        "public release: {} and {}",
        args.out.join(PUBLIC_JSON).display(),
        args.out.join(PUBLIC_HTML).display()
    );
    if holder {
        let dir = args.holder_out.as_ref().unwrap_or(&args.out);
        eprintln!(
            "for the data holder only, do not publish: {} and {}",
            dir.join(HOLDER_JSON).display(),
            dir.join(HOLDER_HTML).display()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_alpha3_code_maps_to_a_known_alpha2_code() {
        assert!(
            ALPHA3_TO_ALPHA2
                .windows(2)
                .all(|pair| pair[0].0 < pair[1].0)
        );
        let alpha2: Vec<&str> = iso_alpha2().collect();
        let alpha3: Vec<&str> = CountryCode::all_codes().filter(|c| c.len() == 3).collect();
        assert_eq!(alpha3.len(), ALPHA3_TO_ALPHA2.len());
        for code in alpha3 {
            let parsed = CountryCode::parse(code).unwrap();
            let mapped = alpha2_of(&parsed).unwrap_or_else(|| panic!("{code} has no alpha-2"));
            assert!(alpha2.contains(&mapped), "{code} maps to unknown {mapped}");
        }
        assert_eq!(alpha2_of(&CountryCode::parse("NGA").unwrap()), Some("NG"));
        assert_eq!(alpha2_of(&CountryCode::parse("GB").unwrap()), Some("GB"));
    }

    fn alpha2_of(code: &CountryCode) -> Option<&'static str> {
        alpha2(code)
    }

    #[test]
    fn alpha3_table_matches_debian_iso_codes_when_installed() {
        let path = "/usr/share/iso-codes/json/iso_3166-1.json";
        let Ok(text) = fs::read_to_string(path) else {
            eprintln!("skipped: {path} is not installed");
            return;
        };
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut pairs: Vec<(String, String)> = json["3166-1"]
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| {
                (
                    entry["alpha_3"].as_str().unwrap().to_owned(),
                    entry["alpha_2"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        pairs.sort();
        let ours: Vec<(String, String)> = ALPHA3_TO_ALPHA2
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect();
        assert_eq!(ours, pairs);
    }

    #[test]
    fn groupings_and_year_ranges_parse() {
        let grouping = parse_grouping("country, age-band,year").unwrap();
        assert_eq!(
            grouping.dimensions(),
            [Dimension::Country, Dimension::AgeBand, Dimension::Year]
        );
        assert!(parse_grouping("total").unwrap().dimensions().is_empty());
        assert!(parse_grouping("country,country").is_err());
        assert!(parse_grouping("gender").is_err());
        assert_eq!(parse_years("2015-2024").unwrap(), 2015..=2024);
        assert_eq!(parse_years("2020").unwrap(), 2020..=2020);
        assert!(parse_years("2024-2015").is_err());
        assert!(parse_years("soon").is_err());
    }

    fn event(country: &str, date: Option<(u16, u8, u8)>) -> ctip_cases::HistoricTraffickingEvent {
        ctip_cases::HistoricTraffickingEvent {
            event_type: Some(HistoricEventType::Exploitation),
            country: Some(CountryCode::parse(country).unwrap()),
            date: date.map(|(y, m, d)| IsoDate::from_ymd(y, m, d).unwrap()),
            ..Default::default()
        }
    }

    fn consenting_case() -> Case {
        let id = |text: &str| ctip_cases::RecordId::parse(text).unwrap();
        let mut case = Case::new(
            id("case-1"),
            ctip_cases::picklist::CaseStatus::Active,
            id("victim-1"),
        );
        case.consent = Some(ctip_cases::Consent {
            statistics_and_research: Some(ctip_cases::PurposeConsent {
                given_on: IsoDate::from_ymd(2020, 1, 1).unwrap(),
                recorded_by: id("worker-1"),
                withdrawn_on: None,
            }),
            ..Default::default()
        });
        case.victim.context.exploitation_types = vec![ExploitationType::ForcedLabour];
        case
    }

    const TODAY: fn() -> IsoDate = || IsoDate::from_ymd(2025, 3, 1).unwrap();

    #[test]
    fn facts_come_from_the_earliest_exploitation_event() {
        let mut case = consenting_case();
        case.victim.person.birthdate = Some(IsoDate::from_ymd(2000, 7, 1).unwrap());
        case.historic_events = vec![
            event("TH", None),
            event("GBR", Some((2023, 2, 1))),
            event("NG", Some((2024, 5, 1))),
        ];
        let facts = case_facts(&case, TODAY(), &(2000..=2025)).unwrap();
        assert_eq!(
            facts.country, "GB",
            "dated before undated, alpha-3 read as alpha-2"
        );
        assert_eq!(facts.year, 2023, "no referral date: the event's year");
        assert_eq!(facts.age_band, "21-23", "22 on the event's date");
        assert_eq!(facts.exploitation, "ForcedLabour");

        case.incoming_referral = Some(ctip_cases::IncomingReferral {
            referring_organisation: ctip_cases::RecordId::parse("org-1").unwrap(),
            date: Some(IsoDate::from_ymd(2024, 9, 30).unwrap()),
            referring_case_worker: None,
            reason: None,
            details: None,
        });
        let facts = case_facts(&case, TODAY(), &(2000..=2025)).unwrap();
        assert_eq!(facts.year, 2024, "the referral date comes first");
    }

    #[test]
    fn several_types_count_once_as_multiple() {
        let mut case = consenting_case();
        case.historic_events = vec![event("NG", Some((2023, 2, 1)))];
        case.victim.context.age_when_trafficked = Some(30);
        case.victim.context.exploitation_types = vec![
            ExploitationType::SexualExploitation,
            ExploitationType::ForcedLabour,
        ];
        let facts = case_facts(&case, TODAY(), &(2000..=2025)).unwrap();
        assert_eq!(facts.exploitation, MULTIPLE_TYPES);
        assert_eq!(facts.age_band, "30-38");
    }

    #[test]
    fn missing_facts_and_consent_are_reasons_to_leave_out() {
        let mut case = consenting_case();
        assert_eq!(
            case_facts(&case, TODAY(), &(2000..=2025)),
            Err(Exclusion::NoCountry)
        );
        case.historic_events = vec![event("NG", None)];
        assert_eq!(
            case_facts(&case, TODAY(), &(2000..=2025)),
            Err(Exclusion::NoAge)
        );
        case.victim.context.age_band_when_trafficked = Some(AgeBand::From9To17);
        assert_eq!(
            case_facts(&case, TODAY(), &(2000..=2025)),
            Err(Exclusion::NoYear)
        );
        case.historic_events = vec![event("NG", Some((1999, 1, 1)))];
        assert_eq!(
            case_facts(&case, TODAY(), &(2000..=2025)),
            Err(Exclusion::YearOutsideRange)
        );
        case.consent = None;
        assert_eq!(
            case_facts(&case, TODAY(), &(2000..=2025)),
            Err(Exclusion::NoConsent)
        );
    }

    #[test]
    fn the_domain_has_every_country_type_and_band() {
        let domain = domain(2000..=2001).unwrap();
        assert_eq!(domain.countries().len(), 249);
        assert_eq!(
            domain.exploitation_types().len(),
            ExploitationType::VALUES.len() + 1
        );
        assert_eq!(domain.age_bands().len(), AgeBand::VALUES.len());
    }
}
