//! The dependency rule (ARCHITECTURE.md, `src/lib.rs`), checked against the source: every path
//! a file under `src/` names into the crate (`crate::x…`, `$crate::x…`, `vary::x…` in the
//! binary, `use crate::{a, b::c}` groups included) must lead to its own module or to one its row
//! of [`RULE`] allows. Comments and string literals are skipped; `super::` paths stay inside a
//! module and are not followed. Plain Rust over the files, no parser crate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Helpers every module but `domain` may use.
const HELPERS: [&str; 3] = ["error", "ids", "digits"];

/// Each top-level module, and the modules of ours it may use besides itself and [`HELPERS`].
const RULE: &[(&str, &[&str])] = &[
    // The pure core.
    ("domain", &[]),
    ("digits", &[]),
    ("ids", &[]),
    ("error", &[]),
    ("index_writer", &[]),
    ("index_store", &[]),
    ("metrics", &[]),
    // Beside the core.
    ("auth", &["domain"]),
    ("assets", &["domain"]),
    ("usage", &["index_writer"]),
    ("search", &["index_writer"]),
    ("config", &["domain", "auth", "assets"]),
    ("store", &["domain", "usage", "config"]),
    ("webhooks", &["store"]),
    // The operations: never each other.
    (
        "content",
        &[
            "domain", "auth", "assets", "store", "usage", "search", "webhooks",
        ],
    ),
    (
        "delivery",
        &["domain", "auth", "assets", "store", "usage", "search"],
    ),
    // The change feed, above both.
    (
        "feed",
        &["content", "delivery", "auth", "store", "usage", "search"],
    ),
    // Adapters.
    (
        "graphql",
        &["content", "delivery", "domain", "auth", "usage"],
    ),
    (
        "http",
        &[
            "app", "graphql", "content", "delivery", "domain", "auth", "assets", "usage", "config",
            "metrics",
        ],
    ),
    ("cli", &["config"]),
    ("telemetry", &["cli"]),
    (
        "commands",
        &["app", "cli", "config", "content", "feed", "store", "usage"],
    ),
    ("demo", &["app", "content", "domain", "auth"]),
    // The composition root and the binary.
    (
        "app",
        &[
            "assets",
            "auth",
            "config",
            "content",
            "delivery",
            "feed",
            "graphql",
            "index_store",
            "metrics",
            "search",
            "store",
            "usage",
            "webhooks",
        ],
    ),
    (
        "main",
        &[
            "app",
            "cli",
            "commands",
            "config",
            "content",
            "demo",
            "http",
            "telemetry",
        ],
    ),
];

/// Files allowed one import their module's row does not have, each with the reason; the list
/// should only shrink.
const EXCEPTIONS: &[(&str, &str, &str)] = &[
    (
        "graphql/webhooks.rs",
        "store",
        "names the outbox's record types (`store::webhooks::{Delivery, Webhook}`)",
    ),
    (
        "delivery/references/properties.rs",
        "config",
        "a property test opens a database from a URL",
    ),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `dir`, with its path relative to `src/`.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ is readable") {
        let path = entry.expect("a directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`main` for the binary), `None` for `lib.rs`.
fn module_of(relative: &Path) -> Option<String> {
    let first = relative.components().next()?.as_os_str().to_str()?;
    match first {
        "lib.rs" => None,
        name => Some(name.trim_end_matches(".rs").to_string()),
    }
}

/// The text with comments and the contents of string and character literals blanked out
/// (lifetimes kept), so that only code is searched.
fn code_only(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == 'r' && !ident_before(&chars, i) && skip_raw_string(&chars, i) > i + 1 {
            i = skip_raw_string(&chars, i);
            out.push_str("\"\"");
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && next == Some('\\') {
            i += 2;
            while i < chars.len() && chars[i] != '\'' {
                i += 1;
            }
            i += 1;
            out.push_str("' '");
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            i += 3;
            out.push_str("' '");
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_before(chars: &[char], i: usize) -> bool {
    i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_')
}

/// The index after a raw string starting at `i` (`r"…"`, `r#"…"#`); `i + 1` when it is not
/// one (`r#type` is a raw identifier).
fn skip_raw_string(chars: &[char], i: usize) -> usize {
    let mut j = i + 1;
    let mut hashes = 0;
    while chars.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    if chars.get(j) != Some(&'"') {
        return i + 1;
    }
    j += 1;
    loop {
        if j >= chars.len() {
            return j;
        }
        if chars[j] == '"' && (1..=hashes).all(|k| chars.get(j + k) == Some(&'#')) {
            return j + 1 + hashes;
        }
        j += 1;
    }
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The first segment of every path into the crate that `code` names: `crate::a::b` gives `a`,
/// `use crate::{a, b::{c, d}}` gives `a` and `b`. `roots` are the names the crate goes by here
/// (`crate`, and `vary` in the binary).
fn crate_paths(code: &str, roots: &[&str]) -> Vec<String> {
    let chars: Vec<char> = code.chars().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let Some(root) = roots.iter().find(|r| starts_with_at(&chars, i, r)) else {
            i += 1;
            continue;
        };
        let before = i.checked_sub(1).map(|b| chars[b]);
        let end = i + root.chars().count();
        let is_root = before.is_none_or(|b| !is_ident(b) && b != ':')
            && starts_with_at(&chars, skip_space(&chars, end), "::");
        if !is_root {
            i = end;
            continue;
        }
        let after = skip_space(&chars, skip_space(&chars, end) + 2);
        if chars.get(after) == Some(&'{') {
            found.extend(group_heads(&chars, after));
        } else {
            found.push(ident_at(&chars, after));
        }
        i = after;
    }
    found.retain(|name| !name.is_empty() && name != "self");
    found
}

fn starts_with_at(chars: &[char], i: usize, s: &str) -> bool {
    s.chars()
        .enumerate()
        .all(|(k, c)| chars.get(i + k) == Some(&c))
}

fn skip_space(chars: &[char], mut i: usize) -> usize {
    while chars.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    i
}

fn ident_at(chars: &[char], i: usize) -> String {
    chars[i..].iter().take_while(|c| is_ident(**c)).collect()
}

/// The first segment of each item of the `{…}` group opening at `open`.
fn group_heads(chars: &[char], open: usize) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut expecting = true;
    let mut i = open;
    while i < chars.len() {
        match chars[i] {
            '{' => {
                depth += 1;
                if depth == 1 {
                    expecting = true;
                }
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            ',' if depth == 1 => expecting = true,
            c if depth == 1 && expecting && is_ident(c) => {
                let name = ident_at(chars, i);
                i += name.chars().count();
                heads.push(name);
                expecting = false;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    heads
}

/// Every module of ours each file under `src/` names, as (file, module it names).
fn imports() -> Vec<(String, String, String)> {
    let src = src();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let relative = path.strip_prefix(&src).expect("under src/").to_path_buf();
        let Some(module) = module_of(&relative) else {
            continue;
        };
        let roots: &[&str] = if module == "main" {
            &["crate", "vary"]
        } else {
            &["crate"]
        };
        let text = std::fs::read_to_string(&path).expect("a readable source file");
        let file = relative.to_string_lossy().replace('\\', "/");
        for name in crate_paths(&code_only(&text), roots) {
            out.push((file.clone(), module.clone(), name));
        }
    }
    out
}

/// The top-level modules `src/` holds (files and directories), the binary included.
fn modules() -> BTreeSet<String> {
    std::fs::read_dir(src())
        .expect("src/ is readable")
        .filter_map(|e| {
            let path = e.ok()?.path();
            let name = path.file_name()?.to_str()?.to_string();
            if path.is_dir() {
                return Some(name);
            }
            name.strip_suffix(".rs")
                .filter(|n| *n != "lib")
                .map(str::to_string)
        })
        .collect()
}

fn rule() -> BTreeMap<&'static str, BTreeSet<&'static str>> {
    RULE.iter()
        .map(|(module, uses)| (*module, uses.iter().copied().collect()))
        .collect()
}

#[test]
fn every_module_has_a_row_in_the_rule() {
    let rule = rule();
    let missing: Vec<String> = modules()
        .into_iter()
        .filter(|m| !rule.contains_key(m.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "modules without a row in tests/architecture.rs RULE: {missing:?}"
    );
}

#[test]
fn domain_imports_nothing_of_ours_outside_domain() {
    let offending: Vec<String> = imports()
        .into_iter()
        .filter(|(_, module, name)| module == "domain" && name != "domain")
        .map(|(file, _, name)| format!("src/{file} uses crate::{name}"))
        .collect();
    assert!(offending.is_empty(), "{}", offending.join("\n"));
}

#[test]
fn every_import_follows_the_dependency_rule() {
    let rule = rule();
    let known = modules();
    let mut offending = Vec::new();
    for (file, module, name) in imports() {
        if name == module || !known.contains(&name) {
            continue; // its own module, or an item at the crate root
        }
        let helper = module != "domain" && HELPERS.contains(&name.as_str());
        let allowed = rule
            .get(module.as_str())
            .is_some_and(|uses| uses.contains(name.as_str()));
        let excepted = EXCEPTIONS.iter().any(|(f, m, _)| *f == file && *m == name);
        if !(helper || allowed || excepted) {
            offending.push(format!("src/{file}: `{module}` may not use `{name}`"));
        }
    }
    offending.sort();
    offending.dedup();
    assert!(
        offending.is_empty(),
        "imports the dependency rule forbids (ARCHITECTURE.md; the table in \
         tests/architecture.rs):\n{}",
        offending.join("\n")
    );
}

#[test]
fn the_rule_has_no_unused_allowances() {
    let imports = imports();
    let stale: Vec<&str> = EXCEPTIONS
        .iter()
        .filter(|(f, m, _)| !imports.iter().any(|(file, _, name)| file == f && name == m))
        .map(|(f, _, _)| *f)
        .collect();
    assert!(stale.is_empty(), "exceptions no longer needed: {stale:?}");
    let used: BTreeSet<(String, String)> = imports
        .into_iter()
        .map(|(_, module, name)| (module, name))
        .collect();
    let unused: Vec<String> = RULE
        .iter()
        .flat_map(|(module, uses)| uses.iter().map(move |u| (*module, *u)))
        .filter(|(m, u)| !used.contains(&(m.to_string(), u.to_string())))
        .map(|(m, u)| format!("{m} → {u}"))
        .collect();
    assert!(
        unused.is_empty(),
        "allowed but never used (tighten the rule): {unused:?}"
    );
}

#[test]
fn paths_are_found_in_groups_inline_and_macros_but_not_in_comments_or_strings() {
    let code = r#"
        use crate::{store, domain::{brand::Brand, rule}, self as me};
        use crate::auth::Principal;
        fn f() { let x = crate::usage::index::is_locked(&e); $crate::search::x(); }
        // use crate::http;
        /* crate::graphql::x */
        const S: &str = "crate::feed";
        fn g<'a>(c: char) -> bool { c == '"' && crate::ids::new_id("x").is_empty() }
        pub(crate) fn h() {}
    "#;
    let found = crate_paths(&code_only(code), &["crate"]);
    assert_eq!(found, ["store", "domain", "auth", "usage", "search", "ids"]);
    let binary = "use vary::config::Config; let db = vary::store::Db; let notvary::x = 1;";
    assert_eq!(
        crate_paths(&code_only(binary), &["crate", "vary"]),
        ["config", "store"]
    );
}
