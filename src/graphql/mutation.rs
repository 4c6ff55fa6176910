//! The root mutation.

use async_graphql::{Context, Object, Result, ID};
use chrono::{DateTime, Utc};

use super::inputs::{
    CreateBrandInput, CreateContentTypeInput, CreateEntryInput, CreateUserInput,
    CreateVariantInput, UpdateBrandInput, VariantPatch,
};
use super::keys::DeliveryKey;
use super::types::{content, principal, Brand, ContentType, Entry, Session, User, Variant};
use crate::content::keys::NewKey;
use crate::content::workflow::Transition;
use crate::delivery::RequestHints;

#[derive(Default)]
pub struct Mutation;

/// The root mutation: authoring and workflow, plus webhooks.
#[derive(async_graphql::MergedObject, Default)]
pub struct MutationRoot(
    Mutation,
    super::webhooks::WebhookMutation,
    super::usage::UsageMutation,
    super::privacy::PrivacyMutation,
    super::users::UserMutation,
    super::experiments::ExperimentMutation,
    super::audiences::AudienceMutation,
    super::deletion::DeletionMutation,
    super::model_changes::ModelMutation,
);

async fn transition(
    ctx: &Context<'_>,
    t: Transition,
    id: ID,
    note: Option<String>,
) -> Result<Variant> {
    Ok(Variant(
        content(ctx)
            .transition(principal(ctx), t, &id, note)
            .await?,
    ))
}

#[Object]
impl Mutation {
    /// Signs in; wrong credentials are UNAUTHENTICATED, repeated failures RATE_LIMITED.
    async fn login(&self, ctx: &Context<'_>, email: String, password: String) -> Result<Session> {
        let address = ctx.data_unchecked::<RequestHints>().client_address.clone();
        let s = content(ctx)
            .login(&email, &password, address.as_deref())
            .await?;
        Ok(Session {
            token: s.token,
            expires_at: s.expires_at,
            user: User(s.user),
        })
    }

    async fn create_user(&self, ctx: &Context<'_>, input: CreateUserInput) -> Result<User> {
        Ok(User(
            content(ctx)
                .create_user(principal(ctx), input.into())
                .await?,
        ))
    }

    async fn create_brand(&self, ctx: &Context<'_>, input: CreateBrandInput) -> Result<Brand> {
        Ok(Brand(
            content(ctx)
                .create_brand(principal(ctx), input.into())
                .await?,
        ))
    }

    async fn update_brand(
        &self,
        ctx: &Context<'_>,
        slug: String,
        input: UpdateBrandInput,
    ) -> Result<Brand> {
        Ok(Brand(
            content(ctx)
                .update_brand(principal(ctx), &slug, input.into())
                .await?,
        ))
    }

    async fn create_content_type(
        &self,
        ctx: &Context<'_>,
        input: CreateContentTypeInput,
    ) -> Result<ContentType> {
        Ok(ContentType(
            content(ctx)
                .create_content_type(principal(ctx), input.into())
                .await?,
        ))
    }

    async fn create_entry(&self, ctx: &Context<'_>, input: CreateEntryInput) -> Result<Entry> {
        Ok(Entry(
            content(ctx)
                .create_entry(principal(ctx), input.into())
                .await?,
        ))
    }

    async fn create_variant(
        &self,
        ctx: &Context<'_>,
        input: CreateVariantInput,
    ) -> Result<Variant> {
        Ok(Variant(
            content(ctx)
                .create_variant(principal(ctx), input.into())
                .await?,
        ))
    }

    /// Saves a new DRAFT revision; a stale `expectedVersion` is CONFLICT and changes nothing.
    async fn update_variant(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: i32,
        patch: VariantPatch,
    ) -> Result<Variant> {
        Ok(Variant(
            content(ctx)
                .update_variant(principal(ctx), &id, expected_version, patch.into())
                .await?,
        ))
    }

    /// DRAFT → IN_REVIEW (editors, admins).
    async fn submit_variant(&self, ctx: &Context<'_>, id: ID) -> Result<Variant> {
        transition(ctx, Transition::Submit, id, None).await
    }

    /// IN_REVIEW → APPROVED (reviewers, admins; never the revision's author).
    async fn approve_variant(
        &self,
        ctx: &Context<'_>,
        id: ID,
        note: Option<String>,
    ) -> Result<Variant> {
        transition(ctx, Transition::Approve, id, note).await
    }

    /// IN_REVIEW → DRAFT, with a note saying what to change.
    async fn reject_variant(&self, ctx: &Context<'_>, id: ID, note: String) -> Result<Variant> {
        transition(ctx, Transition::Reject, id, Some(note)).await
    }

    /// Makes the latest revision the one delivery serves.
    async fn publish_variant(&self, ctx: &Context<'_>, id: ID) -> Result<Variant> {
        transition(ctx, Transition::Publish, id, None).await
    }

    /// Stops serving the variant; its latest revision keeps its content.
    async fn unpublish_variant(&self, ctx: &Context<'_>, id: ID) -> Result<Variant> {
        transition(ctx, Transition::Unpublish, id, None).await
    }

    /// Retires the variant for good: never served again.
    async fn archive_variant(&self, ctx: &Context<'_>, id: ID) -> Result<Variant> {
        transition(ctx, Transition::Archive, id, None).await
    }

    /// A new DRAFT revision with an old revision's content.
    async fn rollback_variant(
        &self,
        ctx: &Context<'_>,
        id: ID,
        revision: String,
        expected_version: i32,
    ) -> Result<Variant> {
        Ok(Variant(
            content(ctx)
                .rollback(principal(ctx), &id, &revision, expected_version)
                .await?,
        ))
    }

    /// A delivery key for one brand; its token is shown only in this answer. `expiresAt` (in
    /// the future) ends it, `allowedOrigins` narrows `cors_origins` for browsers using it, and
    /// `rateLimit` bounds it to that many answers per second (a burst of twice that). A
    /// `preview` key answers with each variant's latest revision (drafts included) as it would be
    /// served if published, records nothing and carries no `servedId`.
    #[allow(clippy::too_many_arguments)]
    async fn create_delivery_key(
        &self,
        ctx: &Context<'_>,
        brand: String,
        name: String,
        expires_at: Option<DateTime<Utc>>,
        allowed_origins: Option<Vec<String>>,
        rate_limit: Option<i32>,
        #[graphql(default = false)] preview: bool,
    ) -> Result<DeliveryKey> {
        let new = NewKey {
            brand,
            name,
            expires_at,
            allowed_origins,
            rate_limit: rate_limit.map(i64::from),
            preview,
        };
        let k = content(ctx)
            .create_delivery_key(principal(ctx), new)
            .await?;
        Ok(DeliveryKey::issued(k))
    }

    /// Revokes a delivery key at once.
    async fn revoke_delivery_key(&self, ctx: &Context<'_>, id: ID) -> Result<bool> {
        Ok(content(ctx)
            .revoke_delivery_key(principal(ctx), &id)
            .await?)
    }
}
