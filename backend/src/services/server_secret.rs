//! Server-wide random secrets kept in the database, so that every instance sharing the database
//! uses the same ones. Made on first use; concurrent first uses agree on one value.

use hmac::{Hmac, KeyInit, Mac};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, DatabaseConnection, DbErr, EntityTrait};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::entity::server_secret;

/// Length of every server secret.
pub const SECRET_LEN: usize = 32;

/// Returns the secret called `name`, making it first if there is none.
pub async fn get_or_create(
    db: &DatabaseConnection,
    name: &str,
) -> Result<Zeroizing<Vec<u8>>, DbErr> {
    if let Some(found) = server_secret::Entity::find_by_id(name.to_owned())
        .one(db)
        .await?
    {
        return Ok(Zeroizing::new(found.value));
    }
    let mut value = Zeroizing::new(vec![0u8; SECRET_LEN]);
    getrandom::fill(&mut value).map_err(|e| DbErr::Custom(format!("random source failed: {e}")))?;
    // Another instance may insert first: keep whichever row landed.
    server_secret::Entity::insert(server_secret::ActiveModel {
        name: Set(name.to_owned()),
        value: Set(value.to_vec()),
        created_at: Set(time::OffsetDateTime::now_utc()),
    })
    .on_conflict(
        OnConflict::column(server_secret::Column::Name)
            .do_nothing()
            .to_owned(),
    )
    .try_insert()
    .exec(db)
    .await?;
    let stored = server_secret::Entity::find_by_id(name.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("server secret {name}")))?;
    Ok(Zeroizing::new(stored.value))
}

/// What a keyed hash is for; each uses its own secret.
#[derive(Debug, Clone, Copy)]
pub enum KeyedPurpose {
    /// Made-up prelogin salts for unknown emails.
    Prelogin,
    /// Emailed one-time codes.
    EmailCode,
    /// Two-factor recovery codes.
    RecoveryCode,
    /// Invitation link tokens.
    Invitation,
}

/// The server's keyed-hash secrets, read (or made) once at start-up rather than on every request.
pub struct ServerKeys {
    prelogin: Zeroizing<Vec<u8>>,
    email_code: Zeroizing<Vec<u8>>,
    recovery_code: Zeroizing<Vec<u8>>,
    invitation: Zeroizing<Vec<u8>>,
}

impl std::fmt::Debug for ServerKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKeys(***)")
    }
}

impl ServerKeys {
    /// Reads the secrets, making any that do not exist yet.
    pub async fn load(db: &DatabaseConnection) -> Result<Self, DbErr> {
        Ok(Self {
            prelogin: get_or_create(db, "prelogin").await?,
            email_code: get_or_create(db, "email_code").await?,
            recovery_code: get_or_create(db, "recovery_code").await?,
            invitation: get_or_create(db, "invitation").await?,
        })
    }

    /// HMAC-SHA256 under the secret for `purpose` over `parts`, each prefixed by its length so
    /// that no two lists of parts give the same input.
    pub fn keyed_hash(&self, purpose: KeyedPurpose, parts: &[&[u8]]) -> [u8; 32] {
        let key = match purpose {
            KeyedPurpose::Prelogin => &self.prelogin,
            KeyedPurpose::EmailCode => &self.email_code,
            KeyedPurpose::RecoveryCode => &self.recovery_code,
            KeyedPurpose::Invitation => &self.invitation,
        };
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
            .expect("HMAC accepts keys of any length");
        for part in parts {
            mac.update(&(part.len() as u32).to_be_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::settings::DatabaseTarget;

    #[tokio::test]
    async fn a_secret_is_made_once_and_then_kept() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::open(&DatabaseTarget::Sqlite(dir.path().join("s.db")))
            .await
            .unwrap();
        let first = get_or_create(&db, "test").await.unwrap();
        assert_eq!(first.len(), SECRET_LEN);
        assert_ne!(first.as_slice(), &[0u8; SECRET_LEN]);
        assert_eq!(get_or_create(&db, "test").await.unwrap(), first);
        assert_ne!(get_or_create(&db, "other").await.unwrap(), first);
    }

    #[tokio::test]
    async fn keyed_hashes_are_stable_across_loads_and_differ_by_purpose() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::open(&DatabaseTarget::Sqlite(dir.path().join("k.db")))
            .await
            .unwrap();
        let keys = ServerKeys::load(&db).await.unwrap();
        let again = ServerKeys::load(&db).await.unwrap();
        let a = keys.keyed_hash(KeyedPurpose::EmailCode, &[b"id", b"code"]);
        assert_eq!(
            a,
            again.keyed_hash(KeyedPurpose::EmailCode, &[b"id", b"code"])
        );
        assert_ne!(
            a,
            keys.keyed_hash(KeyedPurpose::RecoveryCode, &[b"id", b"code"])
        );
        assert_ne!(
            a,
            keys.keyed_hash(KeyedPurpose::EmailCode, &[b"idc", b"ode"])
        );
        assert_eq!(format!("{keys:?}"), "ServerKeys(***)");
    }
}
