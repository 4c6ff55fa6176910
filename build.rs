//! Builds the admin UI (`admin-ui/`, npm + Vite) into `admin-ui/dist/`, which the binary embeds.
//!
//! Cargo reruns this only when the UI's sources change, so Rust-only builds never redo UI work.
//! `VARY_SKIP_UI_BUILD=1` skips npm and embeds a placeholder page instead (for builds on machines
//! without Node.js; the README's commands never set it).

use std::path::Path;
use std::process::Command;

const WATCHED: [&str; 10] = [
    "admin-ui/graphiql.html",
    "admin-ui/scripts",
    "admin-ui/src",
    "admin-ui/index.html",
    "admin-ui/package.json",
    "admin-ui/package-lock.json",
    "admin-ui/vite.config.ts",
    "admin-ui/tsconfig.json",
    "admin-ui/codegen.ts",
    "schema.graphql",
];

fn main() {
    println!("cargo:rerun-if-env-changed=VARY_SKIP_UI_BUILD");
    for path in WATCHED {
        println!("cargo:rerun-if-changed={path}");
    }
    let dist = Path::new("admin-ui/dist");
    if std::env::var_os("VARY_SKIP_UI_BUILD").is_some_and(|v| v == "1")
        || !Path::new("admin-ui/package.json").exists()
    {
        if !dist.join("index.html").exists() {
            std::fs::create_dir_all(dist).expect("create admin-ui/dist");
            std::fs::write(
                dist.join("index.html"),
                "<!doctype html><title>Vary</title><p>This binary was built without the admin UI (VARY_SKIP_UI_BUILD=1).</p>",
            )
            .expect("write placeholder");
        }
        return;
    }
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    if dependencies_stale() {
        run(
            Command::new(npm)
                .args(["ci", "--no-audit", "--no-fund"])
                .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
                .current_dir("admin-ui"),
            "npm ci",
        );
    }
    run(
        Command::new(npm)
            .args(["run", "build"])
            .current_dir("admin-ui"),
        "npm run build",
    );
}

/// Whether `npm ci` must run: no install yet, or the lock file changed since the last one.
fn dependencies_stale() -> bool {
    let modified = |p: &str| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (
        modified("admin-ui/node_modules/.package-lock.json"),
        modified("admin-ui/package-lock.json"),
    ) {
        (Some(installed), Some(lock)) => lock > installed,
        _ => true,
    }
}

fn run(command: &mut Command, what: &str) {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("could not run {what} (is Node.js installed?): {e}"));
    if !output.status.success() {
        panic!(
            "{what} failed building the admin UI:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
