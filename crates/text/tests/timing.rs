//! A rough per-ad cost, off by default (`cargo test --release -p ctip-text
//! --test timing -- --ignored --nocapture`). It asserts nothing about time:
//! the machine is noisy; `ctip bench extract` is the measured figure.

use ctip_text::{Normalised, extract_in_region};

const ADS: &[&str] = &[
    "New in town 🌹 Sweet Rosie 21yo, young and fresh, visiting for a few days only. Call 2ONE3-5FIVE5-0ONE4SEVEN or text (213) 555-0147. IG: @sweet_rosie. 150 hh / 250 hr, incall only. Ask for our new girls!",
    "Licensed therapeutic massage in downtown Chicago. Deep tissue, Swedish, hot stone. Open 10am-9pm, 7 days. Book online at https://spa.example.com/book or call 312.555.0188. $80/hr, $50 half hour. Gift cards available.",
    "Now hiring: registered nurse for night shifts at a community hospital. Competitive pay, benefits, 401k. Apply with your CV to jobs@example.org. Job ID 20250314001. Equal opportunity employer.",
    "Trabajo en el extranjero, sueldo alto, sin experiencia. Pasaje y visa pagados, alojamiento incluido. Solo chicas de 18 a 25 años. WhatsApp +52 55 1234 5678. Escríbeme a reclutadora at example dot com",
];

#[test]
#[ignore]
fn print_cost_per_ad() {
    let rounds = 20_000;
    let started = std::time::Instant::now();
    let mut found = 0;
    for i in 0..rounds {
        let text = ADS[i % ADS.len()];
        found += extract_in_region(&Normalised::new(text), "US").len();
    }
    let per_ad = started.elapsed().as_secs_f64() / rounds as f64;
    println!(
        "{:.2} µs per ad, {:.0} ads/s on one thread ({found} identifiers)",
        per_ad * 1e6,
        1.0 / per_ad
    );
    let started = std::time::Instant::now();
    for i in 0..rounds {
        std::hint::black_box(Normalised::new(ADS[i % ADS.len()]));
    }
    println!(
        "normalise alone: {:.2} µs per ad",
        started.elapsed().as_secs_f64() / rounds as f64 * 1e6
    );
}

#[test]
#[ignore]
fn print_cost_per_extractor() {
    use ctip_text::{age, email, handle, phone, price, wallet, web};
    let rounds = 20_000;
    let folded: Vec<Normalised<'_>> = ADS.iter().map(|a| Normalised::new(a)).collect();
    let time = |name: &str, f: &dyn Fn(&Normalised<'_>, &mut Vec<ctip_core::Identifier>)| {
        let started = std::time::Instant::now();
        let mut out = Vec::new();
        for i in 0..rounds {
            out.clear();
            f(&folded[i % folded.len()], &mut out);
        }
        println!(
            "{name:>8}: {:.2} µs per ad",
            started.elapsed().as_secs_f64() / rounds as f64 * 1e6
        );
    };
    time("phone", &|n, o| {
        phone::extract_phones(n, rlibphonenumber::Region::US, o)
    });
    time("email", &|n, o| email::extract_emails(n, o));
    time("handle", &|n, o| handle::extract_handles(n, o));
    time("web", &|n, o| web::extract_web(n, o));
    time("wallet", &|n, o| wallet::extract_wallets(n, o));
    time("age", &|n, o| age::extract_ages(n, &[], o));
    time("price", &|n, o| price::extract_prices(n, "US", &[], o));
}

#[test]
#[ignore]
fn print_cost_of_phone_validation() {
    let rounds = 20_000;
    let started = std::time::Instant::now();
    for i in 0..rounds {
        let n = rlibphonenumber::PhoneNumber::parse(
            ["2135550147", "+525512345678"][i % 2],
            Some(rlibphonenumber::Region::US),
        );
        std::hint::black_box(
            n.map(|n| {
                (
                    n.is_valid(),
                    n.format_as(rlibphonenumber::PhoneNumberFormat::E164)
                        .to_string(),
                )
            })
            .ok(),
        );
    }
    println!(
        "parse+validate+format: {:.2} µs per number",
        started.elapsed().as_secs_f64() / rounds as f64 * 1e6
    );
}
