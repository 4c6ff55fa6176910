//! Brand and quality checks on a variant's content, and the score computed from them.
//!
//! Checks run on every save and are stored with the revision. Severity `ERROR` blocks submit
//! and publish. The score is `1 − 0.5·errors − 0.15·warnings − 0.02·infos`, clamped to 0..1: one
//! error halves it, a clean variant scores 1. The brand's checks ([`check_content`]) and the
//! images' ([`asset_checks`]) are pure; `content::checks` runs them with what needs the
//! database (which assets exist, the entry's other variants) once per save.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

use super::asset::Asset;
use super::brand::BrandPolicy;
use super::content_type::ContentType;
use super::device::Device;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Check {
    pub kind: String,
    pub severity: Severity,
    pub message: String,
    /// The field the check concerns, as a JSON path such as `fields.title`.
    pub path: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quality {
    pub score: f64,
    pub checks: Vec<Check>,
}

impl Quality {
    pub fn from_checks(checks: Vec<Check>) -> Quality {
        let score = Quality::score_of(&checks);
        Quality { score, checks }
    }

    /// The score `checks` give, rounded to three decimals.
    pub fn score_of(checks: &[Check]) -> f64 {
        let weight = |s: Severity| match s {
            Severity::Error => 0.5,
            Severity::Warning => 0.15,
            Severity::Info => 0.02,
        };
        let penalty: f64 = checks.iter().map(|c| weight(c.severity)).sum();
        ((1.0 - penalty).clamp(0.0, 1.0) * 1000.0).round() / 1000.0
    }

    pub fn errors(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| c.severity == Severity::Error)
    }
}

/// Lower-cased words with accents removed, for whole-word, accent-insensitive matching.
fn folded_words(text: &str) -> Vec<String> {
    let folded: String = text
        .nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn contains_phrase(haystack: &[String], needle: &[String]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// The fewest words a text needs before its readability score means anything.
const MIN_WORDS_FOR_READABILITY: usize = 25;

/// Reading ease of `text` in `language` (Flesch for English, Amstad's adaptation for German;
/// higher is easier, 0–100), or `None` for other languages and short texts.
pub fn reading_ease(text: &str, language: &str) -> Option<f64> {
    let words = textstat::lexicon_count(text);
    if words < MIN_WORDS_FOR_READABILITY {
        return None;
    }
    let sentences = textstat::sentence_count(text).max(1) as f64;
    let words_per_sentence = words as f64 / sentences;
    let syllables_per_word = textstat::syllable_count(text) as f64 / words as f64;
    match language {
        "en" => Some(textstat::flesch_reading_ease(text)),
        "de" => Some(180.0 - words_per_sentence - 58.5 * syllables_per_word),
        _ => None,
    }
}

fn readability_check(texts: &[(&str, &str)], locale: &str) -> Option<Check> {
    let language = locale
        .split('-')
        .next()
        .unwrap_or(locale)
        .to_ascii_lowercase();
    let all: String = texts.iter().map(|(_, t)| *t).collect::<Vec<_>>().join("\n");
    let ease = reading_ease(&all, &language)?;
    let (severity, verdict) = match ease {
        e if e < 30.0 => (Severity::Warning, "very hard to read"),
        e if e < 50.0 => (Severity::Info, "hard to read"),
        _ => return None,
    };
    let formula = if language == "de" { "Amstad" } else { "Flesch" };
    Some(Check {
        kind: "readability".into(),
        severity,
        message: format!(
            "the copy is {verdict} ({formula} reading ease {ease:.0}; aim for 50 or more)"
        ),
        path: Some("fields".into()),
    })
}

/// Runs the brand's checks over a variant's fields, written in `locale`.
pub fn check_content(
    policy: &BrandPolicy,
    content_type: &ContentType,
    fields: &Value,
    locale: &str,
) -> Vec<Check> {
    let mut checks = Vec::new();
    let texts: Vec<(&str, &str)> = content_type
        .fields
        .iter()
        .filter(|def| def.kind.is_text())
        .flat_map(|def| {
            def.values(fields)
                .filter_map(|(_, v)| v.as_str().map(|v| (def.name.as_str(), v)))
        })
        .collect();
    for term in &policy.banned_terms {
        let needle = folded_words(term);
        for (name, text) in &texts {
            if contains_phrase(&folded_words(text), &needle) {
                checks.push(Check {
                    kind: "banned_term".into(),
                    severity: Severity::Error,
                    message: format!("`{term}` is banned by the brand policy"),
                    path: Some(format!("fields.{name}")),
                });
            }
        }
    }
    if let Some(disclaimer) = policy
        .required_disclaimer
        .as_deref()
        .filter(|d| !d.trim().is_empty())
    {
        let needle = folded_words(disclaimer);
        if !texts
            .iter()
            .any(|(_, text)| contains_phrase(&folded_words(text), &needle))
        {
            checks.push(Check {
                kind: "disclaimer".into(),
                severity: Severity::Error,
                message: format!("the required disclaimer “{disclaimer}” is missing"),
                path: Some("fields".into()),
            });
        }
    }
    if let (Some(max), Some(title)) = (
        policy.max_title_length,
        fields.get("title").and_then(Value::as_str),
    ) {
        let len = title.chars().count();
        if len > max as usize {
            checks.push(Check {
                kind: "title_length".into(),
                severity: Severity::Error,
                message: format!("the title has {len} characters; the brand allows {max}"),
                path: Some("fields.title".into()),
            });
        }
    }
    checks.extend(readability_check(&texts, locale));
    checks
}

/// Warnings about one image the field `field` shows: no alt text, or narrower than the
/// rendition (`width_of`) of a device the variant targets (every device when it targets none).
pub fn asset_checks(
    field: &str,
    asset: &Asset,
    devices: &[Device],
    width_of: impl Fn(Device) -> u32,
) -> Vec<Check> {
    let mut checks = Vec::new();
    let path = Some(format!("fields.{field}"));
    if asset.alt.is_none() {
        checks.push(Check {
            kind: "asset_alt".into(),
            severity: Severity::Warning,
            message: format!("the image in `{field}` has no alt text"),
            path: path.clone(),
        });
    }
    let targeted = if devices.is_empty() {
        &Device::ALL[..]
    } else {
        devices
    };
    let narrow: Vec<&str> = targeted
        .iter()
        .filter(|d| asset.width < width_of(**d))
        .map(|d| d.as_str())
        .collect();
    if !narrow.is_empty() {
        let message = format!(
            "the image in `{field}` is {} px wide, narrower than the rendition for {}",
            asset.width,
            narrow.join(", ")
        );
        checks.push(Check {
            kind: "asset_width".into(),
            severity: Severity::Warning,
            message,
            path,
        });
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::content_type::{FieldDef, FieldKind};
    use serde_json::json;

    fn article() -> ContentType {
        let text = |n: &str| FieldDef {
            name: n.into(),
            kind: FieldKind::Text,
            required: false,
            max_length: None,
            to: Vec::new(),
            list: false,
        };
        ContentType {
            id: "c".into(),
            brand_id: "b".into(),
            name: "A".into(),
            fields: vec![text("title"), text("body")],
            version: 1,
        }
    }

    #[test]
    fn banned_terms_match_whole_words_ignoring_case_and_accents() {
        let policy = BrandPolicy {
            banned_terms: vec!["guaranteed".into()],
            ..Default::default()
        };
        let hit = check_content(
            &policy,
            &article(),
            &json!({"body": "Returns GUARANTÉED!"}),
            "en",
        );
        assert_eq!(hit.len(), 1);
        assert_eq!(hit[0].path.as_deref(), Some("fields.body"));
        assert!(
            check_content(&policy, &article(), &json!({"body": "unguaranteed"}), "en").is_empty()
        );
    }

    #[test]
    fn a_missing_disclaimer_is_an_error() {
        let policy = BrandPolicy {
            required_disclaimer: Some("Capital at risk.".into()),
            ..Default::default()
        };
        assert_eq!(
            check_content(&policy, &article(), &json!({"body": "Invest now"}), "en")[0].severity,
            Severity::Error
        );
        assert!(check_content(
            &policy,
            &article(),
            &json!({"body": "Invest now. Capital at risk."}),
            "en"
        )
        .is_empty());
    }

    #[test]
    fn convoluted_copy_gets_a_readability_warning() {
        let hard = "Notwithstanding considerable institutional uncertainty, comprehensive diversification \
            methodologies notwithstanding, investment professionals systematically recommend \
            international multi-jurisdictional portfolio reconfiguration, particularly considering \
            unprecedented macroeconomic volatility characterising contemporary capitalisation, \
            institutional intermediation and extraordinarily sophisticated securitisation.";
        let checks = check_content(
            &BrandPolicy::default(),
            &article(),
            &json!({"body": hard}),
            "en",
        );
        assert_eq!(checks[0].kind, "readability");
        assert_eq!(checks[0].severity, Severity::Warning);
        let easy = "We help you save. Put a little away each month. You can take it out when you need it. \
            There are no fees. Your money is safe with us. Start today and watch it grow.";
        assert!(check_content(
            &BrandPolicy::default(),
            &article(),
            &json!({"body": easy}),
            "en"
        )
        .is_empty());
    }

    #[test]
    fn an_image_without_alt_text_or_too_narrow_for_a_targeted_device_is_a_warning() {
        let asset = Asset {
            id: "a".into(),
            brand_id: "b".into(),
            width: 800,
            height: 600,
            format: "png".into(),
            bytes: 1,
            alt: None,
            focal: None,
            dominant_color: "#000000".into(),
            placeholder: String::new(),
            uploaded_by: "e".into(),
            created_at: chrono::Utc::now(),
        };
        let width_of = |d: Device| if d == Device::Mobile { 640 } else { 1920 };
        let mobile = asset_checks("hero", &asset, &[Device::Mobile], width_of);
        assert_eq!(mobile.len(), 1);
        assert_eq!(mobile[0].kind, "asset_alt");
        assert_eq!(mobile[0].path.as_deref(), Some("fields.hero"));
        let everyone = asset_checks("hero", &asset, &[], width_of);
        assert_eq!(everyone[1].kind, "asset_width");
        assert!(!everyone[1].message.contains("MOBILE"));
    }

    #[test]
    fn one_error_halves_the_score() {
        let check = Check {
            kind: "x".into(),
            severity: Severity::Error,
            message: String::new(),
            path: None,
        };
        assert_eq!(Quality::from_checks(vec![check]).score, 0.5);
        assert_eq!(Quality::from_checks(vec![]).score, 1.0);
    }
}
