//! Setting up the organisation and its staff, from the command line.

use ctip_store::cases::TenantRow;
use ctip_store::tipline::{NewStaff, TipDb};
use ctip_tipline::{OrgKeys, PasswordHash, Role, StaffError, TotpSecret, WrappedKey};

pub const ORG_PUBLIC_KEY: &str = "org_public_key";
pub const ORG_NAME: &str = "org_name";

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(transparent)]
    Store(#[from] ctip_store::StoreError),
    #[error("the tip line is already set up for {0:?}")]
    AlreadyInitialised(String),
    #[error("the tip line is not set up yet: run `ctip serve init` first")]
    NotInitialised,
    #[error(
        "staff name {0:?}: use 2 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"
    )]
    BadName(String),
    #[error("a staff member called {0:?} already exists")]
    NameTaken(String),
    #[error(
        "team {0:?}: use 2 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit"
    )]
    BadTeam(String),
    #[error("a {0} needs at least one team (--teams)")]
    NoTeam(&'static str),
    #[error("a provider account needs the directory id of its service (--provider)")]
    ProviderWithoutService,
    #[error("only provider accounts act for a service (--provider)")]
    ServiceForNonProvider,
    #[error("an organisation name needs 1 to 120 characters")]
    BadTenantName,
    #[error("an organisation called {0:?} already exists")]
    TenantTaken(String),
    #[error("{0:?} is not an administrator with that password")]
    NotAuthorised(String),
    #[error(transparent)]
    Staff(#[from] StaffError),
    #[error("the organisation key could not be unwrapped: {0}")]
    Key(#[from] ctip_tipline::KeyError),
}

/// What a new staff member needs to enrol their authenticator app. Shown
/// once, never stored elsewhere.
pub struct Enrolment {
    pub name: String,
    pub totp: TotpSecret,
    pub provisioning_uri: String,
}

/// A staff account to create, in the tenant of whoever creates it.
pub struct Member<'a> {
    pub name: &'a str,
    pub role: Role,
    pub password: &'a str,
    /// Team ids (caseworkers and supervisors).
    pub teams: &'a [String],
    /// The directory id of the service a provider account acts for.
    pub provider_id: Option<&'a str>,
}

impl<'a> Member<'a> {
    /// A member with no teams and no provider.
    pub fn new(name: &'a str, role: Role, password: &'a str) -> Self {
        Member {
            name,
            role,
            password,
            teams: &[],
            provider_id: None,
        }
    }
}

fn check_name(name: &str) -> Result<(), SetupError> {
    // Names double as record ids in case ownership, which start with a
    // letter or digit.
    let ok = (2..=64).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(SetupError::BadName(name.to_owned()))
    }
}

/// Team ids are short names, checked like staff names, since they appear in
/// the audit log and in listings.
fn check_teams(teams: &[String]) -> Result<String, SetupError> {
    for team in teams {
        check_name(team).map_err(|_| SetupError::BadTeam(team.clone()))?;
    }
    Ok(teams.join(","))
}

async fn enrol(
    db: &TipDb,
    tenant: &TenantRow,
    member: &Member<'_>,
    secret: &ctip_tipline::OrgSecretKey,
    now: i64,
) -> Result<Enrolment, SetupError> {
    check_name(member.name)?;
    let teams = check_teams(member.teams)?;
    match (member.role, member.provider_id) {
        (Role::Provider, None) => return Err(SetupError::ProviderWithoutService),
        (Role::Provider, Some(_)) | (_, None) => {}
        (_, Some(_)) => return Err(SetupError::ServiceForNonProvider),
    }
    if matches!(member.role, Role::Caseworker | Role::Supervisor) && member.teams.is_empty() {
        return Err(SetupError::NoTeam(member.role.as_str()));
    }
    if db.staff_by_name(member.name).await?.is_some() {
        return Err(SetupError::NameTaken(member.name.to_owned()));
    }
    let hash = PasswordHash::create(member.password)?;
    let wrapped = secret.wrap(member.password)?;
    let totp = TotpSecret::generate();
    db.add_staff(&NewStaff {
        tenant_id: tenant.id,
        name: member.name,
        role: member.role.as_str(),
        password_hash: hash.as_str(),
        totp_secret: &totp.to_base32(),
        wrapped_key: &wrapped.to_json(),
        teams: &teams,
        provider_id: member.provider_id,
        created_at: now,
    })
    .await?;
    db.audit(
        tenant.id,
        now,
        "cli",
        "create",
        &format!("staff:{}", member.name),
        member.role.as_str(),
    )
    .await?;
    Ok(Enrolment {
        name: member.name.to_owned(),
        provisioning_uri: totp.provisioning_uri(&format!("ctip {}", tenant.name), member.name),
        totp,
    })
}

/// Creates the organisation's key pair and its first administrator. The
/// secret key is kept only wrapped under the administrator's password.
pub async fn init_organisation(
    db: &TipDb,
    org_name: &str,
    admin: &str,
    password: &str,
    now: i64,
) -> Result<Enrolment, SetupError> {
    if db.meta(ORG_PUBLIC_KEY).await?.is_some() {
        let name = db.meta(ORG_NAME).await?.unwrap_or_default();
        return Err(SetupError::AlreadyInitialised(name));
    }
    let keys = OrgKeys::generate();
    // Checked before any row is written, so a refused password leaves
    // nothing half set up.
    PasswordHash::create(password)?;
    check_name(admin)?;
    let public_hex = data_encoding::HEXLOWER.encode(&keys.public.to_bytes());
    db.set_meta(ORG_NAME, org_name).await?;
    db.ensure_host_tenant(org_name, &public_hex, now).await?;
    let tenant = db
        .tenant(HOST_TENANT)
        .await?
        .ok_or(SetupError::NotInitialised)?;
    let enrolment = enrol(
        db,
        &tenant,
        &Member::new(admin, Role::Admin, password),
        &keys.secret,
        now,
    )
    .await?;
    db.set_meta(ORG_PUBLIC_KEY, &public_hex).await?;
    Ok(enrolment)
}

/// The tenant that hosts the tip line: the organisation `ctip serve init`
/// set up.
pub const HOST_TENANT: i64 = 1;

/// Adds another organisation as an isolated tenant, with its own key pair
/// and first administrator. Its staff never hold the host's keys, so they
/// cannot read the tip line's reports, nor any other tenant's cases.
pub async fn add_tenant(
    db: &TipDb,
    name: &str,
    admin: &str,
    password: &str,
    now: i64,
) -> Result<(i64, Enrolment), SetupError> {
    if db.meta(ORG_PUBLIC_KEY).await?.is_none() {
        return Err(SetupError::NotInitialised);
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(SetupError::BadTenantName);
    }
    if db.tenant_by_name(name).await?.is_some() {
        return Err(SetupError::TenantTaken(name.to_owned()));
    }
    PasswordHash::create(password)?;
    check_name(admin)?;
    if db.staff_by_name(admin).await?.is_some() {
        return Err(SetupError::NameTaken(admin.to_owned()));
    }
    let keys = OrgKeys::generate();
    let public_hex = data_encoding::HEXLOWER.encode(&keys.public.to_bytes());
    let id = db.add_tenant(name, &public_hex, now).await?;
    let tenant = db.tenant(id).await?.ok_or(SetupError::NotInitialised)?;
    let enrolment = enrol(
        db,
        &tenant,
        &Member::new(admin, Role::Admin, password),
        &keys.secret,
        now,
    )
    .await?;
    Ok((id, enrolment))
}

/// Checks that `by` is an active administrator with that password, and
/// returns their row and their tenant's secret key.
pub async fn unlock_as_admin(
    db: &TipDb,
    by: &str,
    by_password: &str,
) -> Result<(ctip_store::tipline::StaffRow, ctip_tipline::OrgSecretKey), SetupError> {
    let (row, secret) = unlock_staff(db, by, by_password).await?;
    if row.role != Role::Admin.as_str() {
        return Err(SetupError::NotAuthorised(by.to_owned()));
    }
    Ok((row, secret))
}

/// Checks that `name` is an active staff member with that password, and
/// returns their row and their tenant's secret key (the command line's
/// sign-in, for work done without the web pages). The caller checks the
/// role.
pub async fn unlock_staff(
    db: &TipDb,
    name: &str,
    password: &str,
) -> Result<(ctip_store::tipline::StaffRow, ctip_tipline::OrgSecretKey), SetupError> {
    let row = db
        .staff_by_name(name)
        .await?
        .filter(|a| !a.disabled)
        .ok_or_else(|| SetupError::NotAuthorised(name.to_owned()))?;
    if !PasswordHash::from_stored(row.password_hash.clone()).verify(password)? {
        return Err(SetupError::NotAuthorised(name.to_owned()));
    }
    let secret = WrappedKey::from_json(&row.wrapped_key)?.unwrap_with(password)?;
    Ok((row, secret))
}

/// Adds a staff member to the administrator's tenant. The administrator's
/// password unwraps the tenant's key, which is then wrapped again under the
/// new password.
pub async fn add_staff(
    db: &TipDb,
    by: &str,
    by_password: &str,
    member: &Member<'_>,
    now: i64,
) -> Result<Enrolment, SetupError> {
    db.meta(ORG_NAME).await?.ok_or(SetupError::NotInitialised)?;
    let (admin, secret) = unlock_as_admin(db, by, by_password).await?;
    let tenant = db
        .tenant(admin.tenant_id)
        .await?
        .ok_or(SetupError::NotInitialised)?;
    enrol(db, &tenant, member, &secret, now).await
}

/// Where the service directory is kept: its internal HSDS export (with the
/// confidential addresses caseworkers need), in the tip line's database.
pub const DIRECTORY_HSDS: &str = "directory_hsds";

#[derive(Debug, thiserror::Error)]
pub enum DirectoryStoreError {
    #[error(transparent)]
    Store(#[from] ctip_store::StoreError),
    #[error(transparent)]
    Directory(#[from] ctip_directory::DirectoryError),
}

pub async fn load_directory(db: &TipDb) -> Result<ctip_directory::Directory, crate::ServerError> {
    match db.meta(DIRECTORY_HSDS).await? {
        Some(json) => Ok(ctip_directory::Directory::from_hsds_str(&json)?),
        None => Ok(ctip_directory::Directory::new()),
    }
}

/// Validates `json` as HSDS 3.0 and merges it into the stored directory. All
/// or nothing: an invalid document changes nothing.
pub async fn import_directory(
    db: &TipDb,
    json: &str,
) -> Result<ctip_directory::ImportSummary, DirectoryStoreError> {
    let mut directory = match db.meta(DIRECTORY_HSDS).await? {
        Some(stored) => ctip_directory::Directory::from_hsds_str(&stored)?,
        None => ctip_directory::Directory::new(),
    };
    let summary = directory.import_hsds_str(json)?;
    let internal = directory.export_hsds(ctip_directory::ExportScope::Internal);
    db.set_meta(DIRECTORY_HSDS, &internal.to_string()).await?;
    Ok(summary)
}

/// The stored directory as HSDS 3.0: `public` drops confidential locations'
/// whereabouts.
pub async fn export_directory(
    db: &TipDb,
    public: bool,
) -> Result<serde_json::Value, DirectoryStoreError> {
    let directory = match db.meta(DIRECTORY_HSDS).await? {
        Some(stored) => ctip_directory::Directory::from_hsds_str(&stored)?,
        None => ctip_directory::Directory::new(),
    };
    let scope = if public {
        ctip_directory::ExportScope::Public
    } else {
        ctip_directory::ExportScope::Internal
    };
    Ok(directory.export_hsds(scope))
}
