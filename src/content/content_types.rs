//! Content types: defined by admins per brand; read by everyone who reads the brand.

use super::{audit_event, Content};
use crate::auth::{Action, Principal};
use crate::domain::content_type::{check_definition, ContentType, FieldDef};
use crate::error::{AppError, AppResult};
use crate::store;
use crate::store::changes::Change;

#[derive(Debug, Clone)]
pub struct NewContentType {
    pub brand: String,
    pub name: String,
    pub fields: Vec<FieldDef>,
}

impl Content {
    pub async fn create_content_type(
        &self,
        who: &Principal,
        input: NewContentType,
    ) -> AppResult<ContentType> {
        who.authorize(Action::ManageContentTypes, Some(&input.brand))?;
        let name = input.name.trim().to_string();
        check_definition(&name, &input.fields).map_err(AppError::bad_input)?;
        let event = audit_event(who, "content_type.create", &name, Some(&input.brand));
        let ct = self
            .db
            .write(move |conn| {
                let brand = store::brands::require(conn, &input.brand)?;
                super::references::check_targets(conn, &brand.id, &name, &input.fields)?;
                let ct = ContentType {
                    id: crate::ids::new_id("ct"),
                    brand_id: brand.id,
                    name,
                    fields: input.fields,
                    version: 1,
                };
                store::content_types::insert(conn, &ct)?;
                store::audit::append(conn, event)?;
                store::changes::record(conn, &[Change::Brand(ct.brand_id.clone())])?;
                Ok(ct)
            })
            .await?;
        self.listener.committed().await;
        Ok(ct)
    }

    pub async fn content_types(&self, who: &Principal, brand: &str) -> AppResult<Vec<ContentType>> {
        who.authorize(Action::ReadContent, Some(brand))?;
        let brand = brand.to_string();
        self.db
            .read(move |conn| {
                let brand = store::brands::require(conn, &brand)?;
                store::content_types::of_brand(conn, &brand.id)
            })
            .await
    }
}
