//! RFC 9162 §2.1 conformance: the tree's roots and proofs against a naive transcription of
//! the RFC's recursive definitions, for every size 1..=64 and every (m, n) pair, plus the
//! published RFC 6962 reference roots.

use ctip_ledger::{
    Hash, MerkleTree, ProofError, empty_root, leaf_hash, node_hash, verify_consistency,
    verify_inclusion,
};

const MAX_SIZE: u64 = 64;

/// `MTH(D[n])` transcribed from RFC 9162 §2.1.1, recursing on slices.
fn reference_root(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = largest_power_of_two_below(n);
            node_hash(&reference_root(&leaves[..k]), &reference_root(&leaves[k..]))
        }
    }
}

fn largest_power_of_two_below(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

/// `PATH(m, D[n])` transcribed from RFC 9162 §2.1.3.1.
fn reference_path(m: usize, leaves: &[Hash]) -> Vec<Hash> {
    let n = leaves.len();
    if n == 1 {
        return Vec::new();
    }
    let k = largest_power_of_two_below(n);
    if m < k {
        let mut path = reference_path(m, &leaves[..k]);
        path.push(reference_root(&leaves[k..]));
        path
    } else {
        let mut path = reference_path(m - k, &leaves[k..]);
        path.push(reference_root(&leaves[..k]));
        path
    }
}

/// `SUBPROOF(m, D[n], b)` transcribed from RFC 9162 §2.1.4.1.
fn reference_subproof(m: usize, leaves: &[Hash], complete: bool) -> Vec<Hash> {
    let n = leaves.len();
    if m == n {
        return if complete {
            Vec::new()
        } else {
            vec![reference_root(leaves)]
        };
    }
    let k = largest_power_of_two_below(n);
    if m <= k {
        let mut proof = reference_subproof(m, &leaves[..k], complete);
        proof.push(reference_root(&leaves[k..]));
        proof
    } else {
        let mut proof = reference_subproof(m - k, &leaves[k..], false);
        proof.push(reference_root(&leaves[..k]));
        proof
    }
}

fn leaves(count: u64) -> Vec<Hash> {
    (0..count)
        .map(|i| leaf_hash(format!("entry {i}").as_bytes()))
        .collect()
}

fn tree_of(leaf_hashes: &[Hash]) -> MerkleTree {
    let mut tree = MerkleTree::new();
    for leaf in leaf_hashes {
        tree.push(*leaf);
    }
    tree
}

#[test]
fn roots_match_the_rfc_6962_reference_vectors() {
    // The eight leaves and roots used by RFC 6962 implementations' test suites.
    let inputs: [&[u8]; 8] = [
        b"",
        b"\x00",
        b"\x10",
        b"\x20\x21",
        b"\x30\x31",
        b"\x40\x41\x42\x43",
        b"\x50\x51\x52\x53\x54\x55\x56\x57",
        b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
    ];
    let expected = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];
    let mut tree = MerkleTree::new();
    assert_eq!(tree.root(), empty_root());
    for (input, root) in inputs.iter().zip(expected) {
        tree.push(leaf_hash(input));
        assert_eq!(tree.root().to_hex(), root, "size {}", tree.len());
    }
    for (size, root) in (1..=8).zip(expected) {
        assert_eq!(tree.root_at(size).unwrap().to_hex(), root);
    }
}

#[test]
fn every_root_of_every_size_matches_the_recursive_definition() {
    let all = leaves(MAX_SIZE);
    let tree = tree_of(&all);
    for size in 0..=MAX_SIZE {
        let expected = reference_root(&all[..size as usize]);
        assert_eq!(tree.root_at(size).unwrap(), expected, "size {size}");
        assert_eq!(
            tree_of(&all[..size as usize]).root(),
            expected,
            "fresh tree of {size}"
        );
    }
}

#[test]
fn every_inclusion_proof_matches_the_rfc_and_verifies() {
    let all = leaves(MAX_SIZE);
    let tree = tree_of(&all);
    for size in 1..=MAX_SIZE {
        let prefix = &all[..size as usize];
        let root = reference_root(prefix);
        for index in 0..size {
            let proof = tree.inclusion_proof(index, size).unwrap();
            assert_eq!(
                proof,
                reference_path(index as usize, prefix),
                "PATH({index}, D[{size}])"
            );
            assert_eq!(
                verify_inclusion(index, size, &all[index as usize], &proof, &root),
                Ok(()),
                "verify PATH({index}, D[{size}])"
            );
        }
    }
}

#[test]
fn inclusion_verification_rejects_wrong_leaf_index_root_and_path() {
    let all = leaves(MAX_SIZE);
    let tree = tree_of(&all);
    for size in 1..=MAX_SIZE {
        let root = tree.root_at(size).unwrap();
        for index in 0..size {
            let leaf = all[index as usize];
            let proof = tree.inclusion_proof(index, size).unwrap();
            // Another leaf at this position.
            let other = leaf_hash(b"not in the log");
            assert!(verify_inclusion(index, size, &other, &proof, &root).is_err());
            // The same leaf claimed at every other position.
            for wrong in (0..size).filter(|&w| w != index) {
                assert!(
                    verify_inclusion(wrong, size, &leaf, &proof, &root).is_err(),
                    "leaf {index} accepted at {wrong} in size {size}"
                );
            }
            // Out of range, wrong root.
            assert_eq!(
                verify_inclusion(size, size, &leaf, &proof, &root),
                Err(ProofError::IndexOutOfRange { index: size, size })
            );
            assert!(verify_inclusion(index, size, &leaf, &proof, &other).is_err());
            // Every single flipped bit, a missing hash and an extra hash.
            for position in 0..proof.len() {
                let mut bad = proof.clone();
                bad[position].0[position % 32] ^= 0x01;
                assert!(verify_inclusion(index, size, &leaf, &bad, &root).is_err());
            }
            if let Some((_, shorter)) = proof.split_last() {
                assert_eq!(
                    verify_inclusion(index, size, &leaf, shorter, &root),
                    Err(ProofError::PathTooShort)
                );
            }
            let mut longer = proof.clone();
            longer.push(leaf);
            assert!(verify_inclusion(index, size, &leaf, &longer, &root).is_err());
        }
    }
}

#[test]
fn every_consistency_proof_matches_the_rfc_and_verifies() {
    let all = leaves(MAX_SIZE);
    let tree = tree_of(&all);
    for new_size in 1..=MAX_SIZE {
        let new_root = tree.root_at(new_size).unwrap();
        for old_size in 1..=new_size {
            let old_root = tree.root_at(old_size).unwrap();
            let proof = tree.consistency_proof(old_size, new_size).unwrap();
            let expected = if old_size == new_size {
                Vec::new()
            } else {
                reference_subproof(old_size as usize, &all[..new_size as usize], true)
            };
            assert_eq!(proof, expected, "PROOF({old_size}, D[{new_size}])");
            assert_eq!(
                verify_consistency(old_size, new_size, &old_root, &new_root, &proof),
                Ok(()),
                "verify PROOF({old_size}, D[{new_size}])"
            );
        }
    }
}

#[test]
fn consistency_verification_rejects_every_corruption() {
    let all = leaves(MAX_SIZE);
    let tree = tree_of(&all);
    let unrelated = leaf_hash(b"unrelated");
    for new_size in 2..=MAX_SIZE {
        let new_root = tree.root_at(new_size).unwrap();
        for old_size in 1..new_size {
            let old_root = tree.root_at(old_size).unwrap();
            let proof = tree.consistency_proof(old_size, new_size).unwrap();
            assert_eq!(
                verify_consistency(old_size, new_size, &old_root, &new_root, &[]),
                Err(ProofError::EmptyPath)
            );
            assert!(verify_consistency(old_size, new_size, &unrelated, &new_root, &proof).is_err());
            assert!(verify_consistency(old_size, new_size, &old_root, &unrelated, &proof).is_err());
            assert!(verify_consistency(new_size, old_size, &new_root, &old_root, &proof).is_err());
            for position in 0..proof.len() {
                let mut bad = proof.clone();
                bad[position].0[31 - position % 32] ^= 0x80;
                assert!(
                    verify_consistency(old_size, new_size, &old_root, &new_root, &bad).is_err(),
                    "flip {position} accepted for ({old_size}, {new_size})"
                );
            }
            let (_, shorter) = proof.split_last().unwrap();
            assert!(verify_consistency(old_size, new_size, &old_root, &new_root, shorter).is_err());
            let mut longer = proof.clone();
            longer.push(unrelated);
            assert!(verify_consistency(old_size, new_size, &old_root, &new_root, &longer).is_err());
            // A different older tree (one leaf changed) is not consistent with the new one.
            let mut forked = all[..old_size as usize].to_vec();
            forked[0] = unrelated;
            let forked_root = reference_root(&forked);
            assert!(
                verify_consistency(old_size, new_size, &forked_root, &new_root, &proof).is_err()
            );
        }
    }
}

#[test]
fn trivial_consistency_cases_need_an_empty_proof() {
    let all = leaves(5);
    let tree = tree_of(&all);
    let root = tree.root();
    assert_eq!(tree.consistency_proof(0, 5), Ok(Vec::new()));
    assert_eq!(verify_consistency(0, 5, &empty_root(), &root, &[]), Ok(()));
    assert!(verify_consistency(0, 5, &root, &root, &[]).is_err());
    assert_eq!(verify_consistency(5, 5, &root, &root, &[]), Ok(()));
    assert_eq!(
        verify_consistency(5, 5, &root, &root, &[root]),
        Err(ProofError::UnexpectedPath)
    );
    assert_eq!(
        tree.consistency_proof(4, 3),
        Err(ProofError::SizesOutOfOrder {
            old_size: 4,
            new_size: 3
        })
    );
    assert_eq!(
        tree.inclusion_proof(0, 6),
        Err(ProofError::SizeBeyondTree {
            size: 6,
            tree_size: 5
        })
    );
}
