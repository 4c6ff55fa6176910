//! Users' lifecycle in GraphQL: `updateUser`, `resetPassword` (admins), `changePassword` and
//! `logout` (anyone signed in, also while a one-time password must still be changed).

use async_graphql::{Context, InputObject, Object, Result, ID};

use super::types::{content, principal, Role, User};
use crate::auth::sessions::SessionRef;
use crate::content::users::UserUpdate;

/// What to change on a user; what is absent stays.
#[derive(InputObject)]
pub struct UpdateUserInput {
    pub role: Option<Role>,
    /// Brand slugs, for editors and reviewers (admins and auditors work across all brands).
    pub brands: Option<Vec<String>>,
    /// A disabled user cannot sign in, and their sessions end at once.
    pub disabled: Option<bool>,
}

impl From<UpdateUserInput> for UserUpdate {
    fn from(i: UpdateUserInput) -> Self {
        UserUpdate {
            role: i.role.map(Into::into),
            brands: i.brands,
            disabled: i.disabled,
        }
    }
}

#[derive(Default)]
pub struct UserMutation;

#[Object]
impl UserMutation {
    /// Changes a user's role, brands or disabled flag (admins). Applies to the user's existing
    /// sessions at once; the last active admin can be neither disabled nor demoted (CONFLICT).
    async fn update_user(&self, ctx: &Context<'_>, id: ID, input: UpdateUserInput) -> Result<User> {
        Ok(User(
            content(ctx)
                .update_user(principal(ctx), &id, input.into())
                .await?,
        ))
    }

    /// Changes the caller's own password; a wrong `current` is UNAUTHENTICATED.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        current: String,
        new: String,
    ) -> Result<bool> {
        Ok(content(ctx)
            .change_password(principal(ctx), &current, &new)
            .await?)
    }

    /// Gives a user a one-time password, shown only in this answer (admins). Their sessions
    /// end; signing in with it requires a new password before anything else.
    async fn reset_password(&self, ctx: &Context<'_>, id: ID) -> Result<String> {
        Ok(content(ctx).reset_password(principal(ctx), &id).await?)
    }

    /// Ends the current session only.
    async fn logout(&self, ctx: &Context<'_>) -> Result<bool> {
        let session = ctx
            .data_opt::<Option<SessionRef>>()
            .and_then(Option::as_ref);
        Ok(content(ctx).logout(principal(ctx), session).await?)
    }
}
