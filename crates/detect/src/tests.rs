use super::*;
use ctip_core::{Exploitation, IdentifierKind, Price, Span};
use std::collections::HashSet;

fn ad(text: &str) -> Ad {
    Ad {
        id: "t".into(),
        body: text.into(),
        ..Ad::default()
    }
}

fn assess_with(detector: &Detector, text: &str, ids: &[Identifier], ctx: &AdContext) -> Assessment {
    let ad = ad(text);
    let full = ad.text();
    let normalised = Normalised::new(&full);
    detector.assess(&ad, &normalised, ids, ctx)
}

fn assess(text: &str) -> Assessment {
    assess_with(&Detector::default(), text, &[], &AdContext::default())
}

fn fired(assessment: &Assessment) -> Vec<String> {
    indicator_ids(assessment)
}

/// The original text behind each reason for `indicator`.
fn evidence_of(text: &str, assessment: &Assessment, indicator: &str) -> Vec<String> {
    assessment
        .reasons
        .iter()
        .filter(|r| r.indicator == indicator)
        .map(|r| text[r.span.expect("indicator reasons have spans").range()].to_owned())
        .collect()
}

fn identifier(kind: IdentifierKind, value: &str, text: &str, needle: &str) -> Identifier {
    let start = text.find(needle).expect("needle in text");
    Identifier::new(kind, value, Span::new(start, start + needle.len()))
}

fn price(
    text: &str,
    needle: &str,
    amount: f64,
    currency: &str,
    minutes: Option<u32>,
) -> Identifier {
    let mut id = identifier(IdentifierKind::Price, "p", text, needle);
    id.price = Some(Price {
        amount,
        currency: currency.into(),
        minutes,
    });
    id
}

// ---------------------------------------------------------------- lexicon

#[test]
fn shipped_lexicon_loads_with_a_version_and_cited_indicators() {
    let lexicon = Lexicon::shipped();
    assert!(!lexicon.version().is_empty());
    assert!(lexicon.indicators().len() >= 60);
    for indicator in lexicon.indicators() {
        assert!(
            lexicon.citation(&indicator.source).is_some(),
            "{}",
            indicator.id
        );
        assert!(indicator.weight > 0.0 && indicator.weight < 1.0);
        assert!(!indicator.description.is_empty());
    }
    assert_eq!(lexicon.signals().len(), Structural::ALL.len());
}

#[test]
fn lexicon_covers_both_languages_and_both_exploitation_types() {
    let lexicon = Lexicon::shipped();
    let count = |language: Language, exploitation: Exploitation| {
        lexicon
            .indicators()
            .iter()
            .filter(|i| i.language == language && i.exploitation == exploitation)
            .count()
    };
    assert!(count(Language::En, Exploitation::Sexual) >= 15);
    assert!(count(Language::Es, Exploitation::Sexual) >= 10);
    assert!(count(Language::En, Exploitation::Labour) >= 8);
    assert!(count(Language::Es, Exploitation::Labour) >= 8);
    assert!(count(Language::Any, Exploitation::Sexual) >= 8);
}

/// The rows `lexicon/README.md` must hold for the shipped lexicon.
fn readme_rows(lexicon: &Lexicon) -> Vec<String> {
    let exploitation = |e: Exploitation| match e {
        Exploitation::Sexual => "sexual",
        Exploitation::Labour => "labour",
        Exploitation::Any => "any",
    };
    let indicators = lexicon.indicators().iter().map(|i| {
        format!(
            "| `{}` | {} | {} | {} | {} | {} | {} |",
            i.id,
            exploitation(i.exploitation),
            i.category,
            i.language.as_str(),
            i.weight,
            i.source,
            i.phrases.len() + i.emoji.len()
        )
    });
    let signals = lexicon.signals().iter().map(|s| {
        format!(
            "| `{}` | {} | {} | {} | {} |",
            s.id,
            exploitation(s.exploitation),
            s.weight,
            s.source,
            s.description
        )
    });
    indicators.chain(signals).collect()
}

#[test]
fn lexicon_readme_table_matches_the_lexicon() {
    let readme = include_str!("../lexicon/README.md");
    let lexicon = Lexicon::shipped();
    let expected = readme_rows(&lexicon);
    let documented: Vec<&str> = readme
        .lines()
        .filter(|l| {
            l.starts_with("| `")
                && (l.contains("| `sex.")
                    || l.contains("| `labour.")
                    || l.contains("| `any.")
                    || l.contains("| `struct."))
        })
        .collect();
    assert!(
        documented == expected,
        "lexicon/README.md is out of date; its tables should read:\n{}",
        expected.join("\n")
    );
    assert!(readme.contains(&format!("version {}", lexicon.version())));
    let patterns: usize = lexicon
        .indicators()
        .iter()
        .map(|i| i.phrases.len() + i.emoji.len())
        .sum();
    assert!(
        readme.contains(&format!("All patterns ({patterns} in version")),
        "pattern count {patterns}"
    );
}

#[test]
fn every_indicator_and_signal_has_its_own_model_feature() {
    let lexicon = Lexicon::shipped();
    let ids = lexicon
        .indicators()
        .iter()
        .map(|i| i.id.as_str())
        .chain(lexicon.signals().iter().map(|s| s.id.as_str()));
    let mut seen = HashSet::new();
    for id in ids {
        assert!(seen.insert(signal_feature(id)), "{id} collides");
    }
}

#[test]
fn english_indicators_fire_on_their_original_span() {
    let cases = [
        ("Sexy YOUNG girl available", "sex.youth.young", "YOUNG girl"),
        ("so young, so sweet", "sex.youth.young", "so young"),
        ("fresh face, ask me", "sex.youth.fresh", "fresh face"),
        (
            "I just turned 18!",
            "sex.youth.barely_legal",
            "just turned 18",
        ),
        ("barely legal", "sex.youth.barely_legal", "barely legal"),
        ("cute teen here", "sex.youth.teen", "teen"),
        ("naughty school girl", "sex.youth.schoolgirl", "school girl"),
        (
            "College Girl in need",
            "sex.youth.college_girl",
            "College Girl",
        ),
        (
            "Just arrived in Dallas",
            "sex.movement.just_arrived",
            "Just arrived",
        ),
        ("NEW IN TOWN", "sex.movement.new_in_town", "NEW IN TOWN"),
        (
            "in town for a few days",
            "sex.movement.short_stay",
            "in town for a few days",
        ),
        (
            "leaving soon, hurry",
            "sex.movement.short_stay",
            "leaving soon",
        ),
        (
            "New girls every week!",
            "sex.movement.rotation",
            "New girls every week",
        ),
        (
            "see our girls tonight",
            "sex.third_party.our_girls",
            "our girls",
        ),
        (
            "Ask for our specials",
            "sex.third_party.our_girls",
            "Ask for our",
        ),
        (
            "we have new girls",
            "sex.third_party.many_girls",
            "new girls",
        ),
        (
            "Call my manager first",
            "sex.third_party.manager",
            "Call my manager",
        ),
        ("talk to my daddy", "sex.third_party.manager", "my daddy"),
        ("we are open", "sex.third_party.we_language", "we are"),
        ("Incall only.", "sex.restriction.incall_only", "Incall only"),
        ("No police please", "sex.restriction.no_police", "No police"),
        ("cash only", "sex.restriction.cash_only", "cash only"),
        ("no black men", "sex.restriction.race", "no black men"),
        ("open 24/7", "sex.restriction.always_available", "24/7"),
        ("150 roses", "sex.coded.roses", "roses"),
        (
            "Models wanted abroad!",
            "labour.abroad.models_wanted",
            "Models wanted abroad",
        ),
        (
            "Work abroad now",
            "labour.abroad.work_abroad",
            "Work abroad",
        ),
        (
            "No experience needed.",
            "labour.deceptive_pay.no_experience",
            "No experience needed",
        ),
        (
            "Visa and travel paid",
            "labour.travel_paid",
            "Visa and travel paid",
        ),
        (
            "Employer keeps your passport",
            "labour.passport_retention",
            "Employer keeps your passport",
        ),
        (
            "Recruitment fee of $500",
            "labour.debt_fees.recruitment_fee",
            "Recruitment fee",
        ),
        (
            "ticket deducted from your salary",
            "labour.debt_fees.deductions",
            "deducted from your salary",
        ),
        (
            "accommodation provided",
            "labour.accommodation",
            "accommodation provided",
        ),
        (
            "Girls 18-25 only",
            "labour.demographic_limit",
            "Girls 18-25",
        ),
        (
            "young women only",
            "labour.demographic_limit",
            "young women only",
        ),
        (
            "No documents needed",
            "labour.no_documents",
            "No documents needed",
        ),
        ("no days off", "labour.restriction.isolation", "no days off"),
    ];
    let detector = Detector::default();
    for (text, id, expected) in cases {
        let a = assess_with(&detector, text, &[], &AdContext::default());
        assert_eq!(
            evidence_of(text, &a, id),
            vec![expected],
            "{id} in {text:?}: {a:?}"
        );
    }
}

#[test]
fn spanish_indicators_fire_on_their_original_span_with_accents() {
    let cases = [
        (
            "Jovencita recién llegada",
            "sex.youth.jovencita",
            "Jovencita",
        ),
        (
            "Jovencita recién llegada",
            "sex.movement.recien_llegada",
            "recién llegada",
        ),
        (
            "recien llegada a tu ciudad",
            "sex.movement.recien_llegada",
            "recien llegada",
        ),
        (
            "18 RECIÉN CUMPLIDOS",
            "sex.youth.recien_18",
            "18 RECIÉN CUMPLIDOS",
        ),
        ("colegiala traviesa", "sex.youth.colegiala", "colegiala"),
        (
            "Nuevas chicas en el local",
            "sex.third_party.chicas_nuevas",
            "Nuevas chicas",
        ),
        (
            "chicas nuevas",
            "sex.third_party.chicas_nuevas",
            "chicas nuevas",
        ),
        (
            "chicas nuevas cada semana",
            "sex.movement.rotacion",
            "chicas nuevas cada semana",
        ),
        (
            "nuestras chicas te esperan",
            "sex.third_party.nuestras_chicas",
            "nuestras chicas",
        ),
        (
            "llama a mi encargado",
            "sex.third_party.encargado",
            "llama a mi encargado",
        ),
        (
            "solo por unos días",
            "sex.movement.pocos_dias",
            "solo por unos días",
        ),
        ("No policía", "sex.restriction.no_policia", "No policía"),
        (
            "Trabajo en el extranjero",
            "labour.abroad.trabajo_extranjero",
            "Trabajo en el extranjero",
        ),
        (
            "Sin experiencia",
            "labour.deceptive_pay.sin_experiencia",
            "Sin experiencia",
        ),
        (
            "pasaje y visa pagados",
            "labour.travel_paid.pasaje_visa",
            "pasaje y visa pagados",
        ),
        (
            "Alojamiento incluido",
            "labour.accommodation.alojamiento",
            "Alojamiento incluido",
        ),
        (
            "te guardamos el pasaporte",
            "labour.passport_retention.pasaporte",
            "te guardamos el pasaporte",
        ),
        (
            "Solo mujeres jóvenes",
            "labour.demographic_limit.mujeres_jovenes",
            "Solo mujeres jóvenes",
        ),
        (
            "se descuenta del sueldo",
            "labour.debt_fees.descuentos",
            "se descuenta del sueldo",
        ),
        (
            "sin papeles",
            "labour.no_documents.sin_papeles",
            "sin papeles",
        ),
        (
            "dinero fácil",
            "labour.deceptive_pay.dinero_facil",
            "dinero fácil",
        ),
    ];
    let detector = Detector::default();
    for (text, id, expected) in cases {
        let a = assess_with(&detector, text, &[], &AdContext::default());
        assert_eq!(
            evidence_of(text, &a, id),
            vec![expected],
            "{id} in {text:?}: {a:?}"
        );
    }
}

#[test]
fn emoji_fire_anywhere_and_highlight_the_whole_emoji() {
    let cases = [
        ("xx🌹🌹yy", "sex.emoji.rose", vec!["🌹", "🌹"]),
        ("sweet🍒", "sex.emoji.cherry", vec!["🍒"]),
        ("🍭 treat", "sex.emoji.lollipop", vec!["🍭"]),
        ("boss👑", "sex.emoji.crown", vec!["👑"]),
        ("cute🎀", "sex.emoji.bow", vec!["🎀"]),
        ("🐣new", "sex.emoji.chick", vec!["🐣"]),
        // The variation selector is folded away but stays in the highlight.
        ("fly ✈\u{fe0f} in", "sex.emoji.travel", vec!["✈\u{fe0f}"]),
        ("fly ✈ in", "sex.emoji.travel", vec!["✈"]),
    ];
    for (text, id, expected) in cases {
        let a = assess(text);
        assert_eq!(evidence_of(text, &a, id), expected, "{id} in {text:?}");
    }
}

#[test]
fn phrases_fire_only_on_word_boundaries() {
    let cases = [
        ("a sweet treat", "sex.third_party.we_language"),
        ("see you next weekend", "sex.third_party.we_language"),
        ("lunch in the canteen", "sex.youth.teen"),
        ("a youngster", "sex.youth.young"),
        ("freshfaced", "sex.youth.fresh"),
        ("ourgirls", "sex.third_party.our_girls"),
        ("visitingcard", "sex.movement.visiting"),
        ("prosoy Maria", "sex.third_party.nosotros"),
    ];
    for (text, id) in cases {
        let a = assess(text);
        assert!(
            !fired(&a).contains(&id.to_owned()),
            "{id} fired in {text:?}"
        );
    }
    // ...and do fire beside punctuation and at the text's ends.
    for text in ["we", "(we)", "we!", "¡we?", "teen.", "teens"] {
        let a = assess(text);
        assert!(!a.reasons.is_empty(), "nothing fired in {text:?}");
    }
}

#[test]
fn the_longest_overlapping_phrase_wins() {
    let a = assess("New girls every week");
    assert_eq!(fired(&a), vec!["sex.movement.rotation"]);
    let a = assess("chicas nuevas cada semana");
    assert_eq!(fired(&a), vec!["sex.movement.rotacion"]);
}

#[test]
fn a_rejected_long_match_does_not_hide_a_shorter_one() {
    // `we have` fails its end boundary inside `we haven't`; `we` still fires.
    let a = assess("we haven't");
    assert_eq!(
        evidence_of("we haven't", &a, "sex.third_party.we_language"),
        vec!["we"]
    );
}

#[test]
fn look_alike_letters_still_match_and_highlight_the_original() {
    let text = "\u{0443}\u{043e}ung, fr\u{0435}sh face";
    let a = assess(text);
    assert_eq!(
        evidence_of(text, &a, "sex.youth.young"),
        vec!["\u{0443}\u{043e}ung"]
    );
    assert_eq!(
        evidence_of(text, &a, "sex.youth.fresh"),
        vec!["fr\u{0435}sh face"]
    );
}

#[test]
fn each_indicator_counts_once_and_keeps_at_most_five_reasons() {
    let text = "young ".repeat(12);
    let a = assess(&text);
    let young = Lexicon::shipped()
        .indicators()
        .iter()
        .find(|i| i.id == "sex.youth.young")
        .map(|i| i.weight)
        .unwrap();
    assert_eq!(a.reasons.len(), MAX_REASONS_PER_INDICATOR);
    assert!((a.score - young).abs() < 1e-6);
}

#[test]
fn apostrophes_of_both_kinds_match() {
    for text in ["Hi I'm Maria, ask for Anna", "Hi I’m Maria, ask for Anna"] {
        let a = assess(text);
        assert!(
            fired(&a).contains(&"struct.multiple_names".to_owned()),
            "{text}"
        );
    }
}

// ---------------------------------------------------------------- score

#[test]
fn benign_ads_score_low() {
    let ads = [
        "Relaxing Swedish massage at our day spa. Licensed therapists, hot stones and \
         aromatherapy. We have gift cards for the holidays. Book online or call 555-0100.",
        "Registered Nurse (Band 5) wanted for our hospital in Leeds. NMC registration \
         required, visa sponsorship available for qualified candidates. Accommodation \
         provided for the first month. Competitive salary, pension and 27 days leave. \
         Apply online with your CV.",
        "Se busca enfermera titulada para clínica en Sevilla. Contrato indefinido, \
         jornada completa, salario según convenio. Envíe su currículum.",
        "Bicycle for sale, good condition, barely used. Cash only, pick up downtown.",
        "We are hiring line cooks for our restaurant. Weekends required. Apply in person.",
        "Thai massage and reflexology, open 7 days a week and 24 hours on weekends. \
         New clients welcome, walk-ins welcome, free parking.",
        "Travel nurses needed: travel paid, housing provided, weekly pay, 13-week contracts.",
        "Extra virgin olive oil, new arrivals every week, limited time only!",
        "Últimos días de rebajas: vestido de nena talla 4, en pocos días llega más stock. \
         Pago en efectivo, envío 24h.",
        "Summer camp for kids, registration fee $50, deposit required. Call the manager.",
    ];
    for text in ads {
        let a = assess(text);
        assert!(a.score < 0.3, "{} for {text:?}: {:?}", a.score, fired(&a));
    }
}

#[test]
fn a_planted_network_ad_scores_high() {
    let text = "NEW GIRLS EVERY WEEK 🌹🍒 Our girls are young and fresh, just arrived! \
                Incall only, no police. Ask for Candy or Mia, call my manager.";
    let ids = [
        identifier(IdentifierKind::Phone, "+12135550100", text, "Candy"),
        identifier(IdentifierKind::Phone, "+12135550101", text, "Mia"),
    ];
    let a = assess_with(&Detector::default(), text, &ids, &AdContext::default());
    assert!(a.score > 0.9, "{} {:?}", a.score, fired(&a));
    let ids = fired(&a);
    for expected in [
        "sex.movement.rotation",
        "sex.third_party.our_girls",
        "sex.third_party.manager",
        "sex.emoji.rose",
        "sex.emoji.cherry",
        "struct.multiple_names",
        "struct.multiple_phones",
    ] {
        assert!(
            ids.contains(&expected.to_owned()),
            "{expected} missing from {ids:?}"
        );
    }
}

#[test]
fn a_planted_deceptive_job_ad_scores_high_in_spanish() {
    let text = "Trabajo en el extranjero para chicas de 18 a 25, sin experiencia. \
                Pasaje y visa pagados, alojamiento incluido. Te guardamos el pasaporte.";
    let a = assess(text);
    assert!(a.score > 0.7, "{} {:?}", a.score, fired(&a));
}

#[test]
fn a_planted_deceptive_job_ad_scores_high_in_english() {
    let text = "Models wanted abroad! Girls 18-25, no experience needed, high salary. \
                Visa and travel paid, accommodation provided. Recruitment fee deducted \
                from your salary. Employer keeps your passport for safekeeping.";
    let a = assess(text);
    assert!(a.score > 0.8, "{} {:?}", a.score, fired(&a));
}

#[test]
fn reasons_are_ordered_strongest_first() {
    let a = assess("young, incall only, our girls");
    let weights: Vec<f32> = a.reasons.iter().map(|r| r.weight).collect();
    let mut sorted = weights.clone();
    sorted.sort_by(|a, b| b.total_cmp(a));
    assert_eq!(weights, sorted);
}

#[test]
fn the_score_of_nothing_is_zero() {
    let a = assess("");
    assert_eq!(a.score, 0.0);
    assert!(a.reasons.is_empty());
}

#[test]
fn indicator_ids_are_distinct_and_in_order() {
    let a = Assessment {
        score: 0.5,
        reasons: ["b", "a", "b"]
            .into_iter()
            .map(|id| Reason {
                indicator: id.into(),
                weight: 0.1,
                span: None,
                evidence: String::new(),
            })
            .collect(),
    };
    assert_eq!(indicator_ids(&a), vec!["b", "a"]);
}

// ---------------------------------------------------------------- structural

#[test]
fn several_distinct_phones_fire_with_each_phone_span() {
    let text = "call 555 0100 or 555 0101 or 555 0100";
    let ids = [
        identifier(IdentifierKind::Phone, "+15550100", text, "555 0100"),
        identifier(IdentifierKind::Phone, "+15550101", text, "555 0101"),
        identifier(IdentifierKind::Phone, "+15550100", text, "555 0100"),
    ];
    let a = assess_with(&Detector::default(), text, &ids, &AdContext::default());
    assert_eq!(
        evidence_of(text, &a, "struct.multiple_phones"),
        vec!["555 0100", "555 0101"]
    );
    let one = assess_with(&Detector::default(), text, &ids[..1], &AdContext::default());
    assert!(!fired(&one).contains(&"struct.multiple_phones".to_owned()));
}

#[test]
fn several_names_fire_and_common_words_are_not_names() {
    let cases: [(&str, Option<&str>, Vec<&str>); 8] = [
        (
            "My name is Jessica. Ask for Maria!",
            None,
            vec!["Jessica", "Maria"],
        ),
        ("I'm Candy, call Mia", None, vec!["Candy", "Mia"]),
        (
            "ask for Candy or Mia & Eva",
            None,
            vec!["Candy", "Mia", "Eva"],
        ),
        (
            "Me llamo Lucía, pregunta por Sofía",
            None,
            vec!["Lucía", "Sofía"],
        ),
        ("Call Now! I'm New here. Ask for Details", None, vec![]),
        ("CALL ME, I'M ANNA, ASK FOR JOY", None, vec![]),
        ("ask for Maria, ask for maria again", None, vec![]),
        ("ask for Maria", Some("Jessica"), vec!["Maria"]),
    ];
    for (text, name, expected) in cases {
        let mut ad = ad(text);
        ad.name = name.map(str::to_owned);
        let full = ad.text();
        let a =
            Detector::default().assess(&ad, &Normalised::new(&full), &[], &AdContext::default());
        let spans: Vec<&str> = a
            .reasons
            .iter()
            .filter(|r| r.indicator == "struct.multiple_names")
            .filter_map(|r| r.span)
            .map(|s| &text[s.range()])
            .collect();
        assert_eq!(spans, expected, "{text:?}");
        assert_eq!(
            fired(&a).contains(&"struct.multiple_names".to_owned()),
            !expected.is_empty(),
            "{text:?}"
        );
    }
}

#[test]
fn a_stated_minor_age_fires_strongly_on_its_span() {
    let text = "sweet girl, 16 years, new";
    let ids = [identifier(IdentifierKind::Age, "16", text, "16")];
    let a = assess_with(&Detector::default(), text, &ids, &AdContext::default());
    assert_eq!(evidence_of(text, &a, "struct.age_minor"), vec!["16"]);
    assert!(a.score >= 0.8);
    assert_eq!(a.reasons[0].indicator, "struct.age_minor");
}

#[test]
fn age_eighteen_fires_only_beside_youth_language() {
    let text = "barely legal, age 18";
    let ids = [identifier(IdentifierKind::Age, "18", text, "18")];
    let a = assess_with(&Detector::default(), text, &ids, &AdContext::default());
    assert_eq!(
        evidence_of(text, &a, "struct.age_youth_emphasis"),
        vec!["18"]
    );
    let plain = "mature lady, age 18";
    let ids = [identifier(IdentifierKind::Age, "18", plain, "18")];
    let a = assess_with(&Detector::default(), plain, &ids, &AdContext::default());
    assert!(fired(&a).is_empty(), "{:?}", fired(&a));
}

#[test]
fn several_ages_mean_several_people() {
    let text = "Ana 21, Eva 23";
    let ids = [
        identifier(IdentifierKind::Age, "21", text, "21"),
        identifier(IdentifierKind::Age, "23", text, "23"),
    ];
    let a = assess_with(&Detector::default(), text, &ids, &AdContext::default());
    assert_eq!(
        evidence_of(text, &a, "struct.multiple_ages"),
        vec!["21", "23"]
    );
}

#[test]
fn a_price_under_half_the_local_median_fires() {
    let text = "special 40 hh";
    let ids = [price(text, "40 hh", 40.0, "USD", Some(30))];
    let detector = Detector::default();
    let below = AdContext {
        local_median_hourly: Some(200.0),
        ..AdContext::default()
    };
    let a = assess_with(&detector, text, &ids, &below);
    // 40 per half hour is 80 per hour, 40% of the median.
    let reason = a
        .reasons
        .iter()
        .find(|r| r.indicator == "struct.price_below_median")
        .expect("fired");
    assert_eq!(&text[reason.span.unwrap().range()], "40 hh");
    assert_eq!(reason.evidence, "hourly price 40% of the local median");
    let near = AdContext {
        local_median_hourly: Some(150.0),
        ..AdContext::default()
    };
    assert!(fired(&assess_with(&detector, text, &ids, &near)).is_empty());
    assert!(fired(&assess_with(&detector, text, &ids, &AdContext::default())).is_empty());
}

#[test]
fn many_cities_fire_at_three() {
    for (cities, fires) in [(0, false), (2, false), (3, true), (7, true)] {
        let ctx = AdContext {
            cities_mentioned: cities,
            ..AdContext::default()
        };
        let a = assess_with(&Detector::default(), "touring soon", &[], &ctx);
        assert_eq!(
            fired(&a).contains(&"struct.many_cities".to_owned()),
            fires,
            "{cities}"
        );
    }
}

// ---------------------------------------------------------------- prices

#[test]
fn hourly_price_prefers_an_hour_then_the_nearest_duration() {
    let text = "100 hh 180 h 60";
    let half = price(text, "100 hh", 100.0, "USD", Some(30));
    let hour = price(text, "180 h", 180.0, "USD", Some(60));
    let bare = price(text, "60", 60.0, "USD", None);
    let p = hourly_price(&[half.clone(), hour, bare.clone()]).unwrap();
    assert_eq!((p.amount, p.currency.as_str()), (180.0, "USD"));
    assert_eq!(hourly_price(&[bare.clone(), half]).unwrap().amount, 200.0);
    assert_eq!(hourly_price(&[bare]).unwrap().amount, 60.0);
    assert!(hourly_price(&[]).is_none());
    let zero = price(text, "60", 0.0, "USD", None);
    assert!(hourly_price(&[zero]).is_none());
}

#[test]
fn price_book_median_is_right_on_known_data() {
    let mut book = PriceBook::default();
    for p in 1..=101 {
        book.observe("Houston", "USD", f64::from(p) * 2.0);
    }
    let median = book.median("houston", "usd").unwrap();
    assert!((median - 102.0).abs() / 102.0 < 0.05, "{median}");

    let mut skewed = PriceBook::default();
    for _ in 0..30 {
        skewed.observe("Madrid", "EUR", 100.0);
    }
    for _ in 0..10 {
        skewed.observe("Madrid", "EUR", 1000.0);
    }
    let median = skewed.median("Madrid", "EUR").unwrap();
    assert!((median - 100.0).abs() / 100.0 < 0.05, "{median}");
}

#[test]
fn price_book_waits_for_twenty_observations_and_keeps_currencies_apart() {
    let mut book = PriceBook::default();
    for _ in 0..19 {
        book.observe("Miami", "USD", 200.0);
        book.observe("Miami", "roses", 2.0);
    }
    assert_eq!(book.median("Miami", "USD"), None);
    book.observe("Miami", "USD", 200.0);
    let usd = book.median("Miami", "USD").unwrap();
    assert!((usd - 200.0).abs() < 10.0);
    assert_eq!(book.median("Miami", "roses"), None);
    assert_eq!(book.count("miami", "ROSES"), 19);
    book.observe("Miami", "USD", f64::NAN);
    book.observe("Miami", "USD", -5.0);
    assert_eq!(book.count("Miami", "USD"), 20);
}

#[test]
fn price_book_memory_is_capped_by_evicting_the_quietest_key() {
    let mut book = PriceBook::new(2);
    for _ in 0..5 {
        book.observe("a", "usd", 10.0);
    }
    book.observe("b", "usd", 10.0);
    book.observe("c", "usd", 10.0);
    assert_eq!(book.len(), 2);
    assert_eq!(book.count("a", "usd"), 5);
    assert_eq!(book.count("b", "usd"), 0);
    assert_eq!(book.count("c", "usd"), 1);
}

#[test]
fn price_book_round_trips_through_json() {
    let mut book = PriceBook::new(10);
    for p in 0..50 {
        book.observe("Lima", "PEN", 100.0 + f64::from(p));
    }
    let json = serde_json::to_string(&book).unwrap();
    let back: PriceBook = serde_json::from_str(&json).unwrap();
    assert_eq!(back, book);
    assert_eq!(back.median("Lima", "PEN"), book.median("Lima", "PEN"));
    assert!(
        serde_json::from_str::<PriceBook>(
            r#"{"max_keys":1,"entries":[{"city":"x","currency":"y","buckets":[[9999,1]]}]}"#
        )
        .is_err()
    );
}

// ---------------------------------------------------------------- model

/// Seeded, hand-written ads: positives use trafficking language, negatives
/// ordinary services and jobs, and both share neutral filler words.
fn separable_ads(n: usize, seed: u64) -> Vec<(String, bool)> {
    let positive = [
        "new girls every week",
        "young and fresh",
        "just arrived",
        "ask for our girls",
        "call my manager",
        "incall only",
        "🌹🌹",
        "no police",
        "jovencita recién llegada",
        "pasaje y visa pagados",
        "te guardamos el pasaporte",
        "girls 18-25 work abroad",
        "barely legal 🍒",
    ];
    let negative = [
        "licensed massage therapist",
        "swedish and deep tissue",
        "gift cards available",
        "registered nurse",
        "hospital day shifts",
        "pension scheme",
        "apply online with your cv",
        "bicycle in good condition",
        "contrato indefinido",
        "clases de guitarra",
        "plumbing repairs",
        "dog walking service",
    ];
    let filler = [
        "tonight", "downtown", "text", "photos", "best", "call", "hola", "today",
    ];
    let mut rng = fastrand::Rng::with_seed(seed);
    (0..n)
        .map(|i| {
            let label = i % 2 == 0;
            let pool: &[&str] = if label { &positive } else { &negative };
            let mut parts: Vec<&str> = (0..3).map(|_| pool[rng.usize(..pool.len())]).collect();
            parts.extend((0..3).map(|_| filler[rng.usize(..filler.len())]));
            rng.shuffle(&mut parts);
            (parts.join(". "), label)
        })
        .collect()
}

fn examples(detector: &Detector, ads: &[(String, bool)]) -> Vec<(Features, bool)> {
    ads.iter()
        .map(|(text, label)| {
            let ad = ad(text);
            let full = ad.text();
            let f = detector.featurise(&ad, &Normalised::new(&full), &[], &AdContext::default());
            (f, *label)
        })
        .collect()
}

#[test]
fn features_hold_words_bigrams_and_fired_indicators() {
    let detector = Detector::default();
    let f = detector.featurise(
        &ad("our girls"),
        &Normalised::new("our girls"),
        &[],
        &AdContext::default(),
    );
    // two unigrams, one bigram, one indicator
    assert_eq!(f.len(), 4);
    assert!(f.contains(signal_feature("sex.third_party.our_girls")));
    assert!(f.indices().iter().all(|&i| (i as usize) < DIMENSION));
}

#[test]
fn cross_validation_separates_a_separable_dataset() {
    let detector = Detector::default();
    let data = examples(&detector, &separable_ads(80, 7));
    let report = cross_validate(&data, 5, &TrainParams::default());
    assert_eq!(report.k, 5);
    assert_eq!(report.folds.len(), 5);
    assert!(report.f1 >= 0.9, "{report:?}");
}

#[test]
fn cross_validation_is_near_chance_on_random_labels() {
    // Unique random words per ad and coin-flip labels: a model that leaked
    // test folds into training would memorise them and score far above 0.5.
    let mut rng = fastrand::Rng::with_seed(42);
    let ads: Vec<(String, bool)> = (0..300)
        .map(|_| {
            let words: Vec<String> = (0..8).map(|_| format!("w{}", rng.u32(..400))).collect();
            (words.join(" "), rng.bool())
        })
        .collect();
    let data = examples(&Detector::default(), &ads);
    let report = cross_validate(&data, 5, &TrainParams::default());
    assert!((0.35..=0.65).contains(&report.accuracy), "{report:?}");
}

#[test]
fn training_is_deterministic_given_a_seed() {
    let data = examples(&Detector::default(), &separable_ads(40, 3));
    let params = TrainParams::default();
    assert_eq!(Model::train(&data, &params), Model::train(&data, &params));
    assert_eq!(
        cross_validate(&data, 4, &params),
        cross_validate(&data, 4, &params)
    );
}

#[test]
fn cross_validation_of_too_little_data_is_empty_not_a_panic() {
    let report = cross_validate(&[], 5, &TrainParams::default());
    assert_eq!((report.k, report.f1), (0, 0.0));
    let one = vec![(Features::default(), true)];
    assert!(
        cross_validate(&one, 5, &TrainParams::default())
            .folds
            .is_empty()
    );
    let two = vec![(Features::default(), true), (Features::default(), false)];
    assert_eq!(cross_validate(&two, 10, &TrainParams::default()).k, 2);
}

#[test]
fn model_round_trips_through_json() {
    let data = examples(&Detector::default(), &separable_ads(60, 11));
    let model = Model::train(&data, &TrainParams::default());
    assert!(model.non_zero() > 0);
    let json = serde_json::to_string(&model).unwrap();
    let back: Model = serde_json::from_str(&json).unwrap();
    for (features, _) in &data {
        assert!((model.predict(features) - back.predict(features)).abs() < 1e-6);
    }
    assert!(serde_json::from_str::<Model>(&json.replace("\"format\":1", "\"format\":99")).is_err());
}

#[test]
fn with_a_model_the_score_is_its_probability_and_reasons_show_its_coefficients() {
    let data = examples(&Detector::default(), &separable_ads(80, 5));
    let model = Model::train(&data, &TrainParams::default());
    let detector = Detector::with_model(model.clone());
    let text = "new girls every week, call my manager";
    let a = assess_with(&detector, text, &[], &AdContext::default());
    let plain = Detector::default();
    let f = plain.featurise(
        &ad(text),
        &Normalised::new(text),
        &[],
        &AdContext::default(),
    );
    assert_eq!(a.score, model.predict(&f));
    assert!(a.score > 0.5);
    let rotation = a
        .reasons
        .iter()
        .find(|r| r.indicator == "sex.movement.rotation")
        .unwrap();
    assert_eq!(
        rotation.weight,
        model.coefficient(signal_feature("sex.movement.rotation"))
    );
    assert_eq!(
        &text[rotation.span.unwrap().range()],
        "new girls every week"
    );
    let benign = assess_with(
        &detector,
        "registered nurse, pension scheme",
        &[],
        &AdContext::default(),
    );
    assert!(benign.score < 0.5);
}

// ---------------------------------------------------------------- loading

#[test]
fn malformed_lexicons_are_errors_not_panics() {
    let signals: String = Structural::ALL
        .iter()
        .map(|s| {
            format!(
                "[[signal]]\nid = \"{}\"\ndescription = \"d\"\nexploitation = \"any\"\nweight = 0.1\nsource = \"s\"\n",
                s.id()
            )
        })
        .collect();
    let indicator = |id: &str, weight: &str, source: &str, phrases: &str| {
        format!(
            "[[indicator]]\nid = \"{id}\"\ndescription = \"d\"\nexploitation = \"sexual\"\ncategory = \"c\"\n\
             weight = {weight}\nlanguage = \"en\"\nsource = \"{source}\"\nphrases = {phrases}\n"
        )
    };
    let head = "version = \"1\"\n[sources]\ns = \"A source\"\n";
    let good = format!(
        "{head}{signals}{}",
        indicator("sex.a.b", "0.5", "s", "[\"x y\"]")
    );
    let lexicon = Lexicon::from_toml(&good).unwrap();
    assert_eq!(lexicon.indicators().len(), 1);
    let bad = [
        format!(
            "{head}{signals}{}",
            indicator("sex.a.b", "1.5", "s", "[\"x\"]")
        ),
        format!(
            "{head}{signals}{}",
            indicator("sex.a.b", "0.5", "nope", "[\"x\"]")
        ),
        format!(
            "{head}{signals}{}",
            indicator("Bad Id", "0.5", "s", "[\"x\"]")
        ),
        format!("{head}{signals}{}", indicator("sex.a.b", "0.5", "s", "[]")),
        format!(
            "{head}{signals}{}",
            indicator("sex.a.b", "0.5", "s", "[\" \"]")
        ),
        format!(
            "{head}{signals}{}{}",
            indicator("sex.a.b", "0.5", "s", "[\"x\"]"),
            indicator("sex.a.b", "0.5", "s", "[\"y\"]")
        ),
        format!("{head}{}", indicator("sex.a.b", "0.5", "s", "[\"x\"]")),
        "not toml at all [[".to_owned(),
    ];
    for source in bad {
        assert!(Lexicon::from_toml(&source).is_err(), "{source}");
    }
}

// ---------------------------------------------------------------- properties

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn ad_text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[a-zA-Z0-9 🌹🍒✈\u{fe0f}ñéİ'’.,!-]{0,200}",
            proptest::collection::vec(
                prop_oneof![
                    Just("young".to_owned()),
                    Just("our girls".to_owned()),
                    Just("I'm Ana".to_owned()),
                    Just("ask for Eva".to_owned()),
                    Just("recién llegada".to_owned()),
                    Just("🌹".to_owned()),
                    Just("\u{200b}".to_owned()),
                    any::<String>(),
                ],
                0..20
            )
            .prop_map(|parts| parts.join(" ")),
        ]
    }

    proptest! {
        #[test]
        fn assessing_any_text_never_panics_and_stays_in_range(
            text in ad_text(),
            ages in proptest::collection::vec(any::<u32>(), 0..3),
            cities in 0usize..6,
            median in proptest::option::of(any::<f64>()),
        ) {
            let ad = ad(&text);
            let full = ad.text();
            let normalised = Normalised::new(&full);
            let len = full.len();
            let ids: Vec<Identifier> = ages
                .iter()
                .map(|a| {
                    let mut id = Identifier::new(IdentifierKind::Age, a.to_string(), Span::new(0, len));
                    id.price = Some(Price { amount: f64::from(*a), currency: "USD".into(), minutes: Some(*a) });
                    id
                })
                .collect();
            let ctx = AdContext { cities_mentioned: cities, local_median_hourly: median };
            let a = Detector::default().assess(&ad, &normalised, &ids, &ctx);
            prop_assert!((0.0..=1.0).contains(&a.score));
            for reason in &a.reasons {
                if let Some(span) = reason.span {
                    prop_assert!(span.end as usize <= full.len());
                    prop_assert!(full.get(span.range()).is_some(), "span off a char boundary");
                }
            }
        }
    }
}

/// Timing, not a check: `cargo test -p ctip-detect --release -- --ignored --nocapture`.
#[test]
#[ignore]
fn timing_of_one_ad() {
    use std::time::Instant;
    let started = Instant::now();
    let detector = Detector::default();
    println!("load lexicon: {:?}", started.elapsed());
    let text = "Hi gentlemen, NEW IN TOWN for a few days only!! Sweet and sexy Latina, \
        petite, 5'2, 110 lbs, 34C. I'm Jessica, ask for my friend Maria too. Incall only in \
        a clean, discreet and upscale apartment near the airport. Outcall available to \
        hotels. No rush, GFE, very friendly and open minded. 🌹🌹 100 hh 160 h. Serious \
        gentlemen only, no police, no games, no blocked calls. Text me at 213 555 0100 or \
        call my manager at 213 555 0199. Available 24/7 all week long, visiting from Miami, \
        Vegas and Houston. Don't miss out, leaving soon! xoxo 💋 Real pics, 100% me.";
    println!("ad bytes: {}", text.len());
    let ad = ad(text);
    let full = ad.text();
    let ctx = AdContext {
        cities_mentioned: 3,
        local_median_hourly: Some(250.0),
    };
    let n = 20_000;
    let normalised = Normalised::new(&full);
    let started = Instant::now();
    let mut total = 0.0;
    for _ in 0..n {
        total += detector.assess(&ad, &normalised, &[], &ctx).score;
    }
    let per = started.elapsed() / n;
    let started2 = Instant::now();
    let mut hits = 0;
    for _ in 0..n {
        hits += detector.lexicon().find(&normalised).len();
    }
    println!(
        "lexicon.find only: {:?} per ad ({} hits)",
        started2.elapsed() / n,
        hits / n as usize
    );
    println!(
        "assess (folded text given): {per:?} per ad, score {}",
        total / n as f32
    );
    let started = Instant::now();
    for _ in 0..n {
        let normalised = Normalised::new(&full);
        total += detector.assess(&ad, &normalised, &[], &ctx).score;
    }
    println!("normalise + assess: {:?} per ad", started.elapsed() / n);
    let started = Instant::now();
    let mut features = 0;
    for _ in 0..n {
        features += detector.featurise(&ad, &normalised, &[], &ctx).len();
    }
    println!(
        "featurise: {:?} per ad ({} features)",
        started.elapsed() / n,
        features / n as usize
    );
    let data = examples(&detector, &separable_ads(2000, 1));
    let started = Instant::now();
    let model = Model::train(&data, &TrainParams::default());
    println!("train 2000 ads x 10 epochs: {:?}", started.elapsed());
    let with_model = Detector::with_model(model);
    let started = Instant::now();
    for _ in 0..n {
        total += with_model.assess(&ad, &normalised, &[], &ctx).score;
    }
    println!("assess with model: {:?} per ad", started.elapsed() / n);
    let started = Instant::now();
    let report = cross_validate(&data, 5, &TrainParams::default());
    println!(
        "5-fold CV on 2000 ads: {:?} (f1 {:.3})",
        started.elapsed(),
        report.f1
    );
    assert!(total.is_finite());
}
