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

/// A new id that sorts by creation time: the milliseconds since 1970 in base 36 (nine digits,
/// enough until the year 5138), then random characters. Usage events get these, so the usage
/// table's primary key grows at its end instead of at random places.
pub fn new_sortable_id(prefix: &str) -> String {
    let millis = chrono::Utc::now().timestamp_millis().max(0) as u64;
    let mut time = [b'0'; 9];
    let mut rest = millis;
    for digit in time.iter_mut().rev() {
        *digit = ALPHABET[(rest % 36) as usize];
        rest /= 36;
    }
    format!("{prefix}_{}{}", String::from_utf8_lossy(&time), random_token(12))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sortable_ids_sort_by_creation_time_and_stay_unique() {
        let first = new_sortable_id("imp");
        std::thread::sleep(std::time::Duration::from_millis(2));
        let second = new_sortable_id("imp");
        assert!(first < second, "{first} then {second}");
        assert_eq!(first.len(), "imp_".len() + 9 + 12);
        assert_ne!(new_sortable_id("imp"), new_sortable_id("imp"));
    }
}
