//! Who is calling and what they may do: password hashing, session tokens, delivery keys, the
//! [`Principal`] every request acts as, and the one policy table that says which role may do
//! which [`Action`] in which brand.

pub mod keyring;
pub mod ledger;
pub mod passwords;
pub mod policy;
pub mod ratelimit;
pub mod sessions;
pub mod tokens;

pub use policy::{Action, BrandScope, Principal};
