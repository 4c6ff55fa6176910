//! GraphQL output types: thin wrappers over domain values.

use async_graphql::{Context, Enum, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};
use std::sync::Arc;

use super::loaders::Loaders;
use crate::auth::Principal;
use crate::content::Content;
use crate::domain::brand::{Brand as DomainBrand, BrandPolicy as DomainPolicy};
use crate::domain::content_type::{
    ContentType as DomainContentType, FieldDef as DomainFieldDef, FieldKind as DomainFieldKind,
};
use crate::domain::device::Device as DomainDevice;
use crate::domain::entry::Entry as DomainEntry;
use crate::domain::quality::{Check as DomainCheck, Severity as DomainSeverity};
use crate::domain::rule::Rule;
use crate::domain::user::{Role as DomainRole, User as DomainUser};
use crate::domain::variant::{
    Revision as DomainRevision, Variant as DomainVariant, VariantStatus as DomainStatus,
};
use crate::error::AppError;

pub type Json = async_graphql::Json<serde_json::Value>;

/// A GraphQL enum mirroring a domain enum variant for variant, with `From` both ways. Shared with
/// the other GraphQL modules (`experiments`); the caller imports `async_graphql::Enum`.
macro_rules! mirror_enum {
    ($name:ident, $domain:ty, [$($variant:ident),+ $(,)?]) => {
        #[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
        pub enum $name { $($variant),+ }
        impl From<$domain> for $name {
            fn from(v: $domain) -> Self { match v { $(<$domain>::$variant => $name::$variant),+ } }
        }
        impl From<$name> for $domain {
            fn from(v: $name) -> Self { match v { $($name::$variant => <$domain>::$variant),+ } }
        }
    };
}
pub(crate) use mirror_enum;

mirror_enum!(Device, DomainDevice, [Mobile, Tablet, Desktop, Tv, Other]);
mirror_enum!(
    VariantStatus,
    DomainStatus,
    [Draft, InReview, Approved, Published, Archived]
);
mirror_enum!(
    FieldKind,
    DomainFieldKind,
    [Text, RichText, Number, Boolean, Asset, Url, Datetime, Json, Reference]
);
mirror_enum!(Role, DomainRole, [Admin, Editor, Reviewer, Auditor]);
mirror_enum!(Severity, DomainSeverity, [Info, Warning, Error]);

pub(crate) fn principal<'a>(ctx: &'a Context<'_>) -> &'a Principal {
    ctx.data_unchecked::<Principal>()
}

pub(crate) fn content<'a>(ctx: &'a Context<'_>) -> &'a Arc<Content> {
    ctx.data_unchecked::<Arc<Content>>()
}

pub struct Brand(pub DomainBrand);

#[Object]
impl Brand {
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn default_locale(&self) -> &str {
        &self.0.default_locale
    }
    async fn locales(&self) -> &[String] {
        &self.0.locales
    }
    async fn policy(&self) -> BrandPolicy {
        BrandPolicy(self.0.policy.clone())
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Where "Open preview" sends editors: a URL template with `{key}` and `{token}`.
    async fn preview_url(&self) -> Option<&str> {
        self.0.preview_url.as_deref()
    }
    /// From when the brand's usage reports are complete: the retention cut of the last deletion
    /// of old usage events; null when none was ever deleted.
    async fn usage_kept_since(&self, ctx: &Context<'_>) -> Result<Option<DateTime<Utc>>> {
        Ok(content(ctx)
            .usage_kept_since(principal(ctx), &self.0.slug)
            .await?)
    }
    /// The brand's content types.
    async fn content_types(&self, ctx: &Context<'_>) -> Result<Vec<ContentType>> {
        let types = content(ctx)
            .content_types(principal(ctx), &self.0.slug)
            .await?;
        Ok(types.into_iter().map(ContentType).collect())
    }
}

pub struct BrandPolicy(pub DomainPolicy);

#[Object]
impl BrandPolicy {
    async fn min_quality(&self) -> f64 {
        self.0.min_quality
    }
    async fn require_approval(&self) -> bool {
        self.0.require_approval
    }
    async fn banned_terms(&self) -> &[String] {
        &self.0.banned_terms
    }
    async fn required_disclaimer(&self) -> Option<&str> {
        self.0.required_disclaimer.as_deref()
    }
    async fn max_title_length(&self) -> Option<i32> {
        self.0.max_title_length
    }
    async fn usage_attributes(&self) -> &[String] {
        &self.0.usage_attributes
    }
    /// Whether consent must be given: a half of `ContextInput.consent` a request leaves out is
    /// then withheld (otherwise granted).
    async fn consent_required(&self) -> bool {
        self.0.consent_required
    }
    /// Usage events older than this many days are deleted; null keeps them forever.
    async fn usage_retention_days(&self) -> Option<i32> {
        self.0.usage_retention_days
    }
}

pub struct ContentType(pub DomainContentType);

#[Object]
impl ContentType {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn fields(&self) -> Vec<FieldDef> {
        self.0.fields.iter().cloned().map(FieldDef).collect()
    }
    /// Starts at 1 and grows by one with every change (`updateContentType`).
    async fn version(&self) -> i32 {
        self.0.version
    }
}

pub struct FieldDef(pub DomainFieldDef);

#[Object]
impl FieldDef {
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn kind(&self) -> FieldKind {
        self.0.kind.into()
    }
    async fn required(&self) -> bool {
        self.0.required
    }
    async fn max_length(&self) -> Option<i32> {
        self.0.max_length
    }
    /// REFERENCE only: the content types it may point to (empty: any).
    async fn to(&self) -> &[String] {
        &self.0.to
    }
    /// Whether the value is an array of the kind.
    async fn list(&self) -> bool {
        self.0.list
    }
}

pub struct Entry(pub DomainEntry);

#[Object]
impl Entry {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn brand(&self, ctx: &Context<'_>) -> Result<Brand> {
        let brand = ctx
            .data_unchecked::<Loaders>()
            .brand_by_id()
            .load_one(self.0.brand_id.clone())
            .await?;
        brand
            .map(Brand)
            .ok_or_else(|| AppError::internal("entry without brand").into())
    }
    async fn key(&self) -> &str {
        &self.0.key
    }
    /// The name of the entry's content type.
    async fn content_type(&self, ctx: &Context<'_>) -> Result<String> {
        let ct = ctx
            .data_unchecked::<Loaders>()
            .content_type_by_id()
            .load_one(self.0.content_type_id.clone())
            .await?;
        ct.map(|c| c.name)
            .ok_or_else(|| AppError::internal("entry without content type").into())
    }
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    /// Every variant of the entry, oldest first.
    async fn variants(&self, ctx: &Context<'_>) -> Result<Vec<Variant>> {
        let list = ctx
            .data_unchecked::<Loaders>()
            .variants_by_entry()
            .load_one(self.0.id.clone())
            .await?;
        Ok(list.unwrap_or_default().into_iter().map(Variant).collect())
    }
}

#[derive(SimpleObject)]
pub struct QualityCheck {
    pub kind: String,
    pub severity: Severity,
    pub message: String,
    pub path: Option<String>,
}

impl From<&DomainCheck> for QualityCheck {
    fn from(c: &DomainCheck) -> Self {
        QualityCheck {
            kind: c.kind.clone(),
            severity: c.severity.into(),
            message: c.message.clone(),
            path: c.path.clone(),
        }
    }
}

#[derive(SimpleObject)]
pub struct Quality {
    /// 0..1, computed from the checks (see the README).
    pub score: f64,
    pub checks: Vec<QualityCheck>,
}

#[derive(SimpleObject)]
pub struct BrandReview {
    /// APPROVED or REJECTED.
    pub status: String,
    pub note: Option<String>,
    /// The reviewer's e-mail.
    pub reviewer: String,
}

pub struct Variant(pub DomainVariant);

#[Object]
impl Variant {
    async fn id(&self) -> ID {
        ID(self.0.record.id.clone())
    }
    async fn entry(&self, ctx: &Context<'_>) -> Result<Entry> {
        let entry = ctx
            .data_unchecked::<Loaders>()
            .entry_by_id()
            .load_one(self.0.record.entry_id.clone())
            .await?;
        entry
            .map(Entry)
            .ok_or_else(|| AppError::internal("variant without entry").into())
    }
    async fn name(&self) -> &str {
        &self.0.latest.content.name
    }
    async fn fields(&self) -> Json {
        async_graphql::Json(self.0.latest.content.fields.clone())
    }
    async fn tags(&self) -> &[String] {
        &self.0.latest.content.tags
    }
    /// The audience rule as JSON; null targets everyone.
    async fn rule(&self) -> Option<Json> {
        self.0.latest.content.rule.clone().map(async_graphql::Json)
    }
    /// The audience rule as one readable line.
    async fn rule_text(&self) -> String {
        rule_text(self.0.latest.content.rule.as_ref())
    }
    async fn devices(&self) -> Vec<Device> {
        self.0
            .latest
            .content
            .devices
            .iter()
            .map(|d| (*d).into())
            .collect()
    }
    async fn locale(&self) -> Option<&str> {
        self.0.latest.content.locale.as_deref()
    }
    async fn priority(&self) -> i32 {
        self.0.latest.content.priority
    }
    async fn starts_at(&self) -> Option<DateTime<Utc>> {
        self.0.latest.content.starts_at
    }
    async fn ends_at(&self) -> Option<DateTime<Utc>> {
        self.0.latest.content.ends_at
    }
    /// The state of the latest revision.
    async fn status(&self) -> VariantStatus {
        self.0.record.status.into()
    }
    /// Whether the variant has a published revision (see `onAir` for whether anyone gets it).
    async fn live(&self) -> bool {
        self.0.record.published_revision.is_some()
    }
    /// Whether some audience gets the published revision now, and why not when none does.
    async fn on_air(&self, ctx: &Context<'_>) -> super::on_air::OnAirStatus {
        super::on_air::status(ctx, &self.0.record.entry_id, &self.0.record.id)
    }
    async fn version(&self) -> i32 {
        self.0.record.version
    }
    /// The latest revision's id.
    async fn revision(&self) -> &str {
        &self.0.record.current_revision
    }
    /// The revision delivery serves; null until first published.
    async fn published_revision(&self) -> Option<&str> {
        self.0.record.published_revision.as_deref()
    }
    /// Every revision, newest first.
    async fn revisions(&self, ctx: &Context<'_>) -> Result<Vec<Revision>> {
        let list = content(ctx)
            .revisions(principal(ctx), &self.0.record.id)
            .await?;
        Ok(list.into_iter().map(Revision).collect())
    }
    /// What changed between two of this variant's revisions (by revision id), field by field.
    async fn diff(&self, ctx: &Context<'_>, from: String, to: String) -> Result<Vec<FieldChange>> {
        let changes = content(ctx)
            .diff(principal(ctx), &self.0.record.id, &from, &to)
            .await?;
        Ok(changes
            .into_iter()
            .map(|c| FieldChange {
                path: c.path,
                old: c.old.map(async_graphql::Json),
                new: c.new.map(async_graphql::Json),
            })
            .collect())
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.record.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.record.updated_at
    }
    async fn quality(&self) -> Quality {
        let q = &self.0.latest.quality;
        Quality {
            score: q.score,
            checks: q.checks.iter().map(QualityCheck::from).collect(),
        }
    }
    async fn brand_review(&self) -> Option<BrandReview> {
        self.0.record.review.as_ref().map(|r| BrandReview {
            status: r.status.clone(),
            note: r.note.clone(),
            reviewer: r.reviewer.clone(),
        })
    }
}

/// A rule (as stored JSON) as one readable line; "everyone" when there is none.
pub fn rule_text(rule: Option<&serde_json::Value>) -> String {
    match rule.map(Rule::parse_for_display) {
        Some(Ok(Some(r))) => r.render(),
        _ => "everyone".to_string(),
    }
}

/// One changed path between two revisions; `old`/`new` are null where the path did not exist.
#[derive(SimpleObject)]
pub struct FieldChange {
    /// e.g. `fields.title`, `rule`, `tags`, `priority`
    pub path: String,
    pub old: Option<Json>,
    pub new: Option<Json>,
}

pub struct Revision(pub DomainRevision);

#[Object]
impl Revision {
    /// The revision id.
    async fn hash(&self) -> &str {
        &self.0.hash
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// The author's e-mail.
    async fn author(&self) -> &str {
        &self.0.author
    }
    async fn status(&self) -> VariantStatus {
        self.0.status.into()
    }
    async fn name(&self) -> &str {
        &self.0.content.name
    }
    async fn fields(&self) -> Json {
        async_graphql::Json(self.0.content.fields.clone())
    }
    async fn rule(&self) -> Option<Json> {
        self.0.content.rule.clone().map(async_graphql::Json)
    }
    async fn tags(&self) -> &[String] {
        &self.0.content.tags
    }
    async fn priority(&self) -> i32 {
        self.0.content.priority
    }
}

pub struct User(pub DomainUser);

#[Object]
impl User {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn role(&self) -> Role {
        self.0.role.into()
    }
    /// The brands an editor or reviewer works in (empty for admins and auditors: all brands).
    async fn brands(&self) -> &[String] {
        &self.0.brands
    }
    /// A disabled user cannot sign in.
    async fn disabled(&self) -> bool {
        self.0.disabled
    }
    /// Signed in with a one-time password: only `me`, `changePassword` and `logout` until the
    /// password is changed.
    async fn must_change_password(&self) -> bool {
        self.0.must_change_password
    }
}

#[derive(SimpleObject)]
pub struct Session {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: User,
}

#[derive(SimpleObject)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub has_previous_page: bool,
    pub start_cursor: Option<String>,
    pub end_cursor: Option<String>,
}

#[derive(SimpleObject)]
pub struct EntryEdge {
    pub cursor: String,
    pub node: Entry,
}

#[derive(SimpleObject)]
pub struct EntryConnection {
    pub edges: Vec<EntryEdge>,
    pub page_info: PageInfo,
    pub total_count: i32,
}
