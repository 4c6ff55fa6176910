//! Batched reads by id for the GraphQL DataLoaders (`graphql::loaders`): brands, content types
//! and entries a request names again and again cost one query per kind. Loaders only hold ids
//! from answers the caller was already allowed to see, so nothing here authorizes again. Also
//! the two reads the demo loader makes as the operator (crate-private).

use super::Content;
use crate::domain::brand::Brand;
use crate::domain::content_type::ContentType;
use crate::domain::entry::Entry;
use crate::domain::user::User;
use crate::error::AppResult;
use crate::store;

impl Content {
    /// The brands among `ids` (an unknown id has none).
    pub async fn brands_by_ids(&self, ids: Vec<String>) -> AppResult<Vec<Brand>> {
        let all = self.db.read(store::brands::all).await?;
        Ok(all.into_iter().filter(|b| ids.contains(&b.id)).collect())
    }

    /// The content types among `ids`.
    pub async fn content_types_by_ids(&self, ids: Vec<String>) -> AppResult<Vec<ContentType>> {
        self.db
            .read(move |conn| store::content_types::by_ids(conn, &ids))
            .await
    }

    /// The entries among `ids`.
    pub async fn entries_by_ids(&self, ids: Vec<String>) -> AppResult<Vec<Entry>> {
        self.db
            .read(move |conn| store::entries::by_ids(conn, &ids))
            .await
    }

    /// Whether no brand exists yet (the demo loads only into an empty database).
    pub(crate) async fn holds_no_brand(&self) -> AppResult<bool> {
        Ok(self.db.read(store::brands::count).await? == 0)
    }

    /// The user with this e-mail, if any, for the operator.
    pub(crate) async fn user_by_email_as_operator(&self, email: &str) -> AppResult<Option<User>> {
        let email = email.to_string();
        self.db
            .read(move |conn| store::users::by_email(conn, &email))
            .await
    }
}
