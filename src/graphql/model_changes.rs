//! `updateContentType` in GraphQL, and `ContentType.version`.

use async_graphql::{Context, InputObject, Object, Result, ID};

use super::inputs::{field_def, FieldDefInput};
use super::types::{content, principal, ContentType};
use crate::content::model_changes::ContentTypeUpdate;
use crate::domain::content_type::change::FieldRename;

/// `from` is called `to` from now on; stored revisions read under the new name everywhere.
#[derive(InputObject)]
pub struct FieldRenameInput {
    pub from: String,
    pub to: String,
}

/// A content type's new definition: `fields` is the whole new list.
#[derive(InputObject)]
pub struct UpdateContentTypeInput {
    pub name: Option<String>,
    pub fields: Vec<FieldDefInput>,
    pub renames: Option<Vec<FieldRenameInput>>,
}

#[derive(Default)]
pub struct ModelMutation;

#[Object]
impl ModelMutation {
    /// Adds, removes, changes and renames fields. A change that would make the latest or the
    /// published revision of a non-archived variant invalid is BAD_INPUT listing them; a stale
    /// `expectedVersion` is CONFLICT.
    async fn update_content_type(
        &self,
        ctx: &Context<'_>,
        id: ID,
        expected_version: i32,
        input: UpdateContentTypeInput,
    ) -> Result<ContentType> {
        let update = ContentTypeUpdate {
            name: input.name,
            fields: input.fields.into_iter().map(field_def).collect(),
            renames: input
                .renames
                .unwrap_or_default()
                .into_iter()
                .map(|r| FieldRename {
                    from: r.from,
                    to: r.to,
                })
                .collect(),
        };
        let ct = content(ctx)
            .update_content_type(principal(ctx), &id, expected_version, update)
            .await?;
        Ok(ContentType(ct))
    }
}
