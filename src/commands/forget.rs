//! `vary usage forget --brand SLUG --user-key KEY`: `forgetPerson` from the command line.
//!
//! It runs on the database alone (no server, no usage index of its own), so it works while
//! servers run: the deletion, its audit row (actor `operator`) and the change that tells every
//! server's usage index to drop the same events are one transaction; each server applies the
//! change within about a second.

use crate::app::{open_database, user_key_hasher};
use crate::cli::UsageForgetArgs;
use crate::config::Config;
use crate::content::privacy::{forget_audit, forget_in};

/// Deletes the person's events and prints how many.
pub async fn forget_person(config: Config, args: UsageForgetArgs) -> anyhow::Result<()> {
    let db = {
        let config = config.clone();
        tokio::task::spawn_blocking(move || open_database(&config)).await??
    };
    let hasher = user_key_hasher(&config, &db).await?;
    let hash = hasher
        .hash_opt(Some(&args.user_key))
        .ok_or_else(|| anyhow::anyhow!("--user-key must not be blank"))?;
    let slug = args.brand;
    let audit = forget_audit("operator".into(), &slug, &hash);
    let deleted = db
        .write(move |conn| forget_in(conn, &slug, &hash, audit))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("{deleted}");
    Ok(())
}
