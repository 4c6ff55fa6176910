//! A person's data and retention over GraphQL: `personData` (auditors, admins), `forgetPerson`
//! and `applyUsageRetention` (admins). Adapters over `content::privacy` and
//! `content::retention`.

use async_graphql::{Context, Enum, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::types::{content, principal, Device, Json};
use crate::domain::device::Device as DomainDevice;
use crate::usage::{UsageEvent as Event, UsageKind};

/// What a usage event records.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
pub enum UsageEventKind {
    Impression,
    Click,
    Conversion,
}

impl From<UsageKind> for UsageEventKind {
    fn from(kind: UsageKind) -> Self {
        match kind {
            UsageKind::Impression => UsageEventKind::Impression,
            UsageKind::Click => UsageEventKind::Click,
            UsageKind::Conversion => UsageEventKind::Conversion,
        }
    }
}

/// One stored usage event of a person.
#[derive(SimpleObject)]
pub struct UsageEvent {
    pub at: DateTime<Utc>,
    pub kind: UsageEventKind,
    pub entry_key: String,
    pub variant_id: ID,
    pub variant_name: String,
    /// The revision served.
    pub revision: String,
    pub device: Device,
    pub locale: Option<String>,
    /// The audience attributes stored with the event (those the brand's `usageAttributes`
    /// allowed); null when none.
    pub attributes: Option<Json>,
    /// A conversion's value.
    pub value: Option<f64>,
}

impl From<Event> for UsageEvent {
    fn from(e: Event) -> Self {
        let device = e
            .device_name()
            .parse::<DomainDevice>()
            .unwrap_or(DomainDevice::Other);
        UsageEvent {
            at: e.at,
            kind: e.kind.into(),
            entry_key: e.served.entry_key.clone(),
            variant_id: ID(e.served.variant_id.clone()),
            variant_name: e.served.variant_name.clone(),
            revision: e.served.revision.clone(),
            device: device.into(),
            locale: Some(e.locale),
            attributes: (!e.attributes.is_empty())
                .then(|| async_graphql::Json(serde_json::Value::Object(e.attributes))),
            value: e.value,
        }
    }
}

#[derive(Default)]
pub struct PrivacyQuery;

#[Object]
impl PrivacyQuery {
    /// Every stored usage event of the person with `userKey` in the brand, oldest first
    /// (auditors, admins). Audited, with the key hashed.
    async fn person_data(
        &self,
        ctx: &Context<'_>,
        brand: String,
        user_key: String,
    ) -> Result<Vec<UsageEvent>> {
        let events = content(ctx)
            .person_data(principal(ctx), &brand, &user_key)
            .await?;
        Ok(events.into_iter().map(UsageEvent::from).collect())
    }
}

#[derive(Default)]
pub struct PrivacyMutation;

#[Object]
impl PrivacyMutation {
    /// Deletes every stored usage event of the person with `userKey` in the brand, from the
    /// database and every node's usage index; answers how many (admins). Audited as
    /// `forgetPerson`, with the key hashed.
    async fn forget_person(
        &self,
        ctx: &Context<'_>,
        brand: String,
        user_key: String,
    ) -> Result<i32> {
        let deleted = content(ctx)
            .forget_person(principal(ctx), &brand, &user_key)
            .await?;
        Ok(i32::try_from(deleted).unwrap_or(i32::MAX))
    }

    /// Deletes now the usage events older than the brand's `policy.usageRetentionDays` (every
    /// brand's when `brand` is absent), as the hourly job does; answers how many (admins).
    async fn apply_usage_retention(&self, ctx: &Context<'_>, brand: Option<String>) -> Result<i32> {
        let deleted = content(ctx)
            .apply_usage_retention(principal(ctx), brand.as_deref())
            .await?;
        Ok(i32::try_from(deleted).unwrap_or(i32::MAX))
    }
}
