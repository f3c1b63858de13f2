//! Sharing, as the browser does it: every key another account's browser will rely on is signed
//! here, and everything the server serves about other accounts is checked here before use.

pub mod company_key;
pub mod contacts;
pub mod group_admin;
pub mod groups;
pub mod lists;
pub mod making;
pub mod published;
pub mod shares;
pub mod trust;
