//! C2SP signed notes and tlog checkpoints: interoperability, round trips and strict parsing.

use ctip_ledger::{
    Checkpoint, CheckpointError, Hash, KeyError, Note, NoteError, Signer, Verifier, leaf_hash,
};

// The example key pair and note of the Go reference implementation
// (golang.org/x/mod/sumdb/note), which defined the signed-note format.
const GO_VERIFIER_KEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const GO_SIGNER_KEY: &str =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const GO_NOTE: &str = "If you think cryptography is the answer to your problem,\n\
then you don't know what your problem is.\n\
\n\
\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

const ORIGIN: &str = "ctip.test/audit";

fn log_signer() -> Signer {
    Signer::from_seed(ORIGIN, &[42u8; 32]).unwrap()
}

fn sample_checkpoint() -> Checkpoint {
    Checkpoint {
        origin: ORIGIN.to_owned(),
        size: 12345,
        root: leaf_hash(b"root"),
        extensions: Vec::new(),
    }
}

#[test]
fn go_reference_note_verifies_and_is_reproduced_byte_for_byte() {
    let verifier = Verifier::parse(GO_VERIFIER_KEY).unwrap();
    assert_eq!(verifier.name(), "PeterNeumann");
    assert_eq!(verifier.key_id(), 0xc74f20a3);
    assert_eq!(verifier.to_string(), GO_VERIFIER_KEY);

    let note = Note::parse(GO_NOTE).unwrap();
    assert_eq!(
        note.verify(std::slice::from_ref(&verifier)),
        Ok(vec!["PeterNeumann".to_owned()])
    );

    let signer = Signer::parse(GO_SIGNER_KEY).unwrap();
    assert_eq!(signer.verifier(), verifier);
    assert_eq!(signer.to_key_string().as_str(), GO_SIGNER_KEY);
    // Ed25519 is deterministic: signing the same text gives the same note.
    let resigned = Note::sign(note.text(), &signer).unwrap();
    assert_eq!(resigned.to_string(), GO_NOTE);
}

#[test]
fn checkpoint_text_has_the_c2sp_layout() {
    let checkpoint = sample_checkpoint();
    let text = checkpoint.to_text();
    assert_eq!(
        text,
        format!("{ORIGIN}\n12345\n{}\n", leaf_hash(b"root").to_base64())
    );
    assert_eq!(Checkpoint::parse_text(&text), Ok(checkpoint));
}

#[test]
fn signed_checkpoint_round_trips_through_text() {
    let signer = log_signer();
    let note = sample_checkpoint().sign(&signer).unwrap();
    let wire = note.to_string();
    assert!(wire.contains(&format!("\n\n\u{2014} {ORIGIN} ")), "{wire}");
    assert_eq!(Note::parse(&wire), Ok(note));
    assert_eq!(
        Checkpoint::open(&wire, &signer.verifier()),
        Ok(sample_checkpoint())
    );
}

#[test]
fn key_strings_round_trip_and_generated_keys_differ() {
    let first = Signer::generate(ORIGIN).unwrap();
    let second = Signer::generate(ORIGIN).unwrap();
    assert_ne!(first.verifier(), second.verifier());
    let restored = Signer::parse(&first.to_key_string()).unwrap();
    assert_eq!(restored.verifier(), first.verifier());
    let verifier_text = first.verifier().to_string();
    assert_eq!(Verifier::parse(&verifier_text), Ok(first.verifier()));
    assert!(!format!("{first:?}").contains(&first.to_key_string()[20..]));
}

#[test]
fn malformed_key_strings_are_rejected() {
    let material = GO_VERIFIER_KEY.rsplit_once("+c74f20a3+").unwrap().1;
    let cases: Vec<(String, KeyError)> = vec![
        ("PeterNeumann".to_owned(), KeyError::Malformed),
        ("PeterNeumann+c74f20a3".to_owned(), KeyError::Malformed),
        (
            format!("PeterNeumann+c74f20a4+{material}"),
            KeyError::KeyIdMismatch,
        ),
        (
            format!("PeterNeumann+c74f20a+{material}"),
            KeyError::InvalidKeyId,
        ),
        (
            format!("Peter Neumann+c74f20a3+{material}"),
            KeyError::InvalidName,
        ),
        (format!("+c74f20a3+{material}"), KeyError::InvalidName),
        (
            "PeterNeumann+c74f20a3+AhpcDQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW".to_owned(),
            KeyError::InvalidKeyMaterial,
        ),
        (
            "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T".to_owned(),
            KeyError::InvalidKeyMaterial,
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(Verifier::parse(&text), Err(expected), "{text}");
    }
    assert_eq!(
        Signer::parse(GO_VERIFIER_KEY).err(),
        Some(KeyError::Malformed)
    );
    assert_eq!(
        Signer::from_seed("a+b", &[0; 32]).err(),
        Some(KeyError::InvalidName)
    );
}

fn signed_note_text() -> String {
    sample_checkpoint().sign(&log_signer()).unwrap().to_string()
}

#[test]
fn strict_parsing_rejects_malformed_notes() {
    let good = signed_note_text();
    let (text, signature_line) = good.split_once("\n\n").unwrap();
    let signature = signature_line
        .trim_end_matches('\n')
        .rsplit_once(' ')
        .unwrap()
        .1;
    let cases: Vec<(String, &str)> = vec![
        (format!("{text}\n"), "no signature block"),
        (format!("{text}\n\n"), "empty signature block"),
        (good.trim_end_matches('\n').to_owned(), "no final newline"),
        (format!("{good}junk\n"), "trailing junk line"),
        (format!("{good}junk"), "trailing junk"),
        (format!("{good}\n"), "trailing blank line"),
        (
            format!("{text}\n\n- {ORIGIN} {signature}\n"),
            "hyphen instead of em dash",
        ),
        (
            format!("{text}\n\n\u{2014}  {ORIGIN} {signature}\n"),
            "two spaces",
        ),
        (format!("{text}\n\n\u{2014} {signature}\n"), "no key name"),
        (
            format!("{text}\n\n\u{2014} a+b {signature}\n"),
            "plus in key name",
        ),
        (
            format!("{text}\n\n\u{2014} {ORIGIN} {signature} \n"),
            "trailing space",
        ),
        (
            format!(
                "{text}\n\n\u{2014} {ORIGIN} {}\n",
                signature.trim_end_matches('=')
            ),
            "unpadded base64",
        ),
        (
            format!("{text}\n\n\u{2014} {ORIGIN} AAAA\n"),
            "signature shorter than key id",
        ),
        (good.replace('\n', "\r\n"), "CRLF line endings"),
        (good.replacen("\n", "\t\n", 1), "tab"),
        (
            format!("{text}\n\n\u{2014} {ORIGIN} {signature}\n").replace("12345", "12345\0"),
            "NUL",
        ),
    ];
    for (note, what) in cases {
        assert!(
            Note::parse(&note).is_err(),
            "accepted note with {what}: {note:?}"
        );
    }
    assert_eq!(
        Note::parse_bytes(&[0xff, 0xfe]),
        Err(NoteError::InvalidUtf8)
    );
}

#[test]
fn too_many_signatures_are_rejected_but_sixteen_are_accepted() {
    let good = signed_note_text();
    let (_, signature_line) = good.split_once("\n\n").unwrap();
    let sixteen = format!("{good}{}", signature_line.repeat(15));
    assert_eq!(Note::parse(&sixteen).unwrap().signatures().len(), 16);
    let too_many = format!("{good}{}", signature_line.repeat(100));
    assert_eq!(Note::parse(&too_many), Err(NoteError::TooManySignatures));
}

#[test]
fn verification_follows_the_signed_note_rules() {
    let log = log_signer();
    let witness = Signer::from_seed("witness.test/w1", &[1u8; 32]).unwrap();
    let same_name_other_key = Signer::from_seed(ORIGIN, &[2u8; 32]).unwrap();
    let text = sample_checkpoint().to_text();

    // Cosigned by a witness: the log's verifier ignores the unknown witness signature.
    let mut note = Note::sign(&text, &witness).unwrap();
    note.add_signature(&log).unwrap();
    let reparsed = Note::parse(&note.to_string()).unwrap();
    assert_eq!(
        reparsed.verify(&[log.verifier()]),
        Ok(vec![ORIGIN.to_owned()])
    );
    assert_eq!(
        reparsed
            .verify(&[log.verifier(), witness.verifier()])
            .map(|names| names.len()),
        Ok(2)
    );

    // Only unknown keys (including a key with the log's name but another id): rejected.
    let mut unknown = Note::sign(&text, &witness).unwrap();
    unknown.add_signature(&same_name_other_key).unwrap();
    assert_eq!(
        unknown.verify(&[log.verifier()]),
        Err(NoteError::NoTrustedSignature)
    );

    // A known key whose signature does not verify rejects the whole note.
    let good = Note::sign(&text, &log).unwrap().to_string();
    let (body, line) = good.split_once("\n\n").unwrap();
    let (prefix, encoded) = line.trim_end().rsplit_once(' ').unwrap();
    let mut raw = base64_decode(encoded);
    raw[10] ^= 0x01;
    let tampered = format!("{body}\n\n{prefix} {}\n", base64_encode(&raw));
    assert_eq!(
        Note::parse(&tampered).unwrap().verify(&[log.verifier()]),
        Err(NoteError::BadSignature {
            key_name: ORIGIN.to_owned()
        })
    );
}

#[test]
fn checkpoint_bodies_are_parsed_strictly() {
    let root = leaf_hash(b"root").to_base64();
    let cases: Vec<(String, CheckpointError)> = vec![
        (format!("{ORIGIN}\n1\n"), CheckpointError::MissingLines),
        (
            format!("{ORIGIN}\n1\n{root}"),
            CheckpointError::MissingFinalNewline,
        ),
        (
            format!("\n1\n{root}\n"),
            CheckpointError::EmptyLine { line: 1 },
        ),
        (
            format!("{ORIGIN}\n1\n{root}\n\n"),
            CheckpointError::EmptyLine { line: 4 },
        ),
        (
            format!("{ORIGIN}\n01\n{root}\n"),
            CheckpointError::InvalidTreeSize,
        ),
        (
            format!("{ORIGIN}\n+1\n{root}\n"),
            CheckpointError::InvalidTreeSize,
        ),
        (
            format!("{ORIGIN}\n-1\n{root}\n"),
            CheckpointError::InvalidTreeSize,
        ),
        (
            format!("{ORIGIN}\n1 \n{root}\n"),
            CheckpointError::InvalidTreeSize,
        ),
        (
            format!("{ORIGIN}\n18446744073709551616\n{root}\n"),
            CheckpointError::InvalidTreeSize,
        ),
        (
            format!("{ORIGIN}\n1\n{}\n", &root[..40]),
            CheckpointError::InvalidRootHash,
        ),
        (
            format!("{ORIGIN}\n1\n{}\n", Hash([0; 32]).to_hex()),
            CheckpointError::InvalidRootHash,
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(Checkpoint::parse_text(&text), Err(expected), "{text:?}");
    }
    let with_extension =
        Checkpoint::parse_text(&format!("{ORIGIN}\n0\n{root}\next one\n")).unwrap();
    assert_eq!(with_extension.size, 0);
    assert_eq!(with_extension.extensions, vec!["ext one".to_owned()]);
    assert_eq!(
        with_extension.to_text(),
        format!("{ORIGIN}\n0\n{root}\next one\n")
    );
}

#[test]
fn a_checkpoint_from_another_origin_is_rejected() {
    let log = log_signer();
    let mut other = sample_checkpoint();
    other.origin = "elsewhere.test/log".to_owned();
    let note = other.sign(&log).unwrap().to_string();
    assert_eq!(
        Checkpoint::open(&note, &log.verifier()),
        Err(CheckpointError::OriginMismatch {
            expected: ORIGIN.to_owned(),
            found: "elsewhere.test/log".to_owned()
        })
    );
}

#[test]
fn signing_rejects_text_that_could_not_be_parsed_back() {
    let log = log_signer();
    assert_eq!(
        Note::sign("no newline", &log).err(),
        Some(NoteError::TextWithoutFinalNewline)
    );
    assert_eq!(
        Note::sign("tab\there\n", &log).err(),
        Some(NoteError::ControlCharacter { offset: 3 })
    );
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
