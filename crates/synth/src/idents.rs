//! E-mails, handles, ages and prices: invented values and the ways ads write
//! them. Each renderer returns the surface text and the obfuscation name.

use crate::geo::Lang;
use crate::phone::{TEEN_WORDS, TENS_WORDS};
use crate::random::{chance, pick, pick_copy};
use crate::truth::obfuscation;
use fastrand::Rng;

/// Only reserved domains (RFC 2606 / RFC 6761): these addresses reach nobody.
pub(crate) const EMAIL_DOMAINS: &[&str] =
    &["example.com", "example.net", "example.org", "mail.example"];

/// An e-mail address in its canonical, lower-case form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Email {
    pub local: String,
    pub domain: &'static str,
}

impl Email {
    pub(crate) fn value(&self) -> String {
        format!("{}@{}", self.local, self.domain)
    }

    /// `plain_share` is the chance it is written as is.
    pub(crate) fn render(&self, rng: &mut Rng, plain_share: f64) -> (String, &'static str) {
        if chance(rng, plain_share) {
            let mut text = self.value();
            if chance(rng, 0.15) {
                // Ads capitalise; the value stays lower case.
                text[..1].make_ascii_uppercase();
            }
            return (text, obfuscation::PLAIN);
        }
        let (at, dot, name) = match rng.u8(..3) {
            0 => (" at ", " dot ", obfuscation::AT_DOT_WORDS),
            1 => (" [at] ", " [dot] ", obfuscation::AT_DOT_BRACKETS),
            _ => ("(at)", "(dot)", obfuscation::AT_DOT_PARENS),
        };
        (
            format!("{}{at}{}", self.local, self.domain.replace('.', dot)),
            name,
        )
    }
}

/// Invented word pieces for handles and e-mail local parts.
const HANDLE_WORDS: &[&str] = &[
    "sweet", "baby", "honey", "lil", "miss", "sugar", "angel", "kitty", "cherry", "velvet",
    "misty", "sunny", "candy", "peachy", "bunny", "dolly", "foxy", "lovely", "silky", "starry",
];
const HANDLE_NAMES: &[&str] = &[
    "rosie", "lexi", "jade", "mia", "ruby", "nikki", "lola", "kiki", "gigi", "ivy", "skye", "zoe",
    "bella", "luna", "vale", "cami", "dani", "sofi", "pao", "xime",
];
const HOBBY_WORDS: &[&str] = &[
    "hikes", "bakes", "reads", "runs", "cooks", "paints", "travels", "climbs", "gardens", "plays",
];

fn two_digits(rng: &mut Rng) -> String {
    format!("{:02}", rng.u8(..100))
}

/// A network's e-mail: invented, on a reserved domain.
pub(crate) fn network_email(rng: &mut Rng, job: bool) -> Email {
    let name = pick(rng, HANDLE_NAMES);
    let digits = rng.u16(10..10_000);
    let local = if job {
        let word = pick(
            rng,
            &["recruit", "jobs", "talent", "staffing", "trabajo", "empleo"],
        );
        match rng.u8(..3) {
            0 => format!("{word}.{name}{digits}"),
            1 => format!("{word}{digits}"),
            _ => format!("{name}.{word}{digits}"),
        }
    } else {
        match rng.u8(..3) {
            0 => format!("{name}{digits}"),
            1 => format!("{name}.bookings{digits}"),
            _ => format!("{}{name}{digits}", pick(rng, HANDLE_WORDS)),
        }
    };
    Email {
        local,
        domain: pick_copy(rng, EMAIL_DOMAINS),
    }
}

/// A person's e-mail in a personal ad.
pub(crate) fn personal_email(rng: &mut Rng, name: &str) -> Email {
    Email {
        local: format!(
            "{}.{}{}",
            crate::geo::slug(name),
            pick(rng, HOBBY_WORDS),
            rng.u16(10..10_000)
        ),
        domain: pick_copy(rng, EMAIL_DOMAINS),
    }
}

/// A business's e-mail, derived from its name so reposts share it.
pub(crate) fn business_email(rng: &mut Rng, business_slug: &str, hiring: bool) -> Email {
    let desk = if hiring {
        pick(rng, &["careers", "jobs", "hr"])
    } else {
        pick(rng, &["info", "booking", "hello"])
    };
    Email {
        local: format!("{desk}.{business_slug}"),
        domain: pick_copy(rng, &["example.com", "example.org", "example.net"]),
    }
}

/// Platforms a handle can be on, and the qualifier they are reported with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Platform {
    Twitter,
    Instagram,
    Snapchat,
    Telegram,
    Kik,
    OnlyFans,
    WeChat,
}

impl Platform {
    pub(crate) const NETWORK: [Platform; 7] = [
        Platform::Instagram,
        Platform::Snapchat,
        Platform::Telegram,
        Platform::Kik,
        Platform::OnlyFans,
        Platform::Twitter,
        Platform::WeChat,
    ];
    pub(crate) const PERSONAL: [Platform; 3] =
        [Platform::Instagram, Platform::Snapchat, Platform::Twitter];

    pub(crate) fn qualifier(self) -> &'static str {
        match self {
            Platform::Twitter => "twitter",
            Platform::Instagram => "instagram",
            Platform::Snapchat => "snapchat",
            Platform::Telegram => "telegram",
            Platform::Kik => "kik",
            Platform::OnlyFans => "onlyfans",
            Platform::WeChat => "wechat",
        }
    }
}

/// A handle as the poster spells it (Twitter ones may use capitals); the
/// value is its lower-case form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Handle {
    pub platform: Platform,
    pub display: String,
}

impl Handle {
    pub(crate) fn value(&self) -> String {
        self.display.to_ascii_lowercase()
    }

    pub(crate) fn render(&self, rng: &mut Rng) -> String {
        let h = &self.display;
        match self.platform {
            Platform::Instagram => match rng.u8(..4) {
                0 => format!("IG: @{h}"),
                1 => format!("insta {h}"),
                2 => format!("Instagram @{h}"),
                _ => format!("ig @{h}"),
            },
            Platform::Snapchat => match rng.u8(..4) {
                0 => format!("snap: {h}"),
                1 => format!("SC {h}"),
                2 => format!("Snapchat: {h}"),
                _ => format!("👻 {h}"),
            },
            Platform::Telegram => match rng.u8(..3) {
                0 => format!("telegram @{h}"),
                1 => format!("TG: @{h}"),
                _ => format!("t.me/{h}"),
            },
            Platform::Kik => match rng.u8(..2) {
                0 => format!("kik: {h}"),
                _ => format!("Kik {h}"),
            },
            Platform::OnlyFans => match rng.u8(..2) {
                0 => format!("onlyfans.com/{h}"),
                _ => format!("OnlyFans: {h}"),
            },
            Platform::Twitter => format!("twitter @{h}"),
            Platform::WeChat => match rng.u8(..2) {
                0 => format!("wechat: {h}"),
                _ => format!("WeChat {h}"),
            },
        }
    }
}

/// A network's handle: invented words and digits, styled for its platform.
pub(crate) fn network_handle(rng: &mut Rng, platform: Platform) -> Handle {
    let name = *pick(rng, HANDLE_NAMES);
    let word = *pick(rng, HANDLE_WORDS);
    let digits = two_digits(rng);
    let display = match platform {
        Platform::Kik => format!("{name}.{word}{digits}"),
        Platform::WeChat => format!("{name}{}", rng.u16(1000..10_000)),
        Platform::Twitter => format!("{}{}XO{digits}", capitalise(word), capitalise(name)),
        Platform::Snapchat => format!("{name}xo{digits}"),
        _ => match rng.u8(..3) {
            0 => format!("{word}_{name}{digits}"),
            1 => format!("{name}_{word}{digits}"),
            _ => format!("{word}{name}_{digits}"),
        },
    };
    Handle { platform, display }
}

/// A person's handle in a personal ad.
pub(crate) fn personal_handle(rng: &mut Rng, name: &str) -> Handle {
    let platform = *pick(rng, &Platform::PERSONAL);
    let base = format!(
        "{}_{}{}",
        crate::geo::slug(name),
        pick(rng, HOBBY_WORDS),
        two_digits(rng)
    );
    let display = if platform == Platform::Twitter {
        capitalise(&base)
    } else {
        base
    };
    Handle { platform, display }
}

fn capitalise(word: &str) -> String {
    let mut out = word.to_owned();
    if let Some(first) = out.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    out
}

const UNITS_EN: [&str; 10] = [
    "", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];

/// `nineteen`, `twenty-two`, `forty` for 10 to 99.
fn english_words(years: u8) -> String {
    let (tens, unit) = (usize::from(years / 10), usize::from(years % 10));
    match (tens, unit) {
        (1, u) => TEEN_WORDS[u].to_owned(),
        (t, 0) => TENS_WORDS[t].to_owned(),
        (t, u) => format!("{}-{}", TENS_WORDS[t], UNITS_EN[u]),
    }
}

/// Spanish words for the ages a young-looking ad states.
fn spanish_words(years: u8) -> Option<&'static str> {
    Some(match years {
        16 => "dieciséis",
        17 => "diecisiete",
        18 => "dieciocho",
        19 => "diecinueve",
        20 => "veinte",
        21 => "veintiuno",
        22 => "veintidós",
        23 => "veintitrés",
        24 => "veinticuatro",
        25 => "veinticinco",
        _ => return None,
    })
}

/// A stated age (10 to 99) as an ad writes it.
pub(crate) fn render_age(rng: &mut Rng, years: u8, lang: Lang) -> (String, &'static str) {
    let plain = obfuscation::PLAIN;
    match lang {
        Lang::En => match rng.u8(..8) {
            0 | 1 => (format!("{years}yo"), plain),
            2 => (format!("{years} y/o"), plain),
            3 => (format!("age: {years}"), plain),
            4 => (format!("Age {years}"), plain),
            5 => (format!("{years} years old"), plain),
            6 => (
                format!("{} years old", english_words(years)),
                obfuscation::NUMBER_WORDS,
            ),
            _ => (
                format!("age: {}", english_words(years)),
                obfuscation::NUMBER_WORDS,
            ),
        },
        Lang::Es => match (rng.u8(..5), spanish_words(years)) {
            (0 | 1, _) => (format!("{years} años"), plain),
            (2, _) => (format!("edad: {years}"), plain),
            (3, Some(words)) => (format!("{words} años"), obfuscation::NUMBER_WORDS),
            _ => (format!("{years}yo"), plain),
        },
    }
}

/// A price's canonical value: `amount currency[/minutes]min`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PriceValue {
    pub amount: u32,
    pub currency: &'static str,
    pub minutes: Option<u32>,
}

impl PriceValue {
    pub(crate) fn value(&self) -> String {
        match self.minutes {
            Some(m) => format!("{} {}/{m}min", self.amount, self.currency),
            None => format!("{} {}", self.amount, self.currency),
        }
    }
}

/// What a poster charges, in US dollars; converted to the ad's currency.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Rates {
    pub hour_usd: u32,
}

impl Rates {
    /// The hour, half-hour and quick-visit amounts in `currency`, rounded the
    /// way ads round them.
    fn amounts(self, currency: &str) -> (u32, u32, u32) {
        let (factor, step) = match currency {
            "CAD" => (1.3, 10.0),
            "GBP" => (0.8, 10.0),
            "EUR" => (0.9, 10.0),
            "MXN" => (18.0, 100.0),
            _ => (1.0, 10.0),
        };
        let round = |usd: f64| -> u32 { ((usd * factor / step).round() * step).max(step) as u32 };
        let hour = f64::from(self.hour_usd);
        (round(hour), round(hour * 0.6), round(hour * 0.4))
    }
}

/// One price slot's text and the prices it states, each with its surface.
pub(crate) struct RenderedPrice {
    pub text: String,
    pub prices: Vec<(String, PriceValue)>,
}

fn one(text: String, amount: u32, currency: &'static str, minutes: Option<u32>) -> RenderedPrice {
    RenderedPrice {
        prices: vec![(
            text.clone(),
            PriceValue {
                amount,
                currency,
                minutes,
            },
        )],
        text,
    }
}

/// A price as written in an ad in a country using `currency`. `coded` allows
/// the slang of escort ads (roses, `hh`, `qv`, two-price lists); benign ads
/// state plain rates.
pub(crate) fn render_price(
    rng: &mut Rng,
    rates: Rates,
    currency: &'static str,
    lang: Lang,
    coded: bool,
) -> RenderedPrice {
    let (hour, half, quick) = rates.amounts(currency);
    let symbol = match currency {
        "GBP" => "£",
        "EUR" => "€",
        _ => "$",
    };
    let word = match currency {
        // Not "pounds": in these ads that word is body weight more often
        // than money, so extractors rightly ignore it.
        "GBP" => "GBP",
        "EUR" => "euros",
        "MXN" => "pesos",
        _ => "dollars",
    };
    let hr = Some(60);
    let hh = Some(30);
    if coded {
        match rng.u8(..10) {
            0 => {
                let (a, b) = (format!("hh {half}"), format!("h {hour}"));
                let text = format!("{a} / {b}");
                let prices = vec![
                    (
                        a,
                        PriceValue {
                            amount: half,
                            currency,
                            minutes: hh,
                        },
                    ),
                    (
                        b,
                        PriceValue {
                            amount: hour,
                            currency,
                            minutes: hr,
                        },
                    ),
                ];
                return RenderedPrice { text, prices };
            }
            1 => {
                let roses = rates.amounts("USD").0;
                return one(format!("{roses} roses"), roses, "rose", None);
            }
            2 => return one(format!("{half} hh"), half, currency, hh),
            3 => return one(format!("{hour} hr"), hour, currency, hr),
            4 if currency != "MXN" && lang == Lang::En => {
                return one(format!("{symbol}{quick} qv"), quick, currency, Some(15));
            }
            _ => {}
        }
    }
    match (lang, currency) {
        (Lang::Es, "EUR") => match rng.u8(..4) {
            0 => one(format!("{hour}€"), hour, currency, None),
            1 => one(format!("{hour}€/hora"), hour, currency, hr),
            2 => one(format!("{half}€ media hora"), half, currency, hh),
            _ => one(format!("{hour} euros"), hour, currency, None),
        },
        (Lang::Es, _) => match rng.u8(..4) {
            0 => one(format!("{symbol}{hour}/hora"), hour, currency, hr),
            1 => one(format!("{symbol}{half} media hora"), half, currency, hh),
            2 if currency == "MXN" => one(format!("${hour} MXN"), hour, currency, None),
            _ => one(format!("{hour} {word}"), hour, currency, None),
        },
        (Lang::En, _) => match rng.u8(..5) {
            0 | 1 => one(format!("{symbol}{hour}/hr"), hour, currency, hr),
            2 => one(format!("{symbol}{half} half hour"), half, currency, hh),
            3 => one(format!("{symbol}{hour}"), hour, currency, None),
            _ => one(format!("{hour} {word}"), hour, currency, None),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_are_written_in_the_listed_forms() {
        assert_eq!(english_words(19), "nineteen");
        assert_eq!(english_words(22), "twenty-two");
        assert_eq!(english_words(40), "forty");
        let mut rng = Rng::with_seed(4);
        for _ in 0..200 {
            let (text, name) = render_age(&mut rng, 22, Lang::En);
            assert!(
                text.contains("22") || name == obfuscation::NUMBER_WORDS,
                "{text}"
            );
            let (text, _) = render_age(&mut rng, 19, Lang::Es);
            assert!(text.contains("19") || text.contains("diecinueve"), "{text}");
        }
    }

    #[test]
    fn prices_carry_currency_and_duration() {
        let mut rng = Rng::with_seed(8);
        let rates = Rates { hour_usd: 200 };
        for _ in 0..300 {
            for (currency, lang) in [
                ("USD", Lang::En),
                ("GBP", Lang::En),
                ("EUR", Lang::Es),
                ("MXN", Lang::Es),
            ] {
                let rendered = render_price(&mut rng, rates, currency, lang, true);
                assert!(!rendered.prices.is_empty());
                for (surface, price) in &rendered.prices {
                    assert!(rendered.text.contains(surface.as_str()));
                    assert!(surface.contains(&price.amount.to_string()), "{surface}");
                    assert!(price.currency == currency || price.currency == "rose");
                }
            }
        }
        let value = PriceValue {
            amount: 150,
            currency: "rose",
            minutes: Some(30),
        };
        assert_eq!(value.value(), "150 rose/30min");
        assert_eq!(Rates { hour_usd: 100 }.amounts("MXN").0, 1800);
    }

    #[test]
    fn email_forms_spell_out_at_and_dot() {
        let email = Email {
            local: "rosie22".into(),
            domain: "example.com",
        };
        let mut rng = Rng::with_seed(1);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let (text, name) = email.render(&mut rng, 0.3);
            seen.insert(text.to_ascii_lowercase());
            assert!(obfuscation::ALL.contains(&name));
        }
        for form in [
            "rosie22@example.com",
            "rosie22 at example dot com",
            "rosie22 [at] example [dot] com",
            "rosie22(at)example(dot)com",
        ] {
            assert!(seen.contains(form), "{form}");
        }
    }
}
