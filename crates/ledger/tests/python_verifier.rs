//! Cross-checks this crate against `verifier/rfc9162_verify.py`, an independent verifier
//! written from RFC 9162 and the C2SP specs in Python's standard library: the Rust side
//! writes a fixture (entries, leaf hashes, root, proofs, signed checkpoint), the Python
//! side recomputes and verifies everything. Corrupted fixtures must make it fail.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ctip_ledger::{Action, Actor, Detail, Entry, Ledger, RecordRef, Signer, Tenant};
use serde_json::{Value, json};

const ORIGIN: &str = "ctip.test/audit";
const SIZE: u64 = 77;

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("verifier/rfc9162_verify.py")
}

fn hex_list(hashes: &[ctip_ledger::Hash]) -> Vec<String> {
    hashes.iter().map(|hash| hash.to_hex()).collect()
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn fixture() -> Value {
    let signer = Signer::from_seed(ORIGIN, &[9u8; 32]).unwrap();
    let mut ledger = Ledger::new();
    let mut entries = Vec::new();
    let mut leaves = Vec::new();
    for seq in 0..SIZE {
        let entry = Entry {
            seq,
            at: 1_760_000_000 + seq as i64,
            actor: Actor::new(format!("user:{}", seq % 5)).unwrap(),
            action: if seq.is_multiple_of(9) {
                Action::from_name("share.psi").unwrap()
            } else {
                Action::Read
            },
            record: RecordRef::new("tip", seq.to_string()).unwrap(),
            tenant: Tenant::new("org-2").unwrap(),
            detail: seq
                .is_multiple_of(2)
                .then(|| Detail::new("reason=triage").unwrap()),
        };
        let appended = ledger.append(&entry).unwrap();
        entries.push(to_hex(&appended.encoded));
        leaves.push(appended.leaf_hash.to_hex());
    }
    let inclusion: Vec<Value> = [
        (0, 1),
        (0, SIZE),
        (5, 8),
        (31, 64),
        (63, 64),
        (64, 65),
        (40, 77),
        (76, 77),
    ]
    .into_iter()
    .map(|(index, size)| {
        json!({
            "leaf_index": index,
            "tree_size": size,
            "leaf_hash": ledger.leaf_hash(index).unwrap().to_hex(),
            "root": ledger.root_at(size).unwrap().to_hex(),
            "path": hex_list(&ledger.inclusion_proof(index, size).unwrap()),
        })
    })
    .collect();
    let consistency: Vec<Value> = [
        (0, 10),
        (1, 2),
        (3, 7),
        (4, 8),
        (6, 8),
        (8, 77),
        (13, 64),
        (50, 77),
        (77, 77),
    ]
    .into_iter()
    .map(|(first, second)| {
        json!({
            "first": first,
            "second": second,
            "first_hash": ledger.root_at(first).unwrap().to_hex(),
            "second_hash": ledger.root_at(second).unwrap().to_hex(),
            "path": hex_list(&ledger.consistency_proof(first, second).unwrap()),
        })
    })
    .collect();
    json!({
        "entries": entries,
        "leaf_hashes": leaves,
        "tree_size": SIZE,
        "root": ledger.root().to_hex(),
        "inclusion": inclusion,
        "consistency": consistency,
        "checkpoint": ledger.checkpoint(&signer).unwrap().to_string(),
        "verifier_key": signer.verifier().to_string(),
    })
}

/// Runs the Python verifier on `fixture`; `None` when `python3` is not installed.
fn run_python(fixture: &Value) -> Option<Output> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fixture.json");
    std::fs::write(&path, serde_json::to_vec_pretty(fixture).unwrap()).unwrap();
    match Command::new("python3").arg(script()).arg(&path).output() {
        Ok(output) => Some(output),
        Err(error) if error.kind() == ErrorKind::NotFound => {
            println!("SKIPPED: python3 is not on PATH, the independent verifier was not run");
            None
        }
        Err(error) => panic!("cannot run python3: {error}"),
    }
}

fn describe(output: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Flips one bit in the hex string at `pointer` (a JSON pointer).
fn flip_hex(fixture: &mut Value, pointer: &str) {
    let slot = fixture.pointer_mut(pointer).expect("pointer exists");
    let text = slot.as_str().expect("hex string").to_owned();
    let first = u8::from_str_radix(&text[..2], 16).unwrap() ^ 0x01;
    *slot = Value::String(format!("{first:02x}{}", &text[2..]));
}

fn assert_rejected(fixture: &Value, expected_in_stderr: &str) {
    let Some(output) = run_python(fixture) else {
        return;
    };
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(expected_in_stderr),
        "expected {expected_in_stderr:?} in the report\n{}",
        describe(&output)
    );
}

#[test]
fn python_verifier_accepts_the_ledgers_fixture() {
    let Some(output) = run_python(&fixture()) else {
        return;
    };
    assert!(output.status.success(), "{}", describe(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    println!("independent verifier: {stdout}");
    assert!(
        stdout.contains(" passed, 0 failed"),
        "{}",
        describe(&output)
    );
}

#[test]
fn python_verifier_rejects_a_corrupted_inclusion_proof() {
    let mut fixture = fixture();
    flip_hex(&mut fixture, "/inclusion/6/path/2");
    assert_rejected(
        &fixture,
        "inclusion[6] (m=40, n=77) RFC 9162 2.1.3.2 verification",
    );
}

#[test]
fn python_verifier_rejects_a_corrupted_consistency_proof() {
    let mut fixture = fixture();
    flip_hex(&mut fixture, "/consistency/7/path/0");
    assert_rejected(
        &fixture,
        "consistency[7] (m=50, n=77) RFC 9162 2.1.4.2 verification",
    );
}

#[test]
fn python_verifier_rejects_an_edited_entry_and_a_forged_checkpoint() {
    let mut fixture = fixture();
    flip_hex(&mut fixture, "/entries/12");
    assert_rejected(&fixture, "leaf[12] hash");

    let mut fixture = self::fixture();
    let note = fixture["checkpoint"]
        .as_str()
        .unwrap()
        .replacen("\n77\n", "\n76\n", 1);
    fixture["checkpoint"] = Value::String(note);
    assert_rejected(&fixture, "checkpoint size");
}
