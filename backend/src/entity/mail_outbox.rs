//! Mail still to send (and what was sent, for a while): the worker claims due rows, sends and
//! retries.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_outbox")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `invitation` or `share_invitation`.
    pub kind: String,
    pub invitation_id: Option<Uuid>,
    /// For a share's invitee: the share.
    pub share_id: Option<Uuid>,
    pub to_email: String,
    pub created_at: TimeDateTimeWithTimeZone,
    pub next_attempt_at: TimeDateTimeWithTimeZone,
    pub attempts: i32,
    pub sent_at: Option<TimeDateTimeWithTimeZone>,
    pub last_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
