//! Sharing. Browsers sign every grant; the server stores the signed statements exactly as sent,
//! serves them, and checks their signatures too, which only stops crafted clients: the browsers
//! that rely on a statement check it again.

pub mod company_key;
pub mod directory;
pub mod group_views;
pub mod groups;
pub mod invitees;
pub mod keys;
pub mod lists;
pub mod rotation;
pub mod shares;
