//! Audiences in GraphQL: `audiences`, `createAudience`, `updateAudience`, `deleteAudience`.

use async_graphql::{Context, Enum, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};

use super::types::{content, principal, rule_text, Json};
use crate::content::audiences::AudienceUser as User;
use crate::domain::audience::Audience as Domain;

/// A brand's named, reusable rule; other rules use it as `{"audience": "NAME"}`.
pub struct Audience(pub Domain);

/// What kind of thing uses an audience.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum AudienceUserKind {
    Variant,
    Audience,
    Experiment,
}

/// One thing that uses an audience.
#[derive(SimpleObject)]
pub struct AudienceUser {
    pub kind: AudienceUserKind,
    pub id: ID,
    pub name: String,
    /// The entry of a variant or an experiment; null for an audience.
    pub entry_key: Option<String>,
}

impl From<User> for AudienceUser {
    fn from(user: User) -> Self {
        match user {
            User::Variant {
                id,
                name,
                entry_key,
            } => AudienceUser {
                kind: AudienceUserKind::Variant,
                id: ID(id),
                name,
                entry_key: Some(entry_key),
            },
            User::Audience { id, name } => AudienceUser {
                kind: AudienceUserKind::Audience,
                id: ID(id),
                name,
                entry_key: None,
            },
            User::Experiment {
                id,
                name,
                entry_key,
            } => AudienceUser {
                kind: AudienceUserKind::Experiment,
                id: ID(id),
                name,
                entry_key: Some(entry_key),
            },
        }
    }
}

#[Object]
impl Audience {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn rule(&self) -> Json {
        async_graphql::Json(self.0.rule.clone())
    }
    /// The rule as one readable line, naming the audiences it uses.
    async fn rule_text(&self) -> String {
        rule_text(Some(&self.0.rule))
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    /// The variants (and audiences) whose rules use this audience.
    async fn used_by(&self, ctx: &Context<'_>) -> Result<Vec<AudienceUser>> {
        let users = content(ctx).audience_users(&self.0).await?;
        Ok(users.into_iter().map(AudienceUser::from).collect())
    }
}

#[derive(Default)]
pub struct AudienceQuery;

#[Object]
impl AudienceQuery {
    /// A brand's audiences, by name.
    async fn audiences(&self, ctx: &Context<'_>, brand: String) -> Result<Vec<Audience>> {
        let list = content(ctx).audiences(principal(ctx), &brand).await?;
        Ok(list.into_iter().map(Audience).collect())
    }
}

#[derive(Default)]
pub struct AudienceMutation;

#[Object]
impl AudienceMutation {
    /// Names a rule for reuse. Where the brand requires approval, only reviewers and admins.
    async fn create_audience(
        &self,
        ctx: &Context<'_>,
        brand: String,
        name: String,
        rule: Json,
    ) -> Result<Audience> {
        let audience = content(ctx)
            .create_audience(principal(ctx), &brand, &name, rule.0)
            .await?;
        Ok(Audience(audience))
    }

    /// Changes an audience's rule; applies to every rule using it like a publish. A stale
    /// `expectedVersion` is CONFLICT.
    async fn update_audience(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: i32,
        rule: Json,
    ) -> Result<Audience> {
        let audience = content(ctx)
            .update_audience(principal(ctx), &id, expected_version, rule.0)
            .await?;
        Ok(Audience(audience))
    }

    /// Deletes an audience no rule uses (CONFLICT naming the users otherwise).
    async fn delete_audience(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        Ok(content(ctx).delete_audience(principal(ctx), &id).await?)
    }
}
