//! The contract's "Typed delivery": a brand's schema generated from its content types, its SDL,
//! and answers that match `content`'s for the same key and context.

use serde_json::{json, Value};

use crate::backend_tests;
use crate::helpers::{Answer, Backend, TestApp};
use crate::references::{content_type, site};

async fn typed(
    app: &TestApp,
    token: Option<&str>,
    brand: &str,
    query: &str,
    vars: Value,
) -> Answer {
    let mut request = TestApp::client()
        .post(format!("{}/delivery/{brand}/graphql", app.base))
        .content_type("application/json");
    if let Some(token) = token {
        request = request.insert_header(("Authorization", format!("Bearer {token}")));
    }
    let mut response = request
        .send_body(json!({"query": query, "variables": vars}).to_string())
        .await
        .expect("request sent");
    let status = response.status().as_u16();
    let bytes = response.body().limit(10_000_000).await.expect("body");
    let body = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| json!({"raw": String::from_utf8_lossy(&bytes)}));
    Answer { status, body }
}

const PAGE: &str = "query($c: ContextInput) { page(key: \"home\", context: $c) {
    key servedId reason
    variant { id name tags revision
      hero { key servedId reason variant { title cta body { markdown html } } }
      cards { key reason variant { title } }
      next { ... on PageResolved { key reason variant { id } } } } } }";

async fn the_sdl_types_every_content_type_as_the_contract_names_them(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    site(&app).await;
    let key = app.delivery_key("alpine").await;
    let (status, sdl) = app
        .get_as(Some(&key), "/delivery/alpine/schema.graphql")
        .await;
    assert_eq!(status, 200, "{sdl}");
    for expected in [
        "type Hero {",
        "title: String!",
        "body: RichText",
        "link: String",
        "type RichText {",
        "html: String!",
        "type HeroResolved {",
        "variant: Hero",
        "servedId: String",
        "hero(key: String!, context: ContextInput): HeroResolved!",
        "heroList(keys: [String!]!, context: ContextInput): [HeroResolved!]!",
        "hero: HeroResolved!",
        "cards: [CardResolved!]",
        "union PageNextTarget = CardResolved | HeroResolved | PageResolved",
        "revision: String!",
        "tags: [String!]!",
    ] {
        assert!(sdl.contains(expected), "`{expected}` missing from\n{sdl}");
    }
    let (status, _) = app.get("/delivery/alpine/schema.graphql").await;
    assert_eq!(status, 401);
    let (status, _) = app
        .get_as(Some(&key), "/delivery/nope/schema.graphql")
        .await;
    assert!(status == 403 || status == 404, "{status}");
    // A new content type is in the schema as soon as its creation has answered.
    content_type(
        &app,
        "promo card",
        json!([{"name": "headline", "kind": "TEXT"}]),
    )
    .await
    .data();
    let (_, sdl) = app
        .get_as(Some(&key), "/delivery/alpine/schema.graphql")
        .await;
    assert!(sdl.contains("type PromoCard {"), "{sdl}");
    assert!(sdl.contains("promoCardList(keys: [String!]!"), "{sdl}");
}

async fn typed_answers_match_content_for_the_same_context(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    site(&app).await;
    let key = app.delivery_key("alpine").await;
    for context in [json!({}), json!({"attributes": {"segment": "skier"}})] {
        let answer = typed(&app, Some(&key), "alpine", PAGE, json!({"c": context})).await;
        let page = &answer.data()["page"];
        let generic = app.content(&key, "alpine", "home", context.clone()).await;
        assert_eq!(page["variant"]["id"], generic["variant"]["id"]);
        assert_eq!(page["reason"], generic["reason"]);
        assert!(page["servedId"].is_string());
        let hero = &page["variant"]["hero"];
        let direct = app
            .content(&key, "alpine", "home-hero", context.clone())
            .await;
        assert_eq!(hero["reason"], direct["reason"]);
        assert_eq!(
            hero["variant"]["title"],
            direct["variant"]["fields"]["title"]
        );
        assert!(hero["servedId"].is_string() && hero["servedId"] != page["servedId"]);
        assert_eq!(hero["variant"]["body"]["markdown"], "Body text");
        assert_eq!(hero["variant"]["body"]["html"], "<p>Body text</p>\n");
        let cards = page["variant"]["cards"].as_array().unwrap();
        assert_eq!(cards.len(), 2);
        assert!(cards[1]["variant"].is_null());
        let next = &page["variant"]["next"];
        assert!(next["reason"].as_str().unwrap().contains("cycle"), "{next}");
    }
    // A key of another content type is answered, not resolved as the wrong type.
    let list = typed(
        &app,
        Some(&key),
        "alpine",
        "{ heroList(keys: [\"home-hero\", \"c1\", \"ghost\"]) { key reason variant { title } } }",
        json!({}),
    )
    .await;
    let list = list.data()["heroList"].as_array().unwrap().clone();
    assert_eq!(list[0]["variant"]["title"], "Trail");
    assert!(list[1]["variant"].is_null() && list[1]["reason"].as_str().unwrap().contains("Card"));
    assert!(
        list[2]["variant"].is_null() && list[2]["reason"].as_str().unwrap().contains("no entry")
    );
}

async fn typed_delivery_is_limited_and_authenticated_like_content(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    site(&app).await;
    let key = app.delivery_key("alpine").await;
    let anonymous = typed(
        &app,
        None,
        "alpine",
        "{ hero(key: \"home-hero\") { key } }",
        json!({}),
    )
    .await;
    assert_eq!(anonymous.code(), "UNAUTHENTICATED");
    let mut inner = "key".to_string();
    for _ in 0..6 {
        inner = format!("key variant {{ next {{ ... on PageResolved {{ {inner} }} }} }}");
    }
    let deep = format!("{{ page(key: \"home\") {{ {inner} }} }}");
    let answer = typed(&app, Some(&key), "alpine", &deep, json!({})).await;
    assert_eq!(answer.code(), "LIMIT_EXCEEDED", "{}", answer.body);
    let bad = typed(
        &app,
        Some(&key),
        "alpine",
        "{ hero(key: \"home-hero\", context: {attributes: 3}) { key } }",
        json!({}),
    )
    .await;
    assert_eq!(bad.code(), "BAD_INPUT", "{}", bad.body);
    let not_query = typed(&app, Some(&key), "alpine", "{ nope }", json!({})).await;
    assert!(not_query.body["errors"].is_array());
    let other_brand = typed(&app, Some(&key), "ghost", "{ brand }", json!({})).await;
    assert_eq!(other_brand.code(), "FORBIDDEN");
    let unknown = typed(&app, Some(app.admin()), "ghost", "{ brand }", json!({})).await;
    assert_eq!(unknown.code(), "NOT_FOUND");
}

async fn rich_text_is_rendered_and_sanitised(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let entry = app.seed_brand("alpine").await;
    let body = "**Snow** <script>alert(1)</script> [x](javascript:alert(2)) <img src=\"a.png\" onerror=\"alert(3)\">";
    app.published(
        &entry,
        json!({"name": "v", "fields": {"title": "T", "body": body}}),
    )
    .await;
    let key = app.delivery_key("alpine").await;
    let answer = typed(
        &app,
        Some(&key),
        "alpine",
        "{ hero(key: \"home-hero\") { variant { body { markdown html } } } }",
        json!({}),
    )
    .await;
    let rich = &answer.data()["hero"]["variant"]["body"];
    assert_eq!(rich["markdown"], body);
    let html = rich["html"].as_str().unwrap();
    assert!(html.contains("<strong>Snow</strong>"), "{html}");
    for banned in ["<script", "javascript:", "onerror", "alert(1)"] {
        assert!(!html.contains(banned), "{banned} in {html}");
    }
}

async fn asset_lists_are_checked_and_delivered_in_order(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    site(&app).await;
    let mut png = std::io::Cursor::new(Vec::new());
    crate::assets::picture(700, 400)
        .write_to(&mut png, image::ImageFormat::Png)
        .unwrap();
    let mut ids = Vec::new();
    for alt in ["first", "second"] {
        let fields = [("brand", "alpine"), ("alt", alt)];
        let (status, asset) = crate::assets::upload_as(
            &app,
            Some(app.admin()),
            png.get_ref(),
            "a.png",
            "image/png",
            &fields,
        )
        .await;
        assert_eq!(status, 200, "{asset}");
        ids.push(asset["id"].as_str().unwrap().to_string());
    }
    content_type(
        &app,
        "Gallery",
        json!([{"name": "images", "kind": "ASSET", "list": true, "maxLength": 4}]),
    )
    .await
    .data();
    let answer = app
        .gql(
            Some(app.admin()),
            "mutation($i: CreateEntryInput!) { createEntry(input: $i) { id } }",
            json!({"i": {"brand": "alpine", "key": "gallery", "contentType": "Gallery"}}),
        )
        .await;
    let entry = answer.data()["createEntry"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let refused = app
        .gql(
            Some(app.admin()),
            "mutation($i: CreateVariantInput!) { createVariant(input: $i) { id } }",
            json!({"i": {"entryId": entry, "name": "bad", "fields": {"images": [ids[0], "nope"]}}}),
        )
        .await;
    assert_eq!(refused.code(), "BAD_INPUT");
    assert!(
        refused.message().contains("field `images` index 1"),
        "{}",
        refused.message()
    );
    app.published(
        &entry,
        json!({"name": "g", "fields": {"images": [ids[1], ids[0]]}}),
    )
    .await;
    let key = app.delivery_key("alpine").await;
    let typed_answer = typed(&app, Some(&key), "alpine", "{ gallery(key: \"gallery\", context: {device: MOBILE}) { variant { images { id alt width } } } }", json!({})).await;
    let images = &typed_answer.data()["gallery"]["variant"]["images"];
    assert_eq!(images[0]["id"], ids[1].as_str());
    assert_eq!(images[1]["alt"], "first");
    assert_eq!(images[0]["width"], 640);
}

async fn typed_requests_over_the_answer_cap_are_refused_whole(backend: Backend) {
    let app = TestApp::spawn_with(backend, |raw| raw.graphql_max_answers = 3).await;
    site(&app).await;
    let key = app.delivery_key("alpine").await;
    let keys = json!({"k": ["home-hero", "home-hero", "home-hero", "home-hero"]});
    let list = typed(
        &app,
        Some(&key),
        "alpine",
        "query($k: [String!]!) { heroList(keys: $k) { key } }",
        keys,
    )
    .await;
    assert_eq!(list.code(), "LIMIT_EXCEEDED", "{}", list.body);
    let aliases = "{ a: hero(key: \"home-hero\") { key } b: hero(key: \"home-hero\") { key } c: card(key: \"c1\") { key } d: card(key: \"c1\") { key } }";
    assert_eq!(
        typed(&app, Some(&key), "alpine", aliases, json!({}))
            .await
            .code(),
        "LIMIT_EXCEEDED"
    );
    // The page and its four references are five answers.
    let page =
        "{ page(key: \"home\") { variant { hero { key } cards { key } next { __typename } } } }";
    assert_eq!(
        typed(&app, Some(&key), "alpine", page, json!({}))
            .await
            .code(),
        "LIMIT_EXCEEDED"
    );
    let three = "{ a: hero(key: \"home-hero\") { key } b: card(key: \"c1\") { variant { title } } c: page(key: \"home\") { key } }";
    let answer = typed(&app, Some(&key), "alpine", three, json!({})).await;
    assert_eq!(answer.data()["b"]["variant"]["title"], "A");
}

/// The typed SDL of a brand using every field kind, kept in `admin-ui/typed/schema.graphql`
/// for the TypeScript client check (`npm run typed-check`, run by `scripts/test`);
/// `UPDATE_TYPED_SCHEMA=1` rewrites it.
#[actix_web::test]
async fn typed_sdl_fixture_is_current() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    site(&app).await;
    content_type(
        &app,
        "offer",
        json!([
            {"name": "price", "kind": "NUMBER", "required": true},
            {"name": "active", "kind": "BOOLEAN"},
            {"name": "ends", "kind": "DATETIME"},
            {"name": "image", "kind": "ASSET"},
            {"name": "extra", "kind": "JSON"},
            {"name": "links", "kind": "URL", "list": true, "maxLength": 5},
            {"name": "notes", "kind": "RICH_TEXT", "list": true}
        ]),
    )
    .await
    .data();
    let (status, sdl) = app
        .get_as(Some(app.admin()), "/delivery/alpine/schema.graphql")
        .await;
    assert_eq!(status, 200);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/admin-ui/typed/schema.graphql");
    if std::env::var_os("UPDATE_TYPED_SCHEMA").is_some() {
        std::fs::write(path, &sdl).unwrap();
    }
    let kept = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        kept == sdl,
        "admin-ui/typed/schema.graphql is stale: run UPDATE_TYPED_SCHEMA=1 cargo test --test api typed_sdl_fixture"
    );
}

backend_tests!(
    the_sdl_types_every_content_type_as_the_contract_names_them,
    typed_answers_match_content_for_the_same_context,
    typed_delivery_is_limited_and_authenticated_like_content,
    rich_text_is_rendered_and_sanitised,
    asset_lists_are_checked_and_delivered_in_order,
    typed_requests_over_the_answer_cap_are_refused_whole,
);
