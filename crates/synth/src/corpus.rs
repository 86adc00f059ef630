//! The corpus: networks and templates defined up front, then ads made and
//! written one at a time.

use crate::geo::{self, CITIES, City, Corridor, Lang};
use crate::idents::{self, Email, Handle, Platform, Rates};
use crate::phone::{self, NetworkPhonePool, PhoneForm, PhoneNumber, Plan};
use crate::phrases::{self, Style};
use crate::random::{Remaining, chance, derive_seed, normal, pick, pick_copy, weighted};
use crate::template::{Phrase, Slot, Slots};
use crate::truth::{Category, PlantedIdentifier, TruthRecord, obfuscation};
use crate::wallet::{Chain, Wallet};
use crate::{SynthConfig, SynthStats};
use ctip_core::{Ad, IdentifierKind};
use fastrand::Rng;
use std::io::{self, Write};

/// 2025-01-01T00:00:00Z: ads are spread over the 18 months from here.
const START: i64 = 1_735_689_600;
const SPAN_DAYS: i64 = 546;
const DAY: i64 = 86_400;

/// Smallest network, in ads.
const MIN_NETWORK: u64 = 5;
/// Phones a network takes from the fictitious ranges, on average, with room
/// for booking hubs and the unevenness of the UK range.
const PHONES_PER_NETWORK_BUDGET: usize = 3;

/// Chance a network ad re-draws a template synonym, drops an optional
/// sentence, or swaps two neighbouring sentences: the paraphrase.
const SYNONYM_SWAP: f64 = 0.12;
const SENTENCE_DROP: f64 = 0.15;
const SENTENCE_SWAP: f64 = 0.25;
/// Chance an ad ends with its site's boilerplate footer, network or not.
const FOOTER_SHARE: f64 = 0.35;
/// Chance a benign phone is written plainly (networks draw their own).
const BENIGN_PLAIN_PHONES: f64 = 0.75;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StyleId {
    EscortEn,
    EscortEs,
    MassageNetworkEn,
    JobNetworkEn,
    JobNetworkEs,
    SpaEn,
    SpaEs,
    JobEn,
    JobEs,
    PersonalEn,
    PersonalEs,
}

impl StyleId {
    const ALL: [StyleId; 11] = [
        StyleId::EscortEn,
        StyleId::EscortEs,
        StyleId::MassageNetworkEn,
        StyleId::JobNetworkEn,
        StyleId::JobNetworkEs,
        StyleId::SpaEn,
        StyleId::SpaEs,
        StyleId::JobEn,
        StyleId::JobEs,
        StyleId::PersonalEn,
        StyleId::PersonalEs,
    ];

    fn style(self) -> &'static Style {
        match self {
            StyleId::EscortEn => &phrases::ESCORT_EN,
            StyleId::EscortEs => &phrases::ESCORT_ES,
            StyleId::MassageNetworkEn => &phrases::MASSAGE_NETWORK_EN,
            StyleId::JobNetworkEn => &phrases::JOB_NETWORK_EN,
            StyleId::JobNetworkEs => &phrases::JOB_NETWORK_ES,
            StyleId::SpaEn => &phrases::SPA_EN,
            StyleId::SpaEs => &phrases::SPA_ES,
            StyleId::JobEn => &phrases::JOB_EN,
            StyleId::JobEs => &phrases::JOB_ES,
            StyleId::PersonalEn => &phrases::PERSONAL_EN,
            StyleId::PersonalEs => &phrases::PERSONAL_ES,
        }
    }

    fn network(category: Category, lang: Lang) -> StyleId {
        match (category, lang) {
            (Category::Escort | Category::Personal, Lang::En) => StyleId::EscortEn,
            (Category::Escort | Category::Personal, Lang::Es) => StyleId::EscortEs,
            (Category::Massage, _) => StyleId::MassageNetworkEn,
            (Category::Job, Lang::En) => StyleId::JobNetworkEn,
            (Category::Job, Lang::Es) => StyleId::JobNetworkEs,
        }
    }

    fn benign(category: Category, lang: Lang) -> StyleId {
        match (category, lang) {
            (Category::Massage | Category::Escort, Lang::En) => StyleId::SpaEn,
            (Category::Massage | Category::Escort, Lang::Es) => StyleId::SpaEs,
            (Category::Job, Lang::En) => StyleId::JobEn,
            (Category::Job, Lang::Es) => StyleId::JobEs,
            (Category::Personal, Lang::En) => StyleId::PersonalEn,
            (Category::Personal, Lang::Es) => StyleId::PersonalEs,
        }
    }
}

struct ParsedRole {
    phrases: Vec<Phrase>,
    include: f64,
    droppable: bool,
    /// The role exists to show a wallet: present exactly when there is one.
    wallet: bool,
}

struct ParsedStyle {
    titles: Vec<Phrase>,
    roles: Vec<ParsedRole>,
}

/// Every style parsed once, indexed by `StyleId as usize`.
struct Catalogue {
    styles: Vec<ParsedStyle>,
}

impl Catalogue {
    fn new() -> Self {
        let styles = StyleId::ALL
            .iter()
            .map(|id| {
                let style = id.style();
                ParsedStyle {
                    titles: style.titles.iter().map(|t| Phrase::parse(t)).collect(),
                    roles: style
                        .roles
                        .iter()
                        .map(|role| {
                            let phrases: Vec<Phrase> =
                                role.phrases.iter().map(|p| Phrase::parse(p)).collect();
                            let wallet = phrases.iter().all(|p| p.slots.has(Slot::Wallet));
                            ParsedRole {
                                phrases,
                                include: role.include,
                                droppable: role.droppable,
                                wallet,
                            }
                        })
                        .collect(),
                }
            })
            .collect();
        Catalogue { styles }
    }

    fn get(&self, id: StyleId) -> &ParsedStyle {
        &self.styles[id as usize]
    }
}

/// One sentence of a template: which phrase, with which synonyms.
#[derive(Debug, Clone)]
struct Chosen {
    role: u8,
    phrase: u16,
    choices: Vec<u8>,
}

/// A network's ad text with its synonyms fixed; ads paraphrase it lightly.
#[derive(Debug, Clone)]
struct Template {
    id: String,
    title: Chosen,
    body: Vec<Chosen>,
    /// Between sentences: a space or a line break.
    joiner: &'static str,
    shout_title: bool,
}

/// Indices of the phrases of `phrases` that `available` can fill.
fn fillable(phrases: &[Phrase], available: Slots) -> Vec<u16> {
    (0..phrases.len())
        .filter(|&i| available.contains_all(phrases[i].slots))
        .map(|i| i as u16)
        .collect()
}

fn choose(rng: &mut Rng, role: u8, phrases: &[Phrase], options: &[u16]) -> Chosen {
    let phrase = *pick(rng, options);
    Chosen {
        role,
        phrase,
        choices: phrases[usize::from(phrase)].random_choices(rng),
    }
}

impl Template {
    /// A new template for `style`, or a sibling of `base` by the same author
    /// that keeps most of its sentences.
    fn new(
        rng: &mut Rng,
        id: String,
        style: &ParsedStyle,
        available: Slots,
        base: Option<&Template>,
    ) -> Template {
        const KEEP: f64 = 0.6;
        let titles = fillable(&style.titles, available);
        let title = match base {
            Some(b) if chance(rng, KEEP) => b.title.clone(),
            _ => choose(rng, 0, &style.titles, &titles),
        };
        let mut body = Vec::new();
        for (r, role) in style.roles.iter().enumerate() {
            let options = fillable(&role.phrases, available);
            let include = if role.wallet {
                f64::from(u8::from(!options.is_empty()))
            } else {
                role.include
            };
            if options.is_empty() {
                continue;
            }
            let from_base = base.and_then(|b| b.body.iter().find(|c| usize::from(c.role) == r));
            match base {
                Some(_) if chance(rng, KEEP) => {
                    if let Some(kept) = from_base {
                        body.push(kept.clone());
                    }
                }
                _ => {
                    if chance(rng, include) {
                        body.push(choose(rng, r as u8, &role.phrases, &options));
                    }
                }
            }
        }
        if body.len() > 3 && chance(rng, 0.3) {
            // Authors order the middle of an ad differently; the opening stays.
            let i = 1 + rng.usize(..body.len() - 2);
            body.swap(i, i + 1);
        }
        let joiner = match base {
            Some(b) if chance(rng, 0.7) => b.joiner,
            _ => {
                if chance(rng, 0.7) {
                    " "
                } else {
                    "\n"
                }
            }
        };
        Template {
            id,
            title,
            body,
            joiner,
            shout_title: chance(rng, 0.08),
        }
    }
}

/// An organised poster: the positives.
struct Network {
    id: String,
    category: Category,
    style: StyleId,
    lang: Lang,
    templates: Vec<Template>,
    phones: Vec<PhoneNumber>,
    /// A booking hub's phone, shared with unrelated networks.
    hub: Option<PhoneNumber>,
    email: Option<Email>,
    handle: Option<Handle>,
    wallet: Option<Wallet>,
    /// Cities visited in turn, one stint each, over and over.
    circuit: Vec<usize>,
    start: i64,
    end: i64,
    stint: i64,
    plain_phones: f64,
    favourite_forms: [PhoneForm; 2],
    emoji: Vec<&'static str>,
    names: Vec<&'static str>,
    places: Vec<&'static str>,
    rates: Rates,
    ages: (u8, u8),
    /// Some ads state an age under 18 (an indicator test).
    minors: bool,
    /// Some template asks for a second phone.
    needs_second_phone: bool,
}

impl Network {
    fn available(&self) -> Slots {
        Slots::of(&[
            Slot::Name,
            Slot::Phone,
            Slot::City,
            Slot::Age,
            Slot::Price,
            Slot::Emoji,
            Slot::Place,
        ])
        .with(Slot::Phone2, self.phones.len() > 1 || self.hub.is_some())
        .with(Slot::Handle, self.handle.is_some())
        .with(Slot::Email, self.email.is_some())
        .with(Slot::Wallet, self.wallet.is_some())
    }

    fn city_at(&self, t: i64) -> usize {
        let leg = ((t - self.start) / self.stint.max(1)) as usize;
        self.circuit[leg % self.circuit.len()]
    }
}

/// A benign business's identity, derived from its phone so that its reposts
/// agree with each other.
struct Business {
    name: String,
    slug: String,
    email: Email,
    rates: Rates,
    license: u32,
}

impl Business {
    fn new(rng: &mut Rng, category: Category, lang: Lang) -> Business {
        let (first, second) = match (category, lang) {
            (Category::Job, Lang::En) => phrases::EMPLOYER_NAMES,
            (Category::Job, Lang::Es) => phrases::EMPLOYER_NAMES_ES,
            (_, Lang::En) => phrases::SPA_NAMES,
            (_, Lang::Es) => phrases::SPA_NAMES_ES,
        };
        let name = match lang {
            Lang::En => format!("{} {}", pick(rng, first), pick(rng, second)),
            Lang::Es => format!("{} {}", pick(rng, second), pick(rng, first)),
        };
        let slug = format!("{}{}", geo::slug(&name), rng.u16(1..1000));
        Business {
            email: idents::business_email(rng, &slug, category == Category::Job),
            rates: Rates {
                hour_usd: *pick(rng, &[60, 70, 80, 90, 100, 120, 140]),
            },
            license: rng.u32(10_000..100_000),
            name,
            slug,
        }
    }
}

/// Everything one ad's slots are filled from.
struct Subject<'a> {
    city: &'static City,
    lang: Lang,
    name: &'a str,
    phone: Option<PhoneNumber>,
    phone2: Option<PhoneNumber>,
    plain_phones: f64,
    favourite_forms: Option<[PhoneForm; 2]>,
    age: Option<u8>,
    rates: Option<Rates>,
    coded_prices: bool,
    emoji: &'a [&'static str],
    handle: Option<&'a Handle>,
    email: Option<&'a Email>,
    plain_emails: f64,
    wallet: Option<&'a Wallet>,
    place: &'static str,
    business: Option<&'a Business>,
    posted: i64,
}

fn plant(
    planted: &mut Vec<PlantedIdentifier>,
    kind: IdentifierKind,
    value: String,
    qualifier: Option<&str>,
    surface: &str,
    obfuscation: &str,
) {
    planted.push(PlantedIdentifier {
        kind,
        value,
        qualifier: qualifier.map(str::to_owned),
        surface: surface.to_owned(),
        obfuscation: obfuscation.to_owned(),
    });
}

impl Subject<'_> {
    fn available(&self) -> Slots {
        Slots::of(&[Slot::Name, Slot::City, Slot::Emoji, Slot::Place])
            .with(Slot::Phone, self.phone.is_some())
            .with(Slot::Phone2, self.phone2.is_some())
            .with(Slot::Age, self.age.is_some())
            .with(Slot::Price, self.rates.is_some())
            .with(Slot::Handle, self.handle.is_some())
            .with(Slot::Email, self.email.is_some())
            .with(Slot::Wallet, self.wallet.is_some())
            .with(Slot::Business, self.business.is_some())
            .with(Slot::Ref, self.business.is_some())
            .with(Slot::JobId, self.business.is_some())
            .with(Slot::License, self.business.is_some())
            .with(Slot::Link, self.business.is_some())
    }

    fn phone_form(&self, rng: &mut Rng) -> PhoneForm {
        if chance(rng, self.plain_phones) {
            return PhoneForm::Plain;
        }
        match self.favourite_forms {
            Some(favourites) if chance(rng, 0.7) => *pick(rng, &favourites),
            _ => *pick(rng, &PhoneForm::OBFUSCATED),
        }
    }

    fn write_phone(
        &self,
        rng: &mut Rng,
        number: PhoneNumber,
        out: &mut String,
        planted: &mut Vec<PlantedIdentifier>,
    ) {
        let form = self.phone_form(rng);
        let international = !number.plan().national_in(self.city.country);
        let surface = phone::render(rng, number, international, form);
        out.push_str(&surface);
        plant(
            planted,
            IdentifierKind::Phone,
            number.e164(),
            None,
            &surface,
            form.name(),
        );
    }

    fn fill(
        &self,
        rng: &mut Rng,
        slot: Slot,
        out: &mut String,
        planted: &mut Vec<PlantedIdentifier>,
    ) {
        match slot {
            Slot::Name => out.push_str(self.name),
            Slot::City => out.push_str(self.city.name),
            Slot::Place => out.push_str(self.place),
            Slot::Phone | Slot::Phone2 => {
                let number = if slot == Slot::Phone {
                    self.phone
                } else {
                    self.phone2
                };
                if let Some(number) = number {
                    self.write_phone(rng, number, out, planted);
                }
            }
            Slot::Age => {
                if let Some(years) = self.age {
                    let (surface, name) = idents::render_age(rng, years, self.lang);
                    out.push_str(&surface);
                    plant(
                        planted,
                        IdentifierKind::Age,
                        years.to_string(),
                        None,
                        &surface,
                        name,
                    );
                }
            }
            Slot::Price => {
                if let Some(rates) = self.rates {
                    let rendered = idents::render_price(
                        rng,
                        rates,
                        self.city.currency(),
                        self.lang,
                        self.coded_prices,
                    );
                    out.push_str(&rendered.text);
                    for (surface, price) in &rendered.prices {
                        plant(
                            planted,
                            IdentifierKind::Price,
                            price.value(),
                            None,
                            surface,
                            obfuscation::PLAIN,
                        );
                    }
                }
            }
            Slot::Emoji => {
                if self.emoji.is_empty() {
                    return;
                }
                // A rose right after a number reads as a price in roses.
                let after_number = ends_like_a_number(out);
                let count = if chance(rng, 0.3) { 2 } else { 1 };
                for _ in 0..count {
                    let mut emoji = *pick(rng, self.emoji);
                    if emoji == "🌹" && after_number {
                        emoji = "💋";
                    }
                    out.push_str(emoji);
                }
            }
            Slot::Handle => {
                if let Some(handle) = self.handle {
                    let surface = handle.render(rng);
                    out.push_str(&surface);
                    plant(
                        planted,
                        IdentifierKind::Handle,
                        handle.value(),
                        Some(handle.platform.qualifier()),
                        &surface,
                        obfuscation::PLAIN,
                    );
                }
            }
            Slot::Email => {
                if let Some(email) = self.email {
                    let (surface, name) = email.render(rng, self.plain_emails);
                    out.push_str(&surface);
                    plant(
                        planted,
                        IdentifierKind::Email,
                        email.value(),
                        None,
                        &surface,
                        name,
                    );
                }
            }
            Slot::Wallet => {
                if let Some(wallet) = self.wallet {
                    let label = match wallet.chain {
                        Chain::Btc => *pick(rng, &["BTC", "bitcoin", "BTC address"]),
                        Chain::Eth => *pick(rng, &["ETH", "ethereum", "ETH/USDT"]),
                    };
                    out.push_str(label);
                    out.push(' ');
                    out.push_str(&wallet.address);
                    plant(
                        planted,
                        IdentifierKind::Wallet,
                        wallet.value(),
                        Some(wallet.qualifier()),
                        &wallet.address,
                        obfuscation::PLAIN,
                    );
                }
            }
            Slot::Business => {
                if let Some(business) = self.business {
                    out.push_str(&business.name);
                }
            }
            Slot::Ref => {
                // A 16-digit voucher number in groups of four: not a phone.
                out.push(char::from(b'4' + rng.u8(..2)));
                for i in 1..16 {
                    if i % 4 == 0 {
                        out.push(' ');
                    }
                    out.push(char::from(b'0' + rng.u8(..10)));
                }
            }
            Slot::JobId => {
                let (y, m, d) = civil_from_days(self.posted.div_euclid(DAY));
                out.push_str(&format!("{y:04}{m:02}{d:02}{:03}", rng.u16(..1000)));
            }
            Slot::License => {
                if let Some(business) = self.business {
                    out.push_str(&business.license.to_string());
                }
            }
            Slot::Link => {
                if let Some(business) = self.business {
                    out.push_str(&format!("https://{}.example/book", business.slug));
                }
            }
        }
    }
}

/// The whole plan of a corpus: what to write, before writing any of it.
pub(crate) struct Corpus {
    seed: u64,
    ads: usize,
    catalogue: Catalogue,
    networks: Vec<Network>,
    network_sizes: Vec<u64>,
    benign_ads: u64,
    city_weights: Vec<u32>,
    all_area_codes: Vec<u16>,
}

/// Network sizes: log-normal (heavy-tailed, at least [`MIN_NETWORK`]),
/// summing to `total`, and at most `max_networks` of them: when the phone
/// ranges cannot give every network its own phones, networks grow instead.
fn network_sizes(rng: &mut Rng, total: u64, max_networks: usize) -> Vec<u64> {
    if total == 0 || max_networks == 0 {
        return Vec::new();
    }
    const SIGMA: f64 = 1.0;
    let natural_mean = 33.0;
    let needed = total as f64 / natural_mean;
    let mean = if needed > 0.8 * max_networks as f64 {
        total as f64 / (0.8 * max_networks as f64)
    } else {
        natural_mean
    };
    let mu = mean.ln() - SIGMA * SIGMA / 2.0;
    let largest = (total / 3).max(MIN_NETWORK);
    let mut sizes = Vec::new();
    let mut remaining = total;
    while remaining > 0 && sizes.len() < max_networks {
        let drawn = (mu + SIGMA * normal(rng)).exp().round() as u64;
        let mut size = drawn.clamp(MIN_NETWORK, largest).min(remaining);
        if remaining - size < MIN_NETWORK {
            size = remaining;
        }
        sizes.push(size);
        remaining -= size;
    }
    spread(&mut sizes, remaining);
    sizes
}

/// Adds `extra` ads to `sizes` as evenly as possible (nothing if empty).
fn spread(sizes: &mut [u64], extra: u64) {
    let count = sizes.len() as u64;
    let (Some(each), Some(rest)) = (extra.checked_div(count), extra.checked_rem(count)) else {
        return;
    };
    for (i, size) in sizes.iter_mut().enumerate() {
        *size += each + u64::from((i as u64) < rest);
    }
}

fn pick_city(rng: &mut Rng, weights: &[u32]) -> usize {
    weighted(rng, weights)
}

/// A city of `corridor`, by weight.
fn city_in(rng: &mut Rng, corridor: Corridor) -> usize {
    let candidates: Vec<usize> = (0..CITIES.len())
        .filter(|&i| CITIES[i].corridor == corridor)
        .collect();
    let weights: Vec<u32> = candidates.iter().map(|&i| CITIES[i].weight).collect();
    candidates[weighted(rng, &weights)]
}

fn distinct<T: PartialEq + Copy>(rng: &mut Rng, items: &[T], count: usize) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(count);
    for _ in 0..count * 4 {
        if out.len() == count {
            break;
        }
        let item = *pick(rng, items);
        if !out.contains(&item) {
            out.push(item);
        }
    }
    out
}

impl Corpus {
    pub(crate) fn new(config: &SynthConfig) -> Corpus {
        let mut rng = Rng::with_seed(config.seed);
        let share = if config.network_share.is_finite() {
            config.network_share.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let network_ads = ((config.ads as f64) * share).round() as u64;
        let all_area_codes = geo::all_area_codes();
        let mut pool = NetworkPhonePool::new(all_area_codes.clone());
        let max_networks = pool.capacity() / PHONES_PER_NETWORK_BUDGET;
        let mut sizes = network_sizes(&mut rng, network_ads, max_networks);
        let catalogue = Catalogue::new();
        let city_weights = geo::city_weights();

        let mut networks = Vec::with_capacity(sizes.len());
        for (index, &size) in sizes.iter().enumerate() {
            match build_network(&mut rng, &catalogue, &mut pool, &city_weights, index, size) {
                Some(network) => networks.push(network),
                None => break,
            }
        }
        if networks.len() < sizes.len() {
            // The phone ranges ran dry: the built networks take the rest.
            let leftover: u64 = sizes[networks.len()..].iter().sum();
            sizes.truncate(networks.len());
            spread(&mut sizes, leftover);
        }
        add_booking_hubs(&mut rng, &mut pool, &mut networks);
        let network_total: u64 = sizes.iter().sum();
        Corpus {
            seed: config.seed,
            ads: config.ads,
            catalogue,
            networks,
            network_sizes: sizes,
            benign_ads: config.ads as u64 - network_total,
            city_weights,
            all_area_codes,
        }
    }

    #[cfg(test)]
    pub(crate) fn network_count(&self) -> usize {
        self.networks.len()
    }

    /// Makes and writes every ad, in order, and its truth.
    pub(crate) fn write_all(
        &self,
        ads_out: &mut impl Write,
        truth_out: &mut impl Write,
    ) -> io::Result<SynthStats> {
        let mut rng = Rng::with_seed(derive_seed(self.seed, 0xad5));
        let mut counts = Vec::with_capacity(self.networks.len() + 1);
        counts.push(self.benign_ads);
        counts.extend_from_slice(&self.network_sizes);
        let mut remaining = Remaining::new(&counts);
        let mut stats = SynthStats {
            ads: 0,
            network_ads: 0,
            benign_ads: 0,
            networks: self.networks.len(),
            templates: self.networks.iter().map(|n| n.templates.len()).sum(),
        };
        let width = self.ads.to_string().len().max(7);
        let mut line = Vec::with_capacity(4096);
        for index in 0..self.ads {
            let id = format!("ad-{:0width$}", index + 1);
            let (ad, truth) = match remaining.take(&mut rng) {
                Some(0) | None => {
                    stats.benign_ads += 1;
                    self.benign_ad(&mut rng, id, index)
                }
                Some(n) => {
                    stats.network_ads += 1;
                    self.network_ad(&mut rng, &self.networks[n - 1], id, index)
                }
            };
            line.clear();
            serde_json::to_writer(&mut line, &ad)?;
            line.push(b'\n');
            ads_out.write_all(&line)?;
            line.clear();
            serde_json::to_writer(&mut line, &truth)?;
            line.push(b'\n');
            truth_out.write_all(&line)?;
            stats.ads += 1;
        }
        Ok(stats)
    }

    fn network_ad(
        &self,
        rng: &mut Rng,
        network: &Network,
        id: String,
        index: usize,
    ) -> (Ad, TruthRecord) {
        let posted = network.start + rng.i64(0..=(network.end - network.start));
        let city = &CITIES[network.city_at(posted)];
        let template = if network.templates.len() == 1 || chance(rng, 0.5) {
            &network.templates[0]
        } else {
            &network.templates[1 + rng.usize(..network.templates.len() - 1)]
        };
        let name = if chance(rng, 0.5) {
            *pick(rng, &network.names)
        } else {
            *pick(rng, names_for(Category::Escort, network.lang))
        };
        let (phone, phone2) = network_phones(rng, network);
        let age = if network.minors && chance(rng, 0.15) {
            rng.u8(16..=17)
        } else {
            rng.u8(network.ages.0..=network.ages.1)
        };
        let subject = Subject {
            city,
            lang: network.lang,
            name,
            phone: Some(phone),
            phone2,
            plain_phones: network.plain_phones,
            favourite_forms: Some(network.favourite_forms),
            age: Some(age),
            rates: Some(network.rates),
            coded_prices: network.category != Category::Job,
            emoji: &network.emoji,
            handle: network.handle.as_ref(),
            email: network.email.as_ref(),
            plain_emails: 0.6,
            wallet: network.wallet.as_ref(),
            place: pick_copy(rng, &network.places),
            business: None,
            posted,
        };
        let style = self.catalogue.get(network.style);

        // Paraphrase: drop some optional sentences, swap two neighbours.
        let mut order: Vec<&Chosen> = template
            .body
            .iter()
            .filter(|c| !(style.roles[usize::from(c.role)].droppable && chance(rng, SENTENCE_DROP)))
            .collect();
        if order.len() > 2 && chance(rng, SENTENCE_SWAP) {
            let i = rng.usize(..order.len() - 1);
            order.swap(i, i + 1);
        }

        let mut planted = Vec::new();
        let mut text = String::with_capacity(512);
        let title = &style.titles[usize::from(template.title.phrase)];
        title.render(
            rng,
            Some(&template.title.choices),
            SYNONYM_SWAP,
            template.shout_title,
            &mut text,
            &mut |rng, slot, out| subject.fill(rng, slot, out, &mut planted),
        );
        let title_len = text.len();
        text.push('\n');
        for (i, chosen) in order.iter().enumerate() {
            if i > 0 {
                text.push_str(template.joiner);
            }
            let phrase = &style.roles[usize::from(chosen.role)].phrases[usize::from(chosen.phrase)];
            phrase.render(
                rng,
                Some(&chosen.choices),
                SYNONYM_SWAP,
                false,
                &mut text,
                &mut |rng, slot, out| subject.fill(rng, slot, out, &mut planted),
            );
        }
        add_footer(rng, network.lang, &mut text);
        let truth = TruthRecord {
            id: id.clone(),
            network: Some(network.id.clone()),
            template: Some(template.id.clone()),
            category: network.category,
            trafficking: true,
            planted,
        };
        let show_name = network.category == Category::Escort && chance(rng, 0.5);
        let ad = assemble(
            id,
            text,
            title_len,
            city,
            posted,
            network.category,
            index,
            show_name.then_some(name),
        );
        (ad, truth)
    }

    fn benign_ad(&self, rng: &mut Rng, id: String, index: usize) -> (Ad, TruthRecord) {
        let category =
            [Category::Massage, Category::Job, Category::Personal][weighted(rng, &[30, 35, 35])];
        let city = &CITIES[pick_city(rng, &self.city_weights)];
        let lang = if city.country == "US" && chance(rng, 0.06) {
            Lang::Es
        } else {
            city.lang()
        };
        let posted = START + rng.i64(0..SPAN_DAYS * DAY);

        let phone_share = match category {
            Category::Massage | Category::Escort => 0.85,
            Category::Job => 0.55,
            Category::Personal => 0.0,
        };
        let phone = chance(rng, phone_share).then(|| self.benign_phone(rng, city, category));
        let business = match (category, phone) {
            (Category::Personal, _) => None,
            (_, Some(number)) => {
                let mut own = Rng::with_seed(derive_seed(self.seed, number.key()));
                Some(Business::new(&mut own, category, city.lang()))
            }
            (_, None) => Some(Business::new(rng, category, lang)),
        };
        let name = *pick(rng, names_for(category, lang));
        let (handle, email) = if category == Category::Personal {
            (
                Some(idents::personal_handle(rng, name)),
                Some(idents::personal_email(rng, name)),
            )
        } else {
            (None, None)
        };
        let emoji: &[&str] = match category {
            Category::Job => phrases::JOB_EMOJI,
            _ => phrases::BENIGN_EMOJI,
        };
        let subject = Subject {
            city,
            lang,
            name,
            phone,
            phone2: None,
            plain_phones: BENIGN_PLAIN_PHONES,
            favourite_forms: None,
            age: (category == Category::Personal).then(|| rng.u8(21..=65)),
            rates: match (category, &business) {
                (Category::Massage, Some(b)) => Some(b.rates),
                _ => None,
            },
            coded_prices: false,
            emoji,
            handle: handle.as_ref(),
            email: email.as_ref().or(business.as_ref().map(|b| &b.email)),
            plain_emails: 0.85,
            wallet: None,
            place: "",
            business: business.as_ref(),
            posted,
        };
        let style = self.catalogue.get(StyleId::benign(category, lang));
        let available = subject.available();
        let mut planted = Vec::new();
        let mut text = String::with_capacity(512);
        let titles = fillable(&style.titles, available);
        if !titles.is_empty() {
            let title = &style.titles[usize::from(*pick(rng, &titles))];
            title.render(rng, None, 0.0, false, &mut text, &mut |rng, slot, out| {
                subject.fill(rng, slot, out, &mut planted)
            });
        }
        let title_len = text.len();
        text.push('\n');
        let joiner = if chance(rng, 0.7) { " " } else { "\n" };
        let mut first = true;
        for role in &style.roles {
            let options = fillable(&role.phrases, available);
            if options.is_empty() || !chance(rng, role.include) {
                continue;
            }
            if !first {
                text.push_str(joiner);
            }
            first = false;
            let phrase = &role.phrases[usize::from(*pick(rng, &options))];
            phrase.render(rng, None, 0.0, false, &mut text, &mut |rng, slot, out| {
                subject.fill(rng, slot, out, &mut planted)
            });
        }
        add_footer(rng, lang, &mut text);
        let truth = TruthRecord {
            id: id.clone(),
            network: None,
            template: None,
            category,
            trafficking: false,
            planted,
        };
        let show_name = category == Category::Personal && chance(rng, 0.4);
        let ad = assemble(
            id,
            text,
            title_len,
            city,
            posted,
            category,
            index,
            show_name.then_some(name),
        );
        (ad, truth)
    }

    /// A phone from the benign half of the ranges whose owner runs this kind
    /// of business, so one phone always advertises one kind of thing.
    fn benign_phone(&self, rng: &mut Rng, city: &City, category: Category) -> PhoneNumber {
        let wanted = u64::from(category == Category::Job);
        let plan = Plan::for_country(city.country);
        let codes: &[u16] = if city.area_codes.is_empty() {
            &self.all_area_codes
        } else {
            city.area_codes
        };
        let mut number = PhoneNumber::Uk {
            line: phone::UK_BENIGN_LINES.start,
        };
        for _ in 0..64 {
            number = match plan {
                Plan::Nanp => PhoneNumber::Nanp {
                    area_code: *pick(rng, codes),
                    line: rng.u8(phone::NANP_BENIGN_LINES),
                },
                Plan::Uk => PhoneNumber::Uk {
                    line: rng.u16(phone::UK_BENIGN_LINES),
                },
            };
            if derive_seed(self.seed, number.key()) % 2 == wanted {
                break;
            }
        }
        number
    }
}

/// Whether `text` ends (spaces aside) with something an extractor reads as a
/// digit: any numeric character, a keycap, a bracketed or symbol-separated
/// digit, or a spelled digit.
fn ends_like_a_number(text: &str) -> bool {
    const SPELLED: &[&str] = &[
        "zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
        "ten", "teen", "ty",
    ];
    let text = text.trim_end();
    let Some(last) = text.chars().last() else {
        return false;
    };
    if last.is_numeric() || "]*~•|#@\u{20E3}".contains(last) {
        return true;
    }
    let word: String = text
        .chars()
        .rev()
        .take_while(|c| c.is_alphabetic())
        .collect::<Vec<char>>()
        .into_iter()
        .rev()
        .collect::<String>()
        .to_lowercase();
    SPELLED.iter().any(|w| word.ends_with(w)) || matches!(word.as_str(), "o" | "l" | "i")
}

fn names_for(category: Category, lang: Lang) -> &'static [&'static str] {
    match (category, lang) {
        (Category::Personal, Lang::En) => phrases::PERSONAL_NAMES_EN,
        (Category::Personal, Lang::Es) => phrases::PERSONAL_NAMES_ES,
        (_, Lang::En) => phrases::ESCORT_NAMES_EN,
        (_, Lang::Es) => phrases::ESCORT_NAMES_ES,
    }
}

/// The phone an ad shows and, when it can show a second, that one.
fn network_phones(rng: &mut Rng, network: &Network) -> (PhoneNumber, Option<PhoneNumber>) {
    let own = if network.phones.len() == 1 || chance(rng, 0.55) {
        network.phones[0]
    } else {
        network.phones[rng.usize(..network.phones.len())]
    };
    let primary = match network.hub {
        Some(hub) if chance(rng, 0.3) => hub,
        _ => own,
    };
    let others: Vec<PhoneNumber> = network
        .phones
        .iter()
        .copied()
        .chain(network.hub)
        .filter(|&p| p != primary)
        .collect();
    let secondary = (!others.is_empty()).then(|| *pick(rng, &others));
    (primary, secondary)
}

fn add_footer(rng: &mut Rng, lang: Lang, text: &mut String) {
    if chance(rng, FOOTER_SHARE) {
        let footers = match lang {
            Lang::En => phrases::FOOTERS_EN,
            Lang::Es => phrases::FOOTERS_ES,
        };
        text.push_str("\n\n");
        text.push_str(pick_copy(rng, footers));
    }
}

#[allow(clippy::too_many_arguments)]
fn assemble(
    id: String,
    mut text: String,
    title_len: usize,
    city: &City,
    posted: i64,
    category: Category,
    index: usize,
    name: Option<&str>,
) -> Ad {
    let body = text.split_off(title_len + 1);
    text.truncate(title_len);
    let site = match city.lang() {
        Lang::En => "classihub.example",
        Lang::Es => "anuncialo.example",
    };
    Ad {
        url: Some(format!(
            "https://{site}/{}/{}/{}",
            city.slug(),
            category.as_str(),
            100_000 + index
        )),
        id,
        title: (!text.is_empty()).then_some(text),
        body,
        posted_at: Some(rfc3339(posted)),
        city: Some(city.name.to_owned()),
        region: Some(city.region.to_owned()),
        country: Some(city.country.to_owned()),
        name: name.map(str::to_owned),
    }
}

fn build_network(
    rng: &mut Rng,
    catalogue: &Catalogue,
    pool: &mut NetworkPhonePool,
    city_weights: &[u32],
    index: usize,
    size: u64,
) -> Option<Network> {
    let category =
        [Category::Escort, Category::Massage, Category::Job][weighted(rng, &[60, 20, 20])];
    let mut home = pick_city(rng, city_weights);
    if category == Category::Massage {
        while CITIES[home].lang() != Lang::En {
            home = pick_city(rng, city_weights);
        }
    }
    let home_city = &CITIES[home];
    let lang = match (category, home_city.lang()) {
        (Category::Massage, _) => Lang::En,
        (_, Lang::Es) => Lang::Es,
        (_, Lang::En) if home_city.country == "US" && chance(rng, 0.12) => Lang::Es,
        _ => Lang::En,
    };

    // Phones first: without one there is no network.
    let plan = Plan::for_country(home_city.country);
    let first = pool.take(rng, plan, home_city.area_codes)?;
    let phone_count = 1 + weighted(rng, &[40, 35, 17, 8]);
    let mut phones = vec![first];
    for _ in 1..phone_count {
        if let Some(p) = pool.take(rng, first.plan(), home_city.area_codes) {
            phones.push(p);
        }
    }

    let legs = (1 + weighted(rng, &[15, 35, 30, 20])).min(1 + (size / 4) as usize);
    let mut circuit = vec![home];
    for _ in 1..legs {
        let corridor = if chance(rng, 0.15) {
            home_city.corridor.neighbour()
        } else {
            home_city.corridor
        };
        let next = city_in(rng, corridor);
        if !circuit.contains(&next) {
            circuit.push(next);
        }
    }
    let days = (30 + 3 * size as i64 + rng.i64(0..120)).min(SPAN_DAYS - 1);
    let start = START + rng.i64(0..=(SPAN_DAYS - days)) * DAY;

    let id = format!("net-{:05}", index + 1);
    let (email_share, handle_share, wallet_share) = match category {
        Category::Escort | Category::Personal => (0.3, 0.45, 0.06),
        Category::Massage => (0.1, 0.1, 0.02),
        Category::Job => (0.6, 0.3, 0.06),
    };
    let email =
        chance(rng, email_share).then(|| idents::network_email(rng, category == Category::Job));
    let handle = if chance(rng, handle_share) {
        let platform = *pick(rng, &Platform::NETWORK);
        Some(idents::network_handle(rng, platform))
    } else {
        None
    };
    let wallet = if chance(rng, wallet_share) {
        let chain = if chance(rng, 0.6) {
            Chain::Btc
        } else {
            Chain::Eth
        };
        Some(Wallet::random(rng, chain))
    } else {
        None
    };
    let emoji_pool = if category == Category::Job {
        phrases::JOB_EMOJI
    } else {
        phrases::CODED_EMOJI
    };
    let emoji_count = 3 + rng.usize(..2);
    let emoji = distinct(rng, emoji_pool, emoji_count);
    let name_count = 4 + rng.usize(..5);
    let names = distinct(rng, names_for(Category::Escort, lang), name_count);
    let place_pool = match lang {
        Lang::En => phrases::PLACES_EN,
        Lang::Es => phrases::PLACES_ES,
    };
    let place_count = 1 + rng.usize(..2);
    let places = distinct(rng, place_pool, place_count);
    let hour_usd = match category {
        Category::Massage => *pick(rng, &[60, 80, 100, 120]),
        _ => *pick(rng, &[120, 150, 160, 180, 200, 220, 250, 300, 350, 400]),
    };
    let youngest = rng.u8(18..=21);
    let forms = distinct(rng, &PhoneForm::OBFUSCATED, 2);
    let mut network = Network {
        id,
        category,
        style: StyleId::network(category, lang),
        lang,
        templates: Vec::new(),
        phones,
        hub: None,
        email,
        handle,
        wallet,
        circuit,
        start,
        end: start + days * DAY,
        stint: rng.i64(2..=10) * DAY,
        plain_phones: 0.3 + 0.4 * rng.f64(),
        favourite_forms: [forms[0], *forms.get(1).unwrap_or(&forms[0])],
        emoji,
        names,
        places,
        rates: Rates { hour_usd },
        ages: (youngest, youngest + rng.u8(2..=5)),
        minors: category == Category::Escort && chance(rng, 0.12),
        needs_second_phone: false,
    };
    let template_count = 1 + weighted(rng, &[50, 35, 15]);
    // Templates may use a second phone only if a hub could supply one later,
    // so plan for it: hubs are added after all networks exist.
    let available = network.available().with(Slot::Phone2, true);
    let style = catalogue.get(network.style);
    for t in 0..template_count {
        let template = Template::new(
            rng,
            format!("{}-t{}", network.id, t + 1),
            style,
            available,
            network.templates.first(),
        );
        network.templates.push(template);
    }
    network.needs_second_phone = network.templates.iter().any(|t| {
        style.titles[usize::from(t.title.phrase)]
            .slots
            .has(Slot::Phone2)
            || t.body.iter().any(|c| {
                style.roles[usize::from(c.role)].phrases[usize::from(c.phrase)]
                    .slots
                    .has(Slot::Phone2)
            })
    });
    Some(network)
}

/// A few booking hubs: one phone each, shown by ads of several unrelated
/// networks. Then every network whose templates write a second phone but
/// that has only one and no hub gets a second phone of its own, so every
/// `{phone2}` can be filled.
fn add_booking_hubs(rng: &mut Rng, pool: &mut NetworkPhonePool, networks: &mut [Network]) {
    if networks.len() < 3 {
        for network in networks
            .iter_mut()
            .filter(|n| n.phones.len() == 1 && n.needs_second_phone)
        {
            // Too few networks to share a hub: a second own phone instead.
            if let Some(p) = pool.take(rng, network.phones[0].plan(), &[]) {
                network.phones.push(p);
            }
        }
        return;
    }
    let hubs = (networks.len() / 25).max(1);
    for _ in 0..hubs {
        let anchor = rng.usize(..networks.len());
        let plan = networks[anchor].phones[0].plan();
        let Some(hub) = pool.take(rng, plan, &[]) else {
            break;
        };
        let members = 3 + rng.usize(..3);
        let mut joined = 0;
        for _ in 0..members * 8 {
            if joined == members {
                break;
            }
            let n = rng.usize(..networks.len());
            if networks[n].hub.is_none() && networks[n].phones[0].plan() == plan {
                networks[n].hub = Some(hub);
                joined += 1;
            }
        }
    }
    // Networks that write a second phone but have one and no hub get another.
    for network in networks
        .iter_mut()
        .filter(|n| n.phones.len() == 1 && n.hub.is_none() && n.needs_second_phone)
    {
        if let Some(p) = pool.take(rng, network.phones[0].plan(), &[]) {
            network.phones.push(p);
        }
    }
}

/// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `2025-03-14T21:07:33Z`.
fn rfc3339(secs: i64) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(DAY));
    let s = secs.rem_euclid(DAY);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rose_never_follows_anything_read_as_a_digit() {
        for text in [
            "Call 2135550147 ",
            "４６３",
            "4\u{FE0F}\u{20E3}",
            "[3]",
            "**7**",
            "fivefivefive",
            "①",
            "555-O",
        ] {
            assert!(ends_like_a_number(text), "{text}");
        }
        for text in ["", "New in town ", "Rates: $200/hr.", "💋"] {
            assert!(!ends_like_a_number(text), "{text}");
        }
    }

    #[test]
    fn timestamps_are_rfc3339() {
        assert_eq!(rfc3339(START), "2025-01-01T00:00:00Z");
        assert_eq!(rfc3339(START + 59 * DAY + 3661), "2025-03-01T01:01:01Z");
        assert_eq!(
            rfc3339(START + (SPAN_DAYS - 1) * DAY),
            "2026-06-30T00:00:00Z"
        );
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    }

    #[test]
    fn network_sizes_sum_exactly_and_respect_the_minimum() {
        let mut rng = Rng::with_seed(3);
        for total in [0u64, 3, 5, 40, 999, 40_000, 400_000] {
            let sizes = network_sizes(&mut rng, total, 3000);
            assert_eq!(sizes.iter().sum::<u64>(), total);
            assert!(sizes.len() <= 3000);
            if total >= MIN_NETWORK {
                assert!(
                    sizes.iter().all(|&s| s >= MIN_NETWORK),
                    "{total}: {sizes:?}"
                );
            }
        }
    }

    #[test]
    fn the_number_of_networks_is_bounded_whatever_the_corpus_size() {
        let small = Corpus::new(&SynthConfig::new(10_000, 1));
        let huge = Corpus::new(&SynthConfig::new(50_000_000, 1));
        assert!(small.network_count() > 50);
        let capacity = NetworkPhonePool::new(geo::all_area_codes()).capacity();
        assert!(huge.network_count() <= capacity / PHONES_PER_NETWORK_BUDGET);
        assert_eq!(huge.network_sizes.iter().sum::<u64>(), 20_000_000);
    }
}
