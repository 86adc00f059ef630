//! The generator's promises, checked on real output through the public API:
//! determinism, complete and exact truth, valid and fictitious identifiers,
//! the planned mix of content and hard cases, and streaming.

use ctip_core::{Ad, IdentifierKind};
use ctip_synth::truth::{Category, TruthRecord, obfuscation};
use ctip_synth::{SynthConfig, SynthStats, generate};
use sha2::{Digest as _, Sha256};
use sha3::Keccak256;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, Write};
use std::sync::OnceLock;

const ADS: usize = 20_000;

fn bytes(ads: usize, seed: u64) -> (Vec<u8>, Vec<u8>, SynthStats) {
    let (mut a, mut t) = (Vec::new(), Vec::new());
    let stats = generate(&SynthConfig::new(ads, seed), &mut a, &mut t)
        .expect("writing to memory cannot fail");
    (a, t, stats)
}

struct Corpus {
    rows: Vec<(Ad, TruthRecord)>,
    stats: SynthStats,
}

fn corpus() -> &'static Corpus {
    static CORPUS: OnceLock<Corpus> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let (a, t, stats) = bytes(ADS, 42);
        let ads = String::from_utf8(a).expect("ads are UTF-8");
        let truth = String::from_utf8(t).expect("truth is UTF-8");
        assert_eq!(ads.lines().count(), truth.lines().count());
        let rows = ads
            .lines()
            .zip(truth.lines())
            .map(|(a, t)| {
                (
                    serde_json::from_str(a).expect("an ad line is an Ad"),
                    serde_json::from_str(t).expect("a truth line is a TruthRecord"),
                )
            })
            .collect();
        Corpus { rows, stats }
    })
}

fn planted(
    kind: IdentifierKind,
) -> impl Iterator<Item = (&'static Ad, &'static ctip_synth::truth::PlantedIdentifier)> {
    corpus().rows.iter().flat_map(move |(ad, t)| {
        t.planted
            .iter()
            .filter(move |p| p.kind == kind)
            .map(move |p| (ad, p))
    })
}

#[test]
fn the_same_seed_gives_the_same_bytes_and_another_seed_does_not() {
    let (a1, t1, s1) = bytes(3_000, 7);
    let (a2, t2, s2) = bytes(3_000, 7);
    assert_eq!((a1.clone(), t1.clone(), s1), (a2, t2, s2));
    let (a3, t3, _) = bytes(3_000, 8);
    assert_ne!(a1, a3);
    assert_ne!(t1, t3);
}

#[test]
fn there_is_one_truth_line_per_ad_in_the_same_order() {
    let c = corpus();
    assert_eq!(c.rows.len(), ADS);
    for (i, (ad, truth)) in c.rows.iter().enumerate() {
        assert_eq!(ad.id, format!("ad-{:07}", i + 1));
        assert_eq!(truth.id, ad.id);
        assert_eq!(truth.trafficking, truth.network.is_some());
        assert_eq!(truth.network.is_some(), truth.template.is_some());
        if let (Some(n), Some(t)) = (&truth.network, &truth.template) {
            assert!(
                t.starts_with(&format!("{n}-t")),
                "{t} is not a template of {n}"
            );
        }
    }
}

#[test]
fn stats_agree_with_the_truth() {
    let c = corpus();
    let network_ads = c.rows.iter().filter(|(_, t)| t.trafficking).count();
    let networks: BTreeSet<&str> = c
        .rows
        .iter()
        .filter_map(|(_, t)| t.network.as_deref())
        .collect();
    let templates: BTreeSet<&str> = c
        .rows
        .iter()
        .filter_map(|(_, t)| t.template.as_deref())
        .collect();
    assert_eq!(c.stats.ads, ADS);
    assert_eq!(c.stats.network_ads, network_ads);
    assert_eq!(c.stats.benign_ads, ADS - network_ads);
    assert_eq!(c.stats.network_ads, (ADS as f64 * 0.4).round() as usize);
    assert_eq!(c.stats.networks, networks.len());
    assert!(templates.len() <= c.stats.templates && templates.len() > networks.len());
}

#[test]
fn every_planted_surface_is_in_its_ad_as_often_as_planted() {
    for (ad, truth) in &corpus().rows {
        let text = ad.text();
        let mut wanted: HashMap<&str, usize> = HashMap::new();
        for p in &truth.planted {
            *wanted.entry(p.surface.as_str()).or_default() += 1;
        }
        for (surface, count) in wanted {
            assert!(!surface.is_empty());
            assert!(
                text.matches(surface).count() >= count,
                "{}: `{surface}` x{count} not in {text:?}",
                ad.id
            );
        }
    }
}

#[test]
fn plain_emails_in_the_text_are_all_planted() {
    for (ad, truth) in &corpus().rows {
        let text = ad.text().to_lowercase();
        let written = [
            "@example.com",
            "@example.net",
            "@example.org",
            "@mail.example",
        ]
        .iter()
        .map(|d| text.matches(d).count())
        .sum::<usize>();
        let plain = truth
            .planted
            .iter()
            .filter(|p| p.kind == IdentifierKind::Email && p.obfuscation == obfuscation::PLAIN)
            .count();
        assert_eq!(written, plain, "{}: {text}", ad.id);
    }
}

#[test]
fn phones_come_only_from_the_fictitious_ranges() {
    let mut count = 0;
    for (_, p) in planted(IdentifierKind::Phone) {
        let v = p.value.as_str();
        let nanp = v.len() == 12
            && v.starts_with("+1")
            && &v[5..10] == "55501"
            && v[2..].bytes().all(|b| b.is_ascii_digit());
        let uk = v.len() == 13
            && v.starts_with("+447700900")
            && v[1..].bytes().all(|b| b.is_ascii_digit());
        assert!(nanp || uk, "{v} is outside the fictitious ranges");
        assert_eq!(p.qualifier, None);
        count += 1;
    }
    assert!(count > ADS / 2);
}

#[test]
fn wallets_pass_their_checksums() {
    let mut chains = BTreeSet::new();
    for (_, p) in planted(IdentifierKind::Wallet) {
        match p.qualifier.as_deref() {
            Some("btc") => {
                let raw = bs58::decode(&p.surface).into_vec().expect("base58");
                assert_eq!(raw.len(), 25);
                assert_eq!(raw[0], 0, "P2PKH version byte");
                let check = Sha256::digest(Sha256::digest(&raw[..21]));
                assert_eq!(&raw[21..], &check[..4], "{} checksum", p.surface);
                assert_eq!(p.value, p.surface);
            }
            Some("eth") => {
                let hex = &p.surface[2..];
                assert_eq!(p.value, format!("0x{}", hex.to_ascii_lowercase()));
                let hash = Keccak256::digest(hex.to_ascii_lowercase().as_bytes());
                for (i, c) in hex.chars().enumerate() {
                    let nibble = if i % 2 == 0 {
                        hash[i / 2] >> 4
                    } else {
                        hash[i / 2] & 0xf
                    };
                    if c.is_ascii_alphabetic() {
                        assert_eq!(
                            c.is_ascii_uppercase(),
                            nibble >= 8,
                            "{} fails EIP-55",
                            p.surface
                        );
                    }
                }
            }
            other => panic!("unexpected wallet qualifier {other:?}"),
        }
        chains.insert(p.qualifier.clone());
    }
    assert_eq!(chains.len(), 2, "both chains appear");
}

#[test]
fn other_identifiers_have_canonical_values() {
    for (_, p) in planted(IdentifierKind::Email) {
        assert_eq!(p.value, p.value.to_lowercase());
        let domain = p.value.rsplit('@').next().unwrap_or_default();
        assert!(
            ["example.com", "example.net", "example.org", "mail.example"].contains(&domain),
            "{}",
            p.value
        );
    }
    for (_, p) in planted(IdentifierKind::Handle) {
        assert_eq!(p.value, p.value.to_lowercase());
        assert!(!p.value.starts_with('@'));
        let platform = p.qualifier.as_deref().unwrap_or_default();
        assert!(
            [
                "twitter",
                "instagram",
                "snapchat",
                "telegram",
                "whatsapp",
                "kik",
                "onlyfans",
                "wechat"
            ]
            .contains(&platform)
        );
        assert!(p.surface.to_lowercase().contains(&p.value));
    }
    for (_, p) in planted(IdentifierKind::Age) {
        let years: u8 = p.value.parse().expect("an age is a number of years");
        assert!((16..=65).contains(&years));
    }
    for (ad, p) in planted(IdentifierKind::Price) {
        let (amount, rest) = p.value.split_once(' ').expect("amount then currency");
        assert!(amount.parse::<u32>().is_ok(), "{}", p.value);
        let (currency, minutes) = match rest.split_once('/') {
            Some((c, m)) => (c, Some(m)),
            None => (rest, None),
        };
        assert!(
            ["USD", "CAD", "GBP", "EUR", "MXN", "rose"].contains(&currency),
            "{}",
            p.value
        );
        if let Some(m) = minutes {
            assert!(["15min", "30min", "60min"].contains(&m), "{}", p.value);
        }
        let local = match ad.country.as_deref() {
            Some("CA") => "CAD",
            Some("GB") => "GBP",
            Some("ES") => "EUR",
            Some("MX") => "MXN",
            _ => "USD",
        };
        assert!(
            currency == local || currency == "rose",
            "{} in {:?}",
            p.value,
            ad.country
        );
    }
}

#[test]
fn phones_are_about_half_plain_and_every_form_appears() {
    let mut forms: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, p) in planted(IdentifierKind::Phone) {
        *forms.entry(p.obfuscation.as_str()).or_default() += 1;
    }
    let total: usize = forms.values().sum();
    let plain = forms[obfuscation::PLAIN] as f64 / total as f64;
    assert!((0.4..0.62).contains(&plain), "plain share {plain:.2}");
    for name in [
        "plain",
        "spelled_mixed",
        "spelled_all",
        "spelled_glued",
        "fullwidth",
        "keycap",
        "circled",
        "bracketed",
        "symbol_separated",
        "letter_digits",
        "tens_words",
        "oh_zero",
    ] {
        assert!(
            forms.get(name).copied().unwrap_or(0) > 20,
            "{name}: {forms:?}"
        );
    }
    let all: BTreeSet<&str> = corpus()
        .rows
        .iter()
        .flat_map(|(_, t)| t.planted.iter().map(|p| p.obfuscation.as_str()))
        .collect();
    for name in &all {
        assert!(obfuscation::ALL.contains(name), "{name} is not listed");
    }
    assert_eq!(
        all.len(),
        obfuscation::ALL.len(),
        "every listed form is used: {all:?}"
    );
}

#[test]
fn networks_share_phones_within_and_hubs_across() {
    let mut networks_of_phone: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    let mut benign_phones = BTreeSet::new();
    for (_, t) in &corpus().rows {
        for p in t.planted.iter().filter(|p| p.kind == IdentifierKind::Phone) {
            match &t.network {
                Some(n) => {
                    networks_of_phone.entry(&p.value).or_default().insert(n);
                }
                None => {
                    benign_phones.insert(p.value.as_str());
                }
            }
        }
    }
    let hubs = networks_of_phone.values().filter(|n| n.len() >= 3).count();
    assert!(hubs >= 1, "a booking hub links several networks");
    let accidental = networks_of_phone
        .keys()
        .filter(|p| benign_phones.contains(**p))
        .count();
    assert_eq!(accidental, 0, "benign and network phones never collide");
}

#[test]
fn networks_move_along_circuits_of_cities() {
    let mut cities: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    for (ad, t) in &corpus().rows {
        if let Some(n) = &t.network {
            cities
                .entry(n)
                .or_default()
                .insert(ad.city.as_deref().unwrap_or_default());
        }
    }
    let travelling = cities.values().filter(|c| c.len() >= 3).count();
    assert!(
        travelling * 4 >= cities.len(),
        "{travelling} of {} networks visit 3+ cities",
        cities.len()
    );
    let all_cities: BTreeSet<&str> = corpus()
        .rows
        .iter()
        .filter_map(|(ad, _)| ad.city.as_deref())
        .collect();
    assert!(all_cities.len() >= 60);
}

#[test]
fn network_ads_are_near_duplicates_not_copies() {
    let mut bodies: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    let mut sizes: HashMap<&str, usize> = HashMap::new();
    for (ad, t) in &corpus().rows {
        if let Some(template) = &t.template {
            bodies.entry(template).or_default().insert(&ad.body);
            *sizes.entry(template).or_default() += 1;
        }
    }
    let (largest, size) = sizes
        .iter()
        .max_by_key(|(_, s)| **s)
        .expect("some template");
    assert!(*size >= 20);
    assert!(
        bodies[largest].len() * 10 >= *size * 9,
        "paraphrase and slots make almost every ad unique"
    );
}

#[test]
fn indicator_language_and_hard_cases_are_present() {
    let c = corpus();
    let texts_where = |trafficking: bool| -> Vec<String> {
        c.rows
            .iter()
            .filter(|(_, t)| t.trafficking == trafficking)
            .map(|(ad, _)| ad.text().into_owned())
            .collect()
    };
    let network = texts_where(true).join("\n");
    let benign = texts_where(false).join("\n");
    for phrase in [
        "just turned 18",
        "New girls every week",
        "Incall only",
        "Visa and flight paid",
        "We keep your passport for safety",
        "Recruitment fee deducted from salary",
        "Girls 18-25 only",
        "recién llegada",
        "Pasaje y visa pagados",
        "Posted via ClassiHub",
    ] {
        assert!(network.contains(phrase), "network ads say `{phrase}`");
    }
    for phrase in [
        "Job ID 202",
        "Voucher ref ",
        "Posted via ClassiHub",
        "Licensed massage therapists",
        "New in town",
    ] {
        assert!(benign.contains(phrase), "benign ads say `{phrase}`");
    }
    let categories: BTreeSet<Category> = c.rows.iter().map(|(_, t)| t.category).collect();
    assert_eq!(categories.len(), 4);
}

#[test]
fn a_few_network_ads_state_an_age_under_18_and_no_benign_ad_does() {
    let mut minors = 0;
    for (_, t) in &corpus().rows {
        for p in t.planted.iter().filter(|p| p.kind == IdentifierKind::Age) {
            if p.value.parse::<u8>().unwrap_or(99) < 18 {
                assert!(t.trafficking);
                minors += 1;
            }
        }
    }
    assert!(minors > 0 && minors < ADS / 100, "{minors}");
}

#[test]
fn ads_carry_place_time_and_link() {
    for (ad, _) in &corpus().rows {
        let posted = ad.posted_at.as_deref().expect("posted_at");
        assert_eq!(posted.len(), 20, "{posted}");
        assert!(
            ("2025-01-01".."2026-07-01").contains(&&posted[..10]),
            "{posted}"
        );
        assert!(ad.city.is_some() && ad.region.is_some());
        assert_eq!(ad.country.as_deref().map(str::len), Some(2));
        assert!(ad.url.as_deref().is_some_and(|u| u.starts_with("https://")));
        assert!(!ad.body.is_empty());
    }
    assert!(corpus().rows.iter().any(|(ad, _)| ad.name.is_some()));
}

/// Fails every write after `budget` bytes.
struct Failing {
    budget: usize,
}

impl Write for Failing {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.len() > self.budget {
            return Err(io::Error::other("disk full"));
        }
        self.budget -= buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn generation_streams_and_stops_at_the_first_write_error() {
    // A billion ads would never fit in memory; streaming hits the error at once.
    let started = std::time::Instant::now();
    let config = SynthConfig::new(1_000_000_000, 1);
    let result = generate(&config, &mut Failing { budget: 1 << 20 }, &mut io::sink());
    assert_eq!(
        result.expect_err("the writer fails").to_string(),
        "disk full"
    );
    assert!(started.elapsed().as_secs() < 20);
}
