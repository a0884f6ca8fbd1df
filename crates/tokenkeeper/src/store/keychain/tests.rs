use super::fake::FakeKeychain;
use super::*;

fn config() -> KeychainConfig {
    KeychainConfig::new("com.example.app.tokenkeeper")
}

fn store() -> KeychainStore<FakeKeychain> {
    KeychainStore::with_api(FakeKeychain::new(), config())
}

fn store_in_group() -> KeychainStore<FakeKeychain> {
    KeychainStore::with_api(
        FakeKeychain::new(),
        config().with_access_group("TEAMID.com.example.shared"),
    )
}

// --- status mapping ---

#[test]
fn item_not_found_is_not_found() {
    for operation in [
        Operation::Add,
        Operation::Update,
        Operation::CopyMatching,
        Operation::Delete,
    ] {
        assert_eq!(
            store_error(operation, status::ITEM_NOT_FOUND),
            StoreError::NotFound
        );
    }
}

#[test]
fn interaction_not_allowed_is_unavailable() {
    let error = store_error(Operation::CopyMatching, -25308);
    assert!(
        matches!(&error, StoreError::Unavailable(m) if m.contains("-25308")),
        "{error:?}"
    );
}

#[test]
fn auth_failed_and_user_cancel_are_unavailable() {
    for code in [-25293, -128] {
        let error = store_error(Operation::CopyMatching, code);
        assert!(
            matches!(&error, StoreError::Unavailable(m) if m.contains(&code.to_string())),
            "{error:?}"
        );
    }
}

#[test]
fn decode_is_corrupt() {
    assert!(matches!(
        store_error(Operation::CopyMatching, -26275),
        StoreError::Corrupt(_)
    ));
}

#[test]
fn missing_entitlement_is_other() {
    let error = store_error(Operation::Add, -34018);
    assert!(
        matches!(&error, StoreError::Other(m) if m.contains("-34018") && m.contains("entitlement"))
    );
}

#[test]
fn unresolved_duplicate_is_other() {
    assert!(matches!(
        store_error(Operation::Add, -25299),
        StoreError::Other(_)
    ));
}

#[test]
fn any_other_status_is_other_with_the_number() {
    for code in [-50, -4, -25291, 1, -99999] {
        let error = store_error(Operation::Update, code);
        assert!(
            matches!(&error, StoreError::Other(m) if m.contains(&code.to_string()) && m.contains("SecItemUpdate")),
            "{error:?}"
        );
    }
}

#[test]
fn errors_never_carry_the_data() {
    let store = store();
    store.set("k", b"secret-token-value").unwrap();
    for code in [-25308, -25293, -128, -26275, -34018, -50, -1] {
        store.api().fail_next(code);
        let error = store.get("k").unwrap_err();
        assert!(!error.to_string().contains("secret-token-value"));
    }
}

// --- query attributes ---

fn attributes_of(query: &ItemQuery) -> [Vec<Attribute>; 3] {
    [
        query.search_attributes(),
        query.add_attributes(),
        query.copy_attributes(),
    ]
}

#[test]
fn every_query_is_a_generic_password_by_service_and_account() {
    let query = ItemQuery::new(&config(), "tokenkeeper.default.session");
    for attributes in attributes_of(&query) {
        assert!(attributes.contains(&Attribute::Class(ItemClass::GenericPassword)));
        assert!(attributes.contains(&Attribute::Service("com.example.app.tokenkeeper".into())));
        assert!(attributes.contains(&Attribute::Account("tokenkeeper.default.session".into())));
    }
}

#[test]
fn every_query_is_never_synchronizable_and_uses_the_data_protection_keychain() {
    let query = ItemQuery::new(&config(), "k");
    assert!(!query.synchronizable);
    assert!(query.data_protection_keychain);
    for attributes in attributes_of(&query) {
        assert!(attributes.contains(&Attribute::Synchronizable(false)));
        assert!(!attributes.contains(&Attribute::Synchronizable(true)));
        assert!(attributes.contains(&Attribute::UseDataProtectionKeychain(true)));
    }
}

#[test]
fn items_are_written_after_first_unlock_this_device_only() {
    let query = ItemQuery::new(&config(), "k");
    let accessible = Attribute::Accessible(Accessibility::AfterFirstUnlockThisDeviceOnly);
    assert!(query.add_attributes().contains(&accessible));
    assert_eq!(query.update_attributes(), vec![accessible.clone()]);
    // Not a search criterion: an item from an older version is still found.
    assert!(!query.search_attributes().contains(&accessible));
    assert!(!query.copy_attributes().contains(&accessible));
}

#[test]
fn access_group_only_when_configured() {
    let without = ItemQuery::new(&config(), "k");
    for attributes in attributes_of(&without) {
        assert!(
            !attributes
                .iter()
                .any(|a| matches!(a, Attribute::AccessGroup(_)))
        );
    }
    let with = ItemQuery::new(
        &config().with_access_group("TEAMID.com.example.shared"),
        "k",
    );
    for attributes in attributes_of(&with) {
        assert!(attributes.contains(&Attribute::AccessGroup("TEAMID.com.example.shared".into())));
    }
}

#[test]
fn only_copy_asks_for_the_data() {
    let query = ItemQuery::new(&config(), "k");
    assert!(
        query
            .copy_attributes()
            .contains(&Attribute::ReturnData(true))
    );
    for attributes in [
        query.search_attributes(),
        query.add_attributes(),
        query.update_attributes(),
    ] {
        assert!(
            !attributes
                .iter()
                .any(|a| matches!(a, Attribute::ReturnData(_)))
        );
    }
}

#[test]
fn the_store_sends_these_attributes_for_each_call() {
    let store = store_in_group();
    store.set("k", b"1").unwrap();
    store.set("k", b"2").unwrap();
    store.get("k").unwrap();
    store.delete("k").unwrap();
    let query = ItemQuery::new(store.config(), "k");
    let seen: Vec<_> = store
        .api()
        .calls()
        .into_iter()
        .map(|call| (call.operation, call.attributes, call.update_attributes))
        .collect();
    assert_eq!(
        seen,
        vec![
            (Operation::Add, query.add_attributes(), vec![]),
            (Operation::Add, query.add_attributes(), vec![]),
            (
                Operation::Update,
                query.search_attributes(),
                query.update_attributes()
            ),
            (Operation::CopyMatching, query.copy_attributes(), vec![]),
            (Operation::Delete, query.search_attributes(), vec![]),
        ]
    );
}

// --- store logic ---

#[test]
fn set_adds_then_updates_a_duplicate() {
    let store = store();
    store.set("k", b"first").unwrap();
    store.set("k", b"second").unwrap();
    let statuses: Vec<_> = store
        .api()
        .calls()
        .into_iter()
        .map(|call| (call.operation, call.status))
        .collect();
    assert_eq!(
        statuses,
        vec![
            (Operation::Add, status::SUCCESS),
            (Operation::Add, status::DUPLICATE_ITEM),
            (Operation::Update, status::SUCCESS),
        ]
    );
    assert_eq!(store.get("k").unwrap(), b"second");
    let items = store.api().items();
    assert_eq!(items.len(), 1, "updated in place, not a second item");
    assert_eq!(
        items[0].accessibility,
        Accessibility::AfterFirstUnlockThisDeviceOnly
    );
}

#[test]
fn set_adds_again_when_the_item_vanishes_between_add_and_update() {
    let store = store();
    store.api().fail_next(status::DUPLICATE_ITEM);
    store.api().fail_next(status::ITEM_NOT_FOUND);
    store.set("k", b"v").unwrap();
    assert_eq!(store.get("k").unwrap(), b"v");
}

#[test]
fn set_gives_up_when_the_item_keeps_changing() {
    let store = store();
    for _ in 0..SET_ATTEMPTS {
        store.api().fail_next(status::DUPLICATE_ITEM);
        store.api().fail_next(status::ITEM_NOT_FOUND);
    }
    assert!(matches!(store.set("k", b"v"), Err(StoreError::Other(_))));
}

#[test]
fn set_reports_update_failures() {
    let store = store();
    store.set("k", b"old").unwrap();
    store.api().fail_next(status::DUPLICATE_ITEM);
    store.api().fail_next(-25308);
    assert!(matches!(
        store.set("k", b"new"),
        Err(StoreError::Unavailable(_))
    ));
    assert_eq!(store.get("k").unwrap(), b"old");
}

#[test]
fn get_of_a_missing_item_is_not_found() {
    assert_eq!(store().get("missing"), Err(StoreError::NotFound));
}

#[test]
fn delete_of_a_missing_item_is_fine() {
    let store = store();
    assert_eq!(store.delete("missing"), Ok(()));
    assert_eq!(store.api().calls()[0].status, status::ITEM_NOT_FOUND);
}

#[test]
fn unreadable_data_is_corrupt() {
    let store = store();
    store.set("k", b"v").unwrap();
    store.api().fail_next(status::DECODE);
    assert!(matches!(store.get("k"), Err(StoreError::Corrupt(_))));
}

#[test]
fn a_locked_keychain_is_unavailable_for_every_operation_not_empty() {
    let store = store();
    store.set("k", b"v").unwrap();
    store.api().set_locked(true);
    assert!(matches!(store.get("k"), Err(StoreError::Unavailable(_))));
    assert!(matches!(
        store.get("missing"),
        Err(StoreError::Unavailable(_))
    ));
    assert!(matches!(
        store.set("k", b"w"),
        Err(StoreError::Unavailable(_))
    ));
    assert!(matches!(store.delete("k"), Err(StoreError::Unavailable(_))));
    store.api().set_locked(false);
    assert_eq!(
        store.get("k").unwrap(),
        b"v",
        "nothing changed while locked"
    );
}

#[test]
fn a_locked_keychain_fails_compare_and_set_without_writing() {
    let store = crate::store::Serialized::new(store());
    crate::store::SecureStore::set(&store, "k", b"v").unwrap();
    store.backend().api().set_locked(true);
    assert!(matches!(
        crate::store::SecureStore::compare_and_set(&store, "k", Some(b"v"), None),
        Err(StoreError::Unavailable(_))
    ));
    store.backend().api().set_locked(false);
    assert_eq!(crate::store::SecureStore::get(&store, "k").unwrap(), b"v");
}

#[test]
fn access_groups_keep_items_apart() {
    let api = FakeKeychain::new();
    let shared = KeychainStore::with_api(api, config().with_access_group("TEAMID.shared"));
    shared.set("k", b"shared").unwrap();
    assert_eq!(
        shared.api().items()[0].query.access_group.as_deref(),
        Some("TEAMID.shared")
    );
}
