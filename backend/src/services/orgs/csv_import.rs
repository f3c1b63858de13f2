//! Inviting many people from a CSV file: read and judged row by row (a preview first, then the
//! same again when committed, since the company may have changed in between), and committed in
//! one transaction: every good row is invited or none is. Bad rows are listed with their
//! reason and do not stop the rest.
//!
//! The file: UTF-8 (a byte-order mark is ignored), comma- or semicolon-separated (semicolons
//! when the header has them and no commas), quoted fields as spreadsheets write them, CRLF or
//! LF. The header names the columns `email`, `name` and optionally `role`, in any order and
//! case; a missing role means User. Empty rows are skipped. At most 2 MiB and 10,000 rows.

use std::collections::HashMap;

use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use shared_types::org::{CompanyRole, CsvReport, CsvRow, CsvRowResult};
use shared_types::{CompanyId, MemberId};
use uuid::Uuid;

use super::INVITED;
use super::access_log::{self, Action, Entry};
use super::invitations::{LIFETIME, check_daily_cap, reinvite_row};
use super::members::via_partner;
use super::{ACTIVE, NAME_MAX, begin_as, company_role_name};
use crate::authz::CompanyAdmin;
use crate::entity::{company_member, invitation, mail_outbox};
use crate::error::ApiError;
use crate::services::accounts::{check_limit, normalize_email, now};
use crate::services::mail_outbox::KIND_INVITATION;
use crate::state::AppState;

/// The largest file accepted.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;
/// The most data rows accepted.
pub const MAX_ROWS: usize = 10_000;
/// Rows written per statement: well under SQLite's limit on bound values.
const CHUNK: usize = 500;
const LIMIT_CSV_ACCOUNT: (i32, i64) = (30, 3600);

/// A row as read from the file, before the company's members are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRow {
    /// Its line in the file.
    pub line: u64,
    /// The address as written.
    pub email: String,
    /// The address normalized, when it is one.
    pub address: Option<String>,
    /// The name as written.
    pub name: String,
    /// The role, when it could be read.
    pub role: Option<CompanyRole>,
    /// Why the row cannot be invited, whatever the company holds.
    pub problem: Option<String>,
}

fn refuse(message: impl Into<String>) -> ApiError {
    ApiError::BadRequest(message.into())
}

/// Reads a file's rows and judges each on its own (address, role, name, duplicates). The whole
/// file is refused only for its size, its header, or text that is not CSV.
pub fn parse(text: &str) -> Result<Vec<ParsedRow>, ApiError> {
    if text.len() > MAX_BYTES {
        return Err(refuse(format!(
            "The file is larger than {} MB. Split it into smaller files.",
            MAX_BYTES / (1024 * 1024)
        )));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // The csv crate counts lines one short after CRLF endings: read LF only.
    let text = text.replace("\r\n", "\n");
    let text = text.as_str();
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = if first_line.contains(';') && !first_line.contains(',') {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|_| refuse("The file could not be read as CSV."))?
        .clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    let (Some(email_at), Some(name_at)) = (column("email"), column("name")) else {
        let found: Vec<&str> = headers.iter().filter(|h| !h.is_empty()).collect();
        return Err(refuse(format!(
            "The first line must name the columns email, name and role (role may be left out); found: {}.",
            if found.is_empty() {
                "nothing".to_owned()
            } else {
                found.join(", ")
            }
        )));
    };
    let role_at = column("role");
    let mut rows = Vec::new();
    let mut first_line_of: HashMap<String, u64> = HashMap::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line()).unwrap_or_default();
            refuse(format!(
                "Line {line} could not be read as CSV (check its quotes)."
            ))
        })?;
        if record.iter().all(str::is_empty) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(refuse(format!(
                "The file has more than {MAX_ROWS} rows. Split it into smaller files."
            )));
        }
        let line = record.position().map(|p| p.line()).unwrap_or_default();
        let field = |at: usize| record.get(at).unwrap_or_default().to_owned();
        let email = field(email_at);
        let name = field(name_at);
        let role_text = role_at.map(field).unwrap_or_default();
        let role = match role_text.to_ascii_lowercase().as_str() {
            "" | "user" => Some(CompanyRole::User),
            "admin" => Some(CompanyRole::Admin),
            _ => None,
        };
        let address = normalize_email(&email).ok();
        let problem = if address.is_none() {
            Some(if email.is_empty() {
                "No email address.".to_owned()
            } else {
                "Not an email address.".to_owned()
            })
        } else if role.is_none() {
            Some(format!(
                "The role must be Admin or User, not \"{role_text}\"."
            ))
        } else if name.chars().count() > NAME_MAX {
            Some(format!("The name is longer than {NAME_MAX} characters."))
        } else {
            address.as_ref().and_then(|a| match first_line_of.get(a) {
                Some(first) => Some(format!("The same address as line {first}.")),
                None => {
                    first_line_of.insert(a.clone(), line);
                    None
                }
            })
        };
        rows.push(ParsedRow {
            line,
            email,
            address,
            name,
            role,
            problem,
        });
    }
    Ok(rows)
}

/// Judges parsed rows against the company's members (`status` by address).
pub fn judge(
    rows: Vec<ParsedRow>,
    members: &HashMap<String, String>,
    committed: bool,
) -> (CsvReport, Vec<(String, String, CompanyRole)>) {
    let mut to_invite = Vec::new();
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        let status = row.address.as_ref().and_then(|a| members.get(a));
        let problem = row
            .problem
            .clone()
            .or_else(|| match status.map(String::as_str) {
                Some(ACTIVE) => Some("Already a member.".to_owned()),
                Some(INVITED) => Some("Already invited: use Resend in the user list.".to_owned()),
                _ => None,
            });
        let result = match (problem, &row.address, row.role) {
            (Some(reason), _, _) => CsvRowResult::Refused(reason),
            (None, Some(address), Some(role)) => {
                to_invite.push((address.clone(), row.name.clone(), role));
                if committed {
                    CsvRowResult::Invited
                } else {
                    CsvRowResult::WillInvite
                }
            }
            (None, _, _) => CsvRowResult::Refused("Not an email address.".to_owned()),
        };
        out.push(CsvRow {
            line: row.line,
            email: row.email,
            name: row.name,
            role: row.role,
            result,
        });
    }
    let invited = to_invite.len() as u64;
    let report = CsvReport {
        invited,
        refused: out.len() as u64 - invited,
        rows: out,
        committed,
    };
    (report, to_invite)
}

async fn statuses(
    db: &impl ConnectionTrait,
    company: CompanyId,
) -> Result<HashMap<String, String>, ApiError> {
    let rows: Vec<(String, String)> = company_member::Entity::find()
        .select_only()
        .column(company_member::Column::Email)
        .column(company_member::Column::Status)
        .filter(company_member::Column::CompanyId.eq(company.0))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// What inviting the file's rows would do; stores nothing.
pub async fn preview(
    state: &AppState,
    caller: &CompanyAdmin,
    text: &str,
) -> Result<CsvReport, ApiError> {
    check_limit(
        state,
        format!("invitation_csv:account:{}", caller.session.account_id.0),
        LIMIT_CSV_ACCOUNT,
    )
    .await?;
    let rows = parse(text)?;
    let members = statuses(&state.db, caller.company).await?;
    Ok(judge(rows, &members, false).0)
}

/// Invites every good row of the file, in one transaction.
pub async fn commit(
    state: &AppState,
    caller: &CompanyAdmin,
    text: &str,
) -> Result<CsvReport, ApiError> {
    check_limit(
        state,
        format!("invitation_csv:account:{}", caller.session.account_id.0),
        LIMIT_CSV_ACCOUNT,
    )
    .await?;
    let rows = parse(text)?;
    let by = caller.session.account_id;
    let (txn, _) = begin_as(&state.db, by).await?;
    // Judged again inside the transaction: the company may have changed since the preview.
    let members = statuses(&txn, caller.company).await?;
    let (report, to_invite) = judge(rows, &members, true);
    if to_invite.is_empty() {
        txn.commit().await?;
        return Ok(report);
    }
    check_daily_cap(&txn, caller.company, to_invite.len() as u64).await?;
    let at = now();
    let removed: HashMap<String, Uuid> = company_member::Entity::find()
        .select_only()
        .column(company_member::Column::Email)
        .column(company_member::Column::Id)
        .filter(company_member::Column::CompanyId.eq(caller.company.0))
        .filter(company_member::Column::Status.eq("removed"))
        .into_tuple::<(String, Uuid)>()
        .all(&txn)
        .await?
        .into_iter()
        .collect();
    let mut new_members = Vec::new();
    let mut invitations = Vec::new();
    let mut outbox = Vec::new();
    for (email, name, role) in &to_invite {
        let member = match removed.get(email) {
            // Removed earlier: the same row is invited again.
            Some(id) => {
                reinvite_row(&txn, *id, name.clone(), *role, by).await?;
                *id
            }
            None => {
                let id = Uuid::now_v7();
                new_members.push(company_member::ActiveModel {
                    id: Set(id),
                    company_id: Set(caller.company.0),
                    account_id: Set(None),
                    email: Set(email.clone()),
                    name: Set(name.clone()),
                    role: Set(company_role_name(*role).to_owned()),
                    status: Set(INVITED.to_owned()),
                    business_container_id: Set(None),
                    joined_as_new_account: Set(false),
                    invited_by: Set(Some(by.0)),
                    invited_at: Set(at),
                    joined_at: Set(None),
                    removed_at: Set(None),
                    removed_by: Set(None),
                });
                id
            }
        };
        let invitation_id = Uuid::now_v7();
        invitations.push(invitation::ActiveModel {
            id: Set(invitation_id),
            member_id: Set(Some(member)),
            staff_id: Set(None),
            token_hash: Set(None),
            created_at: Set(at),
            expires_at: Set(at + LIFETIME),
            sent_at: Set(None),
            used_at: Set(None),
            used_by: Set(None),
            revoked_at: Set(None),
            revoked_reason: Set(None),
            created_by: Set(Some(by.0)),
        });
        outbox.push(mail_outbox::ActiveModel {
            id: Set(Uuid::now_v7()),
            kind: Set(KIND_INVITATION.to_owned()),
            invitation_id: Set(Some(invitation_id)),
            share_id: Set(None),
            to_email: Set(email.clone()),
            created_at: Set(at),
            next_attempt_at: Set(at),
            attempts: Set(0),
            sent_at: Set(None),
            last_error: Set(None),
        });
    }
    for chunk in new_members.chunks(CHUNK) {
        company_member::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    for chunk in invitations.chunks(CHUNK) {
        invitation::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    for chunk in outbox.chunks(CHUNK) {
        mail_outbox::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&txn)
            .await?;
    }
    access_log::record(
        &txn,
        Entry {
            company: caller.company,
            actor: by,
            via_partner: via_partner(&caller.grant),
            action: Action::InvitedFromCsv,
            target: None::<MemberId>,
            detail: format!("{} invited, {} refused", report.invited, report.refused),
        },
    )
    .await?;
    txn.commit().await?;
    state.outbox.wake();
    Ok(report)
}

#[cfg(test)]
#[path = "csv_import_tests.rs"]
mod tests;
