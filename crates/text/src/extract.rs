//! The extraction entry point: every identifier of every kind in one ad.

use crate::{Normalised, age, email, handle, phone, places, price, wallet, web};
use ctip_core::{Ad, Identifier, Span};
use rlibphonenumber::Region;

/// Settings that hold for a whole batch of ads.
#[derive(Debug, Clone)]
pub struct ExtractOptions {
    /// ISO 3166-1 alpha-2 region for ads that say nothing of where they are.
    pub default_region: String,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        ExtractOptions {
            default_region: "US".to_owned(),
        }
    }
}

/// The region an ad's national phone numbers and bare `$` are read in: its
/// country field, else its city, else its URL's country domain, else the
/// batch default.
pub fn region_of(ad: &Ad, options: &ExtractOptions) -> String {
    ad.country
        .as_deref()
        .and_then(places::country_code)
        .or_else(|| {
            ad.city
                .as_deref()
                .and_then(places::country_of_city)
                .map(str::to_owned)
        })
        .or_else(|| {
            ad.url
                .as_deref()
                .and_then(places::region_of_url)
                .map(str::to_owned)
        })
        .filter(|code| Region::from_code(code).is_ok())
        .unwrap_or_else(|| options.default_region.clone())
}

/// Extracts every identifier from an ad's text (see [`Ad::text`]), sorted by
/// position. `text` must be `Normalised::new(&ad.text())`.
pub fn extract(ad: &Ad, text: &Normalised<'_>, options: &ExtractOptions) -> Vec<Identifier> {
    extract_in_region(text, &region_of(ad, options))
}

/// Extracts every identifier from folded text, reading national numbers and
/// bare currency symbols in `region`. Never panics, whatever the input.
pub fn extract_in_region(text: &Normalised<'_>, region: &str) -> Vec<Identifier> {
    let phone_region = Region::from_code(region).unwrap_or(Region::US);
    let mut out = Vec::new();
    phone::extract_phones(text, phone_region, &mut out);
    let mark = out.len();
    email::extract_emails(text, &mut out);
    drop_claimed(&mut out, mark);
    let mark = out.len();
    wallet::extract_wallets(text, &mut out);
    drop_claimed(&mut out, mark);
    let mark = out.len();
    handle::extract_handles(text, &mut out);
    drop_claimed(&mut out, mark);
    let mark = out.len();
    web::extract_web(text, &mut out);
    drop_claimed(&mut out, mark);
    let claimed: Vec<Span> = out.iter().map(|i| i.span).collect();
    let mark = out.len();
    age::extract_ages(text, &claimed, &mut out);
    let claimed: Vec<Span> = out.iter().map(|i| i.span).collect();
    price::extract_prices(text, region, &claimed, &mut out);
    drop_claimed(&mut out, mark);
    out.sort_by_key(|i| (i.span.start, i.span.end));
    out
}

/// Removes identifiers found from `from` on whose span overlaps one found
/// earlier: earlier extractors are more specific and win.
fn drop_claimed(out: &mut Vec<Identifier>, from: usize) {
    let (earlier, _) = out.split_at(from);
    let earlier: Vec<Span> = earlier.iter().map(|i| i.span).collect();
    let mut index = 0;
    out.retain(|id| {
        let keep = index < from || !earlier.iter().any(|s| s.overlaps(id.span));
        index += 1;
        keep
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use ctip_core::IdentifierKind;

    #[test]
    fn a_realistic_ad_yields_every_kind_once() {
        let ad = Ad {
            id: "1".into(),
            title: Some("New in town 🌹 Rosie 21yo".into()),
            body: "Call 2ONE3-5FIVE5-0ONE4SEVEN or rosie22 at example dot com. IG: @sweet_rosie \
                   $200/hr, 150 hh. Deposit BTC 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa. https://classihub.example/ad/7"
                .into(),
            ..Ad::default()
        };
        let text = ad.text();
        let n = Normalised::new(&text);
        let ids = extract(&ad, &n, &ExtractOptions::default());
        let got: Vec<(IdentifierKind, &str)> =
            ids.iter().map(|i| (i.kind, i.value.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (IdentifierKind::Age, "21"),
                (IdentifierKind::Phone, "+12135550147"),
                (IdentifierKind::Email, "rosie22@example.com"),
                (IdentifierKind::Handle, "sweet_rosie"),
                (IdentifierKind::Price, "200 USD/60min"),
                (IdentifierKind::Price, "150 USD/30min"),
                (IdentifierKind::Wallet, "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
                (IdentifierKind::Url, "https://classihub.example/ad/7"),
                (IdentifierKind::Domain, "classihub.example"),
            ]
        );
        for id in &ids {
            assert!(
                text.get(id.span.range()).is_some(),
                "span of {id:?} is on char boundaries"
            );
        }
    }

    #[test]
    fn region_comes_from_country_then_city_then_url() {
        let opts = ExtractOptions::default();
        let mut ad = Ad {
            city: Some("Toronto".into()),
            ..Ad::default()
        };
        assert_eq!(region_of(&ad, &opts), "CA");
        ad.country = Some("Mexico".into());
        assert_eq!(region_of(&ad, &opts), "MX");
        let by_url = Ad {
            url: Some("https://ads.example.co.uk/1".into()),
            ..Ad::default()
        };
        assert_eq!(region_of(&by_url, &opts), "GB");
        assert_eq!(region_of(&Ad::default(), &opts), "US");
    }
}
