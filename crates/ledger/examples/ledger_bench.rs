//! Throughput of the in-memory ledger: append, whole-log verification, restore, proofs.
//!
//! Run: `cargo run --release -p ctip-ledger --example ledger_bench [ENTRIES]`
//! (default 1,000,000). Durable append rates depend on the store and are measured there.

use std::hint::black_box;
use std::time::{Duration, Instant};

use ctip_ledger::{
    Action, Actor, Checkpoint, Detail, Entry, Ledger, RecordRef, Signer, StoredEntry, Tenant,
    verify_consistency, verify_inclusion, verify_log,
};

const PROOF_SAMPLES: u64 = 20_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let entries: u64 = match std::env::args().nth(1) {
        Some(text) => text.parse()?,
        None => 1_000_000,
    };
    let signer = Signer::generate("bench.ctip.local/audit")?;
    let actions = [Action::Create, Action::Read, Action::Update, Action::Export];
    let tenant = Tenant::new("org-1")?;
    let detail = Detail::new("fields=status,assignee")?;

    // What a store would persist: contiguous entry bytes, offsets and leaf hashes.
    let mut bytes = Vec::with_capacity(entries as usize * 80);
    let mut offsets = Vec::with_capacity(entries as usize + 1);
    let mut leaf_hashes = Vec::with_capacity(entries as usize);
    offsets.push(0usize);

    let mut ledger = Ledger::new();
    let started = Instant::now();
    for seq in 0..entries {
        let entry = Entry {
            seq,
            at: 1_760_000_000 + seq as i64,
            actor: Actor::new(format!("user:{}", seq % 1000))?,
            action: actions[(seq % 4) as usize].clone(),
            record: RecordRef::new("case", (seq / 7).to_string())?,
            tenant: tenant.clone(),
            detail: (seq % 3 == 0).then(|| detail.clone()),
        };
        let appended = ledger.append(&entry)?;
        bytes.extend_from_slice(&appended.encoded);
        offsets.push(bytes.len());
        leaf_hashes.push(appended.leaf_hash);
    }
    let append_time = started.elapsed();
    report_rate(
        "append (build + encode + hash + tree)",
        entries,
        append_time,
    );
    println!(
        "  average entry size: {:.1} bytes",
        bytes.len() as f64 / entries as f64
    );

    let started = Instant::now();
    let note = ledger.checkpoint(&signer)?.to_string();
    println!("checkpoint sign: {:.1} µs", micros(started.elapsed(), 1));
    let verifier = signer.verifier();
    let started = Instant::now();
    let opened = Checkpoint::open(&note, &verifier)?;
    println!(
        "checkpoint open + verify: {:.1} µs",
        micros(started.elapsed(), 1)
    );

    let rows = |with_hashes: bool| {
        let bytes = &bytes;
        let offsets = &offsets;
        let leaf_hashes = &leaf_hashes;
        (0..entries as usize).map(move |i| StoredEntry {
            seq: i as u64,
            encoded: &bytes[offsets[i]..offsets[i + 1]],
            leaf_hash: with_hashes.then(|| leaf_hashes[i]),
        })
    };
    for with_hashes in [true, false] {
        let started = Instant::now();
        let verified = verify_log(rows(with_hashes), &note, &verifier)?;
        let elapsed = started.elapsed();
        assert_eq!(verified.checkpoint_root, opened.root);
        println!(
            "verify whole log of {entries} entries ({} stored leaf hashes): {:.3} s ({:.0} entries/s)",
            if with_hashes { "with" } else { "without" },
            elapsed.as_secs_f64(),
            entries as f64 / elapsed.as_secs_f64()
        );
    }

    let started = Instant::now();
    let restored = Ledger::restore(leaf_hashes.iter().copied());
    let restore_time = started.elapsed();
    assert_eq!(restored.root(), ledger.root());
    println!(
        "restore from {entries} stored leaf hashes: {:.3} s",
        restore_time.as_secs_f64()
    );
    drop(restored);

    let size = ledger.size();
    let root = ledger.root();
    let mut random = XorShift(0x9e37_79b9_7f4a_7c15);
    let indexes: Vec<u64> = (0..PROOF_SAMPLES).map(|_| random.next() % size).collect();

    let started = Instant::now();
    let proofs: Vec<_> = indexes
        .iter()
        .map(|&index| ledger.inclusion_proof(index, size))
        .collect::<Result<_, _>>()?;
    println!(
        "inclusion proof generate: {:.2} µs (size {size}, {} hashes)",
        micros(started.elapsed(), PROOF_SAMPLES),
        proofs[0].len()
    );
    let started = Instant::now();
    for (index, proof) in indexes.iter().zip(&proofs) {
        verify_inclusion(*index, size, &leaf_hashes[*index as usize], proof, &root)?;
    }
    println!(
        "inclusion proof verify: {:.2} µs",
        micros(started.elapsed(), PROOF_SAMPLES)
    );

    let pairs: Vec<(u64, u64)> = (0..PROOF_SAMPLES)
        .map(|_| {
            let new_size = 1 + random.next() % size;
            (1 + random.next() % new_size, new_size)
        })
        .collect();
    let roots: Vec<_> = pairs
        .iter()
        .map(|&(old, new)| Ok((ledger.root_at(old)?, ledger.root_at(new)?)))
        .collect::<Result<_, ctip_ledger::ProofError>>()?;
    let started = Instant::now();
    let proofs: Vec<_> = pairs
        .iter()
        .map(|&(old, new)| ledger.consistency_proof(old, new))
        .collect::<Result<_, _>>()?;
    println!(
        "consistency proof generate: {:.2} µs",
        micros(started.elapsed(), PROOF_SAMPLES)
    );
    let started = Instant::now();
    for ((&(old, new), (old_root, new_root)), proof) in pairs.iter().zip(&roots).zip(&proofs) {
        verify_consistency(old, new, old_root, new_root, proof)?;
    }
    println!(
        "consistency proof verify: {:.2} µs",
        micros(started.elapsed(), PROOF_SAMPLES)
    );
    black_box(proofs);
    Ok(())
}

fn report_rate(what: &str, count: u64, elapsed: Duration) {
    println!(
        "{what}: {count} entries in {:.3} s = {:.0} entries/s",
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64()
    );
}

fn micros(elapsed: Duration, count: u64) -> f64 {
    elapsed.as_secs_f64() * 1e6 / count as f64
}

/// A tiny deterministic generator for picking sample indexes (not for anything secret).
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}
