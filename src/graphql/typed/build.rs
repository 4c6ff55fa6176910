//! Builds a brand's typed delivery schema from its content types with async-graphql's
//! `dynamic` schema: one object per content type, its `…Resolved` answer type, unions for
//! references to several types, and the two query fields per type (see `typed::resolve`).

use async_graphql::dynamic::{
    Enum, Field, FieldFuture, InputObject, InputValue, Object, Scalar, Schema, SchemaError,
    TypeRef, Union,
};
use async_graphql::Value;
use std::sync::Arc;

use super::names::{camel, field_name, type_names};
use super::resolve::{self, Brand};
use crate::delivery::Delivery;
use crate::domain::content_type::{ContentType, FieldDef, FieldKind};
use crate::graphql::Limits;

/// Everything the resolvers of one brand's schema need, shared by them.
pub(super) struct Model {
    pub brand: String,
    pub types: Vec<ContentType>,
    /// The GraphQL type name of each content type, in order.
    pub names: Vec<String>,
    /// The GraphQL names of every REFERENCE field, of any type.
    pub reference_fields: Vec<String>,
}

impl Model {
    pub fn is_reference_field(&self, name: &str) -> bool {
        self.reference_fields.iter().any(|f| f == name)
    }

    /// The `…Resolved` type name of the content type with `id`.
    pub fn resolved_name(&self, content_type_id: &str) -> Option<String> {
        let i = self.types.iter().position(|t| t.id == content_type_id)?;
        Some(format!("{}Resolved", self.names[i]))
    }

    /// The content types a REFERENCE field may point to (every type when `to` names none
    /// that exists).
    pub fn targets(&self, def: &FieldDef) -> Vec<usize> {
        let named: Vec<usize> = (0..self.types.len())
            .filter(|i| def.to.iter().any(|t| *t == self.types[*i].name))
            .collect();
        if named.is_empty() {
            (0..self.types.len()).collect()
        } else {
            named
        }
    }
}

/// The typed schema of a brand with `types`.
pub(super) fn schema(
    brand: &str,
    types: &[ContentType],
    delivery: Arc<Delivery>,
    limits: Limits,
) -> Result<Schema, SchemaError> {
    let model = Arc::new(Model {
        brand: brand.to_string(),
        types: types.to_vec(),
        names: type_names(types),
        reference_fields: types
            .iter()
            .flat_map(|t| &t.fields)
            .filter(|f| f.kind == FieldKind::Reference)
            .map(|f| field_name(&f.name))
            .collect(),
    });
    let mut query = Object::new("Query").field(Field::new(
        "brand",
        TypeRef::named_nn(TypeRef::STRING),
        |ctx| FieldFuture::new(async move { Ok(Some(Value::from(resolve::brand_slug(&ctx)?))) }),
    ));
    let mut builder = Schema::build("Query", None, None);
    for (i, _) in model.types.iter().enumerate() {
        let (object, unions) = content_object(&model, i);
        builder = builder
            .register(object)
            .register(resolved_object(&model, i));
        for union in unions {
            builder = builder.register(union);
        }
        query = query
            .field(root_field(&model, i, false))
            .field(root_field(&model, i, true));
    }
    builder = shared_types(builder).register(query);
    builder
        .data(delivery)
        .data(Brand(model.clone()))
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        .limit_recursive_depth(64)
        .limit_directives(20)
        .finish()
}

/// `promoCard(key, context)` or `promoCardList(keys, context)`.
fn root_field(model: &Arc<Model>, i: usize, list: bool) -> Field {
    let resolved = format!("{}Resolved", model.names[i]);
    let name = camel(&model.names[i]);
    let index = i;
    let field = if list {
        Field::new(
            format!("{name}List"),
            TypeRef::named_nn_list_nn(resolved),
            move |ctx| FieldFuture::new(resolve::root(ctx, index, true)),
        )
        .argument(InputValue::new(
            "keys",
            TypeRef::named_nn_list_nn(TypeRef::STRING),
        ))
    } else {
        Field::new(name, TypeRef::named_nn(resolved), move |ctx| {
            FieldFuture::new(resolve::root(ctx, index, false))
        })
        .argument(InputValue::new("key", TypeRef::named_nn(TypeRef::STRING)))
    };
    field
        .argument(InputValue::new("context", TypeRef::named("ContextInput")))
        .description(format!(
            "The {} entry (or entries) resolved for the visitor's context.",
            model.types[i].name
        ))
}

/// `PromoCardResolved { key variant servedId reason }`.
fn resolved_object(model: &Model, i: usize) -> Object {
    let name = &model.names[i];
    Object::new(format!("{name}Resolved"))
        .description(format!(
            "The {name} variant an app should show for one key."
        ))
        .field(Field::new(
            "key",
            TypeRef::named_nn(TypeRef::STRING),
            |ctx| {
                FieldFuture::new(async move {
                    Ok(Some(Value::from(resolve::answer(&ctx)?.key.clone())))
                })
            },
        ))
        .field(Field::new("variant", TypeRef::named(name), |ctx| {
            FieldFuture::new(async move { resolve::variant(&ctx) })
        }))
        .field(Field::new(
            "servedId",
            TypeRef::named(TypeRef::STRING),
            |ctx| {
                FieldFuture::new(async move {
                    Ok(resolve::answer(&ctx)?.served_id.clone().map(Value::from))
                })
            },
        ))
        .field(Field::new(
            "reason",
            TypeRef::named_nn(TypeRef::STRING),
            |ctx| {
                FieldFuture::new(async move {
                    Ok(Some(Value::from(resolve::answer(&ctx)?.reason.clone())))
                })
            },
        ))
}

/// The content type's object (its variant's fields, typed) and the unions its references need.
fn content_object(model: &Arc<Model>, i: usize) -> (Object, Vec<Union>) {
    let name = &model.names[i];
    let ct = &model.types[i];
    let mut object = Object::new(name.clone())
        .description(format!(
            "A delivered variant of content type `{}`.",
            ct.name
        ))
        .field(Field::new("id", TypeRef::named_nn(TypeRef::ID), |ctx| {
            FieldFuture::new(
                async move { Ok(Some(Value::from(resolve::delivered(&ctx)?.id.clone()))) },
            )
        }))
        .field(Field::new(
            "name",
            TypeRef::named_nn(TypeRef::STRING),
            |ctx| {
                FieldFuture::new(async move {
                    Ok(Some(Value::from(resolve::delivered(&ctx)?.name.clone())))
                })
            },
        ))
        .field(Field::new(
            "tags",
            TypeRef::named_nn_list_nn(TypeRef::STRING),
            |ctx| {
                FieldFuture::new(async move {
                    Ok(Some(Value::from(resolve::delivered(&ctx)?.tags.clone())))
                })
            },
        ))
        .field(Field::new(
            "revision",
            TypeRef::named_nn(TypeRef::STRING),
            |ctx| {
                FieldFuture::new(async move {
                    Ok(Some(Value::from(
                        resolve::delivered(&ctx)?.revision.clone(),
                    )))
                })
            },
        ));
    let mut unions = Vec::new();
    for def in &ct.fields {
        let element = match def.kind {
            FieldKind::Reference => {
                let targets = model.targets(def);
                if targets.len() == 1 {
                    format!("{}Resolved", model.names[targets[0]])
                } else {
                    let union_name = format!("{name}{}Target", super::names::pascal(&def.name));
                    let mut union = Union::new(union_name.clone());
                    for t in targets {
                        union = union.possible_type(format!("{}Resolved", model.names[t]));
                    }
                    unions.push(union);
                    union_name
                }
            }
            kind => scalar_type(kind).to_string(),
        };
        let ty = match (def.list, def.required) {
            (true, true) => TypeRef::named_nn_list_nn(element),
            (true, false) => TypeRef::named_nn_list(element),
            (false, true) => TypeRef::named_nn(element),
            (false, false) => TypeRef::named(element),
        };
        let field_index = ct
            .fields
            .iter()
            .position(|f| f.name == def.name)
            .unwrap_or(0);
        let type_index = i;
        object = object.field(Field::new(field_name(&def.name), ty, move |ctx| {
            FieldFuture::new(async move { resolve::content_field(&ctx, type_index, field_index) })
        }));
    }
    (object, unions)
}

/// The GraphQL type of a field kind other than REFERENCE.
fn scalar_type(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Text | FieldKind::Url => TypeRef::STRING,
        FieldKind::RichText => "RichText",
        FieldKind::Number => TypeRef::FLOAT,
        FieldKind::Boolean => TypeRef::BOOLEAN,
        FieldKind::Datetime => "DateTime",
        FieldKind::Asset => "DeliveredAsset",
        FieldKind::Json | FieldKind::Reference => "JSON",
    }
}

/// The types every typed schema shares: scalars, `Device`, the context inputs, rich text and
/// images.
fn shared_types(
    builder: async_graphql::dynamic::SchemaBuilder,
) -> async_graphql::dynamic::SchemaBuilder {
    let device = Enum::new("Device").items(["MOBILE", "TABLET", "DESKTOP", "TV", "OTHER"]);
    let consent = InputObject::new("ConsentInput")
        .field(InputValue::new(
            "personalization",
            TypeRef::named(TypeRef::BOOLEAN),
        ))
        .field(InputValue::new(
            "measurement",
            TypeRef::named(TypeRef::BOOLEAN),
        ));
    let context = InputObject::new("ContextInput")
        .description("Who is asking for content, as in the generic schema's `ContextInput`.")
        .field(InputValue::new("attributes", TypeRef::named("JSON")))
        .field(InputValue::new("device", TypeRef::named("Device")))
        .field(InputValue::new("locale", TypeRef::named(TypeRef::STRING)))
        .field(InputValue::new("userKey", TypeRef::named(TypeRef::STRING)))
        .field(InputValue::new("at", TypeRef::named("DateTime")))
        .field(InputValue::new("consent", TypeRef::named("ConsentInput")));
    builder
        .register(Scalar::new("JSON").description("Any JSON value."))
        .register(Scalar::new("DateTime").description("An RFC 3339 date-time."))
        .register(device)
        .register(consent)
        .register(context)
        .register(resolve::rich_text_object())
        .register(resolve::asset_object())
}
