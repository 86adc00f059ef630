//! What ads say: phrase pools per kind of ad and language, in the syntax of
//! [`crate::template`].
//!
//! Network phrases carry the indicator language that published indicator
//! lists cite (youth, movement, third-party control, restrictions, deceptive
//! recruitment), kept non-graphic. Benign phrases borrow a little of it on
//! purpose ("new in town", "no experience needed") as hard negatives.
//!
//! Literal text must not contain identifiers: no digits except the indicator
//! phrases "just turned 18" and "18-25" (not ages of the poster), no number
//! words, no currency signs, no `@`, no platform names outside contact phrases.

/// A part of an ad with the phrases that can fill it.
pub(crate) struct Role {
    pub phrases: &'static [&'static str],
    /// Chance that a network template (or a benign ad) has this part at all.
    pub include: f64,
    /// Whether a network ad may drop it when paraphrasing its template.
    pub droppable: bool,
}

/// A kind of ad in one language: title phrases and body parts in order.
pub(crate) struct Style {
    pub titles: &'static [&'static str],
    pub roles: &'static [Role],
}

const fn must(phrases: &'static [&'static str]) -> Role {
    Role {
        phrases,
        include: 1.0,
        droppable: false,
    }
}

const fn may(include: f64, phrases: &'static [&'static str]) -> Role {
    Role {
        phrases,
        include,
        droppable: true,
    }
}

pub(crate) static ESCORT_EN: Style = Style {
    titles: &[
        "[New in town|Just arrived|Visiting] {emoji} [sweet|sexy|petite] {name} {emoji}",
        "{city} {emoji} [young|fresh] and [fun|sweet] {name}",
        "{emoji} [Brand new|New] [girl|face] in {city} {emoji}",
        "[Young|Fresh] {name} {age} {emoji}",
        "{emoji}{emoji} {name} [in town|available now] {emoji}",
        "[Sweet|Petite] {name} - [call|text] {phone}",
    ],
    roles: &[
        must(&[
            "[Hi|Hey] [gentlemen|guys], I'm {name}, {age} and [new in town|just arrived in {city}].",
            "[Hey|Hello] [guys|gents], my name is {name} {emoji}",
            "{name} here, {age}, [sweet|playful] and [discreet|friendly].",
            "Meet {name} {emoji} {age}, [new in town|visiting {city}].",
        ]),
        may(
            0.8,
            &[
                "[Young|Fresh|Petite] and [sweet|playful], just turned 18.",
                "Barely legal and [ready to party|eager to please].",
                "[Fresh|New] face, [young|sweet] and [shy|innocent].",
                "[Young|Fresh] [college girl|girl next door] {emoji}",
            ],
        ),
        may(
            0.7,
            &[
                "In town for a few days only.",
                "Visiting {city} this week only.",
                "New girls every week.",
                "[Just arrived|Just got here], [leaving soon|here for a short time].",
            ],
        ),
        may(
            0.55,
            &[
                "Our girls are [waiting|ready] for you.",
                "We have [new girls|several girls] available [today|tonight].",
                "Call my manager to book.",
                "Ask for the booker, not the girl.",
            ],
        ),
        may(
            0.5,
            &[
                "Incall only. No black men.",
                "Incall only, cash only.",
                "No LE, no blocked calls.",
                "Serious gentlemen only, [no games|no time wasters].",
            ],
        ),
        must(&[
            "[Rates|Specials|Donations]: {price}.",
            "[Special|Today only] {price} {emoji}",
            "[Specials|Rates] {price}, [no rush|fully discreet]",
        ]),
        must(&[
            "[Call|Text] {phone} {emoji}",
            "[Text|Call] me {phone}, [no blocked calls|texts preferred]",
            "Text {phone} or {handle} {emoji}",
            "Booking: {phone} / {email}.",
            "[Text only|Call or text] {phone} {emoji}",
            "[Call|Text] {phone} or {phone2} {emoji}",
        ]),
        may(
            0.35,
            &[
                "Follow me: {handle} {emoji}",
                "More pics on {handle} {emoji}",
            ],
        ),
        may(
            0.0,
            &["Deposit required, [send|transfer] to {wallet} to [confirm|secure] your booking."],
        ),
        may(
            0.5,
            &[
                "{emoji} [Kisses|xoxo] {emoji}",
                "[See you soon|Don't miss out] {emoji}",
            ],
        ),
    ],
};

pub(crate) static ESCORT_ES: Style = Style {
    titles: &[
        "[Jovencita|Chica nueva] recién llegada a {city} {emoji}",
        "{emoji} {name} [nueva en la ciudad|recién llegada] {emoji}",
        "[Jovencita|Chica] {name} {age} {emoji}",
        "{city} {emoji} [nuevas chicas|chicas nuevas] {emoji}",
    ],
    roles: &[
        must(&[
            "[Hola|Buenas] [caballeros|chicos], soy {name}, {age}, [nueva en la ciudad|recién llegada a {city}].",
            "{name}, {age}, [dulce|cariñosa] y [discreta|simpática] {emoji}",
            "Me llamo {name} {emoji}",
        ]),
        may(
            0.8,
            &[
                "[Jovencita|Muy joven] y [cariñosa|dulce], recién cumplidos los 18.",
                "[Cara nueva|Chica nueva], [jovencita|muy joven] y [tímida|inocente].",
            ],
        ),
        may(
            0.7,
            &[
                "Solo unos días en {city}.",
                "Nuevas chicas cada semana.",
                "[Recién llegada|Acabo de llegar], [me voy pronto|por poco tiempo].",
            ],
        ),
        may(
            0.55,
            &[
                "Tenemos [chicas nuevas|varias chicas] disponibles [hoy|esta semana].",
                "Pregunta por el encargado para reservar.",
                "Nuestras chicas te esperan.",
            ],
        ),
        may(
            0.5,
            &[
                "Solo en mi apartamento, solo efectivo.",
                "Sin llamadas ocultas.",
            ],
        ),
        must(&["Tarifas: {price}.", "[Promoción|Solo hoy] {price} {emoji}"]),
        must(&[
            "[Llama|Escribe] al {phone} {emoji}",
            "WhatsApp {phone} {emoji}",
            "Llama al {phone} o escribe a {handle} {emoji}",
            "Contacto: {phone} / {email}.",
            "Tel. {phone} / {phone2} {emoji}",
        ]),
        may(0.0, &["Depósito por adelantado a {wallet} para reservar."]),
        may(
            0.5,
            &[
                "{emoji} Besos {emoji}",
                "[Te espero|No te lo pierdas] {emoji}",
            ],
        ),
    ],
};

pub(crate) static MASSAGE_NETWORK_EN: Style = Style {
    titles: &[
        "[Grand opening|New staff] {emoji} {city}",
        "{emoji} [Relaxing|Best] massage in {city} - new [young|pretty] staff {emoji}",
        "[Open late|Walk-ins welcome] {emoji} {phone}",
    ],
    roles: &[
        must(&[
            "[Grand opening|Now open]! New [young|pretty] staff [every week|weekly] {emoji}",
            "Our girls are [young|friendly] and [new|sweet].",
        ]),
        must(&[
            "[Relaxing|Soothing] table shower, open late.",
            "Body scrub and [relaxing|soothing] massage, [private rooms|clean rooms].",
        ]),
        may(
            0.6,
            &[
                "New girls every week.",
                "Ask for the manager.",
                "We have [new girls|new staff] [today|this week].",
            ],
        ),
        may(
            0.6,
            &["Incall only, walk-ins welcome.", "Cash only, no LE."],
        ),
        must(&["[Specials|Rates]: {price}.", "[Special|This week] {price}."]),
        must(&[
            "Call {phone} {emoji}",
            "[Call|Text] {phone} for appointment",
            "Ask for {name}: {phone}.",
        ]),
        may(0.0, &["Deposit to {wallet} to hold your room."]),
        may(0.4, &["{emoji} [Open late|See you soon]"]),
    ],
};

pub(crate) static JOB_NETWORK_EN: Style = Style {
    titles: &[
        "[Work abroad|Jobs in {place}] - [high salary|big money] {emoji}",
        "[Hiring now|Urgent]: [waitresses|hostesses|models] for {place} {emoji}",
        "{emoji} Dream job in {place} {emoji}",
    ],
    roles: &[
        must(&[
            "[Hiring|Recruiting] [waitresses|dancers|hostesses|models|domestic workers] to work in {place}.",
            "Work abroad in {place}, [start right away|leave this week].",
        ]),
        must(&[
            "High salary, no experience needed.",
            "[Big money|Great salary], no experience or English needed.",
        ]),
        may(
            0.8,
            &[
                "Visa and flight paid.",
                "We pay your [ticket|flight] and visa.",
            ],
        ),
        may(
            0.7,
            &[
                "Accommodation provided.",
                "Free [housing|room] with other girls.",
            ],
        ),
        may(
            0.6,
            &[
                "Girls 18-25 only.",
                "Young girls preferred, [pretty|slim] and [friendly|outgoing].",
            ],
        ),
        may(
            0.6,
            &[
                "We keep your passport for safety.",
                "Recruitment fee deducted from salary.",
                "Your documents stay with the agency.",
            ],
        ),
        may(
            0.5,
            &["[Leave in a few days|Limited places], [apply today|don't miss out]."],
        ),
        must(&[
            "Contact {phone} or {email}.",
            "[Call|WhatsApp] {phone}.",
            "Send photo to {email} or call {phone}.",
            "Apply: {handle} or {phone}.",
        ]),
        may(0.0, &["Registration deposit to {wallet}."]),
    ],
};

pub(crate) static JOB_NETWORK_ES: Style = Style {
    titles: &[
        "Trabajo en el extranjero: {place} {emoji}",
        "[Se buscan|Buscamos] chicas para {place} {emoji}",
    ],
    roles: &[
        must(&[
            "Buscamos [camareras|bailarinas|modelos|azafatas] para trabajar en {place}.",
            "Trabajo en el extranjero, [salida inmediata|empieza ya].",
        ]),
        must(&[
            "Sueldo alto, sin experiencia.",
            "[Mucho dinero|Gran sueldo], sin experiencia ni idiomas.",
        ]),
        may(
            0.8,
            &[
                "Pasaje y visa pagados.",
                "Te pagamos el [pasaje|vuelo] y la visa.",
            ],
        ),
        may(
            0.7,
            &["Alojamiento incluido.", "Vivienda gratis con otras chicas."],
        ),
        may(
            0.6,
            &[
                "Solo chicas jóvenes (18-25).",
                "Chicas jóvenes, [guapas|delgadas] y [simpáticas|alegres].",
            ],
        ),
        may(
            0.6,
            &[
                "Guardamos tu pasaporte por seguridad.",
                "La cuota de reclutamiento se descuenta del sueldo.",
            ],
        ),
        may(0.5, &["Plazas limitadas, [escríbenos hoy|no lo pienses]."]),
        must(&[
            "Contacto: {phone}.",
            "[Llama|WhatsApp] al {phone}.",
            "Envía tu foto a {email} o llama al {phone}.",
            "Escríbenos: {handle} o {phone}.",
        ]),
        may(0.0, &["Depósito de inscripción a {wallet}."]),
    ],
};

pub(crate) static SPA_EN: Style = Style {
    titles: &[
        "{business} - [licensed|professional] massage in {city}",
        "[Relaxing|Therapeutic] massage {emoji} {business}",
        "[Swedish|Deep tissue] massage in {city}",
    ],
    roles: &[
        must(&[
            "[Licensed|Certified] massage therapists in [downtown|central] {city}.",
            "{business} offers [therapeutic|relaxing] massage for [stress|back pain|sports recovery].",
        ]),
        may(
            0.9,
            &[
                "Swedish, deep tissue and hot stone massage.",
                "Prenatal and sports massage available.",
                "Couples massage by appointment.",
            ],
        ),
        may(
            0.6,
            &[
                "[Clean|Quiet], professional and friendly.",
                "Relax after a long week.",
                "New in town? Ask about our welcome offer.",
                "Just arrived: [new aromatherapy oils|a new sauna room].",
            ],
        ),
        may(
            0.7,
            &[
                "[Prices|Rates]: {price}.",
                "Massage {price}, gift cards available.",
            ],
        ),
        may(0.4, &["License No. MT{license}."]),
        may(0.15, &["Voucher ref {ref}."]),
        must(&[
            "Book by phone {phone}.",
            "Call {phone} to book.",
            "Book online: {link}",
            "Email {email} for appointments.",
        ]),
        may(
            0.5,
            &[
                "Open Monday to Saturday, walk-ins welcome.",
                "Open daily, by appointment.",
            ],
        ),
    ],
};

pub(crate) static SPA_ES: Style = Style {
    titles: &[
        "{business}: masajes en {city}",
        "Masaje [terapéutico|relajante] {emoji}",
    ],
    roles: &[
        must(&[
            "Masajistas [tituladas|profesionales] en el centro de {city}.",
            "{business}: masajes terapéuticos y deportivos.",
        ]),
        may(
            0.9,
            &["Masaje sueco, descontracturante y con piedras calientes."],
        ),
        may(
            0.5,
            &[
                "Ambiente [tranquilo|limpio] y profesional.",
                "¿Recién llegado a la ciudad? Pregunta por la oferta de bienvenida.",
            ],
        ),
        may(0.7, &["Tarifas: {price}."]),
        may(0.15, &["Bono regalo ref. {ref}."]),
        must(&[
            "Reserva tu cita: {phone}.",
            "Reservas en {link}",
            "Escríbenos a {email}.",
        ]),
        may(0.5, &["Abierto de lunes a sábado."]),
    ],
};

pub(crate) static JOB_EN: Style = Style {
    titles: &[
        "Now hiring in {city}: [apply today|join our team]",
        "{business} is hiring in {city}",
        "[Job|Career] opportunity in {city} {emoji}",
    ],
    roles: &[
        must(&[
            "{business} is hiring [a registered nurse|delivery drivers|a line cook|warehouse associates|home care aides] in {city}.",
        ]),
        may(
            0.9,
            &[
                "[Full-time|Part-time] position with benefits.",
                "Day and night shifts, paid training.",
                "Pay based on experience, paid every week.",
            ],
        ),
        may(
            0.7,
            &[
                "Requirements: valid license and references.",
                "No experience needed, we train you.",
                "Must be authorized to work in the country.",
            ],
        ),
        may(0.5, &["Job ID {jobid}."]),
        must(&[
            "Apply by email: {email}.",
            "Call {phone} to apply.",
            "Apply online at {link}",
            "Send your CV to {email} or call {phone}.",
        ]),
        may(0.4, &["Equal opportunity employer."]),
    ],
};

pub(crate) static JOB_ES: Style = Style {
    titles: &[
        "Oferta de empleo en {city}",
        "{business} busca personal en {city}",
    ],
    roles: &[
        must(&["{business} busca [cocinero/a|conductor/a|enfermero/a|camarero/a] en {city}."]),
        may(
            0.9,
            &[
                "Contrato indefinido, jornada completa.",
                "Media jornada, horario flexible.",
            ],
        ),
        may(
            0.6,
            &[
                "Se valora experiencia.",
                "Sin experiencia, formación a cargo de la empresa.",
            ],
        ),
        may(0.5, &["Ref. oferta {jobid}."]),
        must(&[
            "Envía tu CV a {email}.",
            "Llama al {phone}.",
            "Inscríbete en {link}",
        ]),
    ],
};

pub(crate) static PERSONAL_EN: Style = Style {
    titles: &[
        "[Looking for|Seeking] [a hiking buddy|a dinner date|new friends|something serious] in {city}",
        "{name}, {age}, [teacher|nurse|engineer|chef|designer]",
        "Anyone up for [coffee|a walk|live music]? {emoji}",
    ],
    roles: &[
        must(&[
            "{name}, {age}, [teacher|nurse|engineer|chef|designer] living in {city}.",
            "[Hi|Hello], my name is {name} {emoji}",
        ]),
        may(
            0.9,
            &[
                "I enjoy [hiking|cooking|live music|board games|gardening|cycling] and [good coffee|old movies|long walks].",
            ],
        ),
        may(
            0.9,
            &[
                "Looking for [a hiking buddy|someone kind and honest|a long-term partner|new friends].",
            ],
        ),
        may(
            0.2,
            &["[Recently moved here|New in town] and keen to meet people."],
        ),
        may(
            0.85,
            &[
                "Message me on {handle} {emoji}",
                "Write to {email}.",
                "Say hi on {handle} {emoji}",
            ],
        ),
    ],
};

pub(crate) static PERSONAL_ES: Style = Style {
    titles: &[
        "Busco [amigos|pareja|compañía para hacer senderismo] en {city}",
        "{name}, {age}",
    ],
    roles: &[
        must(&["{name}, {age}, [profesora|enfermero|ingeniera|cocinero] en {city}."]),
        may(
            0.9,
            &["Me gusta [el senderismo|cocinar|la música en directo|el cine]."],
        ),
        may(0.9, &["Busco [pareja estable|amistad|gente para salir]."]),
        may(
            0.2,
            &["Recién llegado a la ciudad, con ganas de conocer gente."],
        ),
        may(
            0.85,
            &["Escríbeme en {handle} {emoji}", "Mi correo: {email}."],
        ),
    ],
};

/// Every style, for the catalogue test.
#[cfg(test)]
pub(crate) static ALL_STYLES: &[&Style] = &[
    &ESCORT_EN,
    &ESCORT_ES,
    &MASSAGE_NETWORK_EN,
    &JOB_NETWORK_EN,
    &JOB_NETWORK_ES,
    &SPA_EN,
    &SPA_ES,
    &JOB_EN,
    &JOB_ES,
    &PERSONAL_EN,
    &PERSONAL_ES,
];

/// Site-wide boilerplate: the same footer on many unrelated ads.
pub(crate) const FOOTERS_EN: &[&str] = &[
    "Posted via ClassiHub - report abuse at https://classihub.example/report",
    "ClassiHub reminds you: never send money in advance. Report suspicious ads at https://classihub.example/safety",
    "All ads are reviewed by ClassiHub moderators. Terms: https://classihub.example/terms",
];
pub(crate) const FOOTERS_ES: &[&str] = &[
    "Publicado en Anuncialo - denuncia abusos en https://anuncialo.example/denuncia",
    "Anuncialo: nunca envíes dinero por adelantado. Normas: https://anuncialo.example/normas",
];

pub(crate) const ESCORT_NAMES_EN: &[&str] = &[
    "Rosie", "Candy", "Bella", "Destiny", "Jade", "Kitty", "Lexi", "Mia", "Ruby", "Summer",
    "Amber", "Crystal", "Diamond", "Honey", "Ivy", "Jasmine", "Lola", "Nikki", "Paris", "Scarlett",
    "Skye", "Tiffany", "Violet", "Zoe", "Angel", "Brandy", "Cherry", "Daisy", "Gigi", "Kiki",
];
pub(crate) const ESCORT_NAMES_ES: &[&str] = &[
    "Valentina",
    "Camila",
    "Daniela",
    "Sofía",
    "Lucía",
    "Paola",
    "Yesenia",
    "Karla",
    "Mariana",
    "Ximena",
    "Luna",
    "Alejandra",
    "Fernanda",
    "Andrea",
    "Nicole",
    "Estrella",
];
pub(crate) const PERSONAL_NAMES_EN: &[&str] = &[
    "Mark", "Sarah", "David", "Emily", "James", "Laura", "Chris", "Anna", "Michael", "Rachel",
    "Tom", "Kate", "Daniel", "Megan", "Paul", "Lisa", "Ben", "Hannah", "Sam", "Olivia",
];
pub(crate) const PERSONAL_NAMES_ES: &[&str] = &[
    "Javier", "María", "Carlos", "Elena", "Diego", "Carmen", "Pablo", "Lucía", "Andrés", "Marta",
    "Jorge", "Isabel",
];

/// Emoji that escort ads use as code (youth, sex for money, new arrivals).
pub(crate) const CODED_EMOJI: &[&str] = &[
    "🌹", "🍒", "🍭", "🎀", "👑", "🍬", "💦", "💋", "🔥", "✨", "🦋", "🍑",
];
/// Emoji of recruitment ads, deceptive or not.
pub(crate) const JOB_EMOJI: &[&str] = &["✈️", "💰", "🌍", "✨", "💼"];
/// Emoji of ordinary ads; `✨` is shared on purpose.
pub(crate) const BENIGN_EMOJI: &[&str] = &["🌿", "💆", "✨", "😊", "☕", "🌞", "🙂", "💼"];

pub(crate) const PLACES_EN: &[&str] = &[
    "Dubai",
    "Japan",
    "Europe",
    "Spain",
    "Italy",
    "Singapore",
    "the Gulf",
    "Canada",
];
pub(crate) const PLACES_ES: &[&str] = &[
    "España",
    "Japón",
    "Europa",
    "Estados Unidos",
    "Dubái",
    "Italia",
];

pub(crate) const SPA_NAMES: (&[&str], &[&str]) = (
    &[
        "Serenity",
        "Lotus",
        "Harmony",
        "Bamboo",
        "Willow",
        "Cedar",
        "Tranquil",
        "Golden Hands",
        "Blue Lagoon",
        "Zen Garden",
    ],
    &[
        "Spa",
        "Massage Studio",
        "Wellness",
        "Therapy Center",
        "Day Spa",
    ],
);
pub(crate) const SPA_NAMES_ES: (&[&str], &[&str]) = (
    &[
        "Armonía",
        "Loto",
        "Bambú",
        "Sauce",
        "Equilibrio",
        "Manos de Oro",
    ],
    &["Spa", "Centro de Masajes", "Bienestar", "Fisioterapia"],
);
pub(crate) const EMPLOYER_NAMES: (&[&str], &[&str]) = (
    &[
        "Northfield",
        "Riverside",
        "Oakline",
        "Summit",
        "Bluebird",
        "Greenway",
        "Lakeshore",
        "Maple",
        "Harbor",
        "Pinecrest",
    ],
    &[
        "Home Care",
        "Logistics",
        "Kitchen Co.",
        "Health Partners",
        "Staffing",
        "Dental Group",
    ],
);
pub(crate) const EMPLOYER_NAMES_ES: (&[&str], &[&str]) = (
    &["Grupo", "Transportes", "Cocinas", "Clínica", "Servicios"],
    &["Sol", "Norte", "Horizonte", "Mirador", "Olivo", "Levante"],
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::Phrase;

    const NUMBER_WORDS: &[&str] = &[
        "zero", "oh", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
        "ten", "eleven", "twelve", "twenty", "thirty", "forty", "fifty", "hundred", "thousand",
    ];

    const IDENTIFIER_SLOTS: &[&str] = &[
        "{phone}",
        "{phone2}",
        "{handle}",
        "{email}",
        "{price}",
        "{age}",
        "{wallet}",
        "{ref}",
        "{jobid}",
        "{license}",
    ];

    #[test]
    fn every_phrase_parses_and_plants_nothing_by_itself() {
        let titles: Vec<&&str> = ALL_STYLES.iter().flat_map(|s| s.titles.iter()).collect();
        let all = ALL_STYLES
            .iter()
            .flat_map(|s| {
                s.titles
                    .iter()
                    .chain(s.roles.iter().flat_map(|r| r.phrases.iter()))
            })
            .chain(FOOTERS_EN)
            .chain(FOOTERS_ES);
        for source in all {
            let phrase = Phrase::parse(source);
            assert!(phrase.is_well_formed(), "{source}");
            if !titles.contains(&source) {
                // Two identifiers must never touch across a sentence break.
                for slot in IDENTIFIER_SLOTS {
                    assert!(!source.ends_with(slot), "{source} ends with an identifier");
                    assert!(
                        !source.starts_with(slot),
                        "{source} starts with an identifier"
                    );
                }
            }
            let mut literal = String::new();
            let mut in_slot = false;
            for c in source.chars() {
                match c {
                    '{' => in_slot = true,
                    '}' => in_slot = false,
                    c if !in_slot => literal.push(c),
                    _ => {}
                }
            }
            let literal = literal
                .replace("just turned 18", "")
                .replace("18-25", "")
                .replace("los 18", "");
            assert!(
                !literal.contains(|c: char| c.is_ascii_digit()),
                "digits in {source}"
            );
            assert!(!literal.contains(['$', '€', '£', '@']), "{source}");
            for word in literal.split(|c: char| !c.is_alphanumeric()) {
                let word = word.to_lowercase();
                assert!(
                    !NUMBER_WORDS.contains(&word.as_str()),
                    "number word `{word}` in {source}"
                );
                assert!(
                    !["hr", "hh", "qv", "age", "aged", "edad", "tengo"].contains(&word.as_str()),
                    "{source}"
                );
            }
        }
    }
}
