//! FIXED mode's bucket: XXH3-64 (seed 0) of `experiment id ‖ 0x00 ‖ userKey`, modulo 10,000.
//! XXH3 is a specified, portable hash (the same bits on every platform), so every node, every
//! restart and every version agrees on a person's bucket; it is uniform enough for the contract
//! ("a uniform hash of (experiment id, userKey)", checked below with chi-square tests), costs a
//! few nanoseconds for short keys and allocates nothing: the input is laid out in a buffer on the
//! stack (or, past its size, streamed into a hasher, which gives the same hash). (The modulo's
//! bias is below 10⁻¹⁵.)

use xxhash_rust::xxh3::{xxh3_64, Xxh3Default};

/// The longest `id ‖ 0x00 ‖ key` hashed in one call from a stack buffer.
const STACK_INPUT: usize = 256;

/// Buckets per experiment: arm *i* owns the next `weight_i × 100` of them.
pub const BUCKETS: u32 = 10_000;

/// The person's bucket in the experiment, in `0..BUCKETS`.
pub fn bucket(experiment_id: &str, user_key: &str) -> u32 {
    let (id, key) = (experiment_id.as_bytes(), user_key.as_bytes());
    let len = id.len() + 1 + key.len();
    let hash = if len <= STACK_INPUT {
        let mut input = [0u8; STACK_INPUT];
        input[..id.len()].copy_from_slice(id);
        input[id.len() + 1..len].copy_from_slice(key);
        xxh3_64(&input[..len])
    } else {
        let mut hasher = Xxh3Default::new();
        hasher.update(id);
        hasher.update(&[0u8]);
        hasher.update(key);
        hasher.digest()
    };
    (hash % u64::from(BUCKETS)) as u32
}

/// The arm owning `bucket` under `weights` (percent, in arm order), or `None` past their sum.
pub fn arm_of(bucket: u32, weights: impl IntoIterator<Item = u32>) -> Option<usize> {
    let mut end = 0;
    for (index, weight) in weights.into_iter().enumerate() {
        end += weight * 100;
        if bucket < end {
            return Some(index);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use statrs::distribution::{ChiSquared, ContinuousCDF};

    /// Pearson's chi-square p-value of `observed` against `expected` counts.
    fn chi_square_p(observed: &[u64], expected: &[f64]) -> f64 {
        let chi: f64 = observed
            .iter()
            .zip(expected)
            .map(|(&o, &e)| (o as f64 - e).powi(2) / e)
            .sum();
        ChiSquared::new((observed.len() - 1) as f64)
            .unwrap()
            .sf(chi)
    }

    fn split(weights: &[u32], people: u64) -> Vec<u64> {
        let mut counts = vec![0u64; weights.len() + 1];
        for person in 0..people {
            let key = format!("user-{person}");
            let arm = arm_of(bucket("exp_split", &key), weights.iter().copied());
            counts[arm.unwrap_or(weights.len())] += 1;
        }
        counts
    }

    #[test]
    fn the_bucket_is_a_fixed_function_of_id_and_key() {
        // Recomputed independently with the reference C library (libxxhash 0.8.1's
        // XXH3_64bits, called from Python through ctypes) over b"exp_1\x00alice" and
        // b"exp_1\x00bob", modulo 10000: 0x1e763821a2cd65db → 1659, 0x9ac78a9e1abc2a75 → 7797;
        // and over b"exp_1\x00" + b"k" * 300 (past the stack buffer, streamed): 6893.
        assert_eq!(bucket("exp_1", "alice"), 1659);
        assert_eq!(bucket("exp_1", "bob"), 7797);
        assert_eq!(bucket("exp_1", &"k".repeat(300)), 6893);
        assert_eq!(bucket("exp_1", "alice"), bucket("exp_1", "alice"));
        assert_ne!(
            (0..20)
                .map(|i| bucket("exp_1", &i.to_string()))
                .collect::<Vec<_>>(),
            (0..20)
                .map(|i| bucket("exp_2", &i.to_string()))
                .collect::<Vec<_>>()
        );
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        assert_ne!(bucket("ab", "c"), bucket("a", "bc"));
    }

    #[test]
    fn a_hundred_thousand_keys_split_fifty_fifty() {
        let counts = split(&[50, 50], 100_000);
        assert_eq!(counts[2], 0);
        let p = chi_square_p(&counts[..2], &[50_000.0, 50_000.0]);
        assert!(p > 0.001, "{counts:?} p = {p}");
    }

    #[test]
    fn a_hundred_thousand_keys_split_ten_twenty_seventy() {
        let counts = split(&[10, 20, 70], 100_000);
        assert_eq!(counts[3], 0);
        let p = chi_square_p(&counts[..3], &[10_000.0, 20_000.0, 70_000.0]);
        assert!(p > 0.001, "{counts:?} p = {p}");
    }

    #[test]
    fn weights_summing_to_sixty_leave_forty_percent_unenrolled() {
        let counts = split(&[30, 30], 100_000);
        let p = chi_square_p(&counts, &[30_000.0, 30_000.0, 40_000.0]);
        assert!(p > 0.001, "{counts:?} p = {p}");
        let unenrolled = counts[2] as f64 / 100_000.0;
        assert!((unenrolled - 0.4).abs() < 0.01, "{unenrolled}");
    }

    #[test]
    fn buckets_map_to_arms_in_order() {
        assert_eq!(arm_of(0, [10, 20]), Some(0));
        assert_eq!(arm_of(999, [10, 20]), Some(0));
        assert_eq!(arm_of(1000, [10, 20]), Some(1));
        assert_eq!(arm_of(2999, [10, 20]), Some(1));
        assert_eq!(arm_of(3000, [10, 20]), None);
        assert_eq!(arm_of(0, [0, 100]), Some(1));
    }
}
