//! Audiences: create, update, delete and list a brand's named rules, and find what uses them.
//!
//! Changing an audience changes what every rule naming it means, so it is authorized like a
//! publish (where the brand `requireApproval`, only reviewers and admins), rebuilds the brand's
//! snapshot on every node through the change log (`Change::Brand`), and re-runs the conflict
//! checks of the entries whose variants use it. Users are found in [`users_of`]: variants,
//! other audiences and experiments (a concluded experiment no longer uses its audience).

use std::collections::BTreeSet;

use serde_json::Value;

use super::checks::with_conflict_checks;
use super::{audit_event, Content};
use crate::auth::{Action, Principal};
use crate::domain::audience::{compile_all, find_cycle, parse_name, Audience};
use crate::domain::brand::Brand;
use crate::domain::experiment::ExperimentStatus;
use crate::domain::rule::{referenced_audiences, Rule};
use crate::domain::variant::VariantStatus;
use crate::error::{AppError, AppResult};
use crate::store::changes::Change;
use crate::store::{self, time, DbConnection};

/// Something that uses an audience.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum AudienceUser {
    /// A variant whose latest or published rule names it (directly or through an audience).
    Variant {
        id: String,
        name: String,
        entry_key: String,
    },
    /// Another audience whose rule names it.
    Audience { id: String, name: String },
    /// An experiment, not concluded, whose audience names it.
    Experiment {
        id: String,
        name: String,
        entry_key: String,
    },
}

impl AudienceUser {
    fn describe(&self) -> String {
        match self {
            AudienceUser::Variant {
                name, entry_key, ..
            } => format!("variant \"{name}\" of entry `{entry_key}`"),
            AudienceUser::Audience { name, .. } => format!("audience \"{name}\""),
            AudienceUser::Experiment {
                name, entry_key, ..
            } => format!("experiment \"{name}\" of entry `{entry_key}`"),
        }
    }
}

/// Who may change a brand's audiences: like publishing.
fn change_action(brand: &Brand) -> Action {
    Action::Publish {
        editors_may: !brand.policy.require_approval,
    }
}

fn bad_rule(e: crate::domain::rule::RuleError) -> AppError {
    AppError::bad_input(format!("rule: {} at {}", e.message, e.path))
}

/// Checks `rule` as the rule of audience `name` among the brand's others: not null, no cycle,
/// every audience it names known. Answers its canonical JSON.
fn check_rule(
    conn: &mut DbConnection,
    brand_id: &str,
    name: &str,
    rule: &Value,
) -> AppResult<Value> {
    let others: Vec<(String, Value)> = store::audiences::of_brand(conn, brand_id)?
        .into_iter()
        .filter(|a| a.name != name)
        .map(|a| (a.name, a.rule))
        .collect();
    if let Some(cycle) = find_cycle(name, rule, &others) {
        return Err(AppError::bad_input(format!(
            "rule: audiences may not refer to each other in a cycle: {}",
            cycle.join(" → ")
        )));
    }
    let (compiled, _) = compile_all(&others);
    match Rule::parse_with(rule, &compiled).map_err(bad_rule)? {
        Some(_) => Ok(rule_json(rule)),
        None => Err(AppError::bad_input(
            "rule: an audience needs a rule, not null",
        )),
    }
}

/// The rule as it is stored: canonical, audiences by name.
fn rule_json(rule: &Value) -> Value {
    Rule::parse_for_display(rule)
        .ok()
        .flatten()
        .map_or(Value::Null, |r| r.to_json())
}

impl Content {
    pub async fn create_audience(
        &self,
        who: &Principal,
        brand: &str,
        name: &str,
        rule: Value,
    ) -> AppResult<Audience> {
        who.user()?;
        let name = parse_name(name).map_err(AppError::bad_input)?;
        let (who, brand) = (who.clone(), brand.to_string());
        let audience = self
            .db
            .write(move |conn| {
                let brand = store::brands::require(conn, &brand)?;
                who.authorize(change_action(&brand), Some(&brand.slug))?;
                let rule = check_rule(conn, &brand.id, &name, &rule)?;
                let now = time::now();
                let audience = Audience {
                    id: crate::ids::new_id("aud"),
                    brand_id: brand.id.clone(),
                    name,
                    rule,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                };
                store::audiences::insert(conn, &audience)?;
                let mut event =
                    audit_event(&who, "createAudience", &audience.id, Some(&brand.slug));
                event.note = Some(audience.rule.to_string());
                store::audit::append(conn, event)?;
                store::changes::record(conn, &[Change::Brand(brand.id.clone())])?;
                Ok(audience)
            })
            .await?;
        self.listener.committed().await;
        Ok(audience)
    }

    pub async fn update_audience(
        &self,
        who: &Principal,
        id: &str,
        expected_version: i32,
        rule: Value,
    ) -> AppResult<Audience> {
        let (who, id) = (who.clone(), id.to_string());
        let audience = self
            .db
            .write(move |conn| {
                let (mut audience, brand) = load(conn, &who, &id, true)?;
                if audience.version != expected_version {
                    return Err(stale(&audience, expected_version));
                }
                audience.rule = check_rule(conn, &brand.id, &audience.name, &rule)?;
                audience.version += 1;
                audience.updated_at = time::now();
                if !store::audiences::update_checked(conn, &audience, expected_version)? {
                    return Err(stale(&audience, expected_version));
                }
                let mut event =
                    audit_event(&who, "updateAudience", &audience.id, Some(&brand.slug));
                event.note = Some(audience.rule.to_string());
                store::audit::append(conn, event)?;
                let mut changes = recheck_users(conn, &brand, &audience.name)?;
                changes.push(Change::Brand(brand.id.clone()));
                store::changes::record(conn, &changes)?;
                Ok(audience)
            })
            .await?;
        self.listener.committed().await;
        Ok(audience)
    }

    pub async fn delete_audience(&self, who: &Principal, id: &str) -> AppResult<bool> {
        let (who, id) = (who.clone(), id.to_string());
        self.db
            .write(move |conn| {
                let (audience, brand) = load(conn, &who, &id, true)?;
                let users = users_of(conn, &brand, &audience.name)?;
                if !users.is_empty() {
                    return Err(AppError::conflict(format!(
                        "audience \"{}\" is in use by {}",
                        audience.name,
                        describe_all(&users)
                    )));
                }
                store::audiences::delete(conn, &audience.id)?;
                let event = audit_event(&who, "deleteAudience", &audience.id, Some(&brand.slug));
                store::audit::append(conn, event)?;
                store::changes::record(conn, &[Change::Brand(brand.id.clone())])
            })
            .await?;
        self.listener.committed().await;
        Ok(true)
    }

    /// A brand's audiences, by name.
    pub async fn audiences(&self, who: &Principal, brand: &str) -> AppResult<Vec<Audience>> {
        who.user()?;
        who.authorize(Action::ReadContent, Some(brand))?;
        let brand = brand.to_string();
        self.db
            .read(move |conn| {
                let brand = store::brands::require(conn, &brand)?;
                store::audiences::of_brand(conn, &brand.id)
            })
            .await
    }

    /// What uses an audience (the caller read the audience already).
    pub async fn audience_users(&self, audience: &Audience) -> AppResult<Vec<AudienceUser>> {
        let (brand_id, name) = (audience.brand_id.clone(), audience.name.clone());
        self.db
            .read(move |conn| {
                let brand = store::brands::by_id(conn, &brand_id)?;
                users_of(conn, &brand, &name)
            })
            .await
    }
}

fn stale(audience: &Audience, expected: i32) -> AppError {
    AppError::conflict(format!(
        "audience {} is at version {}, not {expected}: someone else saved it; reload and try again",
        audience.id, audience.version
    ))
}

fn describe_all(users: &[AudienceUser]) -> String {
    const SHOWN: usize = 20;
    let mut text: Vec<String> = users
        .iter()
        .take(SHOWN)
        .map(AudienceUser::describe)
        .collect();
    if users.len() > SHOWN {
        text.push(format!("and {} more", users.len() - SHOWN));
    }
    text.join(", ")
}

/// Loads an audience the caller may see (and, when `change`, change).
fn load(
    conn: &mut DbConnection,
    who: &Principal,
    id: &str,
    change: bool,
) -> AppResult<(Audience, Brand)> {
    who.user()?;
    let not_found = || AppError::not_found(format!("audience {id} does not exist"));
    let audience = store::audiences::by_id(conn, id)?.ok_or_else(not_found)?;
    let brand = store::brands::by_id(conn, &audience.brand_id)?;
    if !who.scope().contains(&brand.slug) {
        return Err(not_found());
    }
    let action = if change {
        change_action(&brand)
    } else {
        Action::ReadContent
    };
    who.authorize(action, Some(&brand.slug))?;
    Ok((audience, brand))
}

/// The names that stand for `name` inside rules: itself and every audience that uses it.
fn names_reaching(
    conn: &mut DbConnection,
    brand_id: &str,
    name: &str,
) -> AppResult<Vec<(String, String)>> {
    let all = store::audiences::of_brand(conn, brand_id)?;
    let stored: Vec<(String, Value)> = all
        .iter()
        .map(|a| (a.name.clone(), a.rule.clone()))
        .collect();
    let (compiled, _) = compile_all(&stored);
    Ok(all
        .into_iter()
        .filter(|a| a.name != name)
        .filter(|a| {
            compiled
                .get(&a.name)
                .is_some_and(|r| r.audiences().contains(&name))
        })
        .map(|a| (a.id, a.name))
        .collect())
}

/// Everything that uses audience `name`: other audiences naming it, and the non-archived
/// variants whose latest or published rule names it or one of those. (Experiments: add here.)
pub(crate) fn users_of(
    conn: &mut DbConnection,
    brand: &Brand,
    name: &str,
) -> AppResult<Vec<AudienceUser>> {
    let reaching = names_reaching(conn, &brand.id, name)?;
    let mut names: BTreeSet<&str> = reaching.iter().map(|(_, n)| n.as_str()).collect();
    names.insert(name);
    let mut users: Vec<AudienceUser> = reaching
        .iter()
        .map(|(id, name)| AudienceUser::Audience {
            id: id.clone(),
            name: name.clone(),
        })
        .collect();
    for (variant, entry_key) in variants_naming(conn, brand, &names)? {
        users.push(AudienceUser::Variant {
            id: variant.record.id.clone(),
            name: variant.latest.content.name.clone(),
            entry_key,
        });
    }
    users.extend(experiments_naming(conn, brand, &names)?);
    users.sort();
    Ok(users)
}

/// The brand's experiments, but concluded ones, whose audience names one of `names`.
fn experiments_naming(
    conn: &mut DbConnection,
    brand: &Brand,
    names: &BTreeSet<&str>,
) -> AppResult<Vec<AudienceUser>> {
    let mut users = Vec::new();
    for experiment in store::experiments::of_brand(conn, &brand.id, None, None)? {
        let named = experiment.audience.as_ref().is_some_and(|rule| {
            referenced_audiences(rule)
                .iter()
                .any(|n| names.contains(n.as_str()))
        });
        if !named || experiment.status == ExperimentStatus::Concluded {
            continue;
        }
        let entry_key = store::entries::by_id(conn, &experiment.entry_id)?
            .map(|e| e.key)
            .unwrap_or_default();
        users.push(AudienceUser::Experiment {
            id: experiment.id,
            name: experiment.name,
            entry_key,
        });
    }
    Ok(users)
}

/// The brand's non-archived variants (with their entry's key) whose latest or published rule
/// names one of `names`.
fn variants_naming(
    conn: &mut DbConnection,
    brand: &Brand,
    names: &BTreeSet<&str>,
) -> AppResult<Vec<(crate::domain::variant::Variant, String)>> {
    let entries = store::entries::of_brands(conn, std::slice::from_ref(&brand.id))?;
    let ids: Vec<String> = entries.iter().map(|e| e.id.clone()).collect();
    let names_any = |rule: Option<&Value>| {
        rule.is_some_and(|r| {
            referenced_audiences(r)
                .iter()
                .any(|n| names.contains(n.as_str()))
        })
    };
    let published: BTreeSet<String> = store::variants::published_of_entries(conn, &ids)?
        .into_iter()
        .filter(|p| {
            let json = p
                .targeting
                .rule
                .as_deref()
                .and_then(|t| serde_json::from_str(t).ok());
            names_any(json.as_ref())
        })
        .map(|p| p.id)
        .collect();
    let keys: std::collections::HashMap<&str, &str> = entries
        .iter()
        .map(|e| (e.id.as_str(), e.key.as_str()))
        .collect();
    Ok(store::variants::of_entries(conn, &ids)?
        .into_iter()
        .filter(|v| v.record.status != VariantStatus::Archived)
        .filter(|v| names_any(v.latest.content.rule.as_ref()) || published.contains(&v.record.id))
        .map(|v| {
            let key = keys
                .get(v.record.entry_id.as_str())
                .copied()
                .unwrap_or_default();
            (v, key.to_string())
        })
        .collect())
}

/// Re-runs the conflict checks of every non-archived variant of the entries whose variants use
/// audience `name`, storing their latest revisions' new quality. Answers the variants' changes
/// (their search documents carry the quality).
fn recheck_users(conn: &mut DbConnection, brand: &Brand, name: &str) -> AppResult<Vec<Change>> {
    let users = users_of(conn, brand, name)?;
    let mut entries = BTreeSet::new();
    for user in &users {
        if let AudienceUser::Variant { id, .. } = user {
            if let Some(record) = store::variants::record(conn, id)? {
                entries.insert(record.entry_id);
            }
        }
    }
    let entries: Vec<String> = entries.into_iter().collect();
    let mut changes = Vec::new();
    for variant in store::variants::of_entries(conn, &entries)? {
        if variant.record.status == VariantStatus::Archived {
            continue;
        }
        let latest = &variant.latest;
        let quality = with_conflict_checks(
            conn,
            &variant.record.id,
            &variant.record.entry_id,
            &latest.content,
            latest.quality.clone(),
            variant.record.published_revision.is_some(),
        )?;
        if quality != latest.quality {
            store::variants::set_revision_quality(conn, &latest.hash, &quality)?;
            changes.push(Change::Variant(variant.record.id.clone()));
        }
    }
    Ok(changes)
}
