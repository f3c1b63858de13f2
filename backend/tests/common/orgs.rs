//! Organizations for tests: partners and companies made through the API where an endpoint
//! exists, and members, staff and custom roles written through the database until theirs do
//! (invitations, staff and roles come in later steps).

use backend::entity::{
    account, admin_access_log, company, company_member, company_policy, company_policy_template,
    invitation, mail_outbox, partner, partner_role, partner_role_permission, partner_staff,
    policy_template, profile,
};
use reqwest::StatusCode;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use shared_types::org::{
    CompanyView, CreateCompanyRequest, CreatePartnerRequest, PartnerView, Permission,
};
use shared_types::{AccountId, CompanyId, PartnerId};
use uuid::Uuid;

use super::TestServer;
use super::accounts::Reply;

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

impl TestServer {
    /// Makes a partner through the API; its maker becomes its Admin.
    pub async fn new_partner(&self, session: &str, name: &str) -> PartnerView {
        let reply: Reply<PartnerView> = self
            .post(
                "/api/partners",
                &CreatePartnerRequest {
                    name: name.to_owned(),
                },
                Some(session),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED);
        reply.body
    }

    /// Makes a company on its own through the API; its maker becomes its Admin.
    pub async fn new_direct_company(&self, session: &str, name: &str) -> CompanyView {
        let reply: Reply<CompanyView> = self
            .post(
                "/api/companies",
                &CreateCompanyRequest {
                    name: name.to_owned(),
                    contact_email: String::new(),
                },
                Some(session),
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED);
        reply.body
    }
}

/// A company of `partner`, written directly (partner staff make them through the API in a later
/// step).
pub async fn company_of_partner(
    db: &DatabaseConnection,
    partner: PartnerId,
    name: &str,
) -> CompanyId {
    let id = Uuid::now_v7();
    company::Entity::insert(company::ActiveModel {
        id: Set(id),
        partner_id: Set(Some(partner.0)),
        name: Set(name.to_owned()),
        name_key: Set(name.to_lowercase()),
        tier: Set("standard".into()),
        contact_email: Set("contact@example.com".into()),
        created_by: Set(None),
        created_at: Set(now()),
        updated_at: Set(now()),
        domains: Set("[]".to_owned()),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
    CompanyId(id)
}

async fn email_of(db: &DatabaseConnection, account: AccountId) -> String {
    account::Entity::find_by_id(account.0)
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .email
}

/// Makes `account` an active member of `company` with `role` (`admin` or `user`).
pub async fn add_member(
    db: &DatabaseConnection,
    company: CompanyId,
    account: AccountId,
    role: &str,
) {
    let business = profile::Entity::find()
        .filter(profile::Column::AccountId.eq(account.0))
        .filter(profile::Column::Kind.eq("business"))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    company_member::Entity::insert(company_member::ActiveModel {
        id: Set(Uuid::now_v7()),
        company_id: Set(company.0),
        account_id: Set(Some(account.0)),
        email: Set(email_of(db, account).await),
        name: Set(String::new()),
        role: Set(role.to_owned()),
        status: Set("active".into()),
        business_container_id: Set(Some(business.id)),
        joined_as_new_account: Set(false),
        invited_by: Set(None),
        invited_at: Set(now()),
        joined_at: Set(Some(now())),
        removed_at: Set(None),
        removed_by: Set(None),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
}

/// The id of a partner's built-in role (`admin` or `technician`).
pub async fn builtin_role(db: &DatabaseConnection, partner: PartnerId, builtin: &str) -> Uuid {
    partner_role::Entity::find()
        .filter(partner_role::Column::PartnerId.eq(partner.0))
        .filter(partner_role::Column::Builtin.eq(builtin))
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .id
}

/// A custom role of `partner` with no permissions yet.
pub async fn custom_role(db: &DatabaseConnection, partner: PartnerId, name: &str) -> Uuid {
    let id = Uuid::now_v7();
    partner_role::Entity::insert(partner_role::ActiveModel {
        id: Set(id),
        partner_id: Set(partner.0),
        name: Set(name.to_owned()),
        builtin: Set(None),
        created_at: Set(now()),
        updated_at: Set(now()),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
    id
}

/// Sets a custom role's permissions to exactly `permissions`.
pub async fn set_permissions(db: &DatabaseConnection, role: Uuid, permissions: &[Permission]) {
    partner_role_permission::Entity::delete_many()
        .filter(partner_role_permission::Column::RoleId.eq(role))
        .exec(db)
        .await
        .unwrap();
    for p in permissions {
        partner_role_permission::Entity::insert(partner_role_permission::ActiveModel {
            role_id: Set(role),
            permission: Set(p.name().to_owned()),
        })
        .exec_without_returning(db)
        .await
        .unwrap();
    }
}

/// Makes `account` active staff of `partner` with `role`.
pub async fn add_staff(
    db: &DatabaseConnection,
    partner: PartnerId,
    account: AccountId,
    role: Uuid,
) {
    partner_staff::Entity::insert(partner_staff::ActiveModel {
        id: Set(Uuid::now_v7()),
        partner_id: Set(partner.0),
        account_id: Set(Some(account.0)),
        email: Set(email_of(db, account).await),
        name: Set(String::new()),
        role_id: Set(role),
        status: Set("active".into()),
        invited_at: Set(now()),
        joined_at: Set(Some(now())),
        removed_at: Set(None),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
}

/// Everything organizations store, as text, to compare before and after a refused request.
/// Custom roles' permissions are left out: the matrix test changes them between cells on
/// purpose.
pub async fn snapshot(db: &DatabaseConnection) -> String {
    let mut out = String::new();
    macro_rules! dump {
        ($($entity:ident => $order:expr),*) => {$(
            for row in $entity::Entity::find().order_by_asc($order).all(db).await.unwrap() {
                out.push_str(&format!("{row:?}\n"));
            }
        )*};
    }
    dump!(
        partner => partner::Column::Id,
        partner_role => partner_role::Column::Id,
        partner_staff => partner_staff::Column::Id,
        company => company::Column::Id,
        company_member => company_member::Column::Id,
        admin_access_log => admin_access_log::Column::Id,
        invitation => invitation::Column::Id,
        mail_outbox => mail_outbox::Column::Id,
        account => account::Column::Id,
        policy_template => policy_template::Column::Id,
        company_policy_template => company_policy_template::Column::CompanyId
    );
    for row in company_policy::Entity::find()
        .order_by_asc(company_policy::Column::CompanyId)
        .order_by_asc(company_policy::Column::Policy)
        .all(db)
        .await
        .unwrap()
    {
        out.push_str(&format!("{row:?}\n"));
    }
    out
}

impl TestServer {
    /// Invites `email` to `company` as `role` through the API.
    pub async fn invite(
        &self,
        session: &str,
        company: CompanyId,
        email: &str,
        role: shared_types::org::CompanyRole,
    ) -> Reply<serde_json::Value> {
        self.post(
            &format!("/api/companies/{company}/invitations"),
            &shared_types::org::InviteRequest {
                email: email.to_owned(),
                name: String::new(),
                role,
            },
            Some(session),
        )
        .await
    }

    /// Waits until the outbox has sent everything queued, so that nothing changes behind a
    /// test's back.
    pub async fn outbox_drained(&self) {
        let db = self.database().await;
        for _ in 0..200 {
            let waiting = mail_outbox::Entity::find()
                .filter(mail_outbox::Column::SentAt.is_null())
                .count(&db)
                .await
                .unwrap();
            if waiting == 0 {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("the outbox did not send its mail");
    }

    /// Invitation mails to `email` so far.
    pub fn invitation_mails(&self, email: &str) -> Vec<backend::mail::sink::Received> {
        self.mail()
            .into_iter()
            .filter(|m| m.to == email && m.subject.contains("invited you"))
            .collect()
    }

    /// Waits for the `n`th invitation mail to `email` (the outbox sends them a moment after
    /// the request) and returns its link's token.
    pub async fn nth_invitation_token(&self, email: &str, n: usize) -> String {
        for _ in 0..200 {
            if let Some(mail) = self.invitation_mails(email).get(n - 1) {
                return token_in(&mail.body).expect("a link with a token in the invitation");
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("no invitation number {n} reached {email}");
    }

    /// The token of the first invitation mail to `email`.
    pub async fn invitation_token(&self, email: &str) -> String {
        self.nth_invitation_token(email, 1).await
    }
}

/// The token in an invitation's link (`…/invite#token=…`).
pub fn token_in(body: &str) -> Option<String> {
    let start = body.find("/invite#token=")? + "/invite#token=".len();
    Some(
        body[start..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect(),
    )
}

impl TestServer {
    /// `email` invited to `company` as `role`, joined through the link with a new account, and
    /// signed in on a verified browser.
    pub async fn joined_new(
        &self,
        admin: &str,
        company: CompanyId,
        email: &str,
        role: shared_types::org::CompanyRole,
    ) -> (super::accounts::TestUser, String) {
        let invited = self.invite(admin, company, email, role).await;
        assert_eq!(invited.status, StatusCode::CREATED, "{:?}", invited.body);
        let token = self.invitation_token(email).await;
        let (request, user) = super::accounts::signup_request(email, "correct horse");
        let joined: Reply<serde_json::Value> = self
            .post(
                "/api/invitations/signup",
                &shared_types::org::InvitationSignupRequest {
                    token: shared_types::org::InvitationToken(token),
                    account: request,
                },
                None,
            )
            .await;
        assert_eq!(joined.status, StatusCode::CREATED, "{:?}", joined.body);
        let _: Reply<serde_json::Value> = self.login(&user, &user.device, None).await;
        let code = self.latest_code(email);
        let signed_in: Reply<serde_json::Value> = self.login(&user, &user.device, Some(code)).await;
        assert_eq!(signed_in.status, StatusCode::OK);
        let session = signed_in.session.unwrap();
        (user, session)
    }
}
