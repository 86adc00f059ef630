//! The field table: the one description of a case document from which the
//! importer validates, the JSON Schema is generated, sensitive paths are
//! listed and de-identification decides what to drop.
//!
//! Each [`FieldSpec`] is one JSON key of one kind of object. HTCDS fields use
//! the standard's name including its prefix (`vic_TypeOfExploitation`); ctip's
//! additions inside HTCDS entities carry the `ctip:` prefix; the document frame
//! (`id`, `victim`, `perpetrators`, …), which HTCDS leaves to implementers,
//! uses plain snake_case keys.

use crate::picklist::{
    AgeBand, CaseStatus, EducationLevel, ExploitationType, ForcedLabourIndustry, Gender,
    HistoricEventType, MaritalStatus, MethodOfControl, OnlinePlatform, OrganisationType,
    PerpetratorRole, Picklist, RecruitmentMethod, ReferralReason, ReferralStatus,
    RelationshipToTrafficker, SexExploitationType, StatusDecisionMaker, SupportPlanType,
    TraffickingStatus, Vulnerability,
};
use crate::schema::SCHEMA_ID;
use crate::standard::HTCDS_VERSION;

/// Longest value of an HTCDS `Text` field (Salesforce's text limit).
pub const TEXT_MAX_CHARS: usize = 255;
/// Longest value of an HTCDS `Long Text` field (Salesforce's long text limit).
pub const LONG_TEXT_MAX_CHARS: usize = 131_072;

/// The kinds of JSON object in a case document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    /// The case document itself (the root).
    Case,
    /// An organisation (`org_`), target of organisation lookups.
    Organisation,
    /// A person other than the victim and perpetrators, such as a case worker
    /// named in a referral.
    Person,
    /// The person the case is about: person fields plus the victim context.
    Victim,
    /// A perpetrator: person fields plus the perpetrator context.
    Perpetrator,
    /// The referral by which the case came in.
    IncomingReferral,
    /// A referral of the case to another organisation.
    OutgoingReferral,
    /// A case comment.
    Comment,
    /// A historic trafficking event (movement).
    HistoricEvent,
    /// A support plan.
    SupportPlan,
    /// Consent: the HTCDS checkbox plus ctip's per-purpose records.
    Consent,
    /// One purpose's consent record (ctip).
    ConsentPurpose,
}

impl ObjectKind {
    /// Every object kind.
    pub const ALL: [ObjectKind; 12] = [
        Self::Case,
        Self::Organisation,
        Self::Person,
        Self::Victim,
        Self::Perpetrator,
        Self::IncomingReferral,
        Self::OutgoingReferral,
        Self::Comment,
        Self::HistoricEvent,
        Self::SupportPlan,
        Self::Consent,
        Self::ConsentPurpose,
    ];

    /// The groups of fields the object holds, in document order.
    pub fn groups(self) -> &'static [FieldGroup] {
        use FieldGroup as G;
        match self {
            Self::Case => &[G::Document, G::RequiredId, G::Case, G::CaseParts],
            Self::Organisation => &[G::RequiredId, G::Organisation],
            Self::Person => &[G::RequiredId, G::Person],
            Self::Victim => &[G::RequiredId, G::Person, G::VictimContext],
            Self::Perpetrator => &[G::RequiredId, G::Person, G::PerpetratorContext],
            Self::IncomingReferral => &[G::IncomingReferral],
            Self::OutgoingReferral => &[G::OptionalId, G::OutgoingReferral],
            Self::Comment => &[G::OptionalId, G::Comment],
            Self::HistoricEvent => &[G::OptionalId, G::HistoricEvent],
            Self::SupportPlan => &[G::OptionalId, G::SupportPlan],
            Self::Consent => &[G::Consent],
            Self::ConsentPurpose => &[G::ConsentPurpose],
        }
    }

    /// Every field of the object, in document order.
    pub fn fields(self) -> impl Iterator<Item = &'static FieldSpec> {
        self.groups()
            .iter()
            .flat_map(|group| FIELDS.iter().filter(move |field| field.group == *group))
    }

    /// The field with this JSON key, if the object has one.
    pub fn field(self, key: &str) -> Option<&'static FieldSpec> {
        self.fields().find(|field| field.key == key)
    }

    /// The name of the object's definition in the schema's `$defs`.
    pub fn schema_name(self) -> &'static str {
        match self {
            Self::Case => "case",
            Self::Organisation => "organisation",
            Self::Person => "person",
            Self::Victim => "victim",
            Self::Perpetrator => "perpetrator",
            Self::IncomingReferral => "incoming_referral",
            Self::OutgoingReferral => "outgoing_referral",
            Self::Comment => "comment",
            Self::HistoricEvent => "historic_trafficking_event",
            Self::SupportPlan => "support_plan",
            Self::Consent => "consent",
            Self::ConsentPurpose => "consent_purpose",
        }
    }
}

/// A set of fields that several object kinds can share (the person fields are
/// in people, victims and perpetrators alike).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldGroup {
    /// `$schema` and `htcds_version`.
    Document,
    /// A required `id`, for records that lookups point at.
    RequiredId,
    /// An optional `id`, for other records in lists.
    OptionalId,
    /// `cas_` fields of the case itself.
    Case,
    /// The frame keys that hold the case's entities.
    CaseParts,
    /// `org_` fields.
    Organisation,
    /// `prs_` fields.
    Person,
    /// `vic_` fields.
    VictimContext,
    /// `per_` fields.
    PerpetratorContext,
    /// `cas_` fields of an incoming referral.
    IncomingReferral,
    /// `cas_` fields of an outgoing referral.
    OutgoingReferral,
    /// `cco_` fields.
    Comment,
    /// `hte_` fields.
    HistoricEvent,
    /// `spl_` fields.
    SupportPlan,
    /// `con_` fields and the per-purpose records.
    Consent,
    /// The fields of one purpose's consent record.
    ConsentPurpose,
}

/// Where a key comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A field of the HTCDS 2.0 sheet; its label and description come from
    /// the embedded sheet.
    Htcds,
    /// A ctip extension inside an HTCDS entity (`ctip:` prefix).
    Ctip,
    /// The document frame, which HTCDS leaves to implementers.
    Frame,
}

/// The entity a lookup points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookupTarget {
    /// An `id` in the document's `organisations`.
    Organisation,
    /// An `id` of the victim, a perpetrator or an entry of `persons`.
    Person,
    /// A user of the ctip instance; not resolved inside the document.
    User,
}

/// The value a field holds (one value; [`FieldSpec::multi`] makes a list).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldKind {
    /// Text of 1 to `max_chars` characters.
    Text {
        /// Longest value, in Unicode scalar values.
        max_chars: usize,
    },
    /// A record identifier ([`crate::RecordId`]).
    Id,
    /// An ISO 8601 calendar date.
    Date,
    /// A whole number in a range.
    Integer {
        /// Smallest value.
        min: u32,
        /// Largest value.
        max: u32,
    },
    /// Decimal degrees of latitude.
    Latitude,
    /// Decimal degrees of longitude.
    Longitude,
    /// A boolean.
    Checkbox,
    /// One of a fixed list of value names.
    Picklist(&'static [&'static str]),
    /// An ISO 3166-1 country code.
    Country,
    /// An ISO 639 language code.
    Language,
    /// An E.164 phone number.
    Phone,
    /// An e-mail address.
    Email,
    /// The identifier of another record.
    Lookup(LookupTarget),
    /// Exactly this string.
    Constant(&'static str),
    /// A nested object.
    Object(ObjectKind),
}

/// What kind of sensitive data a field holds; the server encrypts every
/// sensitive field at rest, and de-identification drops them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Sensitivity {
    /// Names and salutations.
    Name,
    /// Birth dates.
    BirthDate,
    /// Addresses, phones, e-mail, job title.
    ContactDetails,
    /// National identity numbers.
    IdentityNumber,
    /// Free text, which can hold anything.
    FreeText,
    /// Precise places (street, postal code, coordinates) of trafficking events.
    Location,
}

impl Sensitivity {
    /// The category's name, as in the schema annotation `x-ctip-sensitive`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Name => "name",
            Self::BirthDate => "birth_date",
            Self::ContactDetails => "contact_details",
            Self::IdentityNumber => "identity_number",
            Self::FreeText => "free_text",
            Self::Location => "location",
        }
    }
}

/// One JSON key of one kind of object.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldSpec {
    /// The JSON key.
    pub key: &'static str,
    /// The group the field belongs to.
    pub group: FieldGroup,
    /// Where the key comes from.
    pub origin: Origin,
    /// The kind of value.
    pub kind: FieldKind,
    /// Whether the value is a list (HTCDS multiselect, or a list of records).
    pub multi: bool,
    /// Whether the key must be present.
    pub required: bool,
    /// Whether and why the value is sensitive.
    pub sensitivity: Option<Sensitivity>,
    /// For ctip and frame keys, what the key means (HTCDS keys take theirs
    /// from the sheet).
    pub note: &'static str,
}

const TEXT: FieldKind = FieldKind::Text {
    max_chars: TEXT_MAX_CHARS,
};
const LONG_TEXT: FieldKind = FieldKind::Text {
    max_chars: LONG_TEXT_MAX_CHARS,
};
const ORGANISATION: FieldKind = FieldKind::Lookup(LookupTarget::Organisation);
const PERSON: FieldKind = FieldKind::Lookup(LookupTarget::Person);
const USER: FieldKind = FieldKind::Lookup(LookupTarget::User);

const fn picklist<P: Picklist>() -> FieldKind {
    FieldKind::Picklist(P::VALUES)
}

/// An optional, single-valued HTCDS field.
const fn htcds(group: FieldGroup, key: &'static str, kind: FieldKind) -> FieldSpec {
    FieldSpec {
        key,
        group,
        origin: Origin::Htcds,
        kind,
        multi: false,
        required: false,
        sensitivity: None,
        note: "",
    }
}

/// A ctip extension or frame key.
const fn ours(
    group: FieldGroup,
    origin: Origin,
    key: &'static str,
    kind: FieldKind,
    note: &'static str,
) -> FieldSpec {
    FieldSpec {
        key,
        group,
        origin,
        kind,
        multi: false,
        required: false,
        sensitivity: None,
        note,
    }
}

impl FieldSpec {
    const fn many(mut self) -> Self {
        self.multi = true;
        self
    }

    const fn required(mut self) -> Self {
        self.required = true;
        self
    }

    const fn sensitive(mut self, sensitivity: Sensitivity) -> Self {
        self.sensitivity = Some(sensitivity);
        self
    }

    /// The nested object kind, for frame keys that hold records.
    pub fn object_kind(&self) -> Option<ObjectKind> {
        match self.kind {
            FieldKind::Object(kind) => Some(kind),
            _ => None,
        }
    }
}

use FieldGroup as G;
use Origin::{Ctip, Frame};
use Sensitivity as S;

/// The whole table.
pub static FIELDS: &[FieldSpec] = &[
    // Document frame.
    ours(
        G::Document,
        Frame,
        "$schema",
        FieldKind::Constant(SCHEMA_ID),
        "The schema this document follows.",
    ),
    ours(
        G::Document,
        Frame,
        "htcds_version",
        FieldKind::Constant(HTCDS_VERSION),
        "The HTCDS version of the field names and picklists.",
    )
    .required(),
    ours(
        G::RequiredId,
        Frame,
        "id",
        FieldKind::Id,
        "The record's identifier, unique within its list (people: within the document).",
    )
    .required(),
    ours(
        G::OptionalId,
        Frame,
        "id",
        FieldKind::Id,
        "The record's identifier, unique within its list.",
    ),
    // Case.
    htcds(G::Case, "cas_Status", picklist::<CaseStatus>()).required(),
    htcds(G::Case, "cas_ReasonForCaseClosure", LONG_TEXT).sensitive(S::FreeText),
    htcds(G::Case, "cas_CaseOwner", USER),
    ours(
        G::CaseParts,
        Frame,
        "organisations",
        FieldKind::Object(ObjectKind::Organisation),
        "Every organisation the case's lookups point at.",
    )
    .many(),
    ours(
        G::CaseParts,
        Frame,
        "persons",
        FieldKind::Object(ObjectKind::Person),
        "Other people the case's lookups point at, such as case workers.",
    )
    .many(),
    ours(
        G::CaseParts,
        Frame,
        "victim",
        FieldKind::Object(ObjectKind::Victim),
        "The person the case is about, with the victim context.",
    )
    .required(),
    ours(
        G::CaseParts,
        Frame,
        "perpetrators",
        FieldKind::Object(ObjectKind::Perpetrator),
        "Perpetrators, with their roles.",
    )
    .many(),
    ours(
        G::CaseParts,
        Frame,
        "incoming_referral",
        FieldKind::Object(ObjectKind::IncomingReferral),
        "How the case was referred to this organisation.",
    ),
    ours(
        G::CaseParts,
        Frame,
        "outgoing_referrals",
        FieldKind::Object(ObjectKind::OutgoingReferral),
        "Referrals of the case to other organisations.",
    )
    .many(),
    ours(
        G::CaseParts,
        Frame,
        "comments",
        FieldKind::Object(ObjectKind::Comment),
        "Case comments.",
    )
    .many(),
    ours(
        G::CaseParts,
        Frame,
        "historic_trafficking_events",
        FieldKind::Object(ObjectKind::HistoricEvent),
        "Where and when recruitment, transit and exploitation happened.",
    )
    .many(),
    ours(
        G::CaseParts,
        Frame,
        "support_plans",
        FieldKind::Object(ObjectKind::SupportPlan),
        "Support plans.",
    )
    .many(),
    ours(
        G::CaseParts,
        Frame,
        "consent",
        FieldKind::Object(ObjectKind::Consent),
        "Consent, overall and per purpose.",
    ),
    // Organisation.
    htcds(G::Organisation, "org_Name", TEXT),
    htcds(G::Organisation, "org_ShippingCity", TEXT),
    htcds(G::Organisation, "org_ShippingCountry", FieldKind::Country),
    htcds(G::Organisation, "org_ShippingState", TEXT),
    htcds(G::Organisation, "org_ShippingStreet", TEXT),
    htcds(G::Organisation, "org_ShippingPostalCode", TEXT),
    htcds(
        G::Organisation,
        "org_ShippingLongitude",
        FieldKind::Longitude,
    ),
    htcds(G::Organisation, "org_ShippingLatitude", FieldKind::Latitude),
    htcds(G::Organisation, "org_Phone", FieldKind::Phone),
    htcds(G::Organisation, "org_Type", picklist::<OrganisationType>()),
    // Person.
    htcds(G::Person, "prs_Salutation", TEXT).sensitive(S::Name),
    htcds(G::Person, "prs_FirstName", TEXT).sensitive(S::Name),
    htcds(G::Person, "prs_MiddleName", TEXT).sensitive(S::Name),
    htcds(G::Person, "prs_SecondName", TEXT).sensitive(S::Name),
    htcds(G::Person, "prs_Birthdate", FieldKind::Date).sensitive(S::BirthDate),
    htcds(G::Person, "prs_Gender", picklist::<Gender>()),
    htcds(G::Person, "prs_Deceased", FieldKind::Checkbox),
    htcds(G::Person, "prs_MaritalStatus", picklist::<MaritalStatus>()),
    htcds(
        G::Person,
        "prs_NumberOfChildren",
        FieldKind::Integer { min: 0, max: 100 },
    ),
    htcds(G::Person, "prs_PrimaryLanguage", FieldKind::Language),
    htcds(G::Person, "prs_SecondaryLanguage", FieldKind::Language),
    htcds(
        G::Person,
        "prs_HighestLevelOfEducation",
        picklist::<EducationLevel>(),
    ),
    htcds(G::Person, "prs_Citizenship", FieldKind::Country).many(),
    htcds(G::Person, "prs_IdentityNumber", TEXT).sensitive(S::IdentityNumber),
    htcds(G::Person, "prs_Title", TEXT).sensitive(S::ContactDetails),
    htcds(G::Person, "prs_Email", FieldKind::Email).sensitive(S::ContactDetails),
    htcds(G::Person, "prs_HomePhone", FieldKind::Phone).sensitive(S::ContactDetails),
    htcds(G::Person, "prs_MobilePhone", FieldKind::Phone).sensitive(S::ContactDetails),
    htcds(G::Person, "prs_MailingCity", TEXT).sensitive(S::ContactDetails),
    htcds(G::Person, "prs_MailingCountry", FieldKind::Country),
    htcds(G::Person, "prs_MailingState", TEXT),
    htcds(G::Person, "prs_MailingStreet", TEXT).sensitive(S::ContactDetails),
    htcds(G::Person, "prs_MailingPostalCode", TEXT).sensitive(S::ContactDetails),
    htcds(G::Person, "prs_MailingLongitude", FieldKind::Longitude).sensitive(S::ContactDetails),
    htcds(G::Person, "prs_MailingLatitude", FieldKind::Latitude).sensitive(S::ContactDetails),
    ours(
        G::Person,
        Ctip,
        "ctip:age_band",
        picklist::<AgeBand>(),
        "The age band that de-identification puts in place of the birth date.",
    ),
    // Victim context.
    htcds(
        G::VictimContext,
        "vic_AgreementToManagePersonalData",
        FieldKind::Checkbox,
    ),
    htcds(
        G::VictimContext,
        "vic_TraffickingStatus",
        picklist::<TraffickingStatus>(),
    ),
    htcds(
        G::VictimContext,
        "vic_TraffickingStatusDecisionMakingOrg",
        picklist::<StatusDecisionMaker>(),
    ),
    htcds(
        G::VictimContext,
        "vic_RelationshipToTrafficker",
        picklist::<RelationshipToTrafficker>(),
    ),
    htcds(
        G::VictimContext,
        "vic_AgeWhenTrafficked",
        FieldKind::Integer { min: 0, max: 130 },
    ),
    htcds(
        G::VictimContext,
        "vic_RecruitmentWebsitesAndApps",
        picklist::<OnlinePlatform>(),
    )
    .many(),
    htcds(
        G::VictimContext,
        "vic_MethodOfRecruitment",
        picklist::<RecruitmentMethod>(),
    )
    .many(),
    htcds(G::VictimContext, "vic_LocationOfRecruitment", ORGANISATION),
    htcds(
        G::VictimContext,
        "vic_MethodsOfControl",
        picklist::<MethodOfControl>(),
    )
    .many(),
    htcds(
        G::VictimContext,
        "vic_TypeOfExploitation",
        picklist::<ExploitationType>(),
    )
    .many(),
    htcds(
        G::VictimContext,
        "vic_ForcedLabourIndustry",
        picklist::<ForcedLabourIndustry>(),
    ),
    htcds(
        G::VictimContext,
        "vic_TypeOfSexExploitation",
        picklist::<SexExploitationType>(),
    )
    .many(),
    htcds(G::VictimContext, "vic_LocationOfExploitation", ORGANISATION),
    htcds(
        G::VictimContext,
        "vic_ExploitationWebsitesAndApps",
        picklist::<OnlinePlatform>(),
    )
    .many(),
    htcds(
        G::VictimContext,
        "vic_Vulnerabilities",
        picklist::<Vulnerability>(),
    )
    .many(),
    htcds(G::VictimContext, "vic_DetailsOfVulnerabilities", LONG_TEXT).sensitive(S::FreeText),
    ours(
        G::VictimContext,
        Ctip,
        "ctip:age_band_when_trafficked",
        picklist::<AgeBand>(),
        "The age band that de-identification puts in place of vic_AgeWhenTrafficked.",
    ),
    // Perpetrator context.
    htcds(
        G::PerpetratorContext,
        "per_RoleInProcess",
        picklist::<PerpetratorRole>(),
    )
    .many(),
    htcds(G::PerpetratorContext, "per_RoleDetails", LONG_TEXT).sensitive(S::FreeText),
    htcds(G::PerpetratorContext, "per_Organisation", ORGANISATION),
    // Referrals.
    htcds(
        G::IncomingReferral,
        "cas_ReferringOrganisation",
        ORGANISATION,
    )
    .required(),
    htcds(
        G::IncomingReferral,
        "cas_IncomingReferralDate",
        FieldKind::Date,
    ),
    htcds(
        G::IncomingReferral,
        "cas_ReferringPrimaryCaseWorker",
        PERSON,
    ),
    htcds(
        G::IncomingReferral,
        "cas_ReasonForIncomingReferral",
        picklist::<ReferralReason>(),
    ),
    htcds(
        G::IncomingReferral,
        "cas_IncomingReferralDetails",
        LONG_TEXT,
    )
    .sensitive(S::FreeText),
    htcds(
        G::OutgoingReferral,
        "cas_ReferredOrganisation",
        ORGANISATION,
    )
    .required(),
    htcds(G::OutgoingReferral, "cas_ReferredPrimaryCaseWorker", PERSON),
    htcds(
        G::OutgoingReferral,
        "cas_ReasonForOutgoingReferral",
        picklist::<ReferralReason>(),
    ),
    htcds(
        G::OutgoingReferral,
        "cas_OutgoingReferralDate",
        FieldKind::Date,
    ),
    htcds(
        G::OutgoingReferral,
        "cas_OutgoingReferralDetails",
        LONG_TEXT,
    )
    .sensitive(S::FreeText),
    ours(
        G::OutgoingReferral,
        Ctip,
        "ctip:status",
        picklist::<ReferralStatus>(),
        "Where the referral stands: sent, then accepted or rejected, then completed.",
    ),
    // Comments.
    htcds(G::Comment, "cco_CaseComment", LONG_TEXT)
        .required()
        .sensitive(S::FreeText),
    ours(
        G::Comment,
        Ctip,
        "ctip:author",
        USER,
        "The user who wrote the comment.",
    ),
    ours(
        G::Comment,
        Ctip,
        "ctip:created_on",
        FieldKind::Date,
        "The day the comment was written.",
    ),
    // Historic trafficking events.
    htcds(G::HistoricEvent, "hte_Longitude", FieldKind::Longitude).sensitive(S::Location),
    htcds(G::HistoricEvent, "hte_Latitude", FieldKind::Latitude).sensitive(S::Location),
    htcds(G::HistoricEvent, "hte_City", TEXT),
    htcds(G::HistoricEvent, "hte_Country", FieldKind::Country),
    htcds(G::HistoricEvent, "hte_State", TEXT),
    htcds(G::HistoricEvent, "hte_Street", TEXT).sensitive(S::Location),
    htcds(G::HistoricEvent, "hte_PostalCode", TEXT).sensitive(S::Location),
    htcds(G::HistoricEvent, "hte_Date", FieldKind::Date),
    htcds(
        G::HistoricEvent,
        "hte_Type",
        picklist::<HistoricEventType>(),
    ),
    htcds(G::HistoricEvent, "hte_Description", LONG_TEXT).sensitive(S::FreeText),
    // Support plans.
    htcds(G::SupportPlan, "spl_Objectives", LONG_TEXT).sensitive(S::FreeText),
    htcds(G::SupportPlan, "spl_ActionPlan", LONG_TEXT).sensitive(S::FreeText),
    htcds(G::SupportPlan, "spl_PlannedEndDate", FieldKind::Date),
    htcds(G::SupportPlan, "spl_ActualEndDate", FieldKind::Date),
    htcds(G::SupportPlan, "spl_Type", picklist::<SupportPlanType>()),
    // Consent.
    htcds(G::Consent, "con_Consent", FieldKind::Checkbox),
    ours(
        G::Consent,
        Ctip,
        "ctip:referral_to_services",
        FieldKind::Object(ObjectKind::ConsentPurpose),
        "Consent to refer the person to service providers.",
    ),
    ours(
        G::Consent,
        Ctip,
        "ctip:sharing_with_law_enforcement",
        FieldKind::Object(ObjectKind::ConsentPurpose),
        "Consent to share the case with law enforcement.",
    ),
    ours(
        G::Consent,
        Ctip,
        "ctip:statistics_and_research",
        FieldKind::Object(ObjectKind::ConsentPurpose),
        "Consent to use de-identified data for statistics and research.",
    ),
    ours(
        G::ConsentPurpose,
        Frame,
        "given_on",
        FieldKind::Date,
        "The day consent was given.",
    )
    .required(),
    ours(
        G::ConsentPurpose,
        Frame,
        "recorded_by",
        USER,
        "The user who recorded the consent.",
    )
    .required(),
    ours(
        G::ConsentPurpose,
        Frame,
        "withdrawn_on",
        FieldKind::Date,
        "The day consent was withdrawn; absent while it stands.",
    ),
];

/// Every field of the table at the JSON-pointer templates where it can occur
/// in a case document (`*` stands for any array index), in document order.
pub fn field_paths() -> Vec<(String, &'static FieldSpec)> {
    let mut paths = Vec::new();
    collect_paths(ObjectKind::Case, String::new(), &mut paths);
    paths
}

fn collect_paths(kind: ObjectKind, prefix: String, paths: &mut Vec<(String, &'static FieldSpec)>) {
    for field in kind.fields() {
        let path = format!(
            "{prefix}/{}",
            crate::import::escape_pointer_token(field.key)
        );
        paths.push((path.clone(), field));
        if let Some(child) = field.object_kind() {
            let child_prefix = if field.multi {
                format!("{path}/*")
            } else {
                path
            };
            collect_paths(child, child_prefix, paths);
        }
    }
}

/// The table entry for an HTCDS field name including its prefix.
pub fn htcds_field(name: &str) -> Option<&'static FieldSpec> {
    FIELDS
        .iter()
        .find(|field| field.origin == Origin::Htcds && field.key == name)
}
