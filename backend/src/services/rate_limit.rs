//! Fixed-window rate limits kept in the database, so every server instance sharing it counts
//! the same attempts. One atomic upsert per hit.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};

/// At most `max` hits per `window_secs` seconds.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// Hits allowed in one window.
    pub max: i32,
    /// Window length in seconds.
    pub window_secs: i64,
}

/// The bucket is full: try again after this many seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimited {
    /// Seconds until the window ends.
    pub retry_after_secs: i64,
}

/// Counts one hit in `bucket` at `now` (Unix seconds); refuses once the window is full.
pub async fn hit(
    db: &DatabaseConnection,
    bucket: &str,
    limit: Limit,
    now: i64,
) -> Result<Result<(), RateLimited>, DbErr> {
    hit_many(db, bucket, limit, now, 1).await
}

/// Counts `weight` hits at once (a lookup of several addresses); refuses once the window holds
/// more than `limit.max`. The hits count even when refused, as single hits do.
pub async fn hit_many(
    db: &DatabaseConnection,
    bucket: &str,
    limit: Limit,
    now: i64,
    weight: i32,
) -> Result<Result<(), RateLimited>, DbErr> {
    let backend = db.get_database_backend();
    // A window that began at or before `expired` is over: the hit starts a new one.
    let expired = now - limit.window_secs;
    let sql = match backend {
        DbBackend::Postgres => {
            "INSERT INTO rate_limit (bucket, window_start, hits) VALUES ($1, $2, $4) \
             ON CONFLICT (bucket) DO UPDATE SET \
               hits = CASE WHEN rate_limit.window_start <= $3 THEN $4 ELSE rate_limit.hits + $4 END, \
               window_start = CASE WHEN rate_limit.window_start <= $3 THEN $2 ELSE rate_limit.window_start END \
             RETURNING window_start, hits"
        }
        _ => {
            "INSERT INTO rate_limit (bucket, window_start, hits) VALUES (?1, ?2, ?4) \
             ON CONFLICT (bucket) DO UPDATE SET \
               hits = CASE WHEN rate_limit.window_start <= ?3 THEN ?4 ELSE rate_limit.hits + ?4 END, \
               window_start = CASE WHEN rate_limit.window_start <= ?3 THEN ?2 ELSE rate_limit.window_start END \
             RETURNING window_start, hits"
        }
    };
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [bucket.into(), now.into(), expired.into(), weight.into()],
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("rate limit upsert returned no row".into()))?;
    let window_start: i64 = row.try_get_by_index(0)?;
    let hits: i32 = row.try_get_by_index(1)?;
    if hits > limit.max {
        Ok(Err(RateLimited {
            retry_after_secs: (window_start + limit.window_secs - now).max(1),
        }))
    } else {
        Ok(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::settings::DatabaseTarget;

    #[tokio::test]
    async fn a_window_allows_max_hits_then_refuses_until_it_ends() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::db::open(&DatabaseTarget::Sqlite(dir.path().join("r.db")))
            .await
            .unwrap();
        let limit = Limit {
            max: 3,
            window_secs: 60,
        };
        for _ in 0..3 {
            assert_eq!(hit(&db, "login:ip:1", limit, 1000).await.unwrap(), Ok(()));
        }
        assert_eq!(
            hit(&db, "login:ip:1", limit, 1010).await.unwrap(),
            Err(RateLimited {
                retry_after_secs: 50
            })
        );
        // Another bucket is counted apart.
        assert_eq!(hit(&db, "login:ip:2", limit, 1010).await.unwrap(), Ok(()));
        // Once the window is over, a new one starts.
        assert_eq!(hit(&db, "login:ip:1", limit, 1060).await.unwrap(), Ok(()));
    }
}
