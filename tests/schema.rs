//! `schema.graphql` is generated from the code; this fails when the checked-in copy is stale.
//! Regenerate with `UPDATE_SCHEMA=1 cargo test --test schema`.

#[test]
fn schema_graphql_is_current() {
    let generated = vary::graphql::sdl();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql");
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(path, &generated).expect("write schema.graphql");
        return;
    }
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        checked_in == generated,
        "schema.graphql is stale: run `UPDATE_SCHEMA=1 cargo test --test schema` and commit it"
    );
}
