//! The principal a request acts as, and the single table of who may do what.
//!
//! Operations call [`Principal::authorize`] with an [`Action`] and the brand concerned before
//! touching anything; nothing else in the code decides access.

use crate::domain::user::{Role, User};
use crate::error::{AppError, AppResult};

/// A delivery key, as seen by a request that presents it.
#[derive(Debug, Clone, PartialEq)]
pub struct KeyPrincipal {
    pub id: String,
    pub name: String,
    pub brand: String,
    /// A preview key: sees each variant's latest revision as if published; records nothing.
    pub preview: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Principal {
    Anonymous,
    User(User),
    DeliveryKey(KeyPrincipal),
}

/// Things a caller may want to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Read entries, variants, content types and brands (editors' view).
    ReadContent,
    /// Create and edit entries and variants, submit, roll back.
    EditContent,
    /// Define content types.
    ManageContentTypes,
    /// Approve or reject a revision.
    Review,
    /// Publish; `editors_may` when the brand does not require approval.
    Publish {
        editors_may: bool,
    },
    /// Unpublish or archive.
    Withdraw,
    /// See which variant each audience gets, with reasons.
    Preview,
    /// Ask for delivered content (`content`, `contents`).
    Deliver,
    ManageBrands,
    ManageUsers,
    ManageKeys,
    ReadReports,
    /// Delete a person's usage events (`forgetPerson`) and apply usage retention on demand.
    ForgetPeople,
    /// Create, update and stop experiments.
    EditExperiments,
    /// Start and conclude experiments; `editors_may` when the brand does not require approval.
    RunExperiments {
        editors_may: bool,
    },
}

/// The brands a principal may see.
#[derive(Debug, Clone, PartialEq)]
pub enum BrandScope {
    All,
    Only(Vec<String>),
}

impl BrandScope {
    pub fn contains(&self, brand: &str) -> bool {
        match self {
            BrandScope::All => true,
            BrandScope::Only(brands) => brands.iter().any(|b| b == brand),
        }
    }
}

fn role_may(role: Role, action: Action) -> bool {
    use Action::*;
    match role {
        Role::Admin => true,
        Role::Editor => matches!(
            action,
            ReadContent
                | EditContent
                | Preview
                | Deliver
                | Publish { editors_may: true }
                | EditExperiments
                | RunExperiments { editors_may: true }
        ),
        Role::Reviewer => matches!(
            action,
            ReadContent
                | Review
                | Publish { .. }
                | Withdraw
                | Preview
                | Deliver
                | EditExperiments
                | RunExperiments { .. }
        ),
        Role::Auditor => matches!(action, ReadContent | Preview | Deliver | ReadReports),
    }
}

impl Principal {
    /// The actor as the audit log names it: an e-mail or `key:NAME`.
    pub fn actor(&self) -> String {
        match self {
            Principal::Anonymous => "anonymous".into(),
            Principal::User(u) => u.email.clone(),
            Principal::DeliveryKey(k) => format!("key:{}", k.name),
        }
    }

    /// The signed-in user, or `UNAUTHENTICATED` / `FORBIDDEN` (a delivery key, or a user who
    /// must change their password first).
    pub fn user(&self) -> AppResult<&User> {
        let user = self.account()?;
        if user.must_change_password {
            return Err(must_change_password());
        }
        Ok(user)
    }

    /// The signed-in user even while they must change their password: only for `me`,
    /// `changePassword` and `logout`.
    pub fn account(&self) -> AppResult<&User> {
        match self {
            Principal::User(u) => Ok(u),
            Principal::Anonymous => Err(AppError::unauthenticated("sign in first")),
            Principal::DeliveryKey(_) => Err(AppError::forbidden(
                "a delivery key may only read published content",
            )),
        }
    }

    pub fn scope(&self) -> BrandScope {
        match self {
            Principal::Anonymous => BrandScope::Only(vec![]),
            Principal::User(u) if u.must_change_password => BrandScope::Only(vec![]),
            Principal::User(u) if u.role.is_brand_scoped() => BrandScope::Only(u.brands.clone()),
            Principal::User(_) => BrandScope::All,
            Principal::DeliveryKey(k) => BrandScope::Only(vec![k.brand.clone()]),
        }
    }

    /// Allows `action` in `brand` (or across brands when `None`), or says why not.
    pub fn authorize(&self, action: Action, brand: Option<&str>) -> AppResult<()> {
        let allowed = match self {
            Principal::Anonymous => return Err(AppError::unauthenticated("sign in first")),
            Principal::DeliveryKey(key) => {
                action == Action::Deliver && brand.is_some_and(|b| b == key.brand)
            }
            Principal::User(user) if user.must_change_password => {
                return Err(must_change_password())
            }
            Principal::User(user) => {
                role_may(user.role, action) && brand.is_none_or(|b| self.scope().contains(b))
            }
        };
        if allowed {
            Ok(())
        } else {
            Err(AppError::forbidden(match brand {
                Some(b) => format!("not allowed to do this in brand `{b}`"),
                None => "not allowed to do this".to_string(),
            }))
        }
    }
}

fn must_change_password() -> AppError {
    AppError::forbidden(
        "you signed in with a one-time password: change your password (changePassword) first",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(role: Role, brands: &[&str]) -> Principal {
        Principal::User(User {
            id: "u".into(),
            email: "u@x.test".into(),
            role,
            brands: brands.iter().map(|s| s.to_string()).collect(),
            disabled: false,
            must_change_password: false,
        })
    }

    #[test]
    fn editors_edit_only_in_their_brands() {
        let editor = user(Role::Editor, &["alpine"]);
        assert!(editor
            .authorize(Action::EditContent, Some("alpine"))
            .is_ok());
        assert!(editor.authorize(Action::EditContent, Some("bank")).is_err());
        assert!(editor.authorize(Action::Review, Some("alpine")).is_err());
    }

    #[test]
    fn editors_publish_only_without_required_approval() {
        let editor = user(Role::Editor, &["alpine"]);
        assert!(editor
            .authorize(Action::Publish { editors_may: true }, Some("alpine"))
            .is_ok());
        assert!(editor
            .authorize(Action::Publish { editors_may: false }, Some("alpine"))
            .is_err());
    }

    #[test]
    fn a_user_who_must_change_their_password_may_do_nothing_else() {
        let Principal::User(mut admin) = user(Role::Admin, &[]) else {
            unreachable!()
        };
        admin.must_change_password = true;
        let admin = Principal::User(admin);
        assert!(admin.authorize(Action::ReadContent, None).is_err());
        assert!(admin.user().is_err());
        assert!(admin.account().is_ok());
        assert_eq!(admin.scope(), BrandScope::Only(vec![]));
    }

    #[test]
    fn auditors_read_but_never_write() {
        let auditor = user(Role::Auditor, &[]);
        assert!(auditor.authorize(Action::ReadContent, Some("any")).is_ok());
        assert!(auditor.authorize(Action::EditContent, Some("any")).is_err());
    }

    #[test]
    fn a_delivery_key_only_delivers_its_own_brand() {
        let key = Principal::DeliveryKey(KeyPrincipal {
            id: "k".into(),
            name: "web".into(),
            brand: "alpine".into(),
            preview: false,
        });
        assert!(key.authorize(Action::Deliver, Some("alpine")).is_ok());
        assert!(key.authorize(Action::Deliver, Some("bank")).is_err());
        assert!(key.authorize(Action::Preview, Some("alpine")).is_err());
    }
}
