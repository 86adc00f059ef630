#!/usr/bin/env python3
"""Independent verifier for ctip ledger fixtures, written from the specifications:

- RFC 9162 (Certificate Transparency 2.0) section 2.1: Merkle tree hashing,
  inclusion paths (2.1.3.1) and their verification (2.1.3.2), consistency proofs
  (2.1.4.1) and their verification (2.1.4.2);
- C2SP signed-note and tlog-checkpoint for the signed checkpoint;
- the entry encoding documented in crates/ledger/src/entry.rs.

It uses the Python 3 standard library only. Ed25519 signatures are checked only if
the third-party `cryptography` package can be imported; otherwise a notice is
printed and the checkpoint's structure, key id and root are still checked.

Usage: rfc9162_verify.py FIXTURE.json
Exit status: 0 if every check passed, 1 if any failed, 2 if the fixture is unusable.

Fixture (JSON object):
  entries        list of hex strings, the encoded entries (the Merkle leaves)
  leaf_hashes    list of hex strings, SHA-256(0x00 || entry) as computed by the log
  tree_size      number of leaves covered by `root` and the checkpoint
  root           hex string, MTH of the first tree_size leaves
  inclusion      list of {leaf_index, tree_size, leaf_hash, root, path: [hex]}
  consistency    list of {first, second, first_hash, second_hash, path: [hex]}
  checkpoint     the signed checkpoint note text
  verifier_key   "<name>+<hex key id>+<base64(0x01 || public key)>"
"""

import base64
import binascii
import hashlib
import json
import sys

EM_DASH = "\u2014"
ENTRY_VERSION = 1


def sha256(data):
    return hashlib.sha256(data).digest()


def leaf_hash(entry):
    # RFC 9162 2.1.1: MTH({d(0)}) = HASH(0x00 || d(0))
    return sha256(b"\x00" + entry)


def node_hash(left, right):
    # RFC 9162 2.1.1: HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n]))
    return sha256(b"\x01" + left + right)


def largest_power_of_two_below(n):
    # "k is the largest power of two smaller than n (i.e., k < n <= 2k)"
    k = 1
    while k * 2 < n:
        k *= 2
    return k


class Tree:
    """The RFC's recursive definitions over a list of leaf hashes, memoised by range."""

    def __init__(self, leaf_hashes):
        self.leaves = leaf_hashes
        self.memo = {}

    def mth(self, start, end):
        n = end - start
        if n == 0:
            return sha256(b"")
        if n == 1:
            return self.leaves[start]
        key = (start, end)
        if key not in self.memo:
            k = largest_power_of_two_below(n)
            self.memo[key] = node_hash(self.mth(start, start + k), self.mth(start + k, end))
        return self.memo[key]

    def path(self, m, start, end):
        # RFC 9162 2.1.3.1 PATH(m, D[n])
        n = end - start
        if n == 1:
            return []
        k = largest_power_of_two_below(n)
        if m < k:
            return self.path(m, start, start + k) + [self.mth(start + k, end)]
        return self.path(m - k, start + k, end) + [self.mth(start, start + k)]

    def subproof(self, m, start, end, b):
        # RFC 9162 2.1.4.1 SUBPROOF(m, D[n], b)
        n = end - start
        if m == n:
            return [] if b else [self.mth(start, end)]
        k = largest_power_of_two_below(n)
        if m <= k:
            return self.subproof(m, start, start + k, b) + [self.mth(start + k, end)]
        return self.subproof(m - k, start + k, end, False) + [self.mth(start, start + k)]

    def proof(self, first, second):
        # RFC 9162 2.1.4.1 PROOF(m, D[n]) = SUBPROOF(m, D[n], true); empty when there
        # is nothing to prove (equal sizes, or the empty first tree).
        if first == 0 or first == second:
            return []
        return self.subproof(first, 0, second, True)


def verify_inclusion(leaf_index, tree_size, leaf, inclusion_path, root_hash):
    """RFC 9162 2.1.3.2, step by step. Returns None on success, else a reason."""
    # 1. Compare leaf_index against tree_size. If leaf_index >= tree_size, fail.
    if leaf_index >= tree_size:
        return "leaf_index >= tree_size"
    # 2. Set fn to leaf_index and sn to tree_size - 1.
    fn, sn = leaf_index, tree_size - 1
    # 3. Set r to hash.
    r = leaf
    # 4. For each value p in the inclusion_path array:
    for p in inclusion_path:
        # a. If sn is 0, then stop the iteration and fail the proof verification.
        if sn == 0:
            return "path too long (sn reached 0)"
        # b. If LSB(fn) is set, or if fn is equal to sn, then:
        if fn & 1 or fn == sn:
            # i. Set r to HASH(0x01 || p || r).
            r = node_hash(p, r)
            # ii. If LSB(fn) is not set, then right-shift both fn and sn equally
            #     until either LSB(fn) is set or fn is 0.
            if not fn & 1:
                while not (fn & 1) and fn != 0:
                    fn >>= 1
                    sn >>= 1
        # Otherwise: Set r to HASH(0x01 || r || p).
        else:
            r = node_hash(r, p)
        # c. Finally, right-shift both fn and sn one time.
        fn >>= 1
        sn >>= 1
    # 5. Compare sn to 0. Compare r against the root_hash. If sn is equal to 0 and r
    #    and the root_hash are equal, then the log has proven the inclusion.
    if sn != 0:
        return "path too short (sn is not 0)"
    if r != root_hash:
        return "computed root differs from root_hash"
    return None


def verify_consistency(first, second, first_hash, second_hash, consistency_path):
    """RFC 9162 2.1.4.2, step by step. Returns None on success, else a reason."""
    if first > second:
        return "first > second"
    # Trivial cases the RFC leaves undefined: nothing to prove, the path must be empty.
    if first == second or first == 0:
        if consistency_path:
            return "non-empty path where nothing is to be proven"
        if first == 0:
            return None if first_hash == sha256(b"") else "first_hash is not the empty root"
        return None if first_hash == second_hash else "equal sizes, different roots"
    # 1. If consistency_path is an empty array, stop and fail the proof verification.
    if not consistency_path:
        return "empty consistency_path"
    path = list(consistency_path)
    # 2. If first is an exact power of 2, then prepend first_hash to the
    #    consistency_path array.
    if first & (first - 1) == 0:
        path.insert(0, first_hash)
    # 3. Set fn to first - 1 and sn to second - 1.
    fn, sn = first - 1, second - 1
    # 4. If LSB(fn) is set, then right-shift both fn and sn equally until LSB(fn)
    #    is not set.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5. Set both fr and sr to the first value in the consistency_path array.
    fr = sr = path[0]
    # 6. For each subsequent value c in the consistency_path array:
    for c in path[1:]:
        # a. If sn is 0, then stop the iteration and fail the proof verification.
        if sn == 0:
            return "path too long (sn reached 0)"
        # b. If LSB(fn) is set, or if fn is equal to sn, then:
        if fn & 1 or fn == sn:
            # i. Set fr to HASH(0x01 || c || fr). Set sr to HASH(0x01 || c || sr).
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            # ii. If LSB(fn) is not set, then right-shift both fn and sn equally
            #     until either LSB(fn) is set or fn is 0.
            if not fn & 1:
                while not (fn & 1) and fn != 0:
                    fn >>= 1
                    sn >>= 1
        # Otherwise: Set sr to HASH(0x01 || sr || c).
        else:
            sr = node_hash(sr, c)
        # c. Finally, right-shift both fn and sn one time.
        fn >>= 1
        sn >>= 1
    # 7. Verify that fr equals first_hash, sr equals second_hash and sn is 0.
    if sn != 0:
        return "path too short (sn is not 0)"
    if fr != first_hash:
        return "computed first root differs from first_hash"
    if sr != second_hash:
        return "computed second root differs from second_hash"
    return None


def decode_entry(data):
    """The entry encoding of crates/ledger/src/entry.rs. Returns (seq, fields) or raises."""
    pos = 0

    def take(count, field):
        nonlocal pos
        if pos + count > len(data):
            raise ValueError("truncated in " + field)
        chunk = data[pos:pos + count]
        pos += count
        return chunk

    def text(field):
        length = int.from_bytes(take(2, field), "big")
        value = take(length, field).decode("utf-8")
        if not value:
            raise ValueError(field + " is empty")
        return value

    version = take(1, "version")[0]
    if version != ENTRY_VERSION:
        raise ValueError("unknown version %d" % version)
    seq = int.from_bytes(take(8, "seq"), "big")
    at = int.from_bytes(take(8, "at"), "big", signed=True)
    fields = {"at": at}
    for field in ("actor", "action", "record kind", "record id", "tenant"):
        fields[field] = text(field)
    flag = take(1, "detail flag")[0]
    if flag == 1:
        fields["detail"] = text("detail")
    elif flag != 0:
        raise ValueError("detail flag %d" % flag)
    if pos != len(data):
        raise ValueError("%d trailing bytes" % (len(data) - pos))
    return seq, fields


def b64decode_strict(text):
    raw = base64.b64decode(text.encode("ascii"), validate=True)
    if base64.b64encode(raw).decode("ascii") != text:
        raise ValueError("non-canonical base64")
    return raw


def parse_verifier_key(vkey):
    # <name>+<hex key id>+<base64(0x01 || public key)>; base64 may itself contain '+'.
    name, key_id_hex, material = vkey.split("+", 2)
    raw = b64decode_strict(material)
    if len(raw) != 33 or raw[0] != 0x01:
        raise ValueError("verifier key is not an Ed25519 key")
    if len(key_id_hex) != 8:
        raise ValueError("key id must be 8 hex digits")
    computed = sha256(name.encode("utf-8") + b"\n" + raw)[:4]
    if computed != bytes.fromhex(key_id_hex):
        raise ValueError("key id does not match SHA-256(name || 0x0A || 0x01 || key)[:4]")
    return name, computed, raw[1:]


def parse_note(note):
    """C2SP signed-note: text, blank line, signature lines. Returns (text, [(name, raw)])."""
    for ch in note:
        if ord(ch) < 0x20 and ch != "\n":
            raise ValueError("control character in note")
    split = note.rfind("\n\n")
    if split < 0:
        raise ValueError("no blank line before signatures")
    text = note[:split + 1]
    block = note[split + 2:]
    if not block or not block.endswith("\n"):
        raise ValueError("signature block missing or without final newline")
    signatures = []
    for line in block[:-1].split("\n"):
        prefix = EM_DASH + " "
        if not line.startswith(prefix):
            raise ValueError("signature line does not start with an em dash and a space")
        name, _, encoded = line[len(prefix):].partition(" ")
        if not name or "+" in name or any(c.isspace() for c in name):
            raise ValueError("invalid key name in signature line")
        raw = b64decode_strict(encoded)
        if len(raw) < 5:
            raise ValueError("signature too short")
        signatures.append((name, raw))
    return text, signatures


def parse_checkpoint_text(text):
    """C2SP tlog-checkpoint body: origin, tree size, base64 root, extension lines."""
    if not text.endswith("\n"):
        raise ValueError("checkpoint text must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3 or any(not line for line in lines):
        raise ValueError("checkpoint needs three or more non-empty lines")
    origin, size_text, root_text = lines[0], lines[1], lines[2]
    if not size_text.isdigit() or not size_text.isascii() or (size_text != "0" and size_text.startswith("0")):
        raise ValueError("tree size is not canonical decimal")
    root = b64decode_strict(root_text)
    if len(root) != 32:
        raise ValueError("root hash is not 32 bytes")
    return origin, int(size_text), root


class Report:
    def __init__(self):
        self.passed = 0
        self.failures = []

    def check(self, label, problem):
        if problem is None:
            self.passed += 1
        else:
            self.failures.append("%s: %s" % (label, problem))


def unhex(value):
    raw = bytes.fromhex(value)
    if len(raw) != 32:
        raise ValueError("hash is not 32 bytes")
    return raw


def check_checkpoint(report, fixture, tree):
    try:
        name, key_id, public_key = parse_verifier_key(fixture["verifier_key"])
        text, signatures = parse_note(fixture["checkpoint"])
        origin, size, root = parse_checkpoint_text(text)
    except (ValueError, binascii.Error, UnicodeError) as error:
        report.check("checkpoint", "malformed: %s" % error)
        return
    report.check("checkpoint origin", None if origin == name else "origin %r is not key name %r" % (origin, name))
    report.check("checkpoint size", None if size == fixture["tree_size"] else "size %d != tree_size" % size)
    expected_root = tree.mth(0, size) if size <= len(tree.leaves) else None
    report.check("checkpoint root", None if root == expected_root else "root is not MTH of the first %d leaves" % size)
    ours = [raw for (sig_name, raw) in signatures if sig_name == name and raw[:4] == key_id]
    if not ours:
        report.check("checkpoint signature", "no signature by %s with key id %s" % (name, key_id.hex()))
        return
    try:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        from cryptography.exceptions import InvalidSignature
    except ImportError:
        print("notice: the 'cryptography' package is not importable; Ed25519 signature not checked")
        report.check("checkpoint key id", None)
        return
    key = Ed25519PublicKey.from_public_bytes(public_key)
    for raw in ours:
        try:
            key.verify(raw[4:], text.encode("utf-8"))
            report.check("checkpoint signature", None)
        except InvalidSignature:
            report.check("checkpoint signature", "Ed25519 signature does not verify")


def run(fixture):
    report = Report()
    entries = [bytes.fromhex(e) for e in fixture["entries"]]
    leaves = [unhex(h) for h in fixture["leaf_hashes"]]
    if len(entries) != len(leaves):
        report.check("fixture", "entries and leaf_hashes differ in length")
        return report
    for index, (entry, leaf) in enumerate(zip(entries, leaves)):
        report.check("leaf[%d] hash" % index, None if leaf_hash(entry) == leaf else "leaf hash is not SHA-256(0x00 || entry)")
        try:
            seq, _ = decode_entry(entry)
            report.check("entry[%d] seq" % index, None if seq == index else "entry says seq %d" % seq)
        except (ValueError, UnicodeError) as error:
            report.check("entry[%d] encoding" % index, str(error))

    tree = Tree(leaves)
    size = fixture["tree_size"]
    if size > len(leaves):
        report.check("tree_size", "tree_size exceeds the number of leaves")
        return report
    report.check("root", None if tree.mth(0, size) == unhex(fixture["root"]) else "root is not MTH(D[tree_size]) (2.1.1)")

    for number, item in enumerate(fixture["inclusion"]):
        label = "inclusion[%d] (m=%d, n=%d)" % (number, item["leaf_index"], item["tree_size"])
        m, n = item["leaf_index"], item["tree_size"]
        path = [unhex(h) for h in item["path"]]
        leaf, root = unhex(item["leaf_hash"]), unhex(item["root"])
        problem = verify_inclusion(m, n, leaf, path, root)
        report.check(label + " RFC 9162 2.1.3.2 verification", problem)
        if n <= len(leaves) and m < n:
            report.check(label + " root", None if root == tree.mth(0, n) else "root is not MTH(D[n])")
            report.check(label + " leaf", None if leaf == leaves[m] else "leaf hash is not leaf m")
            report.check(label + " 2.1.3.1 PATH", None if path == tree.path(m, 0, n) else "path differs from PATH(m, D[n])")

    for number, item in enumerate(fixture["consistency"]):
        first, second = item["first"], item["second"]
        label = "consistency[%d] (m=%d, n=%d)" % (number, first, second)
        path = [unhex(h) for h in item["path"]]
        first_hash, second_hash = unhex(item["first_hash"]), unhex(item["second_hash"])
        problem = verify_consistency(first, second, first_hash, second_hash, path)
        report.check(label + " RFC 9162 2.1.4.2 verification", problem)
        if second <= len(leaves) and first <= second:
            report.check(label + " roots", None if (first_hash, second_hash) == (tree.mth(0, first), tree.mth(0, second)) else "roots are not MTH(D[m]) and MTH(D[n])")
            report.check(label + " 2.1.4.1 PROOF", None if path == tree.proof(first, second) else "proof differs from PROOF(m, D[n])")

    check_checkpoint(report, fixture, tree)
    return report


def main(argv):
    if len(argv) != 2:
        print("usage: rfc9162_verify.py FIXTURE.json", file=sys.stderr)
        return 2
    try:
        with open(argv[1], encoding="utf-8") as handle:
            fixture = json.load(handle)
        report = run(fixture)
    except (OSError, ValueError, KeyError, TypeError) as error:
        print("unusable fixture: %s" % error, file=sys.stderr)
        return 2
    for failure in report.failures:
        print("FAIL " + failure, file=sys.stderr)
    print("%d passed, %d failed" % (report.passed, len(report.failures)))
    return 0 if not report.failures else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
