#!/usr/bin/env python3
"""An independent checker of protokol's proofs, written from docs/FORMAT.md alone.

    proofs.py checkpoint  FILE VKEY   a signed checkpoint: its signature by VKEY
    proofs.py inclusion   FILE VKEY   an inclusion bundle (protokol prove)
    proofs.py consistency FILE VKEY   a consistency bundle (protokol consistency --out)

VKEY is the log's verifier key as `protokol key public` prints it, or a file holding
it. Prints `ok: ...` and exits 0, or prints what failed and exits 1. Needs `blake3`
and `cryptography` (pip install blake3 cryptography).
"""
import base64
import hashlib
import json
import sys

import blake3
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


class Refused(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Refused(message)


# --- the hash rule (FORMAT.md "The hash rule") --------------------------------------

def jcs(v):
    """RFC 8785 for what protokol bodies hold: objects, arrays, strings, integers,
    booleans and null; members sorted by the UTF-16 code units of their names."""
    if isinstance(v, dict):
        items = sorted(v.items(), key=lambda kv: kv[0].encode("utf-16-be"))
        return "{" + ",".join(jcs_string(k) + ":" + jcs(x) for k, x in items) + "}"
    if isinstance(v, list):
        return "[" + ",".join(jcs(x) for x in v) + "]"
    if isinstance(v, str):
        return jcs_string(v)
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "null"
    check(isinstance(v, int) and abs(v) <= 2**53 - 1, f"a number protokol never writes: {v!r}")
    return str(v)


def jcs_string(s):
    short = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    out = []
    for ch in s:
        if ch in short:
            out.append(short[ch])
        elif ord(ch) < 0x20:
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def b3(context, value):
    return blake3.blake3(jcs(value).encode("utf-8"), derive_key_context=context).hexdigest()


def event_hash_of_line(line, what):
    """An export line's seq and kind and its 32-byte event hash, its hashes checked as
    the export section says (for an erased line, the event hash alone)."""
    try:
        e = json.loads(line)
    except ValueError as err:
        raise Refused(f"{what}: not JSON ({err})")
    check(isinstance(e, dict) and isinstance(e.get("hash"), str), f"{what}: not an export line")
    h = e.pop("hash")
    if "redacted" in e:
        e.pop("redacted")
        check("body" not in e, f"{what}: both a body and an erasure")
    else:
        check("body" in e, f"{what}: no body")
        body = e.pop("body")
        check(b3("protokol 2026-11 body v1", body) == e.get("body_hash"), f"{what}: the body does not hash to body_hash")
    check(sorted(e) == ["body_hash", "effective", "kind", "prev", "recorded_at", "recorded_by", "seq"],
          f"{what}: the envelope's members are {sorted(e)}")
    check(b3("protokol 2026-11 event v1", e) == h, f"{what}: the envelope does not hash to hash")
    return e["seq"], e["kind"], bytes.fromhex(h)


# --- the Merkle tree (FORMAT.md "The Merkle tree", "Proofs") ------------------------

def leaf(event_hash):
    return hashlib.sha256(b"\x00" + event_hash).digest()


def node(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def lsb(x):
    return x & 1 == 1


def inclusion(index, size, leaf_hash, proof, root):
    check(index < size, f"index {index} is not in a tree of {size}")
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        check(sn > 0, "the inclusion proof is too long")
        if lsb(fn) or fn == sn:
            r = node(p, r)
            if not lsb(fn):
                while not lsb(fn) and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node(r, p)
        fn, sn = fn >> 1, sn >> 1
    check(sn == 0 and r == root, f"leaf {index} does not reach the root of {size}")


def consistency(m, old_root, n, new_root, proof):
    check(0 < m <= n, f"no consistency proof from {m} leaves to {n}")
    if m == n:
        check(not proof and old_root == new_root, f"two trees of {n} leaves with other roots")
        return
    if m & (m - 1) == 0:
        proof = [old_root] + proof
    check(proof, "an empty consistency proof")
    fn, sn = m - 1, n - 1
    while lsb(fn):
        fn, sn = fn >> 1, sn >> 1
    fr = sr = proof[0]
    for c in proof[1:]:
        check(sn > 0, "the consistency proof is too long")
        if lsb(fn) or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            if not lsb(fn):
                while not lsb(fn) and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    check(fr == old_root and sr == new_root and sn == 0, f"the tree of {n} does not extend the tree of {m}")


def hashes(proof, what):
    check(isinstance(proof, list), f"{what}: not a list")
    out = []
    for i, s in enumerate(proof, 1):
        try:
            h = base64.b64decode(s, validate=True)
        except (ValueError, TypeError):
            raise Refused(f"{what}, hash {i}: not base64")
        check(len(h) == 32, f"{what}, hash {i}: not 32 bytes")
        out.append(h)
    return out


# --- checkpoints (FORMAT.md "Checkpoints") ------------------------------------------

def verifier(vkey):
    parts = vkey.strip().split("+", 2)  # the key's base64 may hold "+" itself
    check(len(parts) == 3, "the verifier key is not name+id+key")
    name, key_id, key = parts
    raw = base64.b64decode(key)
    check(len(raw) == 33 and raw[0] == 1, "the verifier key is not an Ed25519 key (0x01 and 32 bytes)")
    public = raw[1:]
    check(hashlib.sha256(name.encode() + b"\x0a\x01" + public).digest()[:4].hex() == key_id,
          "the verifier key's ID is not that of its name and key")
    return name, bytes.fromhex(key_id), Ed25519PublicKey.from_public_bytes(public)


def open_checkpoint(note, vkey):
    """A checkpoint's origin, size and root, once its signature by vkey checks."""
    name, key_id, public = verifier(vkey)
    text, sep, signatures = note.partition("\n\n")
    check(sep, "the checkpoint has no signatures")
    text += "\n"
    lines = text.split("\n")[:-1]
    check(len(lines) >= 3, "the checkpoint's text is not origin, size and root")
    origin, size, root = lines[0], lines[1], lines[2]
    check(origin == name, f"the checkpoint is of {origin!r}, the key of {name!r}")
    check(size.isdigit() and (size == "0" or not size.startswith("0")), f"the size {size!r} is not a number")
    root = base64.b64decode(root, validate=True)
    check(len(root) == 32, "the root is not 32 bytes")
    for line in signatures.split("\n"):
        if not line:
            continue
        check(line.startswith("\u2014 "), f"not a signature line: {line!r}")
        signer, _, sig = line[2:].rpartition(" ")
        sig = base64.b64decode(sig)
        if signer == name and sig[:4] == key_id and len(sig) == 68:
            try:
                public.verify(sig[4:], text.encode("utf-8"))
            except InvalidSignature:
                raise Refused("the log's signature does not check")
            return origin, int(size), root
    raise Refused(f"no signature by {name}")


# --- the bundles ----------------------------------------------------------------------

def check_inclusion(bundle, vkey):
    check(bundle.get("format") == "protokol-inclusion/1", "not an inclusion bundle")
    origin, size, root = open_checkpoint(bundle["checkpoint"], vkey)
    entries = bundle.get("entries")
    check(isinstance(entries, list) and entries, "no entries")
    seqs = []
    for n, entry in enumerate(entries, 1):
        seq, kind, h = event_hash_of_line(entry["line"], f"entry {n}")
        check(entry["index"] == seq - 1, f"entry {n}: index {entry['index']} is not seq {seq} - 1")
        inclusion(entry["index"], size, leaf(h), hashes(entry["proof"], f"entry {n}"), root)
        seqs.append(f"{seq} {kind}")
    return f"ok: {', '.join(seqs)} in {origin}'s tree of {size} events"


def check_consistency(bundle, vkey):
    check(bundle.get("format") == "protokol-consistency/1", "not a consistency bundle")
    old_origin, m, old_root = open_checkpoint(bundle["old"], vkey)
    origin, n, new_root = open_checkpoint(bundle["checkpoint"], vkey)
    check(old_origin == origin, "two origins")
    proof = hashes(bundle["proof"], "the proof")
    if m == 0:
        check(not proof, "a proof from the empty tree")
    else:
        consistency(m, old_root, n, new_root, proof)
    return f"ok: {origin}'s tree of {n} events extends its tree of {m}"


def main(argv):
    if len(argv) != 4 or argv[1] not in ("checkpoint", "inclusion", "consistency"):
        print(__doc__, file=sys.stderr)
        return 2
    what, path, vkey = argv[1:]
    try:
        with open(vkey, encoding="utf-8") as f:
            # A file of the verifier key, or the ledger's key file (its private key first).
            vkey = [line for line in f.read().splitlines() if "+" in line and not line.startswith("PRIVATE+KEY")][0]
    except OSError:
        pass
    text = open(path, encoding="utf-8").read()
    try:
        if what == "checkpoint":
            origin, size, root = open_checkpoint(text, vkey)
            print(f"ok: {origin}'s tree of {size} events, root {root.hex()}")
        else:
            try:
                bundle = json.loads(text)
            except ValueError as err:
                raise Refused(f"not JSON: {err}")
            check(isinstance(bundle, dict), "not a bundle")
            print((check_inclusion if what == "inclusion" else check_consistency)(bundle, vkey))
    except Refused as err:
        print(f"refused: {err}")
        return 1
    except (KeyError, TypeError, ValueError, IndexError) as err:
        print(f"refused: a malformed bundle ({type(err).__name__}: {err})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
