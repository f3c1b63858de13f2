//! Schema migrations, applied in order at start-up. One file per change; a migration that has
//! landed is never edited.

use sea_orm_migration::prelude::*;

mod m20261122_000001_server_secret;
mod m20261122_000002_accounts;
mod m20261122_000003_two_factor;
mod m20261122_000004_vault;
mod m20261123_000005_vault_change;
mod m20261202_000006_containers;
mod m20261202_000007_record_versions;
mod m20261202_000008_checkpoints;
mod m20261202_000009_organizations;
mod m20261202_000010_invitations;
mod m20261202_000011_last_active;
mod m20261202_000012_published_keys;
mod m20261202_000013_shares;
mod m20261202_000014_share_rekey;
mod m20261203_000015_groups;
mod m20261203_000016_directory_key;
mod m20261203_000017_company_key;
mod m20261203_000018_share_invitee_mail;
mod m20261203_000019_policies;
mod m20261203_000020_company_domains;

/// All migrations, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_server_secret::Migration),
            Box::new(m20261122_000002_accounts::Migration),
            Box::new(m20261122_000003_two_factor::Migration),
            Box::new(m20261122_000004_vault::Migration),
            Box::new(m20261123_000005_vault_change::Migration),
            Box::new(m20261202_000006_containers::Migration),
            Box::new(m20261202_000007_record_versions::Migration),
            Box::new(m20261202_000008_checkpoints::Migration),
            Box::new(m20261202_000009_organizations::Migration),
            Box::new(m20261202_000010_invitations::Migration),
            Box::new(m20261202_000011_last_active::Migration),
            Box::new(m20261202_000012_published_keys::Migration),
            Box::new(m20261202_000013_shares::Migration),
            Box::new(m20261202_000014_share_rekey::Migration),
            Box::new(m20261203_000015_groups::Migration),
            Box::new(m20261203_000016_directory_key::Migration),
            Box::new(m20261203_000017_company_key::Migration),
            Box::new(m20261203_000018_share_invitee_mail::Migration),
            Box::new(m20261203_000019_policies::Migration),
            Box::new(m20261203_000020_company_domains::Migration),
        ]
    }
}
