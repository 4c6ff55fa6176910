//! Operator commands that do more than dispatch: `vary export usage`, `vary reindex` and
//! `vary usage forget` (in `forget`). They run
//! on the database directly (no server, no principal: whoever can run the binary on the data
//! dir is the operator).

mod forget;

pub use forget::forget_person;

use std::io::Write;

use crate::app::{open_database, open_search_index, open_usage_index};
use crate::cli::{ExportFormat, ExportUsageArgs};
use crate::config::Config;
use crate::content::audit::parse_bound;
use crate::error::AppError;
use crate::feed::usage_index::rebuild as rebuild_usage_index;
use crate::store;
use crate::usage::report::{csv_header, csv_row, parse_group_by, UsageDimension};

fn fail(e: AppError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

/// Writes a brand's usage report to standard output, row by row.
pub async fn export_usage(config: Config, args: ExportUsageArgs) -> anyhow::Result<()> {
    let from = parse_bound(&args.from, false).map_err(|e| anyhow::anyhow!("--from: {e}"))?;
    let to = parse_bound(&args.to, true).map_err(|e| anyhow::anyhow!("--to: {e}"))?;
    if from > to {
        anyhow::bail!("--from must not be after --to");
    }
    let group_by = match &args.group_by {
        None => UsageDimension::ALL.to_vec(),
        Some(raw) => parse_group_by(raw).map_err(|e| anyhow::anyhow!("--group-by: {e}"))?,
    };
    let db = tokio::task::spawn_blocking(move || open_database(&config)).await??;
    let (brand, json) = (args.brand, args.format == ExportFormat::Json);
    db.read(move |conn| {
        store::brands::require(conn, &brand)?;
        let names = store::experiments::names_of_brand(conn, &brand)?;
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        let mut written = 0usize;
        let mut failure = None;
        let mut write = |bytes: &[u8]| out.write_all(bytes).map_err(AppError::internal);
        if json {
            write(b"[")?;
        } else {
            write(&csv_header())?;
        }
        store::usage::report_each(conn, &brand, from, to, &group_by, |mut row| {
            names.name(&mut row);
            let line = if json {
                let mut l = if written > 0 {
                    b",".to_vec()
                } else {
                    Vec::new()
                };
                l.extend(serde_json::to_vec(&row).expect("plain data"));
                l
            } else {
                csv_row(&row)
            };
            written += 1;
            match write(&line) {
                Ok(()) => true,
                Err(e) => {
                    failure = Some(e);
                    false
                }
            }
        })?;
        if let Some(e) = failure {
            return Err(e);
        }
        if json {
            write(b"]\n")?;
        }
        out.flush().map_err(AppError::internal)
    })
    .await
    .map_err(fail)
}

fn progress_bar(done: usize, total: usize, what: &str) -> String {
    const WIDTH: usize = 30;
    let filled = if total == 0 {
        WIDTH
    } else {
        (done.min(total)) * WIDTH / total
    };
    format!(
        "\r[{}{}] {done}/{total} {what}",
        "#".repeat(filled),
        " ".repeat(WIDTH - filled)
    )
}

/// Rebuilds the content index and the usage index from the database, drawing a progress bar on standard error.
pub async fn reindex(config: Config) -> anyhow::Result<()> {
    let index = open_search_index(&config).map_err(|e| {
        if e.is_locked() {
            anyhow::anyhow!("{e} (a server is running on this data dir: stop it first)")
        } else {
            anyhow::anyhow!("cannot open the search index: {e}")
        }
    })?;
    let db = {
        let config = config.clone();
        tokio::task::spawn_blocking(move || open_database(&config)).await??
    };
    let docs = db
        .read(crate::content::search::all_documents)
        .await
        .map_err(fail)?;
    let total = docs.len();
    eprint!("{}", progress_bar(0, total, "variants"));
    let progress =
        Box::new(move |done: usize| eprint!("{}", progress_bar(done, total, "variants")));
    index
        .rebuild(docs, Some(progress))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    index.shutdown().await.map_err(|e| anyhow::anyhow!("{e}"))?;
    eprintln!();
    println!("search index rebuilt: {total} variants");

    let usage = open_usage_index(&config).map_err(|e| {
        if crate::usage::index::is_locked(&e) {
            anyhow::anyhow!("{e} (a server is running on this data dir: stop it first)")
        } else {
            anyhow::anyhow!("cannot open the usage index: {e}")
        }
    })?;
    let events = db.read(store::usage::count).await.map_err(fail)?.max(0) as usize;
    let rebuilt = tokio::task::spawn_blocking(move || {
        eprint!("{}", progress_bar(0, events, "events"));
        let progress =
            Box::new(move |done: u64| eprint!("{}", progress_bar(done as usize, events, "events")));
        let written = rebuild_usage_index(&db, &usage, None, Some(progress))?;
        usage.shutdown().map_err(|e| anyhow::anyhow!("{e}"))?;
        anyhow::Ok(written)
    })
    .await??;
    eprintln!();
    println!("usage index rebuilt: {rebuilt} events");
    Ok(())
}
