//! The GraphQL adapter: types, resolvers, loaders and error mapping over `content` and
//! `delivery`. Resolvers extract arguments, call one operation and convert the result; they hold
//! no business rules and no SQL.

pub mod admission;
pub mod assets;
pub mod audiences;
pub mod audit;
pub mod audit_verify;
pub mod deletion;
pub mod delivered;
pub mod errors;
pub mod experiments;
pub mod inputs;
pub mod keys;
pub mod loaders;
pub mod model_changes;
pub mod mutation;
pub mod on_air;
pub mod parse_cache;
pub mod privacy;
pub mod query;
pub mod references;
pub mod review;
pub mod search;
pub mod typed;
pub mod types;
pub mod usage;
pub mod users;
pub mod webhooks;

use async_graphql::{EmptySubscription, Schema};
use std::sync::Arc;

use crate::content::assets::AssetLibrary;
use crate::content::Content;
use crate::delivery::Delivery;

pub type VarySchema = Schema<query::QueryRoot, mutation::MutationRoot, EmptySubscription>;

/// Limits applied to every operation.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_depth: usize,
    pub max_complexity: usize,
}

/// Builds the schema with its services and limits.
pub fn build_schema(
    content: Arc<Content>,
    delivery: Arc<Delivery>,
    assets: Arc<AssetLibrary>,
    limits: Limits,
) -> VarySchema {
    Schema::build(
        query::QueryRoot::default(),
        mutation::MutationRoot::default(),
        EmptySubscription,
    )
    .data(content)
    .data(delivery)
    .data(assets)
    .limit_depth(limits.max_depth)
    .limit_complexity(limits.max_complexity)
    .limit_recursive_depth(64)
    .limit_directives(20)
    .finish()
}

/// The schema as SDL, for `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(
        query::QueryRoot::default(),
        mutation::MutationRoot::default(),
        EmptySubscription,
    )
    .finish()
    .sdl()
}
