//! Server-wide random secrets kept in the database, so that every instance sharing the database
//! uses the same ones. Made on first use; concurrent first uses agree on one value.

use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, DatabaseConnection, DbErr, EntityTrait};
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
}
