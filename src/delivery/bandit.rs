//! BANDIT mode's per-node refresh: at least every minute, each running BANDIT experiment's
//! results are counted (answers and their goal events per arm, one grouped query), each arm's
//! chance to be best under its Beta(1 + converters, 1 + answers − converters) posterior is
//! computed (`domain::statistics::bayesian`), turned into shares with the 5 % floor
//! (`thompson_shares`), and the brands whose shares changed get a new snapshot. Every node runs
//! its own refresh from the same database, so nodes agree to within one refresh.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use super::Delivery;
use crate::domain::experiment::serve::thompson_shares;
use crate::domain::experiment::ExperimentMode;
use crate::domain::statistics::{bayesian, Counts};
use crate::error::AppResult;
use crate::store;

/// How often the shares are refreshed: well inside the contract's 60 s.
pub const REFRESH: Duration = Duration::from_secs(30);

impl Delivery {
    /// Recomputes every running BANDIT experiment's shares and rebuilds the brands whose shares
    /// changed.
    pub async fn refresh_bandits(&self) -> AppResult<()> {
        let counted = self
            .db
            .read(|conn| {
                let mut out = Vec::new();
                for experiment in store::experiments::running(conn)? {
                    if experiment.mode != ExperimentMode::Bandit {
                        continue;
                    }
                    let brand = store::brands::by_id(conn, &experiment.brand_id)?;
                    let since = experiment
                        .started_at
                        .map_or(chrono::DateTime::UNIX_EPOCH.naive_utc(), store::time::to_db);
                    let groups = store::experiments::counts(conn, &brand.slug, &experiment, since)?;
                    let counts = store::experiments::arm_counts(&experiment, &groups);
                    out.push((experiment, counts));
                }
                Ok(out)
            })
            .await?;
        let mut shares = HashMap::new();
        let mut brands = HashSet::new();
        for (experiment, counts) in counted {
            let posteriors: Vec<Counts> = counts
                .iter()
                .map(|c| Counts {
                    people: c.people,
                    converters: c.converters,
                })
                .collect();
            let (best, _) = bayesian(&posteriors);
            let next = thompson_shares(&best);
            if self.bandit.get(&experiment.id).as_ref() != Some(&next) {
                brands.insert(experiment.brand_id.clone());
            }
            shares.insert(experiment.id, next);
        }
        self.bandit.replace(shares);
        for brand in brands {
            self.rebuild_brand(&brand).await?;
        }
        Ok(())
    }

    /// Runs [`Delivery::refresh_bandits`] every [`REFRESH`] until the process ends.
    pub fn spawn_bandit_refresh(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let delivery = Arc::clone(self);
        tokio::spawn(async move {
            let mut every = tokio::time::interval(REFRESH);
            loop {
                every.tick().await;
                if let Err(error) = delivery.refresh_bandits().await {
                    tracing::warn!(%error, "refreshing bandit shares failed; trying again later");
                }
            }
        })
    }
}
