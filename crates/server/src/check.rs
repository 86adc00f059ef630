//! Checking receipts against the database: does every receipt a reporter
//! was shown still lead to a report the organisation can open?
//!
//! This is the durability audit behind the crash test (`kill -9` under load):
//! a receipt is only shown after its report is committed, so after a restart
//! every receipt the load generator saw must find its report, and the report
//! must open with the organisation's key. It is also a tool an administrator
//! can run after restoring a backup, with receipts kept for that purpose.
//!
//! The report is found exactly as the follow-up page finds it, by the keyed
//! hash of the code; the organisation key is unwrapped exactly as signing in
//! unwraps it, with an administrator's password.

use ctip_store::tipline::TipDb;
use ctip_tipline::{
    KeyError, OrgSecretKey, PasswordHash, ReceiptCode, ReceiptKey, Role, StaffError, TipContents,
    WrappedKey,
};

use crate::setup;

#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Store(#[from] ctip_store::StoreError),
    #[error("the tip line is not set up yet: run `ctip serve init` first")]
    NotInitialised,
    #[error("{0:?} is not an administrator with that password")]
    NotAuthorised(String),
    #[error(transparent)]
    Staff(#[from] StaffError),
    #[error("the organisation key could not be unwrapped: {0}")]
    Key(#[from] KeyError),
    #[error("the unwrapped key does not match the organisation's public key in the database")]
    KeyMismatch,
}

/// Why a present report did not pass the check. Kept coarse on purpose: the
/// check must not print anything about a report's contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defect {
    /// The sealed report does not open with the organisation's key.
    SealedReport,
    /// The report opens but is not a well-formed report.
    Contents,
    /// One of the report's attachments does not open.
    Attachment,
    /// The stored reporter key is not the one derived from this receipt, so
    /// staff replies would be sealed to someone else.
    ReporterKey,
}

/// What became of one receipt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReceiptStatus {
    /// Found, opens, and belongs to this receipt.
    Sound,
    /// No report has this receipt's lookup hash.
    Missing,
    /// Found, but defective.
    Defective(Defect),
}

/// Counts over a list of receipts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceiptTally {
    /// Receipts looked up (well-formed codes).
    pub checked: u64,
    /// Present, decryptable and bound to their receipt.
    pub sound: u64,
    /// No report found.
    pub missing: u64,
    /// Found but the sealed report or an attachment does not open, or the
    /// plaintext is not a report.
    pub undecryptable: u64,
    /// Found and opens, but the stored reporter key does not match.
    pub wrong_reporter_key: u64,
    /// Lines that are not receipt codes at all (blank lines are skipped).
    pub malformed: u64,
}

impl ReceiptTally {
    /// True when every line was a receipt and every receipt is sound.
    pub fn all_sound(&self) -> bool {
        self.sound == self.checked && self.malformed == 0
    }

    fn add(&mut self, status: ReceiptStatus) {
        self.checked += 1;
        match status {
            ReceiptStatus::Sound => self.sound += 1,
            ReceiptStatus::Missing => self.missing += 1,
            ReceiptStatus::Defective(Defect::ReporterKey) => self.wrong_reporter_key += 1,
            ReceiptStatus::Defective(_) => self.undecryptable += 1,
        }
    }
}

/// Unwraps the organisation's secret key with an administrator's password,
/// after checking the password the same way signing in does, and confirms
/// it is the key reports are sealed to.
pub async fn unlock_org_key(
    db: &TipDb,
    admin: &str,
    password: &str,
) -> Result<OrgSecretKey, CheckError> {
    let public_hex = db
        .meta(setup::ORG_PUBLIC_KEY)
        .await?
        .ok_or(CheckError::NotInitialised)?;
    let row = db
        .staff_by_name(admin)
        .await?
        .filter(|a| a.role == Role::Admin.as_str() && !a.disabled)
        .ok_or_else(|| CheckError::NotAuthorised(admin.to_owned()))?;
    if !PasswordHash::from_stored(row.password_hash.clone()).verify(password)? {
        return Err(CheckError::NotAuthorised(admin.to_owned()));
    }
    let secret = WrappedKey::from_json(&row.wrapped_key)?.unwrap_with(password)?;
    let expected = data_encoding::HEXLOWER
        .decode(public_hex.as_bytes())
        .map_err(|_| CheckError::KeyMismatch)?;
    if secret.public().to_bytes().as_slice() != expected.as_slice() {
        return Err(CheckError::KeyMismatch);
    }
    Ok(secret)
}

/// Looks up one receipt and opens its report and attachments.
pub async fn check_receipt(
    db: &TipDb,
    receipt_key: &ReceiptKey,
    org_key: &OrgSecretKey,
    code: &ReceiptCode,
) -> Result<ReceiptStatus, CheckError> {
    let Some(tip) = db.tip_by_lookup(&receipt_key.lookup_hash(code)).await? else {
        return Ok(ReceiptStatus::Missing);
    };
    let Ok(mut plaintext) = org_key.open(&tip.sealed) else {
        return Ok(ReceiptStatus::Defective(Defect::SealedReport));
    };
    let parsed = serde_json::from_slice::<TipContents>(&plaintext);
    // The plaintext is the report itself: overwrite it once parsed (best
    // effort; the parsed copy is dropped at the end of this function).
    plaintext.fill(0);
    if parsed.is_err() {
        return Ok(ReceiptStatus::Defective(Defect::Contents));
    }
    for attachment in db.attachments(tip.id).await? {
        match org_key.open(&attachment.sealed) {
            Ok(mut bytes) => bytes.fill(0),
            Err(_) => return Ok(ReceiptStatus::Defective(Defect::Attachment)),
        }
    }
    if code.reporter_keys().public().to_bytes().as_slice() != tip.reporter_key.as_slice() {
        return Ok(ReceiptStatus::Defective(Defect::ReporterKey));
    }
    Ok(ReceiptStatus::Sound)
}

/// Checks every receipt in `lines` (one code per line, as the receipt page
/// shows it or as typed; blank lines skipped).
pub async fn check_receipts<'a>(
    db: &TipDb,
    receipt_key: &ReceiptKey,
    org_key: &OrgSecretKey,
    lines: impl IntoIterator<Item = &'a str>,
) -> Result<ReceiptTally, CheckError> {
    let mut tally = ReceiptTally::default();
    for line in lines {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match ReceiptCode::parse(line) {
            Ok(code) => tally.add(check_receipt(db, receipt_key, org_key, &code).await?),
            Err(_) => tally.malformed += 1,
        }
    }
    Ok(tally)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ctip_store::tipline::NewTip;
    use ctip_tipline::{OrgPublicKey, Urgency};

    const PASSWORD: &str = "correct horse battery staple";

    async fn site() -> (tempfile::TempDir, TipDb, OrgPublicKey) {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("tips.sqlite").display());
        let db = TipDb::connect(&url).await.expect("database");
        setup::init_organisation(&db, "Test NGO", "alice", PASSWORD, 0)
            .await
            .expect("init");
        let hex = db
            .meta(setup::ORG_PUBLIC_KEY)
            .await
            .expect("meta")
            .expect("public key");
        let public =
            OrgPublicKey::from_bytes(&data_encoding::HEXLOWER.decode(hex.as_bytes()).expect("hex"))
                .expect("public key");
        (dir, db, public)
    }

    fn contents(words: &str) -> Vec<u8> {
        serde_json::to_vec(&TipContents {
            what_happened: words.into(),
            city: String::new(),
            country: "GB".into(),
            when: String::new(),
            people: String::new(),
            phones: "+44 7700 900123".into(),
            handles: String::new(),
            vehicles: String::new(),
            addresses: String::new(),
            danger: Urgency::Yes,
            contact: String::new(),
            language: "en".into(),
        })
        .expect("serialise")
    }

    fn tip(
        receipt_key: &ReceiptKey,
        code: &ReceiptCode,
        sealed: Vec<u8>,
        attachments: Vec<(String, Vec<u8>)>,
    ) -> NewTip {
        NewTip {
            lookup: receipt_key.lookup_hash(code).to_vec(),
            reporter_key: code.reporter_keys().public().to_bytes().to_vec(),
            received_day: "2025-01-01".into(),
            urgency: 0,
            sealed,
            attachments,
        }
    }

    #[tokio::test]
    async fn sorts_sound_missing_undecryptable_and_malformed_receipts() {
        let (_dir, db, public) = site().await;
        let receipt_key = ReceiptKey::generate();
        let other_org = ctip_tipline::OrgKeys::generate();

        let sound = ReceiptCode::generate();
        let with_attachment = ReceiptCode::generate();
        let sealed_elsewhere = ReceiptCode::generate();
        let bad_attachment = ReceiptCode::generate();
        let not_a_report = ReceiptCode::generate();
        let never_stored = ReceiptCode::generate();
        db.insert_tips(&[
            tip(&receipt_key, &sound, public.seal(&contents("a")), vec![]),
            tip(
                &receipt_key,
                &with_attachment,
                public.seal(&contents("b")),
                vec![("image/png".into(), public.seal(b"png bytes"))],
            ),
            tip(
                &receipt_key,
                &sealed_elsewhere,
                other_org.public.seal(&contents("c")),
                vec![],
            ),
            tip(
                &receipt_key,
                &bad_attachment,
                public.seal(&contents("d")),
                vec![("image/png".into(), other_org.public.seal(b"png"))],
            ),
            tip(
                &receipt_key,
                &not_a_report,
                public.seal(b"not json"),
                vec![],
            ),
        ])
        .await
        .expect("insert");

        let org_key = unlock_org_key(&db, "alice", PASSWORD)
            .await
            .expect("unlock");
        let status = |code: ReceiptCode| {
            let (db, receipt_key, org_key) = (&db, &receipt_key, &org_key);
            async move {
                check_receipt(db, receipt_key, org_key, &code)
                    .await
                    .expect("check")
            }
        };
        assert_eq!(status(sound.clone()).await, ReceiptStatus::Sound);
        assert_eq!(status(with_attachment.clone()).await, ReceiptStatus::Sound);
        assert_eq!(
            status(sealed_elsewhere.clone()).await,
            ReceiptStatus::Defective(Defect::SealedReport)
        );
        assert_eq!(
            status(bad_attachment.clone()).await,
            ReceiptStatus::Defective(Defect::Attachment)
        );
        assert_eq!(
            status(not_a_report.clone()).await,
            ReceiptStatus::Defective(Defect::Contents)
        );
        assert_eq!(status(never_stored.clone()).await, ReceiptStatus::Missing);

        // Codes as a reporter might type them: lower case, no dashes.
        let typed = sound.display().replace('-', "").to_lowercase();
        let file = [
            sound.display(),
            String::new(),
            typed,
            with_attachment.display(),
            sealed_elsewhere.display(),
            never_stored.display(),
            "not a receipt".into(),
        ]
        .join("\n");
        let tally = check_receipts(&db, &receipt_key, &org_key, file.lines())
            .await
            .expect("check");
        assert_eq!(
            tally,
            ReceiptTally {
                checked: 5,
                sound: 3,
                missing: 1,
                undecryptable: 1,
                wrong_reporter_key: 0,
                malformed: 1,
            }
        );
        assert!(!tally.all_sound());

        let clean = [sound.display(), with_attachment.display()].join("\n");
        let tally = check_receipts(&db, &receipt_key, &org_key, clean.lines())
            .await
            .expect("check");
        assert!(tally.all_sound(), "{tally:?}");
    }

    #[tokio::test]
    async fn a_report_stored_under_another_reporter_key_is_flagged() {
        let (_dir, db, public) = site().await;
        let receipt_key = ReceiptKey::generate();
        let code = ReceiptCode::generate();
        let mut stored = tip(&receipt_key, &code, public.seal(&contents("e")), vec![]);
        stored.reporter_key = ReceiptCode::generate()
            .reporter_keys()
            .public()
            .to_bytes()
            .to_vec();
        db.insert_tips(&[stored]).await.expect("insert");
        let org_key = unlock_org_key(&db, "alice", PASSWORD)
            .await
            .expect("unlock");
        assert_eq!(
            check_receipt(&db, &receipt_key, &org_key, &code)
                .await
                .expect("check"),
            ReceiptStatus::Defective(Defect::ReporterKey)
        );
    }

    #[tokio::test]
    async fn a_receipt_key_other_than_the_servers_finds_nothing() {
        let (_dir, db, public) = site().await;
        let receipt_key = ReceiptKey::generate();
        let code = ReceiptCode::generate();
        db.insert_tips(&[tip(
            &receipt_key,
            &code,
            public.seal(&contents("f")),
            vec![],
        )])
        .await
        .expect("insert");
        let org_key = unlock_org_key(&db, "alice", PASSWORD)
            .await
            .expect("unlock");
        let wrong_key = ReceiptKey::generate();
        assert_eq!(
            check_receipt(&db, &wrong_key, &org_key, &code)
                .await
                .expect("check"),
            ReceiptStatus::Missing
        );
    }

    #[tokio::test]
    async fn only_an_administrator_with_the_right_password_unlocks() {
        let (_dir, db, _public) = site().await;
        assert!(matches!(
            unlock_org_key(&db, "alice", "not the password at all").await,
            Err(CheckError::NotAuthorised(_))
        ));
        assert!(matches!(
            unlock_org_key(&db, "mallory", PASSWORD).await,
            Err(CheckError::NotAuthorised(_))
        ));
        setup::add_staff(
            &db,
            "alice",
            PASSWORD,
            &setup::Member::new("bob", Role::Hotline, "another long passphrase"),
            0,
        )
        .await
        .expect("add staff");
        assert!(matches!(
            unlock_org_key(&db, "bob", "another long passphrase").await,
            Err(CheckError::NotAuthorised(_))
        ));
        assert!(unlock_org_key(&db, "alice", PASSWORD).await.is_ok());
    }
}
