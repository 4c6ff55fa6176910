//! GraphQL input types and their conversion into the operations' inputs.

use async_graphql::{InputObject, MaybeUndefined};
use chrono::{DateTime, Utc};

use super::types::{Device, FieldKind, Json, Role};
use crate::content::accounts::NewUser;
use crate::content::brands::{BrandUpdate, NewBrand, PolicyPatch};
use crate::content::content_types::NewContentType;
use crate::content::entries::NewEntry;
use crate::content::variants::{NewVariant, VariantPatch as PatchOp};
use crate::domain::brand::BrandPolicy;
use crate::domain::content_type::FieldDef;
use crate::domain::variant::VariantContent;

#[derive(InputObject, Default)]
pub struct BrandPolicyInput {
    pub min_quality: Option<f64>,
    pub require_approval: Option<bool>,
    pub banned_terms: Option<Vec<String>>,
    pub required_disclaimer: Option<String>,
    pub max_title_length: Option<i32>,
    /// Audience attributes that may be stored with usage events.
    pub usage_attributes: Option<Vec<String>>,
    /// Whether consent must be given: a half of `ContextInput.consent` a request leaves out is
    /// then withheld (otherwise granted).
    pub consent_required: Option<bool>,
    /// Usage events older than this many days are deleted (1 to 36,500); null keeps them
    /// forever.
    pub usage_retention_days: MaybeUndefined<i32>,
}

impl BrandPolicyInput {
    /// Applies the given values over `base`.
    pub fn over(self, base: BrandPolicy) -> BrandPolicy {
        PolicyPatch::from(self).over(base)
    }
}

impl From<BrandPolicyInput> for PolicyPatch {
    fn from(p: BrandPolicyInput) -> Self {
        PolicyPatch {
            min_quality: p.min_quality,
            require_approval: p.require_approval,
            banned_terms: p.banned_terms,
            required_disclaimer: p.required_disclaimer,
            max_title_length: p.max_title_length,
            usage_attributes: p.usage_attributes,
            consent_required: p.consent_required,
            usage_retention_days: match p.usage_retention_days {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(days) => Some(Some(days)),
            },
        }
    }
}

#[derive(InputObject)]
pub struct CreateBrandInput {
    pub slug: String,
    pub name: String,
    pub default_locale: String,
    pub locales: Option<Vec<String>>,
    pub policy: Option<BrandPolicyInput>,
}

impl From<CreateBrandInput> for NewBrand {
    fn from(i: CreateBrandInput) -> Self {
        NewBrand {
            slug: i.slug,
            name: i.name,
            default_locale: i.default_locale,
            locales: i.locales.unwrap_or_default(),
            policy: i.policy.unwrap_or_default().over(BrandPolicy::default()),
        }
    }
}

#[derive(InputObject)]
pub struct UpdateBrandInput {
    pub name: Option<String>,
    pub default_locale: Option<String>,
    pub locales: Option<Vec<String>>,
    /// Only the policy values given change.
    pub policy: Option<BrandPolicyInput>,
    /// Where "Open preview" sends editors: an http(s) URL template with `{key}` (the entry's
    /// key) and optionally `{token}` (a preview delivery key's token). Null or empty clears it.
    pub preview_url: MaybeUndefined<String>,
}

impl From<UpdateBrandInput> for BrandUpdate {
    fn from(i: UpdateBrandInput) -> Self {
        BrandUpdate {
            name: i.name,
            default_locale: i.default_locale,
            locales: i.locales,
            policy: i.policy.map(PolicyPatch::from),
            preview_url: match i.preview_url {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(url) => Some(Some(url)),
            },
        }
    }
}

#[derive(InputObject)]
pub struct FieldDefInput {
    pub name: String,
    pub kind: FieldKind,
    pub required: Option<bool>,
    /// Text length; for a list, the most elements it may hold.
    pub max_length: Option<i32>,
    /// REFERENCE only: the content types (by name) it may point to; absent or empty: any.
    pub to: Option<Vec<String>>,
    /// An array of the kind.
    pub list: Option<bool>,
}

#[derive(InputObject)]
pub struct CreateContentTypeInput {
    pub brand: String,
    pub name: String,
    pub fields: Vec<FieldDefInput>,
}

impl From<CreateContentTypeInput> for NewContentType {
    fn from(i: CreateContentTypeInput) -> Self {
        NewContentType {
            brand: i.brand,
            name: i.name,
            fields: i.fields.into_iter().map(field_def).collect(),
        }
    }
}

/// A field definition as the API gives it, with its defaults filled in.
pub fn field_def(f: FieldDefInput) -> FieldDef {
    FieldDef {
        name: f.name,
        kind: f.kind.into(),
        required: f.required.unwrap_or(false),
        max_length: f.max_length,
        to: f.to.unwrap_or_default(),
        list: f.list.unwrap_or(false),
    }
}

#[derive(InputObject)]
pub struct CreateEntryInput {
    pub brand: String,
    pub key: String,
    /// The name of a content type of the brand.
    pub content_type: String,
    pub description: Option<String>,
}

impl From<CreateEntryInput> for NewEntry {
    fn from(i: CreateEntryInput) -> Self {
        NewEntry {
            brand: i.brand,
            key: i.key,
            content_type: i.content_type,
            description: i.description,
        }
    }
}

#[derive(InputObject)]
pub struct CreateVariantInput {
    pub entry_id: async_graphql::ID,
    pub name: String,
    pub fields: Json,
    pub tags: Option<Vec<String>>,
    pub rule: Option<Json>,
    pub devices: Option<Vec<Device>>,
    pub locale: Option<String>,
    pub priority: Option<i32>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
}

impl From<CreateVariantInput> for NewVariant {
    fn from(i: CreateVariantInput) -> Self {
        NewVariant {
            entry_id: i.entry_id.0,
            content: VariantContent {
                name: i.name,
                fields: i.fields.0,
                tags: i.tags.unwrap_or_default(),
                rule: i.rule.map(|r| r.0).filter(|r| !r.is_null()),
                devices: i
                    .devices
                    .unwrap_or_default()
                    .into_iter()
                    .map(Into::into)
                    .collect(),
                locale: i.locale,
                priority: i.priority.unwrap_or(0),
                starts_at: i.starts_at,
                ends_at: i.ends_at,
            },
        }
    }
}

/// Changes to a variant; absent fields stay as they are, `null` clears the nullable ones, and
/// `fields` replaces the whole object.
#[derive(InputObject)]
pub struct VariantPatch {
    pub name: Option<String>,
    pub fields: Option<Json>,
    pub tags: Option<Vec<String>>,
    pub rule: MaybeUndefined<Json>,
    pub devices: Option<Vec<Device>>,
    pub locale: MaybeUndefined<String>,
    pub priority: Option<i32>,
    pub starts_at: MaybeUndefined<DateTime<Utc>>,
    pub ends_at: MaybeUndefined<DateTime<Utc>>,
}

fn maybe<T>(v: MaybeUndefined<T>) -> Option<Option<T>> {
    match v {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

impl From<VariantPatch> for PatchOp {
    fn from(p: VariantPatch) -> Self {
        PatchOp {
            name: p.name,
            fields: p.fields.map(|f| f.0),
            tags: p.tags,
            rule: maybe(p.rule).map(|r| r.map(|j| j.0).filter(|v| !v.is_null())),
            devices: p.devices.map(|d| d.into_iter().map(Into::into).collect()),
            locale: maybe(p.locale),
            priority: p.priority,
            starts_at: maybe(p.starts_at),
            ends_at: maybe(p.ends_at),
        }
    }
}

#[derive(InputObject)]
pub struct CreateUserInput {
    pub email: String,
    pub password: String,
    pub role: Role,
    /// Brand slugs, for editors and reviewers.
    pub brands: Option<Vec<String>>,
}

impl From<CreateUserInput> for NewUser {
    fn from(i: CreateUserInput) -> Self {
        NewUser {
            email: i.email,
            password: i.password,
            role: i.role.into(),
            brands: i.brands.unwrap_or_default(),
        }
    }
}

/// Who is asking for content: the audience's attributes, device, locale and time.
#[derive(InputObject, Default, Clone)]
pub struct ContextInput {
    /// An object of the audience's attributes: {"segment": "skier", "age": 34}
    pub attributes: Option<Json>,
    /// When absent: detected from the request's User-Agent and client hints.
    pub device: Option<Device>,
    /// When absent: Accept-Language, then the brand's default locale.
    pub locale: Option<String>,
    /// A stable id of the person, for sticky choices; stored only hashed.
    pub user_key: Option<String>,
    /// Preview only: resolve as of this instant.
    pub at: Option<DateTime<Utc>>,
    /// The visitor's consent; a half left out is decided by the brand's
    /// `policy.consentRequired` (false: granted, true: withheld).
    pub consent: Option<ConsentInput>,
}

/// What the visitor consented to.
#[derive(InputObject, Default, Clone, Copy)]
pub struct ConsentInput {
    /// Choosing the variant by the visitor's attributes, user key and device. Without it only
    /// variants with no rule and no devices are served.
    pub personalization: Option<bool>,
    /// Storing the visitor's (hashed) user key and attributes with the impression. Without it
    /// the impression is still counted.
    pub measurement: Option<bool>,
}

impl From<ConsentInput> for crate::domain::consent::ConsentRequest {
    fn from(c: ConsentInput) -> Self {
        crate::domain::consent::ConsentRequest {
            personalization: c.personalization,
            measurement: c.measurement,
        }
    }
}
