//! `decide` as a table: each kind of caller against each scope.
#![allow(clippy::unwrap_used)]

use super::*;

use Permission::*;

fn staff(grant: RoleGrant) -> Option<StaffFacts> {
    Some(StaffFacts {
        staff: StaffId(Uuid::from_u128(2)),
        partner: PartnerId(Uuid::from_u128(3)),
        role: PartnerRoleId(Uuid::from_u128(4)),
        grant,
    })
}

fn member(role: CompanyRole) -> Option<(MemberId, CompanyRole)> {
    Some((MemberId(Uuid::from_u128(1)), role))
}

fn custom(permissions: &[Permission]) -> RoleGrant {
    RoleGrant::Custom(permissions.iter().copied().collect())
}

/// The outcome, short: "member", "staff", "404" or "403".
fn outcome(scope: Scope, facts: &Facts) -> &'static str {
    match decide(scope, facts) {
        Ok(Grant::Member { .. }) => "member",
        Ok(Grant::Staff { .. }) => "staff",
        Ok(Grant::Share { .. }) => "share",
        Err(Deny::NotFound) => "404",
        Err(Deny::NotPermitted) => "403",
    }
}

#[test]
fn each_caller_gets_what_its_place_allows() {
    let known = |member, staff| Facts {
        tenant_exists: true,
        member,
        staff,
        share_role: None,
        group_manager: false,
    };
    let stranger = known(None, None);
    let admin = known(member(CompanyRole::Admin), None);
    let user = known(member(CompanyRole::User), None);
    let partner_admin = known(None, staff(RoleGrant::Builtin(BuiltinRole::Admin)));
    let technician = known(None, staff(RoleGrant::Builtin(BuiltinRole::Technician)));
    let viewer = known(None, staff(custom(&[CompaniesView])));
    let user_manager = known(None, staff(custom(&[CompaniesManageUsers])));
    let nothing = known(None, staff(custom(&[])));
    let missing = Facts::default();
    // A member of the company who is also staff of its partner: the stronger place wins.
    let user_and_technician = known(
        member(CompanyRole::User),
        staff(RoleGrant::Builtin(BuiltinRole::Technician)),
    );

    let cases: &[(&str, &Facts, Scope, &str)] = &[
        ("stranger, company", &stranger, Scope::CompanyMember, "404"),
        (
            "stranger, admin route",
            &stranger,
            Scope::CompanyAdmin(CompaniesView),
            "404",
        ),
        (
            "stranger, partner",
            &stranger,
            Scope::PartnerStaff(None),
            "404",
        ),
        (
            "missing tenant, even for its 'admin'",
            &Facts {
                tenant_exists: false,
                ..admin.clone()
            },
            Scope::CompanyMember,
            "404",
        ),
        ("missing", &missing, Scope::PartnerStaff(None), "404"),
        (
            "company admin, member route",
            &admin,
            Scope::CompanyMember,
            "member",
        ),
        (
            "company admin, admin route",
            &admin,
            Scope::CompanyAdmin(CompaniesManageUsers),
            "member",
        ),
        (
            "company admin, even a partner-only permission",
            &admin,
            Scope::CompanyAdmin(CompaniesCreate),
            "member",
        ),
        (
            "company user, member route",
            &user,
            Scope::CompanyMember,
            "member",
        ),
        (
            "company user, admin route: knows the company",
            &user,
            Scope::CompanyAdmin(CompaniesView),
            "403",
        ),
        (
            "partner admin, any company permission",
            &partner_admin,
            Scope::CompanyAdmin(CompaniesManagePolicies),
            "staff",
        ),
        (
            "partner admin, partner route",
            &partner_admin,
            Scope::PartnerStaff(Some(PartnerManageRoles)),
            "staff",
        ),
        (
            "technician views companies",
            &technician,
            Scope::CompanyAdmin(CompaniesView),
            "staff",
        ),
        (
            "technician manages users",
            &technician,
            Scope::CompanyAdmin(CompaniesManageUsers),
            "staff",
        ),
        (
            "technician may not create",
            &technician,
            Scope::CompanyAdmin(CompaniesCreate),
            "403",
        ),
        (
            "technician may not manage staff",
            &technician,
            Scope::PartnerStaff(Some(PartnerManageStaff)),
            "403",
        ),
        (
            "technician reads the partner",
            &technician,
            Scope::PartnerStaff(None),
            "staff",
        ),
        (
            "technician reads a company",
            &technician,
            Scope::CompanyMember,
            "staff",
        ),
        (
            "viewer views",
            &viewer,
            Scope::CompanyAdmin(CompaniesView),
            "staff",
        ),
        (
            "viewer may not manage users",
            &viewer,
            Scope::CompanyAdmin(CompaniesManageUsers),
            "403",
        ),
        (
            "manage_users implies view",
            &user_manager,
            Scope::CompanyAdmin(CompaniesView),
            "staff",
        ),
        (
            "manage_users implies reading the company",
            &user_manager,
            Scope::CompanyMember,
            "staff",
        ),
        (
            "no permissions: partner page only",
            &nothing,
            Scope::PartnerStaff(None),
            "staff",
        ),
        (
            "no permissions: no company",
            &nothing,
            Scope::CompanyMember,
            "403",
        ),
        (
            "no permissions: no admin route",
            &nothing,
            Scope::CompanyAdmin(CompaniesView),
            "403",
        ),
        (
            "user who is also a technician manages users as staff",
            &user_and_technician,
            Scope::CompanyAdmin(CompaniesManageUsers),
            "staff",
        ),
        (
            "user who is also a technician reads as member",
            &user_and_technician,
            Scope::CompanyMember,
            "member",
        ),
        (
            "no organization scope: nothing passes",
            &admin,
            Scope::Account,
            "404",
        ),
        (
            "no organization scope: nothing passes",
            &partner_admin,
            Scope::Public,
            "404",
        ),
    ];
    for (what, facts, scope, expected) in cases {
        assert_eq!(outcome(*scope, facts), *expected, "{what}");
    }
}

#[test]
fn built_in_admin_holds_every_permission_and_technician_its_list() {
    let admin = RoleGrant::Builtin(BuiltinRole::Admin).permissions();
    assert_eq!(admin.len(), Permission::ALL.len());
    let technician = RoleGrant::Builtin(BuiltinRole::Technician).permissions();
    assert_eq!(
        technician,
        [CompaniesView, CompaniesManageUsers].into_iter().collect()
    );
    // Implied permissions show in what a role allows.
    assert_eq!(
        custom(&[CompaniesCreate]).permissions(),
        [CompaniesView, CompaniesCreate].into_iter().collect()
    );
}

#[test]
fn a_share_lets_in_recipients_whose_role_is_high_enough() {
    use shared_types::vault::Role;
    let with = |role| Facts {
        tenant_exists: true,
        share_role: role,
        ..Facts::default()
    };
    for (role, wanted, expected) in [
        (Some(Role::Read), Role::Read, "share"),
        (Some(Role::Read), Role::Manage, "403"),
        (Some(Role::Write), Role::Manage, "403"),
        (Some(Role::Manage), Role::Manage, "share"),
        (Some(Role::Manage), Role::Owner, "403"),
        (Some(Role::Owner), Role::Owner, "share"),
        (None, Role::Read, "404"),
    ] {
        assert_eq!(
            outcome(Scope::Share(wanted), &with(role)),
            expected,
            "{role:?} on {wanted:?}"
        );
    }
    assert_eq!(outcome(Scope::Share(Role::Read), &Facts::default()), "404");
    // A share role opens no company or partner route.
    assert_eq!(
        outcome(Scope::CompanyMember, &with(Some(Role::Owner))),
        "404"
    );
}

#[test]
fn own_admin_and_group_scopes_need_a_member_of_the_company_itself() {
    let known = |member, staff, group_manager| Facts {
        tenant_exists: true,
        member,
        staff,
        share_role: None,
        group_manager,
    };
    let admin = known(member(CompanyRole::Admin), None, false);
    let user = known(member(CompanyRole::User), None, false);
    let managing_user = known(member(CompanyRole::User), None, true);
    let partner_admin = known(None, staff(RoleGrant::Builtin(BuiltinRole::Admin)), false);
    // Staff never manage a group (only members are in groups), whatever the facts say.
    let managing_staff = known(None, staff(RoleGrant::Builtin(BuiltinRole::Admin)), true);
    let stranger = known(None, None, false);
    for (name, facts, scope, expected) in [
        ("admin", &admin, Scope::CompanyOwnAdmin, "member"),
        ("user", &user, Scope::CompanyOwnAdmin, "403"),
        (
            "partner admin",
            &partner_admin,
            Scope::CompanyOwnAdmin,
            "403",
        ),
        ("stranger", &stranger, Scope::CompanyOwnAdmin, "404"),
        ("admin, not managing", &admin, Scope::GroupManager, "403"),
        (
            "managing user",
            &managing_user,
            Scope::GroupManager,
            "member",
        ),
        ("partner admin", &partner_admin, Scope::GroupManager, "403"),
        (
            "managing staff",
            &managing_staff,
            Scope::GroupManager,
            "403",
        ),
        ("stranger", &stranger, Scope::GroupManager, "404"),
        ("missing", &Facts::default(), Scope::GroupManager, "404"),
    ] {
        assert_eq!(outcome(scope, facts), expected, "{name} on {scope:?}");
    }
}
