//! The demo data set (`vary serve --demo`): two brands from the personalization literature,
//! loaded through the ordinary operations, only into an empty database.
//!
//! - Alpine Outfitters, an outdoor retailer: the home hero differs for skiers, men who hike,
//!   VIP customers and everyone else, with a short mobile copy and a German variant.
//! - Nordbank, a bank that requires approval: its "next best offer" differs by life event (an
//!   inheritance → investment advice; a job loss → budgeting support), each variant written by
//!   the editor, approved by the reviewer and published.

use serde_json::{json, Value};

use crate::app::App;
use crate::auth::Principal;
use crate::content::accounts::NewUser;
use crate::content::brands::NewBrand;
use crate::content::content_types::NewContentType;
use crate::content::entries::NewEntry;
use crate::content::variants::NewVariant;
use crate::content::workflow::Transition;
use crate::content::Content;
use crate::domain::brand::BrandPolicy;
use crate::domain::content_type::{FieldDef, FieldKind};
use crate::domain::device::Device;
use crate::domain::user::Role;
use crate::domain::variant::VariantContent;
use crate::error::AppResult;

pub const DEMO_PASSWORD: &str = "vary-demo-2026";

fn field(name: &str, kind: FieldKind, required: bool, max_length: Option<i32>) -> FieldDef {
    FieldDef {
        name: name.into(),
        kind,
        required,
        max_length,
        to: Vec::new(),
        list: false,
    }
}

fn variant(name: &str, fields: Value, rule: Value, priority: i32) -> VariantContent {
    VariantContent {
        name: name.into(),
        fields,
        tags: vec![],
        rule: Some(rule).filter(|r| !r.is_null()),
        devices: vec![],
        locale: None,
        priority,
        starts_at: None,
        ends_at: None,
    }
}

fn hero_type(brand: &str) -> NewContentType {
    NewContentType {
        brand: brand.into(),
        name: "Hero".into(),
        fields: vec![
            field("title", FieldKind::Text, true, Some(80)),
            field("body", FieldKind::RichText, false, Some(600)),
            field("cta", FieldKind::Text, false, Some(40)),
            field("link", FieldKind::Url, false, None),
        ],
    }
}

/// Loads the demo set when the database has no brand yet, and prints the logins.
pub async fn load_if_empty(app: &App) -> anyhow::Result<()> {
    if !app.content.holds_no_brand().await? {
        tracing::info!("the database already holds data: demo data not loaded");
        return Ok(());
    }
    let keys = load(&app.content)
        .await
        .map_err(|e| anyhow::anyhow!("loading the demo data failed: {e}"))?;
    app.delivery
        .rebuild_all()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("\nVary demo data loaded. Sign in at /admin/ with any of (password {DEMO_PASSWORD}):");
    for (email, role) in DEMO_USERS {
        println!("  {email:<28} {role}");
    }
    println!("Delivery keys for apps (shown once):");
    for (brand, token) in keys {
        println!("  {brand:<10} {token}");
    }
    println!();
    Ok(())
}

const DEMO_USERS: [(&str, &str); 5] = [
    ("admin@vary.demo", "admin"),
    ("editor@vary.demo", "editor (alpine, nordbank)"),
    ("reviewer@vary.demo", "reviewer (alpine, nordbank)"),
    ("auditor@vary.demo", "auditor"),
    ("alpine.editor@vary.demo", "editor (alpine only)"),
];

async fn user(
    content: &Content,
    admin: &Principal,
    email: &str,
    role: Role,
    brands: &[&str],
) -> AppResult<Principal> {
    let input = NewUser {
        email: email.into(),
        password: DEMO_PASSWORD.into(),
        role,
        brands: brands.iter().map(|b| b.to_string()).collect(),
    };
    Ok(Principal::User(content.create_user(admin, input).await?))
}

/// Loads the demo set; returns a delivery key token per brand.
pub async fn load(content: &Content) -> AppResult<Vec<(String, String)>> {
    let admin_email = DEMO_USERS[0].0;
    let input = NewUser {
        email: admin_email.into(),
        password: DEMO_PASSWORD.into(),
        role: Role::Admin,
        brands: vec![],
    };
    let admin = match content.create_user_as_operator(input).await {
        Ok(user) => user,
        Err(e) if e.code == crate::error::ErrorCode::Conflict => content
            .user_by_email_as_operator(admin_email)
            .await?
            .ok_or(e)?,
        Err(e) => return Err(e),
    };
    let admin = Principal::User(admin);
    alpine(content, &admin).await?;
    nordbank(content, &admin).await?;
    user(content, &admin, "auditor@vary.demo", Role::Auditor, &[]).await?;
    user(
        content,
        &admin,
        "alpine.editor@vary.demo",
        Role::Editor,
        &["alpine"],
    )
    .await?;
    let mut keys = Vec::new();
    for brand in ["alpine", "nordbank"] {
        let key = content
            .create_delivery_key(
                &admin,
                crate::content::keys::NewKey::named(brand, "demo web app"),
            )
            .await?;
        keys.push((brand.to_string(), key.token));
    }
    Ok(keys)
}

async fn alpine(content: &Content, admin: &Principal) -> AppResult<()> {
    content
        .create_brand(
            admin,
            NewBrand {
                slug: "alpine".into(),
                name: "Alpine Outfitters".into(),
                default_locale: "en".into(),
                locales: vec!["de".into()],
                policy: BrandPolicy {
                    banned_terms: vec!["cheap".into()],
                    max_title_length: Some(60),
                    ..Default::default()
                },
            },
        )
        .await?;
    content
        .create_content_type(admin, hero_type("alpine"))
        .await?;
    let entry = content
        .create_entry(
            admin,
            NewEntry {
                brand: "alpine".into(),
                key: "home-hero".into(),
                content_type: "Hero".into(),
                description: Some("The big picture on the home page".into()),
            },
        )
        .await?;
    for v in alpine_variants() {
        let created = content
            .create_variant(
                admin,
                NewVariant {
                    entry_id: entry.id.clone(),
                    content: v,
                },
            )
            .await?;
        content
            .transition(admin, Transition::Publish, &created.record.id, None)
            .await?;
    }
    Ok(())
}

/// The home hero's variants: one per audience, a mobile one and a German one.
fn alpine_variants() -> Vec<VariantContent> {
    let hero = |title: &str, body: &str, cta: &str| json!({"title": title, "body": body, "cta": cta, "link": "https://alpine.example/shop"});
    let mut variants = vec![
        variant(
            "Everyone: trail season",
            hero(
                "Find your trail",
                "Boots, packs and shells for every summit.",
                "Shop outdoor",
            ),
            Value::Null,
            0,
        ),
        variant(
            "Skiers: fresh powder",
            hero(
                "Fresh powder is calling",
                "Skis, boots and goggles, tuned for the new season.",
                "Shop ski",
            ),
            json!({"attr": "segment", "op": "in", "value": ["skier", "snowboarder"]}),
            10,
        ),
        variant(
            "Men who hike",
            hero(
                "Built for the long climb",
                "Light packs and boots for men who go the distance.",
                "Shop hiking",
            ),
            json!({"all": [{"attr": "gender", "op": "eq", "value": "male"}, {"attr": "segment", "op": "eq", "value": "hiker"}]}),
            5,
        ),
        variant(
            "VIP early access",
            hero(
                "Your early access is open",
                "Members at tier 3 and above shop the new collection first.",
                "Shop early",
            ),
            json!({"attr": "tier", "op": "gte", "value": 3}),
            20,
        ),
    ];
    let mut mobile = variant(
        "Mobile: short copy",
        hero("Gear up", "Outdoor gear, fast.", "Shop"),
        Value::Null,
        0,
    );
    mobile.devices = vec![Device::Mobile];
    variants.push(mobile);
    let mut german = variant(
        "Deutsch: Wandersaison",
        hero(
            "Finde deinen Weg",
            "Schuhe, Rucksäcke und Jacken für jeden Gipfel.",
            "Jetzt shoppen",
        ),
        Value::Null,
        0,
    );
    german.locale = Some("de".into());
    variants.push(german);
    variants
}

async fn nordbank(content: &Content, admin: &Principal) -> AppResult<()> {
    content
        .create_brand(
            admin,
            NewBrand {
                slug: "nordbank".into(),
                name: "Nordbank".into(),
                default_locale: "en".into(),
                locales: vec!["de".into()],
                policy: BrandPolicy {
                    require_approval: true,
                    banned_terms: vec!["guaranteed".into(), "risk-free".into()],
                    max_title_length: Some(70),
                    usage_attributes: vec!["lifeEvent".into()],
                    usage_retention_days: Some(400),
                    ..Default::default()
                },
            },
        )
        .await?;
    let mut offer = hero_type("nordbank");
    offer.name = "Offer".into();
    content.create_content_type(admin, offer).await?;
    let editor = user(
        content,
        admin,
        "editor@vary.demo",
        Role::Editor,
        &["alpine", "nordbank"],
    )
    .await?;
    let reviewer = user(
        content,
        admin,
        "reviewer@vary.demo",
        Role::Reviewer,
        &["alpine", "nordbank"],
    )
    .await?;
    let entry = content
        .create_entry(
            &editor,
            NewEntry {
                brand: "nordbank".into(),
                key: "next-best-offer".into(),
                content_type: "Offer".into(),
                description: Some("The offer on the account overview".into()),
            },
        )
        .await?;
    for v in nordbank_variants() {
        write_approve_publish(content, (&editor, &reviewer), &entry.id, v).await?;
    }
    Ok(())
}

/// The next best offer's variants: everyone, and one per life event.
fn nordbank_variants() -> [VariantContent; 3] {
    let offer = |title: &str, body: &str, cta: &str| json!({"title": title, "body": body, "cta": cta, "link": "https://nordbank.example/offers"});
    [
        variant("Everyone: easy saver", offer("Save a little, every month", "An easy-access savings account with no fees.", "Open an account"), Value::Null, 0),
        variant(
            "Inheritance: investment advice",
            offer("Making the most of an inheritance", "Talk to an adviser about investing with care. The value of investments can go down as well as up.", "Book an adviser"),
            json!({"attr": "lifeEvent", "op": "eq", "value": "inheritance"}),
            10,
        ),
        variant(
            "Job loss: budgeting support",
            offer("We are here to help", "Free budgeting support and a payment holiday on your loan while you get back on your feet.", "Get support"),
            json!({"attr": "lifeEvent", "op": "eq", "value": "job_loss"}),
            10,
        ),
    ]
}

/// A variant through the approval workflow: the editor writes and submits it, the reviewer
/// approves and publishes it.
async fn write_approve_publish(
    content: &Content,
    (editor, reviewer): (&Principal, &Principal),
    entry_id: &str,
    v: VariantContent,
) -> AppResult<()> {
    let created = content
        .create_variant(
            editor,
            NewVariant {
                entry_id: entry_id.to_string(),
                content: v,
            },
        )
        .await?;
    let id = created.record.id;
    content
        .transition(editor, Transition::Submit, &id, None)
        .await?;
    content
        .transition(
            reviewer,
            Transition::Approve,
            &id,
            Some("Clear and on brand.".into()),
        )
        .await?;
    content
        .transition(reviewer, Transition::Publish, &id, None)
        .await?;
    Ok(())
}
