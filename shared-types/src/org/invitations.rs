//! What an invitation link and a CSV file of invitations carry: the link's token (never
//! printed), what a lookup tells its holder, sign-up through a link, and a file's report.

use serde::{Deserialize, Serialize};

use super::CompanyRole;
use crate::account::SignupRequest;

/// `POST /api/companies/{company_id}/invitations/csv[/preview]`: a CSV file's text, with the
/// columns email, name and (optionally) role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvRequest {
    /// The file's text.
    pub csv: String,
}

/// What happens, or happened, to one row of a CSV file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "reason")]
pub enum CsvRowResult {
    /// The preview: this row will be invited.
    WillInvite,
    /// This row was invited.
    Invited,
    /// This row is left out, for the reason given.
    Refused(String),
}

/// One row of a CSV file and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvRow {
    /// Its line in the file (the header is line 1).
    pub line: u64,
    /// The address as written.
    pub email: String,
    /// The name as written.
    pub name: String,
    /// The role, when it could be read.
    pub role: Option<CompanyRole>,
    /// What happens to it.
    pub result: CsvRowResult,
}

/// The outcome of a CSV file: every row's, and the counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvReport {
    /// Rows invited (or, in a preview, to be invited).
    pub invited: u64,
    /// Rows left out.
    pub refused: u64,
    /// Every row with data, in file order.
    pub rows: Vec<CsvRow>,
    /// Whether anything was stored (false for a preview).
    pub committed: bool,
}

/// An invitation link's secret, read from the link's fragment. Never printed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InvitationToken(pub String);

impl core::fmt::Debug for InvitationToken {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("InvitationToken(***)")
    }
}

/// `POST /api/companies/{company_id}/members/{member_id}/invitation/link`: a new link for a
/// pending invitation, handed to the Admin to pass on instead of mailed (the previous link
/// stops working). The Admin's browser adds the company key's fingerprint to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationLink {
    /// The link's secret.
    pub token: InvitationToken,
}

/// `POST /api/invitations/lookup` and `POST /api/invitations/accept`: the link's token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRequest {
    /// From the link.
    pub token: InvitationToken,
}

/// `POST /api/invitations/signup`: a new account made by accepting an invitation. The link
/// proves the address; the browser is verified afterwards, as at any sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationSignupRequest {
    /// From the link.
    pub token: InvitationToken,
    /// The account, built in the browser as at any sign-up, with the invited address.
    pub account: SignupRequest,
}

/// Where an invitation link stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationState {
    /// It can be accepted.
    Valid,
    /// Seven days have passed.
    Expired,
    /// It was accepted.
    Used,
    /// An admin revoked it, or removed the member.
    Revoked,
    /// A newer invitation was sent.
    Replaced,
}

/// What an invitation is to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvitationKind {
    /// Membership of a company.
    Company,
    /// A place in a partner's staff.
    Partner,
}

/// The reply to a lookup: what the link is for, shown before the person acts on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    /// A company or a partner.
    pub kind: InvitationKind,
    /// The company's or partner's name.
    pub organization_name: String,
    /// The invited address.
    pub email: String,
    /// The role offered, as people read it ("Admin", "Technician", a custom role's name).
    pub role_label: String,
    /// Who sent it, to ask for a new one.
    pub inviter_email: Option<String>,
    /// When the link stops working (Unix seconds).
    pub expires_at: i64,
    /// Where it stands.
    pub state: InvitationState,
    /// The address has an account already: sign in to accept, rather than sign up.
    pub has_account: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invitation_tokens_never_print() {
        let request = TokenRequest {
            token: InvitationToken("secret-token-value".into()),
        };
        let printed = format!("{request:?}");
        assert!(!printed.contains("secret-token-value"), "{printed}");
    }
}
