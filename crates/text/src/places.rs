//! A small gazetteer of cities that recur in online ads, with their country.
//!
//! It serves two jobs: choosing the region in which a national-format phone
//! number is read when an ad states its city but not its country, and
//! counting how many distinct cities an ad names (ads that list many cities
//! advertise someone who is moved around). Names that are also common words
//! (Mobile, Reading, Nice) are left out on purpose: a false city is worse
//! than a missing one.

use crate::Normalised;
use aho_corasick::{AhoCorasick, MatchKind};
use std::sync::OnceLock;

/// `(folded city name, ISO 3166-1 alpha-2 country)`.
pub const CITIES: &[(&str, &str)] = &[
    // United States
    ("new york", "US"),
    ("nyc", "US"),
    ("manhattan", "US"),
    ("brooklyn", "US"),
    ("queens", "US"),
    ("bronx", "US"),
    ("los angeles", "US"),
    ("chicago", "US"),
    ("houston", "US"),
    ("phoenix", "US"),
    ("philadelphia", "US"),
    ("san antonio", "US"),
    ("san diego", "US"),
    ("dallas", "US"),
    ("san jose", "US"),
    ("austin", "US"),
    ("jacksonville", "US"),
    ("fort worth", "US"),
    ("columbus", "US"),
    ("charlotte", "US"),
    ("san francisco", "US"),
    ("indianapolis", "US"),
    ("seattle", "US"),
    ("denver", "US"),
    ("washington dc", "US"),
    ("boston", "US"),
    ("el paso", "US"),
    ("nashville", "US"),
    ("detroit", "US"),
    ("oklahoma city", "US"),
    ("portland", "US"),
    ("las vegas", "US"),
    ("memphis", "US"),
    ("louisville", "US"),
    ("baltimore", "US"),
    ("milwaukee", "US"),
    ("albuquerque", "US"),
    ("tucson", "US"),
    ("fresno", "US"),
    ("sacramento", "US"),
    ("kansas city", "US"),
    ("atlanta", "US"),
    ("miami", "US"),
    ("raleigh", "US"),
    ("omaha", "US"),
    ("oakland", "US"),
    ("minneapolis", "US"),
    ("tulsa", "US"),
    ("cleveland", "US"),
    ("wichita", "US"),
    ("new orleans", "US"),
    ("tampa", "US"),
    ("honolulu", "US"),
    ("orlando", "US"),
    ("pittsburgh", "US"),
    ("cincinnati", "US"),
    ("st louis", "US"),
    ("saint louis", "US"),
    ("newark", "US"),
    ("buffalo", "US"),
    ("st paul", "US"),
    ("salt lake city", "US"),
    ("richmond", "US"),
    ("boise", "US"),
    ("spokane", "US"),
    ("des moines", "US"),
    ("birmingham al", "US"),
    ("anchorage", "US"),
    ("reno", "US"),
    ("fort lauderdale", "US"),
    ("hartford", "US"),
    ("providence", "US"),
    ("jersey city", "US"),
    ("long beach", "US"),
    ("virginia beach", "US"),
    ("san bernardino", "US"),
    ("riverside", "US"),
    ("bakersfield", "US"),
    ("stockton", "US"),
    ("corpus christi", "US"),
    ("laredo", "US"),
    ("lubbock", "US"),
    ("knoxville", "US"),
    ("chattanooga", "US"),
    ("charleston", "US"),
    ("myrtle beach", "US"),
    ("gainesville", "US"),
    ("tallahassee", "US"),
    ("baton rouge", "US"),
    ("shreveport", "US"),
    ("little rock", "US"),
    ("jackson ms", "US"),
    ("springfield", "US"),
    ("harrisburg", "US"),
    ("allentown", "US"),
    ("scranton", "US"),
    ("syracuse", "US"),
    ("rochester", "US"),
    ("albany", "US"),
    ("worcester", "US"),
    ("manchester nh", "US"),
    ("burlington", "US"),
    ("norfolk", "US"),
    ("greensboro", "US"),
    ("durham", "US"),
    ("columbia sc", "US"),
    ("augusta", "US"),
    ("macon", "US"),
    ("montgomery", "US"),
    ("huntsville", "US"),
    ("lexington", "US"),
    ("dayton", "US"),
    ("toledo", "US"),
    ("akron", "US"),
    ("grand rapids", "US"),
    ("lansing", "US"),
    ("flint", "US"),
    ("green bay", "US"),
    ("sioux falls", "US"),
    ("fargo", "US"),
    ("billings", "US"),
    ("cheyenne", "US"),
    ("colorado springs", "US"),
    ("santa fe", "US"),
    ("scottsdale", "US"),
    ("mesa", "US"),
    ("henderson", "US"),
    ("irvine", "US"),
    ("anaheim", "US"),
    ("santa ana", "US"),
    ("pasadena", "US"),
    ("hollywood", "US"),
    ("san fernando valley", "US"),
    ("inland empire", "US"),
    ("orange county", "US"),
    ("bay area", "US"),
    ("palm springs", "US"),
    ("tacoma", "US"),
    ("eugene", "US"),
    // Canada
    ("toronto", "CA"),
    ("montreal", "CA"),
    ("vancouver", "CA"),
    ("calgary", "CA"),
    ("edmonton", "CA"),
    ("ottawa", "CA"),
    ("winnipeg", "CA"),
    ("quebec city", "CA"),
    ("mississauga", "CA"),
    ("brampton", "CA"),
    ("hamilton", "CA"),
    ("halifax", "CA"),
    ("saskatoon", "CA"),
    ("niagara falls", "CA"),
    // United Kingdom and Ireland
    ("london", "GB"),
    ("manchester", "GB"),
    ("birmingham", "GB"),
    ("leeds", "GB"),
    ("glasgow", "GB"),
    ("liverpool", "GB"),
    ("edinburgh", "GB"),
    ("bristol", "GB"),
    ("sheffield", "GB"),
    ("cardiff", "GB"),
    ("belfast", "GB"),
    ("nottingham", "GB"),
    ("leicester", "GB"),
    ("newcastle", "GB"),
    ("brighton", "GB"),
    ("dublin", "IE"),
    ("cork", "IE"),
    // Mexico
    ("ciudad de mexico", "MX"),
    ("mexico city", "MX"),
    ("cdmx", "MX"),
    ("guadalajara", "MX"),
    ("monterrey", "MX"),
    ("tijuana", "MX"),
    ("cancun", "MX"),
    ("puebla", "MX"),
    ("juarez", "MX"),
    ("acapulco", "MX"),
    ("merida", "MX"),
    ("queretaro", "MX"),
    ("puerto vallarta", "MX"),
    ("mexicali", "MX"),
    ("chihuahua", "MX"),
    // Spain
    ("madrid", "ES"),
    ("barcelona", "ES"),
    ("valencia", "ES"),
    ("sevilla", "ES"),
    ("seville", "ES"),
    ("zaragoza", "ES"),
    ("malaga", "ES"),
    ("bilbao", "ES"),
    ("alicante", "ES"),
    ("palma", "ES"),
    ("marbella", "ES"),
    ("ibiza", "ES"),
    ("las palmas", "ES"),
    ("murcia", "ES"),
    ("granada", "ES"),
    // Latin America
    ("bogota", "CO"),
    ("medellin", "CO"),
    ("cartagena", "CO"),
    ("barranquilla", "CO"),
    ("lima", "PE"),
    ("santiago", "CL"),
    ("buenos aires", "AR"),
    ("sao paulo", "BR"),
    ("rio de janeiro", "BR"),
    ("caracas", "VE"),
    ("quito", "EC"),
    ("guayaquil", "EC"),
    ("santo domingo", "DO"),
    ("san juan", "PR"),
    ("guatemala city", "GT"),
    ("san salvador", "SV"),
    ("tegucigalpa", "HN"),
    ("managua", "NI"),
    ("panama city", "PA"),
    // Europe and elsewhere
    ("paris", "FR"),
    ("marseille", "FR"),
    ("lyon", "FR"),
    ("berlin", "DE"),
    ("hamburg", "DE"),
    ("munich", "DE"),
    ("frankfurt", "DE"),
    ("cologne", "DE"),
    ("amsterdam", "NL"),
    ("rotterdam", "NL"),
    ("brussels", "BE"),
    ("antwerp", "BE"),
    ("lisbon", "PT"),
    ("porto", "PT"),
    ("rome", "IT"),
    ("milan", "IT"),
    ("naples", "IT"),
    ("vienna", "AT"),
    ("zurich", "CH"),
    ("geneva", "CH"),
    ("prague", "CZ"),
    ("warsaw", "PL"),
    ("budapest", "HU"),
    ("bucharest", "RO"),
    ("athens", "GR"),
    ("istanbul", "TR"),
    ("kyiv", "UA"),
    ("moscow", "RU"),
    ("stockholm", "SE"),
    ("oslo", "NO"),
    ("copenhagen", "DK"),
    ("helsinki", "FI"),
    ("dubai", "AE"),
    ("abu dhabi", "AE"),
    ("doha", "QA"),
    ("riyadh", "SA"),
    ("bangkok", "TH"),
    ("pattaya", "TH"),
    ("manila", "PH"),
    ("singapore", "SG"),
    ("kuala lumpur", "MY"),
    ("jakarta", "ID"),
    ("hong kong", "HK"),
    ("tokyo", "JP"),
    ("seoul", "KR"),
    ("sydney", "AU"),
    ("melbourne", "AU"),
    ("brisbane", "AU"),
    ("perth", "AU"),
    ("auckland", "NZ"),
    ("lagos", "NG"),
    ("abuja", "NG"),
    ("accra", "GH"),
    ("nairobi", "KE"),
    ("johannesburg", "ZA"),
    ("cape town", "ZA"),
    ("cairo", "EG"),
    ("casablanca", "MA"),
];

/// Country names and common spellings, folded, to ISO codes.
const COUNTRY_NAMES: &[(&str, &str)] = &[
    ("united states", "US"),
    ("usa", "US"),
    ("us", "US"),
    ("u.s.", "US"),
    ("u.s.a.", "US"),
    ("america", "US"),
    ("estados unidos", "US"),
    ("canada", "CA"),
    ("united kingdom", "GB"),
    ("uk", "GB"),
    ("england", "GB"),
    ("scotland", "GB"),
    ("wales", "GB"),
    ("great britain", "GB"),
    ("ireland", "IE"),
    ("mexico", "MX"),
    ("spain", "ES"),
    ("espana", "ES"),
    ("colombia", "CO"),
    ("peru", "PE"),
    ("chile", "CL"),
    ("argentina", "AR"),
    ("brazil", "BR"),
    ("brasil", "BR"),
    ("france", "FR"),
    ("germany", "DE"),
    ("deutschland", "DE"),
    ("netherlands", "NL"),
    ("belgium", "BE"),
    ("portugal", "PT"),
    ("italy", "IT"),
    ("australia", "AU"),
    ("new zealand", "NZ"),
    ("nigeria", "NG"),
    ("ghana", "GH"),
    ("kenya", "KE"),
    ("south africa", "ZA"),
    ("philippines", "PH"),
    ("thailand", "TH"),
    ("india", "IN"),
    ("china", "CN"),
    ("japan", "JP"),
    ("united arab emirates", "AE"),
    ("uae", "AE"),
    ("romania", "RO"),
    ("ukraine", "UA"),
    ("poland", "PL"),
    ("dominican republic", "DO"),
    ("puerto rico", "PR"),
    ("venezuela", "VE"),
    ("ecuador", "EC"),
    ("guatemala", "GT"),
];

/// Country-code top-level domains that name a phone region.
const TLD_REGIONS: &[(&str, &str)] = &[
    ("uk", "GB"),
    ("ca", "CA"),
    ("mx", "MX"),
    ("es", "ES"),
    ("au", "AU"),
    ("nz", "NZ"),
    ("ie", "IE"),
    ("de", "DE"),
    ("fr", "FR"),
    ("it", "IT"),
    ("nl", "NL"),
    ("be", "BE"),
    ("pt", "PT"),
    ("br", "BR"),
    ("ar", "AR"),
    ("co", "CO"),
    ("cl", "CL"),
    ("pe", "PE"),
    ("za", "ZA"),
    ("ng", "NG"),
    ("ke", "KE"),
    ("ph", "PH"),
    ("th", "TH"),
    ("sg", "SG"),
    ("hk", "HK"),
    ("jp", "JP"),
    ("in", "IN"),
    ("ae", "AE"),
    ("pl", "PL"),
    ("ro", "RO"),
    ("ua", "UA"),
    ("ch", "CH"),
    ("at", "AT"),
    ("se", "SE"),
    ("no", "NO"),
    ("dk", "DK"),
    ("fi", "FI"),
    ("gr", "GR"),
    ("tr", "TR"),
    ("ru", "RU"),
    ("us", "US"),
];

struct Gazetteer {
    matcher: AhoCorasick,
}

fn gazetteer() -> &'static Gazetteer {
    static GAZETTEER: OnceLock<Gazetteer> = OnceLock::new();
    GAZETTEER.get_or_init(|| Gazetteer {
        matcher: AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(CITIES.iter().map(|(name, _)| name))
            .expect("the city list is a valid automaton"),
    })
}

/// Distinct cities named in the text, as indices into [`CITIES`], in order of
/// first mention.
pub fn cities_mentioned(text: &Normalised<'_>) -> Vec<usize> {
    let folded = text.as_str();
    let bytes = folded.as_bytes();
    let mut found: Vec<usize> = Vec::new();
    for m in gazetteer().matcher.find_iter(folded) {
        let before_ok = m.start() == 0 || !bytes[m.start() - 1].is_ascii_alphanumeric();
        let after_ok = m.end() == bytes.len() || !bytes[m.end()].is_ascii_alphanumeric();
        if before_ok && after_ok {
            // Spellings of one place (nyc, new york) count once.
            let index = canonical_city(m.pattern().as_usize());
            if !found.contains(&index) {
                found.push(index);
            }
        }
    }
    found
}

fn canonical_city(index: usize) -> usize {
    match CITIES[index].0 {
        "nyc" | "manhattan" | "brooklyn" | "queens" | "bronx" => 0,
        "saint louis" => CITIES
            .iter()
            .position(|c| c.0 == "st louis")
            .unwrap_or(index),
        "seville" => CITIES
            .iter()
            .position(|c| c.0 == "sevilla")
            .unwrap_or(index),
        "cdmx" | "ciudad de mexico" => CITIES
            .iter()
            .position(|c| c.0 == "mexico city")
            .unwrap_or(index),
        _ => index,
    }
}

/// The country of a city name as written in an ad's `city` field.
pub fn country_of_city(city: &str) -> Option<&'static str> {
    let folded = Normalised::new(city.trim());
    let name = folded.as_str().trim();
    CITIES
        .iter()
        .find(|(c, _)| *c == name)
        .map(|(_, country)| *country)
}

/// The ISO code for a `country` field: a two-letter code or a name.
pub fn country_code(country: &str) -> Option<String> {
    let trimmed = country.trim();
    if trimmed.len() == 2 && trimmed.bytes().all(|b| b.is_ascii_alphabetic()) {
        let code = trimmed.to_ascii_uppercase();
        return Some(if code == "UK" { "GB".to_owned() } else { code });
    }
    let folded = Normalised::new(trimmed);
    let name = folded.as_str();
    COUNTRY_NAMES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, c)| (*c).to_owned())
}

/// The region implied by a URL's country-code top-level domain.
pub fn region_of_url(url: &str) -> Option<&'static str> {
    let after_scheme = url.split("://").nth(1).unwrap_or(url);
    let host = after_scheme.split(['/', '?', '#', ':']).next()?;
    let tld = host.rsplit('.').next()?.to_ascii_lowercase();
    TLD_REGIONS.iter().find(|(t, _)| *t == tld).map(|(_, r)| *r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cities_are_found_on_word_boundaries_and_counted_once() {
        let n =
            Normalised::new("Touring NYC, Boston and New York then Miami. Bostonian not counted");
        let names: Vec<&str> = cities_mentioned(&n)
            .into_iter()
            .map(|i| CITIES[i].0)
            .collect();
        assert_eq!(names, vec!["new york", "boston", "miami"]);
    }

    #[test]
    fn country_fields_and_urls_give_regions() {
        assert_eq!(country_code("mx").as_deref(), Some("MX"));
        assert_eq!(country_code("México").as_deref(), Some("MX"));
        assert_eq!(country_code("UK").as_deref(), Some("GB"));
        assert_eq!(country_of_city("Toronto"), Some("CA"));
        assert_eq!(
            region_of_url("https://escorts.example.co.uk/ad/1"),
            Some("GB")
        );
        assert_eq!(region_of_url("https://example.com/ad/1"), None);
    }
}
