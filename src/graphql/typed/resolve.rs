//! The typed schema's resolvers: the root fields resolve keys through `Delivery::content` (the
//! same authentication, context, reasons, impressions and budget as `content`), following
//! references as deep as the selection asks; the other resolvers read the answer tree.

use async_graphql::dynamic::{Field, FieldFuture, FieldValue, Object, ResolverContext, TypeRef};
use async_graphql::{InputType, SelectionField, Value};
use std::sync::Arc;

use super::build::Model;
use crate::auth::Principal;
use crate::delivery::references::{AnswerBudget, Follow, MAX_REFERENCE_DEPTH};
use crate::delivery::{DeliveredAsset, DeliveredVariant, Delivery, RequestHints, Resolved};
use crate::domain::content_type::FieldKind;
use crate::error::AppError;
use crate::graphql::inputs::ContextInput;
use crate::graphql::query::delivery_context;

type Res<T> = async_graphql::Result<T>;

/// The brand a typed schema serves, as its resolvers see it.
pub(super) struct Brand(pub Arc<Model>);

/// A RICH_TEXT value: the HTML is rendered only when asked for.
struct RichText(String);

pub(super) fn brand_slug(ctx: &ResolverContext<'_>) -> Res<String> {
    Ok(ctx.data::<Brand>()?.0.brand.clone())
}

/// The answer a `…Resolved` field reads.
pub(super) fn answer<'a>(ctx: &ResolverContext<'a>) -> Res<&'a Resolved> {
    ctx.parent_value.try_downcast_ref::<Resolved>()
}

/// The delivered variant a content type's object reads (its parent is the answer).
pub(super) fn delivered<'a>(ctx: &ResolverContext<'a>) -> Res<&'a DeliveredVariant> {
    answer(ctx)?
        .variant
        .as_ref()
        .ok_or_else(|| "no variant".into())
}

pub(super) fn variant<'a>(ctx: &ResolverContext<'a>) -> Res<Option<FieldValue<'a>>> {
    let answer = answer(ctx)?;
    Ok(answer
        .variant
        .as_ref()
        .map(|_| FieldValue::borrowed_any(answer)))
}

/// `promoCard(key, context)` and `promoCardList(keys, context)`.
pub(super) async fn root(
    ctx: ResolverContext<'_>,
    type_index: usize,
    list: bool,
) -> Res<Option<FieldValue<'_>>> {
    let model = ctx.data::<Brand>()?.0.clone();
    let keys: Vec<String> = if list {
        let keys = ctx.args.try_get("keys")?.list()?;
        keys.iter()
            .map(|k| k.string().map(str::to_string))
            .collect::<Res<_>>()?
    } else {
        vec![ctx.args.try_get("key")?.string()?.to_string()]
    };
    let context = match ctx.args.get("context").filter(|v| !v.is_null()) {
        None => None,
        Some(v) => Some(
            ContextInput::parse(Some(v.as_value().clone())).map_err(|e| {
                AppError::bad_input(format!(
                    "context: {}",
                    e.into_server_error(Default::default()).message
                ))
            })?,
        ),
    };
    let dc = delivery_context(context)?;
    let depth = requested_depth(ctx.ctx.field(), &model);
    let budget = ctx.data_opt::<AnswerBudget>();
    let follow = Follow { depth, budget };
    follow.check()?;
    let delivery = ctx.data::<Arc<Delivery>>()?;
    let who = ctx.data::<Principal>()?;
    let hints = ctx.data::<RequestHints>()?;
    let (ours, foreign) = split_by_type(delivery, &model, type_index, &keys);
    let mut resolved = delivery
        .content(who, &model.brand, &ours, dc, hints, follow)
        .await?
        .into_iter();
    let answers: Vec<Resolved> = keys
        .iter()
        .zip(foreign)
        .map(|(_, foreign)| foreign.or_else(|| resolved.next()))
        .collect::<Option<_>>()
        .ok_or_else(|| AppError::internal("an answer went missing"))?;
    if list {
        Ok(Some(FieldValue::list(
            answers.into_iter().map(FieldValue::owned_any),
        )))
    } else {
        Ok(answers.into_iter().next().map(FieldValue::owned_any))
    }
}

/// The keys whose entries are of the asked type (or unknown, answered as `content` answers
/// them), and for each key, the answer when its entry is of another type.
fn split_by_type(
    delivery: &Delivery,
    model: &Model,
    type_index: usize,
    keys: &[String],
) -> (Vec<String>, Vec<Option<Resolved>>) {
    let snapshot = delivery.snapshot_guard();
    let wanted = &model.types[type_index];
    let entry_types = snapshot.brands.get(&model.brand).map(|b| &b.entry_types);
    let mut ours = Vec::with_capacity(keys.len());
    let foreign = keys
        .iter()
        .map(|key| match entry_types.and_then(|t| t.get(key)) {
            Some(ct) if *ct != wanted.id => {
                let other = model.types.iter().find(|t| t.id == *ct);
                let other = other.map_or("another content type", |t| t.name.as_str());
                Some(Resolved {
                    key: key.clone(),
                    variant: None,
                    served_id: None,
                    reason: format!("entry `{key}` is a {other}, not a {}", wanted.name),
                    references: Vec::new(),
                })
            }
            _ => {
                ours.push(key.clone());
                None
            }
        })
        .collect();
    (ours, foreign)
}

/// How deep the selection under a `…Resolved` field follows reference fields (through
/// `variant`), up to one past the limit.
fn requested_depth(field: SelectionField<'_>, model: &Model) -> usize {
    fn walk(field: SelectionField<'_>, model: &Model, level: usize) -> usize {
        if level > MAX_REFERENCE_DEPTH {
            return level;
        }
        let mut deepest = level;
        for variant in field.selection_set().filter(|f| f.name() == "variant") {
            for inner in variant.selection_set() {
                if model.is_reference_field(inner.name()) {
                    deepest = deepest.max(walk(inner, model, level + 1));
                }
            }
        }
        deepest
    }
    walk(field, model, 0)
}

/// One content field of the variant, typed by its definition.
pub(super) fn content_field<'a>(
    ctx: &ResolverContext<'a>,
    type_index: usize,
    field_index: usize,
) -> Res<Option<FieldValue<'a>>> {
    let answer = answer(ctx)?;
    let variant = delivered(ctx)?;
    let model = &ctx.data::<Brand>()?.0;
    let def = &model.types[type_index].fields[field_index];
    if def.kind == FieldKind::Reference {
        let snapshot = ctx.data::<Arc<Delivery>>()?.snapshot_guard();
        let entry_types = snapshot.brands.get(&model.brand).map(|b| &b.entry_types);
        let refs: Vec<FieldValue<'a>> = answer
            .references
            .iter()
            .filter(|r| r.field == def.name)
            .map(|r| reference_value(model, &r.resolved, def, entry_types))
            .collect();
        return Ok(if def.list {
            Some(FieldValue::list(refs))
        } else {
            refs.into_iter().next()
        });
    }
    if def.kind == FieldKind::Asset {
        let assets = variant.assets().iter().filter(|a| a.field == def.name);
        let assets: Vec<FieldValue<'a>> = assets.map(|a| FieldValue::borrowed_any(a)).collect();
        return Ok(if def.list {
            Some(FieldValue::list(assets))
        } else {
            assets.into_iter().next()
        });
    }
    let Some(value) = variant.fields.get(&def.name).filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let one = |v: &serde_json::Value| -> Res<FieldValue<'a>> {
        Ok(match def.kind {
            FieldKind::RichText => {
                FieldValue::owned_any(RichText(v.as_str().unwrap_or_default().to_string()))
            }
            _ => FieldValue::value(Value::from_json(v.clone())?),
        })
    };
    match (def.list, value) {
        (true, serde_json::Value::Array(items)) => Ok(Some(FieldValue::list(
            items.iter().map(one).collect::<Res<Vec<_>>>()?,
        ))),
        (true, _) => Ok(None),
        (false, v) => one(v).map(Some),
    }
}

/// A referenced answer, typed as its entry's content type when the field may point to several.
fn reference_value<'a>(
    model: &Model,
    resolved: &'a Resolved,
    def: &crate::domain::content_type::FieldDef,
    entry_types: Option<&std::collections::HashMap<String, String>>,
) -> FieldValue<'a> {
    let targets = model.targets(def);
    let value = FieldValue::borrowed_any(resolved);
    if targets.len() == 1 {
        return value;
    }
    let by_entry = entry_types
        .and_then(|types| types.get(&resolved.key))
        .filter(|t| targets.iter().any(|i| model.types[*i].id == **t))
        .and_then(|t| model.resolved_name(t));
    let fallback = format!("{}Resolved", model.names[targets[0]]);
    value.with_type(by_entry.unwrap_or(fallback))
}

pub(super) fn rich_text_object() -> Object {
    let rich = |ctx: &ResolverContext<'_>| {
        ctx.parent_value
            .try_downcast_ref::<RichText>()
            .map(|r| r.0.clone())
    };
    Object::new("RichText")
        .description("Rich text: the Markdown as written, and sanitised HTML rendered from it.")
        .field(Field::new(
            "markdown",
            TypeRef::named_nn(TypeRef::STRING),
            move |ctx| FieldFuture::new(async move { Ok(Some(Value::from(rich(&ctx)?))) }),
        ))
        .field(Field::new(
            "html",
            TypeRef::named_nn(TypeRef::STRING),
            move |ctx| {
                FieldFuture::new(async move {
                    Ok(Some(Value::from(crate::domain::rich_text::to_html(&rich(
                        &ctx,
                    )?))))
                })
            },
        ))
}

pub(super) fn asset_object() -> Object {
    fn field(name: &'static str, ty: TypeRef, read: fn(&DeliveredAsset) -> Value) -> Field {
        Field::new(name, ty, move |ctx| {
            FieldFuture::new(async move {
                let asset = ctx.parent_value.try_downcast_ref::<DeliveredAsset>()?;
                Ok(Some(read(asset)).filter(|v| *v != Value::Null))
            })
        })
    }
    let nn = TypeRef::named_nn;
    Object::new("DeliveredAsset")
        .description("An image sized for the context's device, as in the generic schema.")
        .field(field("field", nn(TypeRef::STRING), |a| {
            Value::from(a.field.clone())
        }))
        .field(field("id", nn(TypeRef::ID), |a| Value::from(a.id.clone())))
        .field(field("alt", TypeRef::named(TypeRef::STRING), |a| {
            a.alt.clone().map_or(Value::Null, Value::from)
        }))
        .field(field("width", nn(TypeRef::INT), |a| Value::from(a.width)))
        .field(field("height", nn(TypeRef::INT), |a| Value::from(a.height)))
        .field(field("url", nn(TypeRef::STRING), |a| {
            Value::from(a.url.clone())
        }))
        .field(field("srcset", nn(TypeRef::STRING), |a| {
            Value::from(a.srcset.clone())
        }))
        .field(field("dominantColor", nn(TypeRef::STRING), |a| {
            Value::from(a.dominant_color.clone())
        }))
        .field(field("placeholder", nn(TypeRef::STRING), |a| {
            Value::from(a.placeholder.clone())
        }))
}
