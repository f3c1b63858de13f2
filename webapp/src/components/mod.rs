//! Reusable pieces of the interface. They render and dispatch; services do the work.

pub mod company_policies;
pub mod idle_lock;
pub mod list_controls;
pub mod policy_notice;
pub mod qr;
pub mod shell;
pub mod sign_out;
pub mod status_card;
pub mod strength_meter;
pub mod vault;
