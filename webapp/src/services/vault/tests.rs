//! The vault's local behaviour over the in-memory cache: what is written, kept and found.
#![allow(clippy::unwrap_used)]

use futures_executor::block_on;
use shared_types::FolderId;
use wasm_crypto::MasterPassword;

use super::items::DAY_MS;
use super::model::{HistoryReason, ItemData, ItemKind};
use super::*;
use crate::api::ApiClient;
use crate::cache::MemoryCache;
use crate::services::keys::make_account;
use shared_types::account::ProfileKind;

const FAST: wasm_crypto::KdfParams = wasm_crypto::KdfParams {
    memory_kib: 19 * 1024,
    iterations: 2,
    parallelism: 1,
};

fn keys() -> Arc<VaultKeys> {
    let password = MasterPassword::new("a long and unusual passphrase".into());
    Arc::new(
        make_account("v@example.com", &password, FAST)
            .unwrap()
            .vault,
    )
}

fn open(cache: &MemoryCache, keys: &Arc<VaultKeys>) -> VaultSession<MemoryCache> {
    block_on(VaultSession::open(
        cache.clone(),
        ApiClient::same_origin(),
        keys.clone(),
        1_000,
    ))
    .unwrap()
}

fn profile(session: &VaultSession<MemoryCache>, kind: ProfileKind) -> ContainerId {
    session
        .profiles()
        .into_iter()
        .find(|(_, k)| *k == kind)
        .unwrap()
        .0
}

fn login(title: &str, user: &str) -> ItemData {
    let mut item = ItemData::new(ItemKind::Login, 1);
    item.title = title.into();
    item.urls = vec![format!("https://{}.example", title.to_lowercase())];
    item.set_field("username", user.into());
    item.set_field("password", "pw".into());
    item.tags = vec!["work".into()];
    item
}

fn outbox(cache: &MemoryCache) -> Vec<RecordChange> {
    block_on(async {
        let mut out = Vec::new();
        for key in cache.keys(Store::Outbox).await.unwrap() {
            let bytes = cache.get(Store::Outbox, &key).await.unwrap().unwrap();
            out.push(serde_json::from_slice(&bytes).unwrap());
        }
        out
    })
}

#[test]
fn saved_items_survive_a_reopen_and_are_queued_sealed() {
    let (cache, keys) = (MemoryCache::default(), keys());
    let session = open(&cache, &keys);
    let personal = profile(&session, ProfileKind::Personal);
    let id = block_on(session.save_item(None, personal, login("Bank", "alice"), 5)).unwrap();
    drop(session);

    let session = open(&cache, &keys);
    let rows = session.rows(&Scope::All, "");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].summary.title, "Bank");
    assert_eq!(rows[0].summary.subtitle, "alice");
    let opened = block_on(session.item(id)).unwrap();
    assert!(opened.pending);
    assert_eq!(opened.data.field("password"), "pw");

    let queued = outbox(&cache);
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].base_revision, None);
    let sealed = &queued[0].data.as_ref().unwrap().0;
    assert!(!String::from_utf8_lossy(sealed).contains("Bank"));
}

#[test]
fn an_edit_keeps_the_old_version_which_can_be_restored() {
    let (cache, keys) = (MemoryCache::default(), keys());
    let session = open(&cache, &keys);
    let business = profile(&session, ProfileKind::Business);
    let id = block_on(session.save_item(None, business, login("Mail", "bob"), 5)).unwrap();
    let mut edited = block_on(session.item(id)).unwrap().data.clone();
    edited.set_field("password", "new-pw".into());
    block_on(session.save_item(Some(id), business, edited, 10)).unwrap();
    // Starring is not a new version.
    block_on(session.set_favourite(id, true, 11)).unwrap();

    let history = block_on(session.history(id)).unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].history.item.field("password"), "pw");
    assert_eq!(history[0].history.reason, HistoryReason::Edit);

    block_on(session.restore_version(id, history[0].id, 20)).unwrap();
    let now = block_on(session.item(id)).unwrap().data.clone();
    assert_eq!(now.field("password"), "pw");
    assert!(now.favourite, "restoring a version keeps the star");
    let history = block_on(session.history(id)).unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].history.reason, HistoryReason::Restore);
    assert_eq!(history[0].history.item.field("password"), "new-pw");
}

#[test]
fn trash_restore_and_purge_after_thirty_days() {
    let (cache, keys) = (MemoryCache::default(), keys());
    let session = open(&cache, &keys);
    let personal = profile(&session, ProfileKind::Personal);
    let kept = block_on(session.save_item(None, personal, login("Kept", "k"), 5)).unwrap();
    let old = block_on(session.save_item(None, personal, login("Old", "o"), 5)).unwrap();
    block_on(session.trash_item(kept, 1_000)).unwrap();
    block_on(session.trash_item(old, 1_000)).unwrap();
    assert!(session.rows(&Scope::All, "").is_empty());
    assert_eq!(session.rows(&Scope::Trash, "").len(), 2);
    block_on(session.restore_item(kept, 2_000)).unwrap();
    assert_eq!(session.rows(&Scope::All, "").len(), 1);

    // Opening 31 days later purges what stayed in the trash.
    let later = 1_000 + 31 * DAY_MS;
    drop(session);
    let session = block_on(VaultSession::open(
        cache.clone(),
        ApiClient::same_origin(),
        keys.clone(),
        later,
    ))
    .unwrap();
    assert!(session.rows(&Scope::Trash, "").is_empty());
    assert!(matches!(
        block_on(session.item(old)),
        Err(VaultError::Missing)
    ));
    // Never sent, so nothing is left to send for it either.
    assert!(outbox(&cache).iter().all(|c| c.id != old));
}

#[test]
fn folders_nest_move_and_take_their_items_to_the_trash_when_deleted() {
    let (cache, keys) = (MemoryCache::default(), keys());
    let session = open(&cache, &keys);
    let personal = profile(&session, ProfileKind::Personal);
    let a = block_on(session.create_folder(personal, "Clients", None, 1)).unwrap();
    let b = block_on(session.create_folder(personal, "Acme", Some(a), 1)).unwrap();
    let c = block_on(session.create_folder(personal, "Servers", Some(b), 1)).unwrap();
    let mut item = login("Router", "admin");
    item.folder = Some(c);
    let id = block_on(session.save_item(None, personal, item, 2)).unwrap();

    let tree = session.folders();
    assert_eq!(
        tree.iter()
            .map(|f| (f.depth, f.name.as_str()))
            .collect::<Vec<_>>(),
        vec![(0, "Clients"), (1, "Acme"), (2, "Servers")]
    );
    assert_eq!(session.rows(&Scope::Folder(personal, a), "").len(), 1);
    assert_eq!(
        session.rows(&Scope::All, "servers")[0].id,
        id,
        "by folder path"
    );
    assert_eq!(
        block_on(session.move_folder(a, Some(c), 3)),
        Err(VaultError::FolderCycle)
    );
    let d = block_on(session.create_folder(personal, "Other", None, 3)).unwrap();
    let targets: Vec<FolderId> = session
        .folder_destinations(b)
        .iter()
        .map(|f| f.id)
        .collect();
    assert_eq!(targets, vec![a, d], "not itself nor its own subfolder");
    block_on(session.rename_folder(b, "Acme Ltd", 3)).unwrap();
    assert_eq!(
        session.rows(&Scope::All, "")[0].folder_path,
        "Clients / Acme Ltd / Servers"
    );

    drop(session);
    let session = open(&cache, &keys);
    assert_eq!(session.folders().len(), 4, "names survive a reopen");
    block_on(session.delete_folder(b, 4)).unwrap();
    assert_eq!(session.folders().len(), 2);
    let trashed = session.rows(&Scope::Trash, "");
    assert_eq!(trashed.len(), 1);
    assert_eq!(trashed[0].summary.folder, None);
}

#[test]
fn search_matches_title_url_username_and_tag_in_both_profiles() {
    let (cache, keys) = (MemoryCache::default(), keys());
    let session = open(&cache, &keys);
    let personal = profile(&session, ProfileKind::Personal);
    let business = profile(&session, ProfileKind::Business);
    block_on(session.save_item(None, personal, login("Bank", "alice"), 1)).unwrap();
    let mut note = ItemData::new(ItemKind::SecureNote, 1);
    note.title = "Door code".into();
    note.tags = vec!["Office".into()];
    block_on(session.save_item(None, business, note, 1)).unwrap();
    assert_eq!(session.rows(&Scope::All, "BANK").len(), 1);
    assert_eq!(session.rows(&Scope::All, "bank.example").len(), 1);
    assert_eq!(session.rows(&Scope::All, "alice").len(), 1);
    assert_eq!(session.rows(&Scope::All, "office")[0].container, business);
    assert_eq!(session.rows(&Scope::All, "").len(), 2);
    assert!(session.rows(&Scope::All, "nothing-like-this").is_empty());
    assert_eq!(session.rows(&Scope::Container(business), "").len(), 1);
}

#[test]
fn moving_to_the_other_profile_rewraps_and_still_opens_with_its_history() {
    let (cache, keys) = (MemoryCache::default(), keys());
    let session = open(&cache, &keys);
    let personal = profile(&session, ProfileKind::Personal);
    let business = profile(&session, ProfileKind::Business);
    let id = block_on(session.save_item(None, personal, login("VPN", "me"), 1)).unwrap();
    let mut edited = block_on(session.item(id)).unwrap().data.clone();
    edited.title = "VPN (office)".into();
    block_on(session.save_item(Some(id), personal, edited, 2)).unwrap();
    block_on(session.move_to_container(id, business, None, 3)).unwrap();

    assert_eq!(session.rows(&Scope::Container(business), "")[0].id, id);
    assert!(session.rows(&Scope::Container(personal), "").is_empty());
    let reopened = open(&cache, &keys);
    let item = block_on(reopened.item(id)).unwrap();
    assert_eq!(item.container, business);
    assert_eq!(block_on(reopened.history(id)).unwrap().len(), 1);
    let change = outbox(&cache).into_iter().find(|c| c.id == id).unwrap();
    assert_eq!(change.container_id, business);
}

#[test]
fn a_damaged_record_is_listed_as_such_and_the_rest_still_opens() {
    let (cache, keys) = (MemoryCache::default(), keys());
    let session = open(&cache, &keys);
    let personal = profile(&session, ProfileKind::Personal);
    let good = block_on(session.save_item(None, personal, login("Good", "g"), 1)).unwrap();
    let bad = block_on(session.save_item(None, personal, login("Bad", "b"), 1)).unwrap();
    drop(session);
    // Flip a byte of one record and throw the index away, so opening rebuilds it.
    block_on(async {
        let key = item_key(bad);
        let mut record: VaultRecord =
            serde_json::from_slice(&cache.get(Store::Records, &key).await.unwrap().unwrap())
                .unwrap();
        if let Some(data) = record.data.as_mut() {
            data.0[20] ^= 0xff;
        }
        cache
            .put(Store::Records, &key, &serde_json::to_vec(&record).unwrap())
            .await
            .unwrap();
        for key in cache.keys(Store::Index).await.unwrap() {
            cache.delete(Store::Index, &key).await.unwrap();
        }
    });
    let session = open(&cache, &keys);
    let rows = session.rows(&Scope::All, "");
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().any(|r| r.id == bad && r.summary.kind.is_none()));
    assert!(matches!(
        block_on(session.item(bad)),
        Err(VaultError::Seal(_))
    ));
    assert_eq!(block_on(session.item(good)).unwrap().data.title, "Good");
}

#[test]
fn an_oversized_item_is_refused_and_nothing_is_written() {
    let (cache, keys) = (MemoryCache::default(), keys());
    let session = open(&cache, &keys);
    let personal = profile(&session, ProfileKind::Personal);
    let mut item = login("Huge", "h");
    item.notes = "x".repeat(200 * 1024);
    let err = block_on(session.save_item(None, personal, item, 1)).unwrap_err();
    assert!(err.to_string().contains("too large"), "{err}");
    assert!(session.rows(&Scope::All, "").is_empty());
    assert!(outbox(&cache).is_empty());
}

#[test]
fn an_import_creates_nested_folders_once_and_lists_every_item() {
    let (cache, keys) = (MemoryCache::default(), keys());
    let session = open(&cache, &keys);
    let business = profile(&session, ProfileKind::Business);
    let csv = "title,url,username,password,folder,tags\n\
               One,https://one.example,u1,p1,Clients/Acme,a\n\
               Two,https://two.example,u2,p2,Clients/Acme,b\n\
               Three,,u3,p3,Clients,\n";
    let items = import::items_from_csv(csv, 1).unwrap();
    assert_eq!(
        block_on(session.import_items(business, items, 1)).unwrap(),
        3
    );
    assert_eq!(
        session
            .folders()
            .iter()
            .map(|f| f.path.as_str())
            .collect::<Vec<_>>(),
        vec!["Clients", "Clients / Acme"]
    );
    // Importing again reuses the folders.
    let again = import::items_from_csv("title,folder\nFour,Clients/Acme\n", 2).unwrap();
    block_on(session.import_items(business, again, 2)).unwrap();
    assert_eq!(session.folders().len(), 2);
    drop(session);
    let session = open(&cache, &keys);
    assert_eq!(session.rows(&Scope::Container(business), "").len(), 4);
    assert_eq!(session.rows(&Scope::All, "acme").len(), 3);
    let id = session.rows(&Scope::All, "one.example")[0].id;
    assert_eq!(
        block_on(session.item(id)).unwrap().data.field("password"),
        "p1"
    );
    assert_eq!(outbox(&cache).len(), 4 + 2);
}

#[test]
fn an_index_out_of_step_with_the_records_is_rebuilt_by_the_check() {
    let (cache, keys) = (MemoryCache::default(), keys());
    let session = open(&cache, &keys);
    let personal = profile(&session, ProfileKind::Personal);
    block_on(session.save_item(None, personal, login("Kept", "k"), 1)).unwrap();
    // Another tab's index, written before this tab's item: the item is not listed.
    let stale = block_on(cache.get(Store::Index, &personal.to_string()))
        .unwrap()
        .unwrap();
    block_on(session.save_item(None, personal, login("Newer", "n"), 2)).unwrap();
    block_on(cache.put(Store::Index, &personal.to_string(), &stale)).unwrap();
    drop(session);
    let session = open(&cache, &keys);
    assert_eq!(session.rows(&Scope::All, "").len(), 1);
    assert!(!block_on(session.verify_index()).unwrap());
    assert_eq!(session.rows(&Scope::All, "").len(), 2);
    assert!(block_on(session.verify_index()).unwrap());
}

#[test]
fn only_an_unreachable_server_counts_as_offline() {
    assert!(VaultError::Api(ApiError::Unreachable).is_offline());
    let refused = ApiError::Server {
        status: 400,
        code: "bad_request".to_owned(),
        message: "no".to_owned(),
    };
    assert!(!VaultError::Api(refused).is_offline());
    assert!(!VaultError::Missing.is_offline());
}
