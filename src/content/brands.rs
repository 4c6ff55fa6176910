//! Brands: create (admin), update (admin: the values given merged over the stored brand in the
//! update's transaction), list within the caller's scope.

use super::{audit_event, Content};
use crate::auth::{Action, Principal};
use crate::domain::brand::{normalise_locales, parse_slug, Brand, BrandPolicy};
use crate::domain::preview_url::check_preview_url;
use crate::error::{AppError, AppResult};
use crate::store;
use crate::store::changes::Change;

#[derive(Debug, Clone)]
pub struct NewBrand {
    pub slug: String,
    pub name: String,
    pub default_locale: String,
    pub locales: Vec<String>,
    pub policy: BrandPolicy,
}

/// The policy values an update gives; every `None` leaves the stored value.
#[derive(Debug, Clone, Default)]
pub struct PolicyPatch {
    pub min_quality: Option<f64>,
    pub require_approval: Option<bool>,
    pub banned_terms: Option<Vec<String>>,
    pub required_disclaimer: Option<String>,
    pub max_title_length: Option<i32>,
    pub usage_attributes: Option<Vec<String>>,
    pub consent_required: Option<bool>,
    /// `Some(None)` keeps usage forever; `None` leaves the stored value.
    pub usage_retention_days: Option<Option<i32>>,
}

impl PolicyPatch {
    /// The given values over `base`.
    pub fn over(self, base: BrandPolicy) -> BrandPolicy {
        BrandPolicy {
            min_quality: self.min_quality.unwrap_or(base.min_quality),
            require_approval: self.require_approval.unwrap_or(base.require_approval),
            banned_terms: self.banned_terms.unwrap_or(base.banned_terms),
            required_disclaimer: self.required_disclaimer.or(base.required_disclaimer),
            max_title_length: self.max_title_length.or(base.max_title_length),
            usage_attributes: self.usage_attributes.unwrap_or(base.usage_attributes),
            consent_required: self.consent_required.unwrap_or(base.consent_required),
            usage_retention_days: self
                .usage_retention_days
                .unwrap_or(base.usage_retention_days),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct BrandUpdate {
    pub name: Option<String>,
    pub default_locale: Option<String>,
    pub locales: Option<Vec<String>>,
    /// Merged over the stored policy.
    pub policy: Option<PolicyPatch>,
    /// `Some(None)` clears the preview URL; `None` leaves it.
    pub preview_url: Option<Option<String>>,
}

fn check_name(name: &str) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::bad_input("name must have 1 to 200 characters"));
    }
    Ok(name.to_string())
}

/// `update` over the stored `brand`, each value checked, at the next version.
fn apply(mut brand: Brand, update: BrandUpdate) -> AppResult<Brand> {
    if let Some(name) = update.name {
        brand.name = check_name(&name)?;
    }
    let default = update
        .default_locale
        .unwrap_or_else(|| brand.default_locale.clone());
    let locales = update.locales.unwrap_or_else(|| brand.locales.clone());
    (brand.default_locale, brand.locales) =
        normalise_locales(&default, &locales).map_err(AppError::bad_input)?;
    if let Some(patch) = update.policy {
        let policy = patch.over(brand.policy.clone());
        policy.check().map_err(AppError::bad_input)?;
        brand.policy = policy;
    }
    if let Some(preview_url) = update.preview_url {
        brand.preview_url = preview_url
            .filter(|url| !url.trim().is_empty())
            .map(|url| check_preview_url(&url))
            .transpose()
            .map_err(AppError::bad_input)?;
    }
    brand.version += 1;
    Ok(brand)
}

impl Content {
    pub async fn create_brand(&self, who: &Principal, input: NewBrand) -> AppResult<Brand> {
        who.authorize(Action::ManageBrands, None)?;
        let slug = parse_slug(&input.slug).map_err(AppError::bad_input)?;
        let (default_locale, locales) = normalise_locales(&input.default_locale, &input.locales)
            .map_err(AppError::bad_input)?;
        input.policy.check().map_err(AppError::bad_input)?;
        let brand = Brand {
            id: crate::ids::new_id("brd"),
            slug,
            name: check_name(&input.name)?,
            default_locale,
            locales,
            policy: input.policy,
            version: 1,
            preview_url: None,
        };
        let event = audit_event(who, "brand.create", &brand.slug, Some(&brand.slug));
        let saved = brand.clone();
        self.db
            .write(move |conn| {
                store::brands::insert(conn, &saved)?;
                store::audit::append(conn, event)?;
                store::changes::record(conn, &[Change::Brand(saved.id.clone())])
            })
            .await?;
        self.listener.committed().await;
        Ok(brand)
    }

    /// Reads the brand, applies `update` over it and writes it, in one transaction (so a
    /// concurrent update's values are never lost to a stale read).
    pub async fn update_brand(
        &self,
        who: &Principal,
        slug: &str,
        update: BrandUpdate,
    ) -> AppResult<Brand> {
        who.authorize(Action::ManageBrands, Some(slug))?;
        let slug = slug.to_string();
        let event = audit_event(who, "brand.update", &slug, Some(&slug));
        let brand = self
            .db
            .write(move |conn| {
                let brand = apply(store::brands::require(conn, &slug)?, update)?;
                store::brands::update(conn, &brand)?;
                store::audit::append(conn, event)?;
                store::changes::record(conn, &[Change::Brand(brand.id.clone())])?;
                Ok(brand)
            })
            .await?;
        self.listener.committed().await;
        Ok(brand)
    }

    /// The brands the caller may see, by slug.
    pub async fn brands(&self, who: &Principal) -> AppResult<Vec<Brand>> {
        who.authorize(Action::ReadContent, None)?;
        let scope = who.scope();
        let all = self.db.read(store::brands::all).await?;
        Ok(all
            .into_iter()
            .filter(|b| scope.contains(&b.slug))
            .collect())
    }

    pub async fn brand(&self, who: &Principal, slug: &str) -> AppResult<Option<Brand>> {
        who.authorize(Action::ReadContent, Some(slug))?;
        let slug = slug.to_string();
        self.db
            .read(move |conn| store::brands::by_slug(conn, &slug))
            .await
    }
}
