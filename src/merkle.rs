//! The Merkle tree over the log (RFC 6962 with SHA-256, as C2SP's tlog specifications use
//! it): leaf *n* is the 32-byte BLAKE3 `hash` of event *n + 1*, so the chain and the tree
//! commit to the same events, and an erasure, which keeps every `hash`, changes no leaf.
//! The tree is kept as Go's `tlog` keeps it, the hashes each leaf completes under their
//! stored-hash index (`tlog_tiles`, a port of it), so that a root, an inclusion proof or
//! a consistency proof reads O(log n) of them.

use sha2::Digest;
use tlog_tiles::tlog;
pub use tlog_tiles::tlog::{Hash as TreeHash, HashReader};

/// RFC 6962's leaf hash of an event: SHA-256 of 0x00 and the event's `hash`.
pub fn leaf_hash(event_hash: &crate::ids::Hash) -> TreeHash {
    tlog::record_hash(&event_hash.0)
}

/// The hashes to store when leaf `index` (from 0) is added, each with its stored-hash
/// index: the leaf's, and those of the subtrees it completes (read from `r`, or from the
/// hashes written before it in the same batch).
pub fn hashes_to_store<R: HashReader>(
    index: u64,
    event_hash: &crate::ids::Hash,
    r: &R,
) -> Result<Vec<(u64, TreeHash)>, tlog::Error> {
    let first = tlog::stored_hash_index(0, index);
    let hashes = tlog::stored_hashes_for_record_hash(index, leaf_hash(event_hash), r)?;
    Ok(hashes.into_iter().enumerate().map(|(i, h)| (first + i as u64, h)).collect())
}

/// How many hashes a tree of `size` leaves keeps.
pub fn stored_count(size: u64) -> u64 {
    tlog::stored_hash_count(size)
}

/// The root of the tree of the first `size` leaves.
pub fn root<R: HashReader>(size: u64, r: &R) -> Result<TreeHash, tlog::Error> {
    tlog::tree_hash(size, r)
}

/// The root computed from the leaves alone, in order, holding one hash a level: what
/// verify checks the stored tree against.
#[derive(Default)]
pub struct RootFromLeaves {
    /// The roots of the complete subtrees so far, largest first, with their heights.
    stack: Vec<(u8, TreeHash)>,
    size: u64,
    /// What the last `push` completed, kept to be refilled: the walk pushes a million
    /// leaves, and a list allocated for each was a cost of its own.
    completed: Vec<TreeHash>,
}

impl RootFromLeaves {
    /// The walk resumed after the first `size` leaves, from the stored roots of the
    /// complete subtrees that cover them: what lets verify check the tree in slices, each
    /// slice's hashes built on the ones the slices before it checked.
    pub fn resume<R: HashReader>(size: u64, r: &R) -> Result<RootFromLeaves, tlog::Error> {
        let mut heights = Vec::new();
        let mut indexes = Vec::new();
        let mut start = 0u64;
        for h in (0..64u8).rev() {
            if size & (1 << h) != 0 {
                heights.push(h);
                indexes.push(tlog::stored_hash_index(h, start >> h));
                start += 1 << h;
            }
        }
        let stack = heights.into_iter().zip(r.read_hashes(&indexes)?).collect();
        Ok(RootFromLeaves { stack, size, completed: Vec::new() })
    }

    /// Adds the next leaf; returns the hashes the stored tree keeps for it, in the order
    /// of their stored-hash indexes (the leaf's, then each subtree it completes).
    pub fn push(&mut self, event_hash: &crate::ids::Hash) -> &[TreeHash] {
        let mut node = (0u8, leaf_hash(event_hash));
        let stored = &mut self.completed;
        stored.clear();
        stored.push(node.1);
        while let Some(&(h, left)) = self.stack.last() {
            if h != node.0 {
                break;
            }
            self.stack.pop();
            node = (h + 1, tlog::node_hash(left, node.1));
            stored.push(node.1);
        }
        self.stack.push(node);
        self.size += 1;
        &self.completed
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// The root of the leaves pushed: RFC 6962's hash of the empty string for none.
    pub fn root(&self) -> TreeHash {
        let mut it = self.stack.iter().rev();
        let Some(&(_, mut acc)) = it.next() else {
            // The empty tree's root: SHA-256 of nothing (RFC 6962, 2.1).
            return tlog::Hash(sha2::Sha256::digest([]).into());
        };
        for &(_, left) in it {
            acc = tlog::node_hash(left, acc);
        }
        acc
    }
}

/// The inclusion proof of leaf `index` in the tree of `size` leaves.
pub fn prove_inclusion<R: HashReader>(size: u64, index: u64, r: &R) -> Result<Vec<TreeHash>, tlog::Error> {
    tlog::prove_record(size, index, r)
}

/// Checks an inclusion proof of leaf `index` (with its event hash) against `root` of a tree of `size`.
pub fn check_inclusion(
    proof: &[TreeHash],
    size: u64,
    root: TreeHash,
    index: u64,
    event_hash: &crate::ids::Hash,
) -> Result<(), tlog::Error> {
    tlog::check_record(&proof.to_vec(), size, root, index, leaf_hash(event_hash))
}

/// The consistency proof of the tree of `old` leaves with that of `size`.
pub fn prove_consistency<R: HashReader>(size: u64, old: u64, r: &R) -> Result<Vec<TreeHash>, tlog::Error> {
    tlog::prove_tree(size, old, r)
}

/// Checks that the tree of `size` leaves with `root` extends that of `old` with `old_root`.
pub fn check_consistency(
    proof: &[TreeHash],
    size: u64,
    root: TreeHash,
    old: u64,
    old_root: TreeHash,
) -> Result<(), tlog::Error> {
    tlog::check_tree(&proof.to_vec(), size, root, old, old_root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// A tree in memory, as the store keeps one: stored-hash index to hash.
    struct Memory(BTreeMap<u64, TreeHash>);

    impl HashReader for Memory {
        fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<TreeHash>, tlog::Error> {
            indexes.iter().map(|i| self.0.get(i).copied().ok_or(tlog::Error::IndexesNotInTree)).collect()
        }
    }

    fn hex(h: &TreeHash) -> String {
        crate::ids::Hash(h.0).to_hex()
    }

    /// RFC 6962's reference leaves (as in Certificate Transparency's own tests), hashed
    /// as data: the roots of the trees of 1 to 8 of them.
    #[test]
    fn the_roots_of_rfc_6962s_test_vectors() {
        let leaves: [&[u8]; 8] = [
            b"",
            b"\x00",
            b"\x10",
            b"\x20\x21",
            b"\x30\x31",
            b"\x40\x41\x42\x43",
            b"\x50\x51\x52\x53\x54\x55\x56\x57",
            b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
        ];
        let roots = [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        ];
        let mut tree = Memory(BTreeMap::new());
        for (n, leaf) in leaves.iter().enumerate() {
            let first = tlog::stored_hash_index(0, n as u64);
            let hashes = tlog::stored_hashes(n as u64, leaf, &tree).unwrap();
            for (i, h) in hashes.into_iter().enumerate() {
                tree.0.insert(first + i as u64, h);
            }
            assert_eq!(hex(&root(n as u64 + 1, &tree).unwrap()), roots[n], "size {}", n + 1);
        }
    }

    #[test]
    fn proofs_from_the_stored_tree_check_and_the_root_from_leaves_agrees() {
        let mut tree = Memory(BTreeMap::new());
        let mut streamed = RootFromLeaves::default();
        assert_eq!(hex(&streamed.root()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        let events: Vec<crate::ids::Hash> = (0..37u8).map(|i| crate::ids::Hash([i; 32])).collect();
        for (n, e) in events.iter().enumerate() {
            for (i, h) in hashes_to_store(n as u64, e, &tree).unwrap() {
                tree.0.insert(i, h);
            }
            streamed.push(e);
            let size = n as u64 + 1;
            assert_eq!(root(size, &tree).unwrap(), streamed.root(), "size {size}");
            assert_eq!(tree.0.len() as u64, stored_count(size));
        }
        let size = events.len() as u64;
        let top = root(size, &tree).unwrap();
        for index in [0, 1, 16, 36] {
            let proof = prove_inclusion(size, index, &tree).unwrap();
            check_inclusion(&proof, size, top, index, &events[index as usize]).unwrap();
            assert!(check_inclusion(&proof, size, top, index, &crate::ids::Hash([99; 32])).is_err());
        }
        for old in [1, 8, 20, 36] {
            let proof = prove_consistency(size, old, &tree).unwrap();
            check_consistency(&proof, size, top, old, root(old, &tree).unwrap()).unwrap();
            assert!(check_consistency(&proof, size, top, old, root(old - 1, &tree).unwrap_or(top)).is_err());
        }
        // Resumed at any size from the stored tree, the walk gives the same hashes on.
        for at in [0, 1, 5, 16, 23, 36] {
            let mut resumed = RootFromLeaves::resume(at, &tree).unwrap();
            assert_eq!(resumed.root(), root(at, &tree).unwrap(), "at {at}");
            let mut index = stored_count(at);
            for (n, e) in events.iter().enumerate().skip(at as usize) {
                for h in resumed.push(e) {
                    assert_eq!(Some(h), tree.0.get(&index), "leaf {n}, resumed at {at}");
                    index += 1;
                }
            }
            assert_eq!(index, stored_count(size));
        }
    }
}
