//! Both backends get the same migrations: the same names, each with an `up.sql` and a `down.sql`.

use std::collections::BTreeSet;
use std::path::Path;

fn migrations(backend: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let entry = entry.unwrap();
            for file in ["up.sql", "down.sql"] {
                assert!(
                    entry.path().join(file).is_file(),
                    "{} has no {file}",
                    entry.path().display()
                );
            }
            entry.file_name().to_string_lossy().into_owned()
        })
        .collect()
}

#[test]
fn sqlite_and_postgres_have_the_same_migrations() {
    let sqlite = migrations("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, migrations("postgres"));
}
