#![allow(clippy::unwrap_used)]

use super::*;

#[test]
fn names_round_trip_and_match_serde() {
    for key in PolicyKey::ALL {
        assert_eq!(PolicyKey::of_name(key.name()), Some(key));
        assert_eq!(serde_json::to_value(key).unwrap(), key.name());
        assert_eq!(key.def().key, key);
    }
    assert_eq!(PolicyKey::of_name("disable_everything"), None);
}

#[test]
fn eight_standard_then_eight_advanced() {
    let tiers: Vec<Tier> = PolicyKey::ALL.iter().map(|k| k.def().tier).collect();
    assert_eq!(&tiers[..8], &[Tier::Standard; 8]);
    assert_eq!(&tiers[8..], &[Tier::Advanced; 8]);
}

#[test]
fn defaults_check_and_an_empty_set_restricts_nothing() {
    let set = PolicySet::default();
    for key in PolicyKey::ALL {
        assert_eq!(key.default_value().checked(key), Ok(key.default_value()));
        assert_eq!(set.get(key), key.default_value());
    }
    assert!(!set.two_factor_required() && !set.sharing_disabled() && !set.sync_required());
    assert!(!set.portal_restricted() && !set.business_items_forced());
    assert_eq!(set.export_limit(), ExportLimit::Off);
    assert_eq!(set.password_max_age_days(), None);
    assert!(set.may_share_with("anyone@anywhere.example"));
    assert!(!set.page_disabled("https://psa.example.com/"));
}

#[test]
fn recommendations_are_values_the_policy_takes() {
    for key in PolicyKey::ALL {
        if let Recommendation::Value(v) = key.recommended() {
            assert_eq!(v.clone().checked(key), Ok(v), "{key:?}");
        }
    }
    // The two the seeds insist on.
    for key in [PolicyKey::OnlineBackups, PolicyKey::BackupBusinessItems] {
        assert_eq!(
            key.recommended(),
            Recommendation::Value(PolicyValue::Switch(true))
        );
    }
}

#[test]
fn a_value_of_the_wrong_shape_is_refused() {
    let err = PolicyValue::Switch(true)
        .checked(PolicyKey::DisableExports)
        .unwrap_err();
    assert!(err.contains("Disable exports"), "{err}");
    assert!(
        PolicyValue::EveryDays(Some(30))
            .checked(PolicyKey::TwoFactor)
            .is_err()
    );
}

#[test]
fn days_are_bounded() {
    let key = PolicyKey::MasterPasswordChange;
    assert!(PolicyValue::EveryDays(Some(0)).checked(key).is_err());
    assert!(
        PolicyValue::EveryDays(Some(MAX_DAYS + 1))
            .checked(key)
            .is_err()
    );
    assert_eq!(
        PolicyValue::EveryDays(Some(90)).checked(key),
        Ok(PolicyValue::EveryDays(Some(90)))
    );
}

#[test]
fn lists_are_cleaned_and_bad_entries_named() {
    let key = PolicyKey::RestrictSharingRecipients;
    let value = PolicyValue::Recipients(vec![
        " Example.COM ".into(),
        "@partner.example".into(),
        "Boss@Elsewhere.example".into(),
        "example.com".into(),
        "".into(),
    ]);
    assert_eq!(
        value.checked(key),
        Ok(PolicyValue::Recipients(vec![
            "boss@elsewhere.example".into(),
            "example.com".into(),
            "partner.example".into(),
        ]))
    );
    let err = PolicyValue::Recipients(vec!["not a domain".into()])
        .checked(key)
        .unwrap_err();
    assert!(err.contains("not a domain"), "{err}");
    let too_many = (0..=MAX_LIST).map(|i| format!("d{i}.example")).collect();
    assert!(PolicyValue::Recipients(too_many).checked(key).is_err());
    let pages = PolicyValue::UrlPatterns(vec![
        "https://PSA.example.com/admin/*".into(),
        "*.rmm.example".into(),
        "intranet.example/".into(),
    ]);
    assert_eq!(
        pages.checked(PolicyKey::DisabledPages),
        Ok(PolicyValue::UrlPatterns(vec![
            "intranet.example".into(),
            "psa.example.com/admin/*".into(),
            "rmm.example".into(),
        ]))
    );
    let notify = PolicyValue::Notifications(Notifications {
        admins: true,
        addresses: vec!["example.com".into()],
    });
    assert!(notify.checked(PolicyKey::UserChangeNotifications).is_err());
}

#[test]
fn recipients_match_domains_subdomains_and_addresses() {
    let mut set = PolicySet::default();
    set.set(
        PolicyKey::RestrictSharingRecipients,
        PolicyValue::Recipients(vec!["example.com".into(), "boss@other.example".into()]),
    );
    assert!(set.may_share_with("Anne@Example.com"));
    assert!(set.may_share_with("bob@eu.example.com"));
    assert!(set.may_share_with("boss@other.example"));
    assert!(!set.may_share_with("clerk@other.example"));
    assert!(!set.may_share_with("mallory@notexample.com"));
    assert!(!set.may_share_with("mallory@example.com.evil.example"));
}

#[test]
fn pages_match_domains_and_path_patterns() {
    let mut set = PolicySet::default();
    set.set(
        PolicyKey::DisabledPages,
        PolicyValue::UrlPatterns(vec!["psa.example.com/admin/*".into(), "rmm.example".into()]),
    );
    assert!(set.page_disabled("https://psa.example.com/admin/tickets?id=3"));
    assert!(!set.page_disabled("https://psa.example.com/login"));
    assert!(set.page_disabled("https://eu.rmm.example:8443/"));
    assert!(set.page_disabled("rmm.example"));
    assert!(!set.page_disabled("https://notrmm.example/"));
    assert!(!set.page_disabled("https://user@evil.example/rmm.example"));
}

#[test]
fn advanced_policies_hold_only_on_advanced() {
    let mut set = PolicySet::default();
    set.set(PolicyKey::TwoFactor, PolicyValue::Switch(true));
    set.set(PolicyKey::RestrictPortalAccess, PolicyValue::Switch(true));
    let standard = set.in_effect(Tier::Standard);
    assert!(standard.two_factor_required());
    assert!(!standard.portal_restricted());
    assert!(set.in_effect(Tier::Advanced).portal_restricted());
}

#[test]
fn setting_a_default_forgets_it_and_the_wire_form_is_a_map() {
    let mut set = PolicySet::default();
    set.set(
        PolicyKey::DisableExports,
        PolicyValue::Exports(ExportLimit::NoProfiles),
    );
    set.set(PolicyKey::TwoFactor, PolicyValue::Switch(false));
    assert_eq!(set.changed().count(), 1);
    let json = serde_json::to_value(&set).unwrap();
    assert_eq!(
        json,
        serde_json::json!({ "disable_exports": { "exports": "no_profiles" } })
    );
    assert_eq!(serde_json::from_value::<PolicySet>(json).unwrap(), set);
}

#[test]
fn company_domains_are_cleaned_and_matched() {
    assert_eq!(
        clean_domains(vec![
            " Acme.example ".into(),
            "*.acme.example".into(),
            "".into()
        ]),
        Ok(vec!["acme.example".into()])
    );
    assert!(clean_domains(vec!["not a domain".into()]).is_err());
    let domains = vec!["acme.example".to_owned()];
    assert_eq!(
        company_domain_of(&["https://portal.acme.example/login".into()], &domains),
        Some(&domains[0])
    );
    assert_eq!(
        company_domain_of(&["https://acme.example.evil.example/".into()], &domains),
        None
    );
    assert_eq!(company_domain_of(&[], &domains), None);
}
