//! The typed case model.
//!
//! Field names follow Rust style; each is renamed in serde to the exact HTCDS
//! name including its prefix, or to its ctip extension / frame key, as listed
//! in [`crate::table::FIELDS`]. Lists are never `None`: an empty list and an
//! absent key mean the same and export omits both.

use serde::{Deserialize, Serialize};

use crate::picklist::{
    AgeBand, CaseStatus, EducationLevel, ExploitationType, ForcedLabourIndustry, Gender,
    HistoricEventType, MaritalStatus, MethodOfControl, OnlinePlatform, OrganisationType,
    PerpetratorRole, RecruitmentMethod, ReferralReason, ReferralStatus, RelationshipToTrafficker,
    SexExploitationType, StatusDecisionMaker, SupportPlanType, TraffickingStatus, Vulnerability,
};
use crate::values::{
    CountryCode, EmailAddress, IsoDate, LanguageCode, Latitude, Longitude, PhoneNumber, RecordId,
};

/// A case: one victim, the people and organisations around them, and the
/// work done with them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// The case's identifier.
    pub id: RecordId,
    /// `cas_Status`.
    #[serde(rename = "cas_Status")]
    pub status: CaseStatus,
    /// `cas_ReasonForCaseClosure`.
    #[serde(
        rename = "cas_ReasonForCaseClosure",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub reason_for_closure: Option<String>,
    /// `cas_CaseOwner`: the user who manages the case.
    #[serde(
        rename = "cas_CaseOwner",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub owner: Option<RecordId>,
    /// Organisations the case's lookups point at.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organisations: Vec<Organisation>,
    /// Other people the case's lookups point at (case workers).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub persons: Vec<Person>,
    /// The person the case is about.
    pub victim: Victim,
    /// Perpetrators.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub perpetrators: Vec<Perpetrator>,
    /// How the case came in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incoming_referral: Option<IncomingReferral>,
    /// Referrals to other organisations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outgoing_referrals: Vec<OutgoingReferral>,
    /// Case comments.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comments: Vec<CaseComment>,
    /// Historic trafficking events (movement).
    #[serde(
        rename = "historic_trafficking_events",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub historic_events: Vec<HistoricTraffickingEvent>,
    /// Support plans.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub support_plans: Vec<SupportPlan>,
    /// Consent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
}

/// An organisation (`org_` fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organisation {
    /// The organisation's identifier, target of organisation lookups.
    pub id: RecordId,
    /// `org_Name`.
    #[serde(rename = "org_Name", default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `org_ShippingCity`.
    #[serde(
        rename = "org_ShippingCity",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub shipping_city: Option<String>,
    /// `org_ShippingCountry`.
    #[serde(
        rename = "org_ShippingCountry",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub shipping_country: Option<CountryCode>,
    /// `org_ShippingState`.
    #[serde(
        rename = "org_ShippingState",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub shipping_state: Option<String>,
    /// `org_ShippingStreet`.
    #[serde(
        rename = "org_ShippingStreet",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub shipping_street: Option<String>,
    /// `org_ShippingPostalCode`.
    #[serde(
        rename = "org_ShippingPostalCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub shipping_postal_code: Option<String>,
    /// `org_ShippingLongitude`.
    #[serde(
        rename = "org_ShippingLongitude",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub shipping_longitude: Option<Longitude>,
    /// `org_ShippingLatitude`.
    #[serde(
        rename = "org_ShippingLatitude",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub shipping_latitude: Option<Latitude>,
    /// `org_Phone`.
    #[serde(rename = "org_Phone", default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<PhoneNumber>,
    /// `org_Type`.
    #[serde(rename = "org_Type", default, skip_serializing_if = "Option::is_none")]
    pub organisation_type: Option<OrganisationType>,
}

/// A person (`prs_` fields).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PersonFields {
    /// `prs_Salutation`.
    #[serde(
        rename = "prs_Salutation",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub salutation: Option<String>,
    /// `prs_FirstName`.
    #[serde(
        rename = "prs_FirstName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub first_name: Option<String>,
    /// `prs_MiddleName`.
    #[serde(
        rename = "prs_MiddleName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub middle_name: Option<String>,
    /// `prs_SecondName`.
    #[serde(
        rename = "prs_SecondName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub second_name: Option<String>,
    /// `prs_Birthdate`.
    #[serde(
        rename = "prs_Birthdate",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub birthdate: Option<IsoDate>,
    /// `prs_Gender`.
    #[serde(
        rename = "prs_Gender",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub gender: Option<Gender>,
    /// `prs_Deceased`.
    #[serde(
        rename = "prs_Deceased",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub deceased: Option<bool>,
    /// `prs_MaritalStatus`.
    #[serde(
        rename = "prs_MaritalStatus",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub marital_status: Option<MaritalStatus>,
    /// `prs_NumberOfChildren`.
    #[serde(
        rename = "prs_NumberOfChildren",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "whole_number::deserialize"
    )]
    pub number_of_children: Option<u32>,
    /// `prs_PrimaryLanguage`.
    #[serde(
        rename = "prs_PrimaryLanguage",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub primary_language: Option<LanguageCode>,
    /// `prs_SecondaryLanguage`.
    #[serde(
        rename = "prs_SecondaryLanguage",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub secondary_language: Option<LanguageCode>,
    /// `prs_HighestLevelOfEducation`.
    #[serde(
        rename = "prs_HighestLevelOfEducation",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub highest_level_of_education: Option<EducationLevel>,
    /// `prs_Citizenship` (multiselect).
    #[serde(
        rename = "prs_Citizenship",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub citizenship: Vec<CountryCode>,
    /// `prs_IdentityNumber`.
    #[serde(
        rename = "prs_IdentityNumber",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub identity_number: Option<String>,
    /// `prs_Title`: the person's position within an organisation.
    #[serde(rename = "prs_Title", default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `prs_Email`.
    #[serde(rename = "prs_Email", default, skip_serializing_if = "Option::is_none")]
    pub email: Option<EmailAddress>,
    /// `prs_HomePhone`.
    #[serde(
        rename = "prs_HomePhone",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub home_phone: Option<PhoneNumber>,
    /// `prs_MobilePhone`.
    #[serde(
        rename = "prs_MobilePhone",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub mobile_phone: Option<PhoneNumber>,
    /// `prs_MailingCity`.
    #[serde(
        rename = "prs_MailingCity",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub mailing_city: Option<String>,
    /// `prs_MailingCountry`.
    #[serde(
        rename = "prs_MailingCountry",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub mailing_country: Option<CountryCode>,
    /// `prs_MailingState`.
    #[serde(
        rename = "prs_MailingState",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub mailing_state: Option<String>,
    /// `prs_MailingStreet`.
    #[serde(
        rename = "prs_MailingStreet",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub mailing_street: Option<String>,
    /// `prs_MailingPostalCode`.
    #[serde(
        rename = "prs_MailingPostalCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub mailing_postal_code: Option<String>,
    /// `prs_MailingLongitude`.
    #[serde(
        rename = "prs_MailingLongitude",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub mailing_longitude: Option<Longitude>,
    /// `prs_MailingLatitude`.
    #[serde(
        rename = "prs_MailingLatitude",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub mailing_latitude: Option<Latitude>,
    /// ctip extension `ctip:age_band`, set by de-identification.
    #[serde(
        rename = "ctip:age_band",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub age_band: Option<AgeBand>,
}

/// A person who is neither the victim nor a perpetrator (e.g. a case worker).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    /// The person's identifier, target of person lookups.
    pub id: RecordId,
    /// The person fields.
    #[serde(flatten)]
    pub person: PersonFields,
}

/// The victim context (`vic_` fields).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct VictimContext {
    /// `vic_AgreementToManagePersonalData` (deprecated by the standard in
    /// favour of the consent section).
    #[serde(
        rename = "vic_AgreementToManagePersonalData",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub agreement_to_manage_personal_data: Option<bool>,
    /// `vic_TraffickingStatus`.
    #[serde(
        rename = "vic_TraffickingStatus",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub trafficking_status: Option<TraffickingStatus>,
    /// `vic_TraffickingStatusDecisionMakingOrg`.
    #[serde(
        rename = "vic_TraffickingStatusDecisionMakingOrg",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub trafficking_status_decided_by: Option<StatusDecisionMaker>,
    /// `vic_RelationshipToTrafficker`.
    #[serde(
        rename = "vic_RelationshipToTrafficker",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub relationship_to_trafficker: Option<RelationshipToTrafficker>,
    /// `vic_AgeWhenTrafficked`, in years.
    #[serde(
        rename = "vic_AgeWhenTrafficked",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "whole_number::deserialize"
    )]
    pub age_when_trafficked: Option<u32>,
    /// `vic_RecruitmentWebsitesAndApps` (multiselect).
    #[serde(
        rename = "vic_RecruitmentWebsitesAndApps",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub recruitment_platforms: Vec<OnlinePlatform>,
    /// `vic_MethodOfRecruitment` (multiselect).
    #[serde(
        rename = "vic_MethodOfRecruitment",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub recruitment_methods: Vec<RecruitmentMethod>,
    /// `vic_LocationOfRecruitment`: lookup to an organisation.
    #[serde(
        rename = "vic_LocationOfRecruitment",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub location_of_recruitment: Option<RecordId>,
    /// `vic_MethodsOfControl` (multiselect).
    #[serde(
        rename = "vic_MethodsOfControl",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub methods_of_control: Vec<MethodOfControl>,
    /// `vic_TypeOfExploitation` (multiselect).
    #[serde(
        rename = "vic_TypeOfExploitation",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub exploitation_types: Vec<ExploitationType>,
    /// `vic_ForcedLabourIndustry`.
    #[serde(
        rename = "vic_ForcedLabourIndustry",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub forced_labour_industry: Option<ForcedLabourIndustry>,
    /// `vic_TypeOfSexExploitation` (multiselect).
    #[serde(
        rename = "vic_TypeOfSexExploitation",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub sex_exploitation_types: Vec<SexExploitationType>,
    /// `vic_LocationOfExploitation`: lookup to an organisation.
    #[serde(
        rename = "vic_LocationOfExploitation",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub location_of_exploitation: Option<RecordId>,
    /// `vic_ExploitationWebsitesAndApps` (multiselect).
    #[serde(
        rename = "vic_ExploitationWebsitesAndApps",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub exploitation_platforms: Vec<OnlinePlatform>,
    /// `vic_Vulnerabilities` (multiselect, deprecated by the standard).
    #[serde(
        rename = "vic_Vulnerabilities",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub vulnerabilities: Vec<Vulnerability>,
    /// `vic_DetailsOfVulnerabilities` (deprecated by the standard).
    #[serde(
        rename = "vic_DetailsOfVulnerabilities",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub details_of_vulnerabilities: Option<String>,
    /// ctip extension `ctip:age_band_when_trafficked`, set by
    /// de-identification.
    #[serde(
        rename = "ctip:age_band_when_trafficked",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub age_band_when_trafficked: Option<AgeBand>,
}

/// The person the case is about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Victim {
    /// The victim's identifier.
    pub id: RecordId,
    /// The person fields.
    #[serde(flatten)]
    pub person: PersonFields,
    /// The victim context.
    #[serde(flatten)]
    pub context: VictimContext,
}

/// The perpetrator context (`per_` fields).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PerpetratorContext {
    /// `per_RoleInProcess` (multiselect).
    #[serde(
        rename = "per_RoleInProcess",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub roles: Vec<PerpetratorRole>,
    /// `per_RoleDetails`.
    #[serde(
        rename = "per_RoleDetails",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub role_details: Option<String>,
    /// `per_Organisation`: lookup to an organisation.
    #[serde(
        rename = "per_Organisation",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub organisation: Option<RecordId>,
}

/// A perpetrator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Perpetrator {
    /// The perpetrator's identifier.
    pub id: RecordId,
    /// The person fields.
    #[serde(flatten)]
    pub person: PersonFields,
    /// The perpetrator context.
    #[serde(flatten)]
    pub context: PerpetratorContext,
}

/// The referral by which the case came to this organisation (`cas_` referral
/// details, incoming half).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IncomingReferral {
    /// `cas_ReferringOrganisation`.
    #[serde(rename = "cas_ReferringOrganisation")]
    pub referring_organisation: RecordId,
    /// `cas_IncomingReferralDate`.
    #[serde(
        rename = "cas_IncomingReferralDate",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub date: Option<IsoDate>,
    /// `cas_ReferringPrimaryCaseWorker`: lookup to a person.
    #[serde(
        rename = "cas_ReferringPrimaryCaseWorker",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub referring_case_worker: Option<RecordId>,
    /// `cas_ReasonForIncomingReferral`.
    #[serde(
        rename = "cas_ReasonForIncomingReferral",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub reason: Option<ReferralReason>,
    /// `cas_IncomingReferralDetails`.
    #[serde(
        rename = "cas_IncomingReferralDetails",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub details: Option<String>,
}

/// A referral of the case to another organisation (`cas_` referral details,
/// outgoing half; the standard allows several).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutgoingReferral {
    /// The referral's identifier, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<RecordId>,
    /// `cas_ReferredOrganisation`.
    #[serde(rename = "cas_ReferredOrganisation")]
    pub referred_organisation: RecordId,
    /// `cas_ReferredPrimaryCaseWorker`: lookup to a person.
    #[serde(
        rename = "cas_ReferredPrimaryCaseWorker",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub referred_case_worker: Option<RecordId>,
    /// `cas_ReasonForOutgoingReferral`.
    #[serde(
        rename = "cas_ReasonForOutgoingReferral",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub reason: Option<ReferralReason>,
    /// `cas_OutgoingReferralDate`.
    #[serde(
        rename = "cas_OutgoingReferralDate",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub date: Option<IsoDate>,
    /// `cas_OutgoingReferralDetails`.
    #[serde(
        rename = "cas_OutgoingReferralDetails",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub details: Option<String>,
    /// ctip extension `ctip:status`.
    #[serde(
        rename = "ctip:status",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<ReferralStatus>,
}

/// A case comment (`cco_` fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseComment {
    /// The comment's identifier, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<RecordId>,
    /// `cco_CaseComment`.
    #[serde(rename = "cco_CaseComment")]
    pub text: String,
    /// ctip extension `ctip:author`: the user who wrote it.
    #[serde(
        rename = "ctip:author",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub author: Option<RecordId>,
    /// ctip extension `ctip:created_on`.
    #[serde(
        rename = "ctip:created_on",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub created_on: Option<IsoDate>,
}

/// A historic trafficking event (`hte_` fields): where and when a stage of
/// trafficking happened.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HistoricTraffickingEvent {
    /// The event's identifier, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<RecordId>,
    /// `hte_Longitude`.
    #[serde(
        rename = "hte_Longitude",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub longitude: Option<Longitude>,
    /// `hte_Latitude`.
    #[serde(
        rename = "hte_Latitude",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub latitude: Option<Latitude>,
    /// `hte_City`.
    #[serde(rename = "hte_City", default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// `hte_Country`.
    #[serde(
        rename = "hte_Country",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub country: Option<CountryCode>,
    /// `hte_State`.
    #[serde(rename = "hte_State", default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// `hte_Street`.
    #[serde(
        rename = "hte_Street",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub street: Option<String>,
    /// `hte_PostalCode`.
    #[serde(
        rename = "hte_PostalCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub postal_code: Option<String>,
    /// `hte_Date`.
    #[serde(rename = "hte_Date", default, skip_serializing_if = "Option::is_none")]
    pub date: Option<IsoDate>,
    /// `hte_Type`.
    #[serde(rename = "hte_Type", default, skip_serializing_if = "Option::is_none")]
    pub event_type: Option<HistoricEventType>,
    /// `hte_Description`.
    #[serde(
        rename = "hte_Description",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub description: Option<String>,
}

/// A support plan (`spl_` fields).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SupportPlan {
    /// The plan's identifier, if it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<RecordId>,
    /// `spl_Objectives`.
    #[serde(
        rename = "spl_Objectives",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub objectives: Option<String>,
    /// `spl_ActionPlan`.
    #[serde(
        rename = "spl_ActionPlan",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub action_plan: Option<String>,
    /// `spl_PlannedEndDate`.
    #[serde(
        rename = "spl_PlannedEndDate",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub planned_end_date: Option<IsoDate>,
    /// `spl_ActualEndDate`.
    #[serde(
        rename = "spl_ActualEndDate",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub actual_end_date: Option<IsoDate>,
    /// `spl_Type`.
    #[serde(rename = "spl_Type", default, skip_serializing_if = "Option::is_none")]
    pub plan_type: Option<SupportPlanType>,
}

/// The purposes consent is recorded for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ConsentPurpose {
    /// Referral to service providers.
    ReferralToServices,
    /// Sharing with law enforcement.
    SharingWithLawEnforcement,
    /// De-identified statistics and research.
    StatisticsAndResearch,
}

impl ConsentPurpose {
    /// Every purpose.
    pub const ALL: [ConsentPurpose; 3] = [
        Self::ReferralToServices,
        Self::SharingWithLawEnforcement,
        Self::StatisticsAndResearch,
    ];

    /// The purpose's name (`referral_to_services`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReferralToServices => "referral_to_services",
            Self::SharingWithLawEnforcement => "sharing_with_law_enforcement",
            Self::StatisticsAndResearch => "statistics_and_research",
        }
    }

    /// The JSON key of the purpose's record in the consent object.
    pub fn key(self) -> &'static str {
        match self {
            Self::ReferralToServices => "ctip:referral_to_services",
            Self::SharingWithLawEnforcement => "ctip:sharing_with_law_enforcement",
            Self::StatisticsAndResearch => "ctip:statistics_and_research",
        }
    }
}

/// One purpose's consent: when it was given, by whose record, and when (if
/// ever) it was withdrawn. Giving consent again after a withdrawal replaces
/// the record; the ledger keeps the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurposeConsent {
    /// The day consent was given.
    pub given_on: IsoDate,
    /// The user who recorded it.
    pub recorded_by: RecordId,
    /// The day consent was withdrawn, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withdrawn_on: Option<IsoDate>,
}

impl PurposeConsent {
    /// Whether consent stands on `day`: given on or before it and not
    /// withdrawn on or before it.
    pub fn stands_on(&self, day: IsoDate) -> bool {
        self.given_on <= day && self.withdrawn_on.is_none_or(|withdrawn| day < withdrawn)
    }
}

/// Consent: the HTCDS `con_Consent` checkbox (consent to the interview and to
/// the data being managed) and ctip's per-purpose records.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// `con_Consent`.
    #[serde(
        rename = "con_Consent",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub consent: Option<bool>,
    /// ctip extension `ctip:referral_to_services`.
    #[serde(
        rename = "ctip:referral_to_services",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub referral_to_services: Option<PurposeConsent>,
    /// ctip extension `ctip:sharing_with_law_enforcement`.
    #[serde(
        rename = "ctip:sharing_with_law_enforcement",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub sharing_with_law_enforcement: Option<PurposeConsent>,
    /// ctip extension `ctip:statistics_and_research`.
    #[serde(
        rename = "ctip:statistics_and_research",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub statistics_and_research: Option<PurposeConsent>,
}

impl Consent {
    /// The record for a purpose, if one exists.
    pub fn for_purpose(&self, purpose: ConsentPurpose) -> Option<&PurposeConsent> {
        match purpose {
            ConsentPurpose::ReferralToServices => self.referral_to_services.as_ref(),
            ConsentPurpose::SharingWithLawEnforcement => self.sharing_with_law_enforcement.as_ref(),
            ConsentPurpose::StatisticsAndResearch => self.statistics_and_research.as_ref(),
        }
    }

    /// The record slot for a purpose, to give or withdraw consent.
    pub fn for_purpose_mut(&mut self, purpose: ConsentPurpose) -> &mut Option<PurposeConsent> {
        match purpose {
            ConsentPurpose::ReferralToServices => &mut self.referral_to_services,
            ConsentPurpose::SharingWithLawEnforcement => &mut self.sharing_with_law_enforcement,
            ConsentPurpose::StatisticsAndResearch => &mut self.statistics_and_research,
        }
    }
}

impl Case {
    /// A new case holding only what a case must have.
    pub fn new(id: RecordId, status: CaseStatus, victim_id: RecordId) -> Self {
        Self {
            id,
            status,
            reason_for_closure: None,
            owner: None,
            organisations: Vec::new(),
            persons: Vec::new(),
            victim: Victim {
                id: victim_id,
                person: PersonFields::default(),
                context: VictimContext::default(),
            },
            perpetrators: Vec::new(),
            incoming_referral: None,
            outgoing_referrals: Vec::new(),
            comments: Vec::new(),
            historic_events: Vec::new(),
            support_plans: Vec::new(),
            consent: None,
        }
    }

    /// Whether consent for `purpose` stands on `day`. No consent record means
    /// no consent.
    pub fn consent_stands(&self, purpose: ConsentPurpose, day: IsoDate) -> bool {
        self.consent
            .as_ref()
            .and_then(|consent| consent.for_purpose(purpose))
            .is_some_and(|record| record.stands_on(day))
    }
}

/// Whole numbers that JSON may write as `3` or `3.0` (JSON Schema's
/// `integer` accepts both, so the importer does too).
mod whole_number {
    use serde::{Deserialize, Deserializer};

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<u32>, D::Error> {
        let Some(number) = Option::<serde_json::Number>::deserialize(deserializer)? else {
            return Ok(None);
        };
        if let Some(whole) = number.as_u64() {
            return u32::try_from(whole)
                .map(Some)
                .map_err(serde::de::Error::custom);
        }
        match number.as_f64() {
            Some(value) if value.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&value) => {
                // The range check above makes the conversion exact.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                Ok(Some(value as u32))
            }
            _ => Err(serde::de::Error::custom("expected a whole number")),
        }
    }
}
