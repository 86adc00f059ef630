//! Cities ads are posted in, their area codes, language and currency.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    En,
    Es,
}

/// A group of cities a network's circuit stays in, mostly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Corridor {
    UsWest,
    UsSouth,
    UsNortheast,
    UsMidwest,
    CaEast,
    CaWest,
    Gb,
    Es,
    Mx,
}

impl Corridor {
    /// Where a circuit crosses to now and then (a border or a short flight).
    pub(crate) fn neighbour(self) -> Corridor {
        match self {
            Corridor::UsWest => Corridor::CaWest,
            Corridor::CaWest => Corridor::UsWest,
            Corridor::UsNortheast | Corridor::UsMidwest => Corridor::CaEast,
            Corridor::CaEast => Corridor::UsNortheast,
            Corridor::UsSouth => Corridor::Mx,
            Corridor::Mx => Corridor::UsSouth,
            Corridor::Gb => Corridor::Es,
            Corridor::Es => Corridor::Gb,
        }
    }
}

#[derive(Debug)]
pub(crate) struct City {
    pub name: &'static str,
    pub region: &'static str,
    /// ISO 3166-1 alpha-2.
    pub country: &'static str,
    pub corridor: Corridor,
    /// Real NANP area codes of the city; empty outside the US and Canada.
    pub area_codes: &'static [u16],
    /// Rough share of ads posted there.
    pub weight: u32,
}

impl City {
    pub(crate) fn lang(&self) -> Lang {
        match self.country {
            "ES" | "MX" => Lang::Es,
            _ => Lang::En,
        }
    }

    /// ISO 4217 code of what a bare `$` or a bare amount means there.
    pub(crate) fn currency(&self) -> &'static str {
        match self.country {
            "CA" => "CAD",
            "GB" => "GBP",
            "ES" => "EUR",
            "MX" => "MXN",
            _ => "USD",
        }
    }

    /// Lower-case ASCII form for URLs.
    pub(crate) fn slug(&self) -> String {
        slug(self.name)
    }
}

/// Lower-case ASCII letters and digits of `text`, accents dropped.
pub(crate) fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let c = match c {
            'á' | 'à' | 'Á' => 'a',
            'é' | 'É' => 'e',
            'í' | 'Í' => 'i',
            'ó' | 'Ó' => 'o',
            'ú' | 'ü' | 'Ú' => 'u',
            'ñ' | 'Ñ' => 'n',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

macro_rules! city {
    ($name:literal, $region:literal, $country:literal, $corridor:ident, [$($code:literal),*], $weight:literal) => {
        City {
            name: $name,
            region: $region,
            country: $country,
            corridor: Corridor::$corridor,
            area_codes: &[$($code),*],
            weight: $weight,
        }
    };
}

pub(crate) static CITIES: &[City] = &[
    city!(
        "New York",
        "NY",
        "US",
        UsNortheast,
        [212, 646, 332, 917, 718, 347, 929],
        12
    ),
    city!(
        "Los Angeles",
        "CA",
        "US",
        UsWest,
        [213, 323, 310, 424, 818, 747],
        11
    ),
    city!("Chicago", "IL", "US", UsMidwest, [312, 773, 872], 8),
    city!("Houston", "TX", "US", UsSouth, [713, 281, 832, 346], 8),
    city!("Phoenix", "AZ", "US", UsWest, [602, 480, 623], 5),
    city!("Philadelphia", "PA", "US", UsNortheast, [215, 267, 445], 5),
    city!("San Antonio", "TX", "US", UsSouth, [210, 726], 4),
    city!("San Diego", "CA", "US", UsWest, [619, 858], 4),
    city!("Dallas", "TX", "US", UsSouth, [214, 469, 972, 945], 6),
    city!("San Jose", "CA", "US", UsWest, [408, 669], 3),
    city!("Austin", "TX", "US", UsSouth, [512, 737], 3),
    city!("Jacksonville", "FL", "US", UsSouth, [904], 2),
    city!("Fort Worth", "TX", "US", UsSouth, [817, 682], 2),
    city!("Columbus", "OH", "US", UsMidwest, [614, 380], 2),
    city!("Charlotte", "NC", "US", UsSouth, [704, 980], 3),
    city!("San Francisco", "CA", "US", UsWest, [415, 628], 5),
    city!("Indianapolis", "IN", "US", UsMidwest, [317, 463], 2),
    city!("Seattle", "WA", "US", UsWest, [206, 253, 425], 5),
    city!("Denver", "CO", "US", UsWest, [303, 720], 4),
    city!("Washington", "DC", "US", UsNortheast, [202, 771], 5),
    city!("Boston", "MA", "US", UsNortheast, [617, 857], 5),
    city!("Nashville", "TN", "US", UsSouth, [615, 629], 3),
    city!("Detroit", "MI", "US", UsMidwest, [313], 4),
    city!("Portland", "OR", "US", UsWest, [503, 971], 3),
    city!("Las Vegas", "NV", "US", UsWest, [702, 725], 7),
    city!("Memphis", "TN", "US", UsSouth, [901], 2),
    city!("Louisville", "KY", "US", UsSouth, [502], 2),
    city!("Baltimore", "MD", "US", UsNortheast, [410, 443, 667], 3),
    city!("Milwaukee", "WI", "US", UsMidwest, [414], 2),
    city!("Albuquerque", "NM", "US", UsWest, [505], 2),
    city!("Atlanta", "GA", "US", UsSouth, [404, 470, 678, 770], 8),
    city!("Miami", "FL", "US", UsSouth, [305, 786], 7),
    city!("Orlando", "FL", "US", UsSouth, [407, 321, 689], 4),
    city!("Tampa", "FL", "US", UsSouth, [813, 656], 3),
    city!("New Orleans", "LA", "US", UsSouth, [504], 3),
    city!("Minneapolis", "MN", "US", UsMidwest, [612], 3),
    city!("Kansas City", "MO", "US", UsMidwest, [816], 2),
    city!("Sacramento", "CA", "US", UsWest, [916, 279], 2),
    city!("Salt Lake City", "UT", "US", UsWest, [801, 385], 2),
    city!("Oklahoma City", "OK", "US", UsSouth, [405, 572], 2),
    city!("Newark", "NJ", "US", UsNortheast, [973, 862], 3),
    city!("Honolulu", "HI", "US", UsWest, [808], 2),
    city!("Cleveland", "OH", "US", UsMidwest, [216], 2),
    city!("Pittsburgh", "PA", "US", UsNortheast, [412, 878], 2),
    city!("St. Louis", "MO", "US", UsMidwest, [314, 557], 2),
    city!("Raleigh", "NC", "US", UsSouth, [919, 984], 2),
    city!("Cincinnati", "OH", "US", UsMidwest, [513], 2),
    city!("Anchorage", "AK", "US", UsWest, [907], 1),
    city!("Toronto", "ON", "CA", CaEast, [416, 647, 437], 6),
    city!("Montreal", "QC", "CA", CaEast, [514, 438], 4),
    city!("Ottawa", "ON", "CA", CaEast, [613, 343], 2),
    city!("Hamilton", "ON", "CA", CaEast, [905, 289], 1),
    city!("Vancouver", "BC", "CA", CaWest, [604, 778, 236], 4),
    city!("Calgary", "AB", "CA", CaWest, [403, 587, 825], 2),
    city!("Edmonton", "AB", "CA", CaWest, [780], 2),
    city!("Winnipeg", "MB", "CA", CaWest, [204, 431], 1),
    city!("London", "England", "GB", Gb, [], 8),
    city!("Manchester", "England", "GB", Gb, [], 3),
    city!("Birmingham", "England", "GB", Gb, [], 3),
    city!("Leeds", "England", "GB", Gb, [], 2),
    city!("Liverpool", "England", "GB", Gb, [], 2),
    city!("Bristol", "England", "GB", Gb, [], 1),
    city!("Glasgow", "Scotland", "GB", Gb, [], 2),
    city!("Edinburgh", "Scotland", "GB", Gb, [], 1),
    city!("Cardiff", "Wales", "GB", Gb, [], 1),
    city!("Madrid", "Comunidad de Madrid", "ES", Es, [], 5),
    city!("Barcelona", "Cataluña", "ES", Es, [], 5),
    city!("Valencia", "Comunidad Valenciana", "ES", Es, [], 2),
    city!("Sevilla", "Andalucía", "ES", Es, [], 2),
    city!("Málaga", "Andalucía", "ES", Es, [], 2),
    city!("Bilbao", "País Vasco", "ES", Es, [], 1),
    city!("Ciudad de México", "CDMX", "MX", Mx, [], 6),
    city!("Guadalajara", "Jalisco", "MX", Mx, [], 3),
    city!("Monterrey", "Nuevo León", "MX", Mx, [], 3),
    city!("Tijuana", "Baja California", "MX", Mx, [], 3),
    city!("Cancún", "Quintana Roo", "MX", Mx, [], 3),
    city!("Puebla", "Puebla", "MX", Mx, [], 2),
];

/// City weights in table order, for weighted picks.
pub(crate) fn city_weights() -> Vec<u32> {
    CITIES.iter().map(|c| c.weight).collect()
}

/// Every distinct NANP area code in the table, in table order.
pub(crate) fn all_area_codes() -> Vec<u16> {
    let mut codes: Vec<u16> = Vec::new();
    for code in CITIES.iter().flat_map(|c| c.area_codes.iter().copied()) {
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    codes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_city_table_is_wide_and_well_formed() {
        assert!(CITIES.len() >= 60);
        for city in CITIES {
            assert_eq!(city.country.len(), 2);
            let nanp = matches!(city.country, "US" | "CA");
            assert_eq!(nanp, !city.area_codes.is_empty(), "{}", city.name);
            for &code in city.area_codes {
                assert!((201..=989).contains(&code), "{code}");
            }
        }
        let codes = all_area_codes();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), codes.len());
    }
}
