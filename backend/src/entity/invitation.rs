//! An invitation to join a company (or a partner's staff), sent by email. Only a keyed hash of
//! its token is stored, and only from the moment the mail is sent.

use sea_orm::entity::prelude::*;

#[derive(Clone, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "invitation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub member_id: Option<Uuid>,
    pub staff_id: Option<Uuid>,
    /// Keyed hash of the token (`KeyedPurpose::Invitation`); None until sent.
    pub token_hash: Option<Vec<u8>>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub expires_at: TimeDateTimeWithTimeZone,
    pub sent_at: Option<TimeDateTimeWithTimeZone>,
    pub used_at: Option<TimeDateTimeWithTimeZone>,
    pub used_by: Option<Uuid>,
    pub revoked_at: Option<TimeDateTimeWithTimeZone>,
    /// `revoked`, `replaced` or `member_removed`.
    pub revoked_reason: Option<String>,
    pub created_by: Option<Uuid>,
}
super::debug_fields!(
    Model,
    "Invitation",
    [
        id,
        member_id,
        staff_id,
        created_at,
        expires_at,
        sent_at,
        used_at,
        revoked_at,
        revoked_reason
    ]
);

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
