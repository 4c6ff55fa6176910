//! Entries: a named slot of content (a hero banner, an offer) whose variants compete to be shown.

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub id: String,
    pub brand_id: String,
    pub key: String,
    pub content_type_id: String,
    pub description: Option<String>,
    pub version: i32,
}

/// Text that is not an entry key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an entry key (letters, digits and - _ . / :, up to 128)")]
pub struct NotAnEntryKey(pub String);

/// An entry key: 1–128 characters of letters, digits and `- _ . / :`, starting with a letter or digit.
pub fn parse_key(raw: &str) -> Result<String, NotAnEntryKey> {
    let ok = !raw.is_empty()
        && raw.len() <= 128
        && raw
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:".contains(c));
    if ok {
        Ok(raw.to_string())
    } else {
        Err(NotAnEntryKey(raw.to_string()))
    }
}
