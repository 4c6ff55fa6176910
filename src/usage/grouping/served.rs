//! The served tuple: what an event served, as the one text value the usage index keeps for it
//! (brand first, so a brand's tuples are one range of term ordinals; the free-text variant name
//! last, so splitting never looks inside it), and the 128-bit keys the index keeps of an
//! impression id or a hashed user key.

use crate::usage::event::UsageEvent;
use crate::usage::report::UsageDimension;

/// The dimensions a served tuple holds after the brand, in its order; the variant's name comes
/// last.
pub(super) const SERVED: [UsageDimension; 7] = [
    UsageDimension::Entry,
    UsageDimension::Variant,
    UsageDimension::Revision,
    UsageDimension::Device,
    UsageDimension::Locale,
    UsageDimension::Experiment,
    UsageDimension::Arm,
];
/// Between the parts of a served tuple: a control character no slug, key, id, device or locale
/// holds (and one that sorts before them all, so a brand's tuples are contiguous). The name,
/// which is free text, comes last, so splitting never looks inside it.
pub(super) const SEPARATOR: &str = "\u{1f}";

/// What the index keeps of an impression a click or conversion names (or of a person's hashed
/// user key): 128 bits of SHA-256 of the text, enough to tell apart every impression there will
/// ever be, in two fast `u64` columns.
pub fn impression_key(impression_id: &str) -> (u64, u64) {
    use sha2::Digest;
    let hash = sha2::Sha256::digest(impression_id.as_bytes());
    let half = |at: usize| u64::from_le_bytes(hash[at..at + 8].try_into().expect("8 bytes"));
    (half(0), half(8))
}

/// What `event` served, as the one text value the usage index keeps for it.
pub fn served_value(event: &UsageEvent) -> String {
    let mut value = String::new();
    write_served_value(event, &mut value);
    value
}

/// [`served_value`] into `out`, replacing what it held (indexing reuses one buffer).
pub fn write_served_value(event: &UsageEvent, out: &mut String) {
    out.clear();
    let parts = [
        event.served.brand.as_str(),
        event.served.entry_key.as_str(),
        event.served.variant_id.as_str(),
        event.served.revision.as_str(),
        event.device_name(),
        event.locale.as_str(),
        event.served.experiment_id.as_str(),
        event.served.arm_id.as_str(),
        event.served.variant_name.as_str(),
    ];
    for (i, part) in parts.into_iter().enumerate() {
        if i > 0 {
            out.push_str(SEPARATOR);
        }
        out.push_str(part);
    }
}

/// The parts of a served tuple: the brand, the values of [`SERVED`], then the variant name.
pub(super) fn served_parts(value: &str) -> (&str, [&str; SERVED.len()], &str) {
    let mut parts = value.splitn(SERVED.len() + 2, SEPARATOR);
    let brand = parts.next().unwrap_or("");
    let dimensions = std::array::from_fn(|_| parts.next().unwrap_or(""));
    (brand, dimensions, parts.next().unwrap_or(""))
}

/// The experiment and arm ids of a served tuple (empty outside experiments).
pub fn served_enrollment(value: &str) -> (&str, &str) {
    let (_, parts, _) = served_parts(value);
    (parts[SERVED.len() - 2], parts[SERVED.len() - 1])
}
