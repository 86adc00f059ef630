//! Setting up the organisation and its staff, from the command line.

use ctip_store::tipline::TipDb;
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
    #[error("staff name {0:?}: use 2 to 64 lower-case letters, digits, '.', '_' or '-'")]
    BadName(String),
    #[error("a staff member called {0:?} already exists")]
    NameTaken(String),
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

fn check_name(name: &str) -> Result<(), SetupError> {
    let ok = (2..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(SetupError::BadName(name.to_owned()))
    }
}

async fn enrol(
    db: &TipDb,
    org: &str,
    name: &str,
    role: Role,
    password: &str,
    secret: &ctip_tipline::OrgSecretKey,
    now: i64,
) -> Result<Enrolment, SetupError> {
    check_name(name)?;
    if db.staff_by_name(name).await?.is_some() {
        return Err(SetupError::NameTaken(name.to_owned()));
    }
    let hash = PasswordHash::create(password)?;
    let wrapped = secret.wrap(password)?;
    let totp = TotpSecret::generate();
    db.add_staff(
        name,
        role.as_str(),
        hash.as_str(),
        &totp.to_base32(),
        &wrapped.to_json(),
        now,
    )
    .await?;
    db.audit(
        now,
        "cli",
        "create",
        &format!("staff:{name}"),
        role.as_str(),
    )
    .await?;
    Ok(Enrolment {
        name: name.to_owned(),
        provisioning_uri: totp.provisioning_uri(&format!("ctip {org}"), name),
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
    db.set_meta(ORG_NAME, org_name).await?;
    let enrolment = enrol(
        db,
        org_name,
        admin,
        Role::Admin,
        password,
        &keys.secret,
        now,
    )
    .await?;
    db.set_meta(
        ORG_PUBLIC_KEY,
        &data_encoding::HEXLOWER.encode(&keys.public.to_bytes()),
    )
    .await?;
    Ok(enrolment)
}

/// Adds a staff member. An administrator's password unwraps the
/// organisation key, which is then wrapped again under the new password.
pub async fn add_staff(
    db: &TipDb,
    by: &str,
    by_password: &str,
    name: &str,
    role: Role,
    password: &str,
    now: i64,
) -> Result<Enrolment, SetupError> {
    let org = db.meta(ORG_NAME).await?.ok_or(SetupError::NotInitialised)?;
    let admin = db
        .staff_by_name(by)
        .await?
        .filter(|a| a.role == Role::Admin.as_str() && !a.disabled)
        .ok_or_else(|| SetupError::NotAuthorised(by.to_owned()))?;
    if !PasswordHash::from_stored(admin.password_hash.clone()).verify(by_password)? {
        return Err(SetupError::NotAuthorised(by.to_owned()));
    }
    let secret = WrappedKey::from_json(&admin.wrapped_key)?.unwrap_with(by_password)?;
    enrol(db, &org, name, role, password, &secret, now).await
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
