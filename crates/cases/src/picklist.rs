//! The HTCDS 2.0 picklists, one Rust enum each, plus the two picklists that
//! ctip adds (age bands and referral progress).
//!
//! Every enum is declared through [`picklist!`], which writes from one list the
//! variant, its exact HTCDS value name, the `VALUES` slice that the field table
//! (and therefore validation and the JSON Schema) uses, and the serde
//! conversions. The value names are copied exactly from the spreadsheet,
//! spelling included (`Unaquainted`).

use std::fmt;
use std::str::FromStr;

/// A value that is not one of a picklist's names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{found:?} is not one of {allowed:?}")]
pub struct NotInPicklist {
    /// The rejected value.
    pub found: String,
    /// Every value the picklist accepts.
    pub allowed: &'static [&'static str],
}

/// Behaviour shared by every picklist enum.
pub trait Picklist: Sized + Copy + 'static {
    /// Every variant, in the spreadsheet's order.
    const ALL: &'static [Self];
    /// Every value name, in the spreadsheet's order.
    const VALUES: &'static [&'static str];
    /// The exact value name.
    fn as_str(self) -> &'static str;
    /// Parses an exact value name (case-sensitive, as in the standard).
    fn parse(value: &str) -> Result<Self, NotInPicklist> {
        Self::ALL
            .iter()
            .copied()
            .find(|variant| variant.as_str() == value)
            .ok_or_else(|| NotInPicklist {
                found: value.to_owned(),
                allowed: Self::VALUES,
            })
    }
}

macro_rules! picklist {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $value:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $( $(#[$vmeta])* $variant ),+ }

        impl Picklist for $name {
            const ALL: &'static [Self] = &[ $( Self::$variant ),+ ];
            const VALUES: &'static [&'static str] = &[ $( $value ),+ ];
            fn as_str(self) -> &'static str {
                match self { $( Self::$variant => $value ),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = NotInPicklist;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                <Self as Picklist>::parse(value)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(deserializer)?;
                <Self as Picklist>::parse(&value).map_err(serde::de::Error::custom)
            }
        }
    };
}

picklist! {
    /// `org_Type`: the organisation category.
    pub enum OrganisationType {
        Ngo => "NGO",
        LawEnforcement => "LawEnforcement",
        HealthServiceOrganisation => "HealthServiceOrganisation",
        CentralGovernmentOrganisation => "CentralGovernmentOrganisation",
        LocalGovernmentOrganisation => "LocalGovernmentOrganisation",
        ImmigrationService => "ImmigrationService",
        LegalService => "LegalService",
        CorporateBusiness => "CorporateBusiness",
        SchoolOrCollege => "SchoolOrCollege",
    }
}

picklist! {
    /// `prs_Gender`.
    pub enum Gender {
        Feminine => "Feminine",
        Masculine => "Masculine",
        TransgenderFeminine => "TransgenderFeminine",
        TransgenderMasculine => "TransgenderMasculine",
        NonConforming => "NonConforming",
        NonSpecifiedUnknown => "NonSpecifiedUnknown",
    }
}

picklist! {
    /// `prs_MaritalStatus`.
    pub enum MaritalStatus {
        Single => "Single",
        Married => "Married",
        Widowed => "Widowed",
        Divorced => "Divorced",
        Separated => "Separated",
        RegisteredPartnership => "RegisteredPartnership",
    }
}

picklist! {
    /// `prs_HighestLevelOfEducation` (ISCED 2011 levels).
    pub enum EducationLevel {
        EarlyChildhoodEducation => "EarlyChildhoodEducation",
        PrimaryEducation => "PrimaryEducation",
        LowerSecondaryEducation => "LowerSecondaryEducation",
        UpperSecondaryEducation => "UpperSecondaryEducation",
        PostSecondaryNonTertiaryEducation => "PostSecondaryNonTertiaryEducation",
        ShortCycleTertiaryEducation => "ShortCycleTertiaryEducation",
        BachelorsOrEquivalentLevel => "BachelorsOrEquivalentLevel",
        MastersOrEquivalentLevel => "MastersOrEquivalentLevel",
        DoctoralOrEquivalentLevel => "DoctoralOrEquivalentLevel",
    }
}

picklist! {
    /// `vic_TraffickingStatus`.
    pub enum TraffickingStatus {
        PossibleVictimOfTrafficking => "PossibleVictimOfTrafficking",
        ActualVictimOfTrafficking => "ActualVictimOfTrafficking",
        NotAVictimOfTrafficking => "NotAVictimOfTrafficking",
    }
}

picklist! {
    /// `vic_TraffickingStatusDecisionMakingOrg`.
    pub enum StatusDecisionMaker {
        Police => "Police",
        Ngo => "NGO",
        CourtOrProsecution => "CourtOrProsecution",
        NonPoliceGovernmentalOrganization => "NonPoliceGovernmentalOrganization",
        Other => "Other",
    }
}

picklist! {
    /// `vic_RelationshipToTrafficker` (the standard spells `Unaquainted`).
    pub enum RelationshipToTrafficker {
        Familial => "Familial",
        Acquainted => "Acquainted",
        Unacquainted => "Unaquainted",
    }
}

picklist! {
    /// `vic_RecruitmentWebsitesAndApps` and `vic_ExploitationWebsitesAndApps`.
    pub enum OnlinePlatform {
        Facebook => "Facebook",
        Instagram => "Instagram",
        WhatsApp => "WhatsApp",
        Telegram => "Telegram",
        FacebookMessenger => "FacebookMessenger",
        Viber => "Viber",
        SnapChat => "SnapChat",
        Line => "Line",
        FourSale => "4Sale",
        WeChat => "WeChat",
        Qq => "QQ",
        QZone => "QZone",
        TikTok => "TikTok",
        Twitter => "Twitter",
        Other => "Other",
    }
}

picklist! {
    /// `vic_MethodOfRecruitment`.
    pub enum RecruitmentMethod {
        AtAPlaceOfBusiness => "AtAPlaceOfBusiness",
        AtAnEducationalInstitution => "AtAnEducationalInstitution",
        AtWork => "AtWork",
        ThroughOnlineSocialNetworks => "ThroughOnlineSocialNetworks",
        ThroughAnOnlineAdvertisement => "ThroughAnOnlineAdvertisement",
        ThroughATelevisionAdvert => "ThroughATelevisionAdvert",
        ThroughANewspaperAdvert => "ThroughANewspaperAdvert",
        ThroughFamilyOrFamilyEvents => "ThroughFamilyOrFamilyEvents",
        ThroughFriendsOrSocialEvents => "ThroughFriendsOrSocialEvents",
        Other => "Other",
    }
}

picklist! {
    /// `vic_MethodsOfControl` (long definitions in `Field Definitions.md`).
    pub enum MethodOfControl {
        PhysicalThreats => "PhysicalThreats",
        ThreatsLawEnforcement => "ThreatsLawEnforcement",
        ThreatensChildrenFamily => "ThreatensChildrenFamily",
        DebtBondage => "DebtBondage",
        FalsePromises => "FalsePromises",
        PhysicalAbuse => "PhysicalAbuse",
        SexualAbuse => "SexualAbuse",
        TakesEarnings => "TakesEarnings",
        RestrictsFinancialAccess => "RestrictsFinancialAccess",
        RestrictsMedicalCare => "RestrictsMedicalCare",
        WithholdsNecessities => "WithholdsNecessities",
        PsychologicalAbuse => "PsychologicalAbuse",
        PsychoactiveSubstance => "PsychoactiveSubstance",
        ExcessiveWorkingHours => "ExcessiveWorkingHours",
        WithholdsDocuments => "WithholdsDocuments",
        Other => "Other",
    }
}

picklist! {
    /// `vic_TypeOfExploitation`.
    pub enum ExploitationType {
        ForcedLabour => "ForcedLabour",
        SexualExploitation => "SexualExploitation",
        ChildLabour => "ChildLabour",
        ForcedMarriage => "ForcedMarriage",
        Servitude => "Servitude",
        ForcedMilitaryByNonStateActors => "ForcedMilitaryByNonStateActors",
        OrganRemoval => "OrganRemoval",
        ForcedBegging => "ForcedBegging",
        ForcedAdoption => "ForcedAdoption",
        Surrogacy => "Surrogacy",
        Other => "Other",
    }
}

picklist! {
    /// `vic_ForcedLabourIndustry` (ISIC rev. 4 sections).
    pub enum ForcedLabourIndustry {
        AgricultureForestryAndFishing => "A_AgricultureForestryAndFishing",
        MiningAndQuarrying => "B_MiningAndQuarrying",
        Manufacturing => "C_Manufacturing",
        ElectricityGasSteamAndAirConditioningSupply => "D_ElectricityGasSteamAndAirConditioningSupply",
        WaterSupplySewerageWasteManagement => "E_WaterSupplySewerageWasteManagement",
        Construction => "F_Construction",
        WholesaleAndRetailTradeRepairOfMotorVehicles => "G_WholesaleAndRetailTradeRepairOfMotorVehicles",
        TransportationAndStorage => "H_TransportationAndStorage",
        AccommodationAndFoodServiceActivities => "I_AccommodationAndFoodServiceActivities",
        InformationAndCommunication => "J_InformationAndCommunication",
        FinancialAndInsuranceActivities => "K_FinancialAndInsuranceActivities",
        RealEstateActivities => "L_RealEstateActivities",
        ProfessionalScientificAndTechnicalActivities => "M_ProfessionalScientificAndTechnicalActivities",
        AdministrativeAndSupportServiceActivities => "N_AdministrativeAndSupportServiceActivities",
        PublicAdministrationAndDefence => "O_PublicAdministrationAndDefence",
        Education => "P_Education",
        HumanHealthAndSocialWorkActivities => "Q_HumanHealthAndSocialWorkActivities",
        ArtsEntertainmentAndRecreation => "R_ArtsEntertainmentAndRecreation",
        OtherServiceActivities => "S_OtherServiceActivities",
        ActivitiesOfHouseholdsAsEmployers => "T_ActivitiesOfHouseholdsAsEmployers",
        ActivitiesOfExtraterritorialOrganizations => "U_ActivitiesOfExtraterritorialOrganizations",
    }
}

picklist! {
    /// `vic_TypeOfSexExploitation`.
    pub enum SexExploitationType {
        Prostitution => "Prostitution",
        Pornography => "Pornography",
        RemoteInteractiveServices => "RemoteInteractiveServices",
        PrivateSexualServices => "PrivateSexualServices",
    }
}

picklist! {
    /// `vic_Vulnerabilities` (deprecated by the standard; kept so that older
    /// records still import).
    pub enum Vulnerability {
        Addiction => "Addiction",
        SocialGroup => "SocialGroup",
        Discrimination => "Discrimination",
        Poverty => "Poverty",
        DisabilityAndPhysicalHealth => "DisabilityAndPhysicalHealth",
        MentalHealth => "MentalHealth",
        Migration => "Migration",
        Homelessness => "Homelessness",
        AbuseSocialMedia => "AbuseSocialMedia",
        AbusePhysical => "AbusePhysical",
        Education => "Education",
        WorkEnvironment => "WorkEnvironment",
    }
}

picklist! {
    /// `per_RoleInProcess`.
    pub enum PerpetratorRole {
        TravellingPartner => "TravellingPartner",
        Transporter => "Transporter",
        RecruiterOrIntermediary => "RecruiterOrIntermediary",
        BrokerTravelAgent => "BrokerTravelAgent",
        TransferredIndividual => "TransferredIndividual",
        HarbouredIndividual => "HarbouredIndividual",
        SoldIndividual => "SoldIndividual",
        BoughtIndividual => "BoughtIndividual",
        ReceivedIndividual => "ReceivedIndividual",
        ControlledIndividual => "ControlledIndividual",
        Smuggler => "Smuggler",
        Abuser => "Abuser",
        Kidnapper => "Kidnapper",
        Exploiter => "Exploiter",
        Other => "Other",
    }
}

picklist! {
    /// `cas_Status`.
    pub enum CaseStatus {
        Active => "Active",
        FollowUp => "FollowUp",
        Closed => "Closed",
        ClosedReferred => "ClosedReferred",
    }
}

picklist! {
    /// `cas_ReasonForIncomingReferral` and `cas_ReasonForOutgoingReferral`.
    pub enum ReferralReason {
        AdditionalServicesRequired => "AdditionalServicesRequired",
        MigrationOrChangeOfLocation => "MigrationOrChangeOfLocation",
        Other => "Other",
    }
}

picklist! {
    /// `hte_Type`: the stage of trafficking at which the event happened.
    pub enum HistoricEventType {
        Recruitment => "Recruitment",
        Transit => "Transit",
        Exploitation => "Exploitation",
    }
}

picklist! {
    /// `spl_Type`.
    pub enum SupportPlanType {
        Education => "Education",
        Financial => "Financial",
        Health => "Health",
        LabourExploitationRehabilitation => "LabourExploitationRehabilitation",
        Legal => "Legal",
        Livelihood => "Livelihood",
        RightsBasedTraining => "RightsBasedTraining",
        SexualExploitationRehabilitation => "SexualExploitationRehabilitation",
        SocialCare => "SocialCare",
    }
}

picklist! {
    /// ctip extension `ctip:age_band`: the generalised age that
    /// de-identification puts in place of a birth date. The bands follow the
    /// broad age groups of IOM's Counter Trafficking Data Collaborative, so
    /// that de-identified ctip data lines up with published CTDC data.
    pub enum AgeBand {
        From0To8 => "0-8",
        From9To17 => "9-17",
        From18To20 => "18-20",
        From21To23 => "21-23",
        From24To26 => "24-26",
        From27To29 => "27-29",
        From30To38 => "30-38",
        From39To47 => "39-47",
        From48 => "48+",
    }
}

impl AgeBand {
    /// The band holding an age in whole years.
    pub fn for_age(years: u32) -> Self {
        match years {
            0..=8 => Self::From0To8,
            9..=17 => Self::From9To17,
            18..=20 => Self::From18To20,
            21..=23 => Self::From21To23,
            24..=26 => Self::From24To26,
            27..=29 => Self::From27To29,
            30..=38 => Self::From30To38,
            39..=47 => Self::From39To47,
            _ => Self::From48,
        }
    }
}

picklist! {
    /// ctip extension `ctip:status` on an outgoing referral: sent, then
    /// accepted or rejected by the provider, then completed.
    pub enum ReferralStatus {
        Sent => "sent",
        Accepted => "accepted",
        Rejected => "rejected",
        Completed => "completed",
    }
}
