//! Brands: create (admin), update (admin), list within the caller's scope.

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

#[derive(Debug, Clone, Default)]
pub struct BrandUpdate {
    pub name: Option<String>,
    pub default_locale: Option<String>,
    pub locales: Option<Vec<String>>,
    pub policy: Option<BrandPolicy>,
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
                let mut brand = store::brands::require(conn, &slug)?;
                if let Some(name) = update.name {
                    brand.name = check_name(&name)?;
                }
                let default = update
                    .default_locale
                    .unwrap_or_else(|| brand.default_locale.clone());
                let locales = update.locales.unwrap_or_else(|| brand.locales.clone());
                (brand.default_locale, brand.locales) =
                    normalise_locales(&default, &locales).map_err(AppError::bad_input)?;
                if let Some(policy) = update.policy {
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
