//! The checks a draft passes on every save, run once.
//!
//! [`check_draft`] is the one pipeline `createVariant` and every save of a revision go through:
//! the draft's owner (entry, brand, content type, the brand's audiences) is loaded once by the
//! caller, then the content is normalised and refused (`BAD_INPUT`) when its shape, fields, rule
//! or locale are wrong, its ASSET and REFERENCE fields are checked against the brand's library
//! and entries, and its quality is built once from the brand's checks, the images' and the
//! conflicts it would have with the entry's other variants (`conflicts`). The pure rules live in
//! `domain::quality` and `domain::conflicts`; this module adds what needs the database.

mod conflicts;

use crate::assets::renditions::device_width;
use crate::domain::audience::AudienceRules;
use crate::domain::brand::{parse_locale, Brand};
use crate::domain::content_type::{ContentType, FieldKind};
use crate::domain::entry::Entry;
use crate::domain::quality::{self, asset_checks, Check, Quality};
use crate::domain::rule::RuleError;
use crate::domain::targeting::{Standing, Targeting};
use crate::domain::variant::VariantContent;
use crate::error::{AppError, AppResult};
use crate::store::{self, time, DbConnection};

pub(crate) use conflicts::with_conflict_checks;
use conflicts::{conflict_checks, Contender};

/// The entry a variant belongs to, with its brand and content type.
pub(crate) struct Owner {
    pub entry: Entry,
    pub brand: Brand,
    pub content_type: ContentType,
    /// The brand's audiences, which the variant's rule may name.
    pub audiences: AudienceRules,
}

impl Owner {
    /// Loads the owner of the entry `entry_id` (`NOT_FOUND` when there is no such entry).
    pub(crate) fn load(conn: &mut DbConnection, entry_id: &str) -> AppResult<Owner> {
        let entry = store::entries::by_id(conn, entry_id)?
            .ok_or_else(|| AppError::not_found(format!("entry {entry_id} does not exist")))?;
        let brand = store::brands::by_id(conn, &entry.brand_id)?;
        let content_type = store::content_types::by_id(conn, &entry.content_type_id)?;
        let audiences = store::audiences::rules_of_brand(conn, &brand.id)?;
        Ok(Owner {
            entry,
            brand,
            content_type,
            audiences,
        })
    }
}

/// A draft that passed its checks: its content normalised, and its quality.
pub(crate) struct Checked {
    pub content: VariantContent,
    pub quality: Quality,
}

/// Runs every check of a save on `content`, a draft of variant `variant_id` (which need not
/// exist yet) of `owner`'s entry.
pub(crate) fn check_draft(
    conn: &mut DbConnection,
    owner: &Owner,
    variant_id: &str,
    content: VariantContent,
) -> AppResult<Checked> {
    let (content, targeting) = check_settings(owner, content)?;
    let locale = content
        .locale
        .as_deref()
        .unwrap_or(&owner.brand.default_locale);
    let mut checks = quality::check_content(
        &owner.brand.policy,
        &owner.content_type,
        &content.fields,
        locale,
    );
    checks.extend(check_asset_fields(conn, owner, &content)?);
    super::references::check_reference_fields(conn, owner, &content)?;
    // Ranking reads the score the draft has before its conflicts are known.
    let me = Contender {
        id: variant_id,
        name: &content.name,
        targeting: &targeting,
        standing: Standing {
            quality: Quality::score_of(&checks),
            created_at: time::now(),
            published: false,
            archived: false,
        },
    };
    checks.extend(conflict_checks(
        conn,
        &owner.audiences,
        &owner.entry.id,
        me,
    )?);
    Ok(Checked {
        quality: Quality::from_checks(checks),
        content,
    })
}

/// Normalises the content and refuses a wrong shape, fields, rule or locale; answers the
/// content with its rule and locale in their canonical forms, and its targeting compiled.
fn check_settings(
    owner: &Owner,
    content: VariantContent,
) -> AppResult<(VariantContent, Targeting)> {
    let mut content = content.normalise();
    content.check_shape().map_err(AppError::bad_input)?;
    owner
        .content_type
        .check_fields(&content.fields)
        .map_err(|e| AppError::bad_input(e.to_string()))?;
    let rule = content
        .targeting()
        .compile(&owner.audiences)
        .map_err(|e| AppError::bad_input(format!("rule: {} at {}", e.message, e.path)))?
        .rule;
    content.rule = rule.as_ref().map(|r| r.to_json());
    if let Some(locale) = &content.locale {
        let locale = parse_locale(locale).map_err(AppError::bad_input)?;
        if !owner.brand.allows_locale(&locale) {
            return Err(AppError::bad_input(format!(
                "locale {locale} is not one of brand `{}`'s locales ({})",
                owner.brand.slug,
                owner.brand.locales.join(", ")
            )));
        }
        content.locale = Some(locale);
    }
    let targeting = content.targeting().with_rule(rule);
    Ok((content, targeting))
}

/// Refuses (`BAD_INPUT`) an ASSET field naming no asset of the brand's library; answers the
/// warnings about the images the fields do name (`domain::quality::asset_checks`).
fn check_asset_fields(
    conn: &mut DbConnection,
    owner: &Owner,
    content: &VariantContent,
) -> AppResult<Vec<Check>> {
    let mut checks = Vec::new();
    let asset_fields = owner.content_type.fields.iter();
    for def in asset_fields.filter(|f| f.kind == FieldKind::Asset) {
        for (index, value) in def.values(&content.fields) {
            let Some(id) = value.as_str().map(str::trim).filter(|v| !v.is_empty()) else {
                continue;
            };
            let asset = store::assets::find(conn, &owner.brand.id, id)?.ok_or_else(|| {
                let at = if def.list {
                    format!(" index {index}")
                } else {
                    String::new()
                };
                AppError::bad_input(format!(
                    "field `{}`{at}: `{id}` is not an asset of brand `{}`",
                    def.name, owner.brand.slug
                ))
            })?;
            checks.extend(asset_checks(
                &def.name,
                &asset,
                &content.devices,
                device_width,
            ));
        }
    }
    Ok(checks)
}

/// A saved revision's targeting, compiled against the brand's audiences. Saving refuses a rule
/// that does not compile, so a failure means the audiences changed under it (which their own
/// checks prevent): it is logged, and the rule read as targeting everyone.
pub(crate) fn saved_targeting(
    variant_id: &str,
    content: &VariantContent,
    audiences: &AudienceRules,
) -> Targeting {
    content
        .targeting()
        .compile(audiences)
        .unwrap_or_else(|e: RuleError| {
            tracing::warn!(variant = %variant_id, error = %e, "saved rule does not compile; read as targeting everyone");
            content.targeting().with_rule(None)
        })
}
