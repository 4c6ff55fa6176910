//! The property the contract asks of references: resolving through them gives, for each
//! referenced entry, exactly what `content` gives for that key and context (variant, reason,
//! whether a `servedId` is carried); only a reference back onto its own path differs, answered as
//! a cycle.

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use serde_json::{json, Value};

use super::*;
use crate::domain::brand::{Brand, BrandPolicy};
use crate::domain::content_type::{FieldDef, FieldKind};
use crate::domain::device::Device;
use crate::domain::rule::Attributes;
use crate::domain::targeting::Targeting;
use crate::store::Db;

const KEYS: [&str; 6] = ["e0", "e1", "e2", "e3", "e4", "missing"];

fn rules() -> [Option<Value>; 4] {
    [
        None,
        Some(json!({"attr": "segment", "op": "eq", "value": "skier"})),
        Some(json!({"attr": "tier", "op": "gte", "value": 3})),
        Some(json!({"not": {"attr": "segment", "op": "eq", "value": "hiker"}})),
    ]
}

/// A variant: its rule (index into [`rules`]), priority, and the keys its `refs` list names.
type Spec = (usize, i32, Vec<usize>);

fn entries() -> impl Strategy<Value = Vec<Vec<Spec>>> {
    let variant = (
        0..4usize,
        0..3i32,
        prop::collection::vec(0..KEYS.len(), 0..4),
    );
    prop::collection::vec(prop::collection::vec(variant, 0..4), 5)
}

fn page_type() -> ContentType {
    let mut refs = FieldDef::new("refs", FieldKind::Reference);
    refs.list = true;
    ContentType {
        id: "ct".into(),
        brand_id: "b".into(),
        version: 1,
        name: "Page".into(),
        fields: vec![FieldDef::new("single", FieldKind::Reference), refs],
    }
}

fn snapshot(specs: &[Vec<Spec>]) -> BrandSnapshot {
    let brand = Brand {
        id: "b".into(),
        slug: "alpine".into(),
        name: "Alpine".into(),
        default_locale: "en".into(),
        locales: vec![],
        policy: BrandPolicy::default(),
        version: 1,
        preview_url: None,
    };
    let created = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let entries: Vec<Entry> = (0..specs.len())
        .map(|i| Entry {
            id: format!("ent{i}"),
            brand_id: "b".into(),
            key: KEYS[i].into(),
            content_type_id: "ct".into(),
            description: None,
            version: 1,
        })
        .collect();
    let mut published = Vec::new();
    for (i, variants) in specs.iter().enumerate() {
        for (j, (rule, priority, refs)) in variants.iter().enumerate() {
            let keys: Vec<&str> = refs.iter().map(|r| KEYS[*r]).collect();
            let (single, list) = keys
                .split_first()
                .map_or((None, &[][..]), |(a, b)| (Some(*a), b));
            published.push(PublishedVariant {
                id: format!("v{i}-{j}"),
                entry_id: format!("ent{i}"),
                created_at: created,
                revision: format!("r{i}-{j}"),
                name: format!("v{i}-{j}"),
                fields: json!({"single": single, "refs": list}),
                tags: vec![],
                targeting: Targeting {
                    rule: rules()[*rule].as_ref().map(Value::to_string),
                    devices: Vec::<Device>::new(),
                    locale: None,
                    priority: *priority,
                    starts_at: None,
                    ends_at: None,
                },
                quality: 1.0,
            });
        }
    }
    let references = index(&[page_type()], &entries, &published);
    let mut bs = BrandSnapshot::compile(
        brand,
        entries,
        published,
        &Default::default(),
        vec![],
        Default::default(),
    );
    bs.references = references;
    bs
}

fn delivery() -> (Delivery, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = crate::config::DatabaseUrl::parse(&format!("sqlite://{}/t.db", dir.path().display()))
        .unwrap();
    let db = Db::connect(&url, 1).unwrap();
    (Delivery::new(db, b"a served-id key of thirty-two by"), dir)
}

fn same(a: &Resolved, b: &Resolved) -> bool {
    a.key == b.key
        && a.reason == b.reason
        && a.served_id.is_some() == b.served_id.is_some()
        && a.variant.as_ref().map(|v| &v.id) == b.variant.as_ref().map(|v| &v.id)
}

/// Checks every reference under `answer`, with `path` the keys above it.
fn check_tree(
    d: &Delivery,
    bs: &BrandSnapshot,
    ctx: &ResolveContext<'_>,
    answer: &Resolved,
    path: &mut Vec<String>,
) -> Result<(), TestCaseError> {
    path.push(answer.key.clone());
    for reference in &answer.references {
        let child = &reference.resolved;
        if path.contains(&child.key) {
            prop_assert!(child.variant.is_none() && child.reason.contains("cycle"));
            prop_assert!(child.references.is_empty());
            continue;
        }
        let (direct, _) = d.resolve_key(bs, &child.key, ctx, None, true);
        prop_assert!(same(child, &direct), "{child:?} vs {direct:?}");
        check_tree(d, bs, ctx, child, path)?;
    }
    path.pop();
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn resolving_through_references_gives_what_content_gives(
        specs in entries(),
        root in 0..KEYS.len(),
        attributes in prop::sample::select(vec![
            json!({}), json!({"segment": "skier"}), json!({"segment": "hiker", "tier": 4}),
        ]),
        depth in 0..=MAX_REFERENCE_DEPTH,
    ) {
        let (d, _dir) = delivery();
        let bs = snapshot(&specs);
        let attributes = Attributes::from_value(&attributes).unwrap();
        let ctx = ResolveContext {
            attributes: &attributes,
            device: Some(Device::Mobile),
            locale: None,
            default_locale: "en",
            at: Utc::now(),
            min_quality: 0.0,
            personalized: true,
        };
        let mut served = Vec::new();
        let tree = d.resolve_tree(&bs, KEYS[root], &ctx, None, true, depth, &mut served);
        let (direct, _) = d.resolve_key(&bs, KEYS[root], &ctx, None, true);
        prop_assert!(same(&tree, &direct));
        check_tree(&d, &bs, &ctx, &tree, &mut Vec::new())?;
        // One impression per answer that carries a servedId, no more.
        let mut carried = 0;
        let mut stack = vec![&tree];
        let mut levels = 0;
        while let Some(r) = stack.pop() {
            carried += usize::from(r.served_id.is_some());
            stack.extend(r.references.iter().map(|x| &x.resolved));
            levels += r.references.len();
        }
        prop_assert_eq!(carried, served.len());
        prop_assert_eq!(levels as u64, count(std::slice::from_ref(&tree)));
        if depth == 0 {
            prop_assert!(tree.references.is_empty());
        }
    }
}
