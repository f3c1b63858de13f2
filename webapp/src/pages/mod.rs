//! One module per page.

pub mod import;
pub mod login;
pub mod not_found;
pub mod overview;
pub mod settings;
pub mod signup;
pub mod vault;
