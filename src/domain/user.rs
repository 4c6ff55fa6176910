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

/// Text that names no role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown role `{0}`: expected admin, editor, reviewer or auditor")]
pub struct UnknownRole(pub String);

impl FromStr for Role {
    type Err = UnknownRole;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "editor" => Ok(Role::Editor),
            "reviewer" => Ok(Role::Reviewer),
            "auditor" => Ok(Role::Auditor),
            _ => Err(UnknownRole(s.to_string())),
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

/// Text that is not an e-mail address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an e-mail address")]
pub struct NotAnEmail(pub String);

/// A normalised e-mail address, or why the text is not one.
pub fn parse_email(raw: &str) -> Result<String, NotAnEmail> {
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
        Err(NotAnEmail(raw.to_string()))
    }
}

/// Why a password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("a password needs at least 8 characters")]
    TooShort,
    #[error("a password may have at most 1024 characters")]
    TooLong,
}

/// Minimum password strength: length only (NIST 800-63B), at least 8 characters, at most 1024.
pub fn check_password(password: &str) -> Result<(), PasswordError> {
    match password.chars().count() {
        n if n < 8 => Err(PasswordError::TooShort),
        n if n > 1024 => Err(PasswordError::TooLong),
        _ => Ok(()),
    }
}
