//! Brands: the unit of ownership and scoping. Every entry, content type, key and asset belongs
//! to one brand, and every brand carries the policy that governs its content.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct BrandPolicy {
    /// Variants scoring below this are never served.
    pub min_quality: f64,
    /// Whether publishing needs an approved review (editors may not publish directly).
    pub require_approval: bool,
    pub banned_terms: Vec<String>,
    pub required_disclaimer: Option<String>,
    pub max_title_length: Option<i32>,
    /// Audience attributes that may be stored with usage events.
    pub usage_attributes: Vec<String>,
    /// Whether a visitor's consent must be given: each half a request does not state is then
    /// withheld (otherwise granted). See [`super::consent`].
    pub consent_required: bool,
    /// Usage events older than this many days are deleted; `None` keeps them forever.
    pub usage_retention_days: Option<i32>,
}

/// The longest retention a brand may set: a hundred years.
pub const MAX_RETENTION_DAYS: i32 = 36_500;

impl Default for BrandPolicy {
    fn default() -> Self {
        BrandPolicy {
            min_quality: 0.0,
            require_approval: false,
            banned_terms: Vec::new(),
            required_disclaimer: None,
            max_title_length: None,
            usage_attributes: Vec::new(),
            consent_required: false,
            usage_retention_days: None,
        }
    }
}

/// Why a brand's policy is refused: the setting at fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("policy.minQuality must be between 0 and 1")]
    MinQuality,
    #[error("policy.maxTitleLength must be at least 1")]
    MaxTitleLength,
    #[error("policy.bannedTerms must not hold empty terms")]
    EmptyBannedTerm,
    #[error("policy.usageAttributes must not hold empty names")]
    EmptyUsageAttribute,
    #[error(
        "policy.usageRetentionDays must be between 1 and {} (or null: keep forever)",
        MAX_RETENTION_DAYS
    )]
    RetentionDays,
}

impl BrandPolicy {
    pub fn check(&self) -> Result<(), PolicyError> {
        if !(0.0..=1.0).contains(&self.min_quality) || self.min_quality.is_nan() {
            return Err(PolicyError::MinQuality);
        }
        if self.max_title_length.is_some_and(|n| n < 1) {
            return Err(PolicyError::MaxTitleLength);
        }
        if self.banned_terms.iter().any(|t| t.trim().is_empty()) {
            return Err(PolicyError::EmptyBannedTerm);
        }
        if self.usage_attributes.iter().any(|a| a.trim().is_empty()) {
            return Err(PolicyError::EmptyUsageAttribute);
        }
        if self
            .usage_retention_days
            .is_some_and(|days| !(1..=MAX_RETENTION_DAYS).contains(&days))
        {
            return Err(PolicyError::RetentionDays);
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Brand {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub default_locale: String,
    pub locales: Vec<String>,
    pub policy: BrandPolicy,
    pub version: i32,
    /// Where "Open preview" sends editors (see [`super::preview_url`]); `None` when not set.
    pub preview_url: Option<String>,
}

impl Brand {
    /// Whether content in `locale` may be made for this brand.
    pub fn allows_locale(&self, locale: &str) -> bool {
        self.locales.iter().any(|l| l.eq_ignore_ascii_case(locale))
    }
}

/// Text that is not a slug.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a slug (lower-case letters, digits and dashes, up to 63)")]
pub struct NotASlug(pub String);

/// Text that is not a locale tag.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a locale tag like en or de-CH")]
pub struct NotALocale(pub String);

/// A slug: lower-case letters, digits and dashes, 1–63 characters, starting with a letter or digit.
pub fn parse_slug(raw: &str) -> Result<String, NotASlug> {
    let ok = !raw.is_empty()
        && raw.len() <= 63
        && raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !raw.starts_with('-');
    if ok {
        Ok(raw.to_string())
    } else {
        Err(NotASlug(raw.to_string()))
    }
}

/// A locale tag such as `en`, `de-CH` or `zh-Hant-TW`, normalised (`de-ch` → `de-CH`).
pub fn parse_locale(raw: &str) -> Result<String, NotALocale> {
    let parts: Vec<&str> = raw.split(['-', '_']).collect();
    let language = parts[0];
    let valid_language =
        (2..=3).contains(&language.len()) && language.chars().all(|c| c.is_ascii_alphabetic());
    let valid_rest = parts[1..]
        .iter()
        .all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if !valid_language || !valid_rest || raw.len() > 35 {
        return Err(NotALocale(raw.to_string()));
    }
    let mut out = language.to_ascii_lowercase();
    for part in &parts[1..] {
        out.push('-');
        match part.len() {
            2 => out.push_str(&part.to_ascii_uppercase()),
            4 => {
                out.push_str(&part[..1].to_ascii_uppercase());
                out.push_str(&part[1..].to_ascii_lowercase());
            }
            _ => out.push_str(&part.to_ascii_lowercase()),
        }
    }
    Ok(out)
}

/// The brand's locales: each normalised, no duplicates, the default first.
pub fn normalise_locales(
    default_locale: &str,
    locales: &[String],
) -> Result<(String, Vec<String>), NotALocale> {
    let default_locale = parse_locale(default_locale)?;
    let mut out = vec![default_locale.clone()];
    for raw in locales {
        let locale = parse_locale(raw)?;
        if !out.contains(&locale) {
            out.push(locale);
        }
    }
    Ok((default_locale, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_are_normalised() {
        assert_eq!(parse_locale("de_ch").unwrap(), "de-CH");
        assert_eq!(parse_locale("zh-hant-tw").unwrap(), "zh-Hant-TW");
        assert!(parse_locale("english").is_err());
        assert!(parse_locale("").is_err());
    }

    #[test]
    fn slugs_are_lower_case_words() {
        assert!(parse_slug("alpine-outfitters").is_ok());
        assert!(parse_slug("Alpine").is_err());
        assert!(parse_slug("-x").is_err());
        assert!(parse_slug("a/b").is_err());
    }

    #[test]
    fn the_default_locale_always_belongs_to_the_brand() {
        let (d, all) = normalise_locales("en", &["de".into(), "en".into()]).unwrap();
        assert_eq!(d, "en");
        assert_eq!(all, vec!["en", "de"]);
    }
}
