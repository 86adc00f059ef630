//! What an analyst sees of a network: size, cities and the circuit between
//! them, the posting timeline, prices, names, and a risk with its reasons.

use ctip_core::IdentifierKind;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The facts of one ad that a network summary uses.
#[derive(Debug, Clone, Copy)]
pub struct AdFacts<'a> {
    /// Days since 1970-01-01 of posting, when known.
    pub day: Option<i32>,
    pub city: Option<&'a str>,
    pub name: Option<&'a str>,
    pub score: f32,
    /// Price per hour and its currency, when the ad states one.
    pub hourly_price: Option<(f32, &'a str)>,
    pub template: u32,
    /// Linking identifiers shown by the ad, as indices.
    pub identifiers: &'a [u32],
}

/// One stay of the network in a city.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stop {
    pub city: String,
    pub from: String,
    pub to: String,
    pub ads: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PriceRange {
    pub currency: String,
    pub min_per_hour: f32,
    pub max_per_hour: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub ads: u64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// Cities with their ad counts, most ads first.
    pub cities: Vec<(String, u64)>,
    /// Cities in date order, consecutive ads in one city merged.
    pub circuit: Vec<Stop>,
    /// Ads per ISO week (labelled by the week's Monday), in order.
    pub weekly: Vec<(String, u64)>,
    pub prices: Vec<PriceRange>,
    pub names: Vec<String>,
    /// Template clusters (by earliest ad index) with their ads here.
    pub templates: Vec<(u32, u64)>,
    /// Identifiers (by index) with their ads here.
    pub identifiers: Vec<(u32, u64)>,
    pub mean_score: f32,
    pub max_score: f32,
    /// Network risk in `[0, 1]`: the ads' scores raised by network signals.
    pub risk: f32,
    pub reasons: Vec<String>,
}

/// Signal weights, combined as a noisy-or with the ads' own score. Each
/// pattern is documented in anti-trafficking casework as typical of
/// organised sexual exploitation (Polaris, "The Typology of Modern Slavery",
/// 2017; Ibanez and Suthers, "Detection of domestic human trafficking
/// indicators and movement trends using content available on open internet
/// sources", 2014).
const MANY_CITIES: f32 = 0.2;
const MANY_NAMES_PER_PHONE: f32 = 0.2;
const MANY_PHONES_PER_TEMPLATE: f32 = 0.15;
const RAPID_MOVEMENT: f32 = 0.2;

/// Summarises one network from its ads' facts. `kind_of` tells an
/// identifier's kind.
pub fn summarise(ads: &[AdFacts], kind_of: impl Fn(u32) -> IdentifierKind) -> Summary {
    let mut cities: HashMap<&str, u64> = HashMap::new();
    let mut names: Vec<&str> = Vec::new();
    let mut templates: BTreeMap<u32, u64> = BTreeMap::new();
    let mut identifiers: BTreeMap<u32, u64> = BTreeMap::new();
    let mut names_per_phone: HashMap<u32, HashSet<&str>> = HashMap::new();
    let mut phones_per_template: HashMap<u32, HashSet<u32>> = HashMap::new();
    let mut prices: BTreeMap<&str, (f32, f32)> = BTreeMap::new();
    let mut weekly: BTreeMap<i32, u64> = BTreeMap::new();
    let (mut score_sum, mut max_score) = (0.0f32, 0.0f32);
    for ad in ads {
        if let Some(city) = ad.city {
            *cities.entry(city).or_default() += 1;
        }
        if let Some(name) = ad.name
            && !names.contains(&name)
        {
            names.push(name);
        }
        *templates.entry(ad.template).or_default() += 1;
        for &id in ad.identifiers {
            *identifiers.entry(id).or_default() += 1;
            if kind_of(id) == IdentifierKind::Phone {
                if let Some(name) = ad.name {
                    names_per_phone.entry(id).or_default().insert(name);
                }
                phones_per_template
                    .entry(ad.template)
                    .or_default()
                    .insert(id);
            }
        }
        if let Some((amount, currency)) = ad.hourly_price {
            let range = prices.entry(currency).or_insert((amount, amount));
            range.0 = range.0.min(amount);
            range.1 = range.1.max(amount);
        }
        if let Some(day) = ad.day {
            // 1970-01-01 was a Thursday: Monday-based weeks start 3 days later.
            *weekly.entry((day - 4).div_euclid(7) * 7 + 4).or_default() += 1;
        }
        score_sum += ad.score;
        max_score = max_score.max(ad.score);
    }
    let mut cities: Vec<(String, u64)> = cities
        .into_iter()
        .map(|(c, n)| (c.to_string(), n))
        .collect();
    cities.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let circuit = circuit(ads);
    let days: Vec<i32> = ads.iter().filter_map(|a| a.day).collect();
    let mean_score = if ads.is_empty() {
        0.0
    } else {
        score_sum / ads.len() as f32
    };

    let mut reasons = Vec::new();
    let mut keep = 1.0 - (0.5 * max_score + 0.5 * mean_score).clamp(0.0, 1.0);
    if cities.len() >= 3 {
        keep *= 1.0 - MANY_CITIES;
        reasons.push(format!("posts in {} cities", cities.len()));
    }
    let most_names = names_per_phone
        .values()
        .map(HashSet::len)
        .max()
        .unwrap_or(0);
    if most_names >= 3 {
        keep *= 1.0 - MANY_NAMES_PER_PHONE;
        reasons.push(format!("{most_names} names on one phone"));
    }
    let most_phones = phones_per_template
        .values()
        .map(HashSet::len)
        .max()
        .unwrap_or(0);
    if most_phones >= 3 {
        keep *= 1.0 - MANY_PHONES_PER_TEMPLATE;
        reasons.push(format!("{most_phones} phones on one template"));
    }
    if let Some(stay) = median_stay_days(&circuit)
        && circuit.len() >= 4
        && stay <= 7
    {
        keep *= 1.0 - RAPID_MOVEMENT;
        reasons.push(format!(
            "moves city {} times, staying about {} days",
            circuit.len() - 1,
            stay.max(1)
        ));
    }
    if max_score >= 0.5 {
        reasons.insert(0, format!("ads score up to {:.2}", max_score));
    }

    Summary {
        ads: ads.len() as u64,
        first_seen: days.iter().min().map(|&d| date_label(d)),
        last_seen: days.iter().max().map(|&d| date_label(d)),
        cities,
        circuit,
        weekly: weekly
            .into_iter()
            .map(|(d, n)| (date_label(d), n))
            .collect(),
        prices: prices
            .into_iter()
            .map(|(currency, (min, max))| PriceRange {
                currency: currency.to_string(),
                min_per_hour: min,
                max_per_hour: max,
            })
            .collect(),
        names: names.into_iter().map(str::to_string).collect(),
        templates: templates.into_iter().collect(),
        identifiers: identifiers.into_iter().collect(),
        mean_score,
        max_score,
        risk: 1.0 - keep,
        reasons,
    }
}

fn circuit(ads: &[AdFacts]) -> Vec<Stop> {
    let mut dated: Vec<(i32, &str)> = ads.iter().filter_map(|a| Some((a.day?, a.city?))).collect();
    dated.sort_unstable();
    let mut stops: Vec<(i32, i32, &str, u64)> = Vec::new();
    for (day, city) in dated {
        match stops.last_mut() {
            Some(last) if last.2 == city => {
                last.1 = day;
                last.3 += 1;
            }
            _ => stops.push((day, day, city, 1)),
        }
    }
    stops
        .into_iter()
        .map(|(from, to, city, ads)| Stop {
            city: city.to_string(),
            from: date_label(from),
            to: date_label(to),
            ads,
        })
        .collect()
}

fn median_stay_days(circuit: &[Stop]) -> Option<i32> {
    let mut stays: Vec<i32> = circuit
        .iter()
        .filter_map(|s| Some(day_of(&s.to)? - day_of(&s.from)? + 1))
        .collect();
    stays.sort_unstable();
    stays.get(stays.len() / 2).copied()
}

/// Days since 1970-01-01 of a date or timestamp that starts `YYYY-MM-DD`.
pub fn day_of(text: &str) -> Option<i32> {
    let date = text.get(..10)?;
    let mut parts = date.split('-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u32 = parts.next()?.parse().ok()?;
    let day: u32 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || !(1..=9999).contains(&year) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i32;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i32 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// `YYYY-MM-DD` of a day number.
pub fn date_label(days: i32) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i32::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ad<'a>(day: &str, city: &'a str, name: &'a str, ids: &'a [u32]) -> AdFacts<'a> {
        AdFacts {
            day: day_of(day),
            city: Some(city),
            name: Some(name),
            score: 0.4,
            hourly_price: Some((200.0, "USD")),
            template: 0,
            identifiers: ids,
        }
    }

    #[test]
    fn dates_round_trip() {
        assert_eq!(day_of("1970-01-01"), Some(0));
        assert_eq!(day_of("2025-03-02T10:00:00Z"), Some(20_149));
        for d in [-1000, 0, 20_149, 30_000] {
            assert_eq!(day_of(&date_label(d)), Some(d));
        }
        assert_eq!(day_of("2025-13-01"), None);
        assert_eq!(day_of("soon"), None);
    }

    #[test]
    fn a_moving_network_with_many_names_scores_higher_than_its_ads() {
        let phone = [7u32];
        let ads = [
            ad("2025-03-01", "Houston", "Amber", &phone),
            ad("2025-03-03", "Houston", "Luna", &phone),
            ad("2025-03-06", "Dallas", "Jade", &phone),
            ad("2025-03-10", "Austin", "Amber", &phone),
            ad("2025-03-14", "El Paso", "Amber", &phone),
        ];
        let s = summarise(&ads, |_| IdentifierKind::Phone);
        assert_eq!(s.ads, 5);
        assert_eq!(s.first_seen.as_deref(), Some("2025-03-01"));
        assert_eq!(s.last_seen.as_deref(), Some("2025-03-14"));
        let route: Vec<&str> = s.circuit.iter().map(|c| c.city.as_str()).collect();
        assert_eq!(route, ["Houston", "Dallas", "Austin", "El Paso"]);
        assert_eq!(s.circuit[0].ads, 2);
        assert_eq!(s.cities[0], ("Houston".to_string(), 2));
        assert_eq!(s.identifiers, vec![(7, 5)]);
        assert!(s.risk > 0.4, "{}", s.risk);
        assert!(
            s.reasons.iter().any(|r| r.contains("4 cities")),
            "{:?}",
            s.reasons
        );
        assert!(s.reasons.iter().any(|r| r.contains("3 names on one phone")));
        assert!(
            s.reasons
                .iter()
                .any(|r| r.starts_with("moves city 3 times"))
        );
        // 2025-03-01 is a Saturday: its week starts on Monday 2025-02-24.
        assert_eq!(s.weekly[0], ("2025-02-24".to_string(), 1));
    }

    #[test]
    fn a_quiet_network_keeps_its_ads_score() {
        let ads = [
            ad("2025-03-01", "Houston", "Amber", &[]),
            ad("2025-03-02", "Houston", "Amber", &[]),
        ];
        let s = summarise(&ads, |_| IdentifierKind::Phone);
        assert!((s.risk - 0.4).abs() < 1e-6);
        assert!(s.reasons.is_empty());
    }
}
