//! Typed delivery: per brand, a GraphQL schema generated from its content types (async-graphql's
//! `dynamic` schema), served at `/delivery/{brand}/graphql` with its SDL at
//! `/delivery/{brand}/schema.graphql`.
//!
//! The schema follows the brand's snapshot: each request compares the content types the
//! snapshot holds with those its cached schema was built from, and a change (made on this node,
//! or on another and brought by the change feed's brand rebuild) builds a new schema that
//! replaces the old one whole. Resolution is `content`'s (see `resolve`).

mod build;
pub mod names;
mod resolve;

use async_graphql::dynamic::Schema;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::Limits;
use crate::delivery::Delivery;
use crate::domain::content_type::ContentType;
use crate::error::{AppError, AppResult};

/// A brand's schema and the content types it was built from.
type Built = (Arc<[ContentType]>, Schema);

/// Each brand's typed schema, with the content types it was built from.
pub struct TypedSchemas {
    delivery: Arc<Delivery>,
    limits: Limits,
    built: Mutex<HashMap<String, Built>>,
}

impl TypedSchemas {
    pub fn new(delivery: Arc<Delivery>, limits: Limits) -> Self {
        TypedSchemas {
            delivery,
            limits,
            built: Mutex::new(HashMap::new()),
        }
    }

    /// The brand's schema for its current content types (`NOT_FOUND` for an unknown brand).
    pub fn schema(&self, brand: &str) -> AppResult<Schema> {
        let snapshot = self.delivery.snapshot();
        let current = snapshot
            .brands
            .get(brand)
            .map(|b| b.content_types.clone())
            .ok_or_else(|| AppError::not_found(format!("brand `{brand}` does not exist")))?;
        let mut built = self.built.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((types, schema)) = built.get_mut(brand) {
            if Arc::ptr_eq(types, &current) {
                return Ok(schema.clone());
            }
            if **types == *current {
                *types = current; // rebuilt snapshot, same model: keep the schema
                return Ok(schema.clone());
            }
        }
        let schema = build::schema(brand, &current, self.delivery.clone(), self.limits)
            .map_err(|e| AppError::internal(format!("typed schema of `{brand}`: {e}")))?;
        built.insert(brand.to_string(), (current, schema.clone()));
        Ok(schema)
    }
}
