//! One module per page.

pub mod admin;
pub mod contacts;
pub mod export;
pub mod import;
pub mod invite;
pub mod login;
pub mod not_found;
pub mod organizations;
pub mod overview;
pub mod partner;
pub mod settings;
pub mod signup;
pub mod vault;
