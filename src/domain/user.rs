//! People who sign in, and what role they hold.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    Editor,
    Reviewer,
    Auditor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Reviewer => "reviewer",
            Role::Auditor => "auditor",
        }
    }

    /// Editors and reviewers work only in the brands named on their account.
    pub fn is_brand_scoped(self) -> bool {
        matches!(self, Role::Editor | Role::Reviewer)
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "editor" => Ok(Role::Editor),
            "reviewer" => Ok(Role::Reviewer),
            "auditor" => Ok(Role::Auditor),
            _ => Err(format!(
                "unknown role `{s}`: expected admin, editor, reviewer or auditor"
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: String,
    pub email: String,
    pub role: Role,
    pub brands: Vec<String>,
    /// A disabled user cannot sign in, and their sessions have ended.
    pub disabled: bool,
    /// Signed in with a one-time password: only `me`, `changePassword` and `logout` until the
    /// password is changed.
    pub must_change_password: bool,
}

impl User {
    /// An admin who can sign in.
    pub fn is_active_admin(&self) -> bool {
        self.role == Role::Admin && !self.disabled
    }
}

/// A normalised e-mail address, or why the text is not one.
pub fn parse_email(raw: &str) -> Result<String, String> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        })
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid {
        Ok(email)
    } else {
        Err(format!("`{raw}` is not an e-mail address"))
    }
}

/// Minimum password strength: length only (NIST 800-63B), at least 8 characters, at most 1024.
pub fn check_password(password: &str) -> Result<(), String> {
    match password.chars().count() {
        n if n < 8 => Err("a password needs at least 8 characters".into()),
        n if n > 1024 => Err("a password may have at most 1024 characters".into()),
        _ => Ok(()),
    }
}
