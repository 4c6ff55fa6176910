//! Fixed-width digits appended to a string: for text made once per request or per stored event
//! (sortable ids, stored days and times), where a formatting machinery would cost many times more.

const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// Appends `value` as exactly `width` digits in `radix` (2 to 36), zero-padded; the caller keeps
/// it below `radix^width` (higher digits are dropped).
/// Inlined, so that a constant radix turns its divisions into multiplications.
#[inline]
pub fn push(out: &mut String, mut value: u64, width: usize, radix: u64) {
    debug_assert!((2..=36).contains(&radix));
    let mut buffer = [b'0'; 64];
    for digit in buffer[..width].iter_mut().rev() {
        *digit = ALPHABET[(value % radix) as usize];
        value /= radix;
    }
    out.push_str(std::str::from_utf8(&buffer[..width]).expect("the alphabet is ASCII"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_padded_to_the_width() {
        let mut text = String::new();
        push(&mut text, 36 * 36 - 1, 3, 36);
        push(&mut text, 7, 2, 10);
        push(&mut text, 2026, 4, 10);
        assert_eq!(text, "0zz072026");
    }
}
