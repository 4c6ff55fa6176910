//! Opaque identifiers: random, URL-safe, prefixed by kind (`var_…`, `ent_…`) so a stray id in a log
//! says what it names. Ids are text in both databases.

use rand::Rng;

const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// A random lower-case alphanumeric string of `len` characters.
pub fn random_token(len: usize) -> String {
    let mut rng = rand::thread_rng();
    (0..len).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect()
}

/// A new id of the given kind, e.g. `new_id("var")` → `var_k3j…`.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", random_token(16))
}
