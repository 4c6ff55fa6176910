//! Typed delivery: per brand, a GraphQL schema generated from its content types (async-graphql's
//! `dynamic` schema), served at `/delivery/{brand}/graphql` with its SDL at
//! `/delivery/{brand}/schema.graphql`.
//!
//! The schema follows the brand's snapshot: each request compares the content types the
//! snapshot holds with those its cached schema was built from (a pointer comparison, without a
//! lock), and a change (made on this node, or on another and brought by the change feed's brand
//! rebuild) builds a new schema that replaces the old one whole. Resolution is `content`'s (see
//! `resolve`).

mod build;
pub mod names;
mod resolve;

use arc_swap::ArcSwap;
use async_graphql::dynamic::Schema;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::Limits;
use crate::delivery::Delivery;
use crate::domain::content_type::ContentType;
use crate::error::{AppError, AppResult};

/// A brand's schema and the content types it was built from.
struct Built {
    types: Arc<[ContentType]>,
    schema: Schema,
}

/// Each brand's typed schema, with the content types it was built from.
pub struct TypedSchemas {
    delivery: Arc<Delivery>,
    limits: Limits,
    /// Read by every request without a lock; replaced whole when a brand's schema changes.
    built: ArcSwap<HashMap<String, Arc<Built>>>,
    /// Held while a schema is built and swapped in, so two builders never lose each other's.
    building: Mutex<()>,
}

impl TypedSchemas {
    pub fn new(delivery: Arc<Delivery>, limits: Limits) -> Self {
        TypedSchemas {
            delivery,
            limits,
            built: ArcSwap::from_pointee(HashMap::new()),
            building: Mutex::new(()),
        }
    }

    /// The brand's schema for its current content types (`NOT_FOUND` for an unknown brand).
    pub fn schema(&self, brand: &str) -> AppResult<Schema> {
        let snapshot = self.delivery.snapshot_guard();
        let current = &snapshot
            .brands
            .get(brand)
            .ok_or_else(|| AppError::not_found(format!("brand `{brand}` does not exist")))?
            .content_types;
        if let Some(built) = self.built.load().get(brand) {
            if Arc::ptr_eq(&built.types, current) {
                return Ok(built.schema.clone());
            }
        }
        self.rebuild(brand, current.clone())
    }

    /// Builds (or, when only the snapshot was rebuilt, keeps) the schema for `current` and
    /// swaps it in.
    fn rebuild(&self, brand: &str, current: Arc<[ContentType]>) -> AppResult<Schema> {
        let _building = self.building.lock().unwrap_or_else(|e| e.into_inner());
        let built = self.built.load_full();
        let schema = match built.get(brand) {
            Some(b) if Arc::ptr_eq(&b.types, &current) => return Ok(b.schema.clone()),
            Some(b) if *b.types == *current => b.schema.clone(), // same model: keep the schema
            _ => build::schema(brand, &current, self.delivery.clone(), self.limits)
                .map_err(|e| AppError::internal(format!("typed schema of `{brand}`: {e}")))?,
        };
        let mut next = (*built).clone();
        next.insert(
            brand.to_string(),
            Arc::new(Built {
                types: current,
                schema: schema.clone(),
            }),
        );
        self.built.store(Arc::new(next));
        Ok(schema)
    }
}
