//! Services: where the app's work happens. They are built once in [`Services::provide_browser`]
//! and reached from components through context.

pub mod auth;
pub mod clipboard;
pub mod device;
pub mod generator;
pub mod kdf_pin;
pub mod keys;
pub mod offline;
pub mod orgs;
pub mod other_tabs;
pub mod policies;
pub mod preferences;
pub mod sharing;
pub mod status;
pub mod strength;
pub mod sync;
pub mod vault;

use leptos::prelude::*;

use crate::api::ApiClient;
use crate::cache::IndexedDbCache;
pub use crate::cache::StorageState;
use auth::{AuthService, AuthStatus};
use device::DeviceService;
use status::StatusService;

/// Every service the app uses, in one context value. IndexedDB handles are not `Send`, so the
/// services live in local (single-threaded) storage and the context holds a `Copy` handle.
#[derive(Clone, Copy)]
pub struct Services(StoredValue<AppServices, LocalStorage>);

/// The service instances.
#[derive(Clone)]
pub struct AppServices {
    /// Server status and the crypto self-check.
    pub status: StatusService,
    /// This browser's identity.
    pub device: DeviceService<IndexedDbCache>,
    /// Sign-up, sign-in, lock and unlock.
    pub auth: AuthService<IndexedDbCache>,
    /// This browser's preferences.
    pub preferences: preferences::Preferences<IndexedDbCache>,
    /// The API client (the vault session talks to the server through it).
    pub api: ApiClient,
    /// This browser's store (the vault session keeps the vault in it).
    pub cache: IndexedDbCache,
    /// Companies, partners and their admin pages.
    pub orgs: orgs::OrgService,
    /// Security policies: the member's own, and the policy pages'.
    pub policies: policies::PolicyService,
}

/// Where the person stands (signed out, locked, unlocked), for every component.
#[derive(Clone, Copy)]
pub struct Auth(pub RwSignal<AuthStatus>);

/// Whether this browser's store is waiting for another tab, or was upgraded by one (see
/// `cache::IndexedDbCache`), for the frame to show.
#[derive(Clone, Copy)]
pub struct Storage(pub RwSignal<StorageState>);

impl Services {
    /// Builds the browser's services and provides them to every component below.
    pub fn provide_browser() {
        let api = ApiClient::same_origin();
        let cache = IndexedDbCache::default();
        let storage = RwSignal::new(StorageState::Ready);
        cache.watch(move |state| storage.set(state));
        provide_context(Storage(storage));
        let memberships = RwSignal::new(None);
        let mine = RwSignal::new(None);
        provide_context(Services(StoredValue::new_local(AppServices {
            orgs: orgs::OrgService::new(api.clone(), memberships),
            policies: policies::PolicyService::new(api.clone(), mine),
            status: StatusService::new(api.clone()),
            device: DeviceService::new(cache.clone()),
            auth: AuthService::new(api.clone(), cache.clone()),
            preferences: preferences::Preferences::new(cache.clone()),
            api,
            cache,
        })));
        provide_context(Auth(RwSignal::new(AuthStatus::Loading)));
        orgs::Orgs::provide(Self::get().api, memberships);
        sync::VaultService::provide();
        policies::Policies::provide(Self::get().api, Self::get().cache, mine);
    }

    /// The services, from context.
    pub fn get() -> AppServices {
        Self::handle().all()
    }

    /// The `Copy` handle, from context: capture it in event handlers and views (which must be
    /// `Send`), and reach the services through it when they run.
    pub fn handle() -> Services {
        expect_context::<Services>()
    }

    /// The services behind this handle.
    pub fn all(self) -> AppServices {
        self.0.get_value()
    }

    /// The organization service behind this handle.
    pub fn orgs(self) -> orgs::OrgService {
        self.all().orgs
    }

    /// The policy service behind this handle.
    pub fn policies(self) -> policies::PolicyService {
        self.all().policies
    }

    /// The account service behind this handle.
    pub fn auth(self) -> AuthService<IndexedDbCache> {
        self.all().auth
    }
}

impl Storage {
    /// The storage state signal, from context.
    pub fn get() -> RwSignal<StorageState> {
        expect_context::<Storage>().0
    }
}

impl Auth {
    /// The auth status signal, from context.
    pub fn get() -> RwSignal<AuthStatus> {
        expect_context::<Auth>().0
    }
}

/// A Unix time (seconds) as the person's local date and time.
pub fn local_time(unix: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(unix as f64 * 1000.0));
    String::from(date.to_locale_string("default", &wasm_bindgen::JsValue::UNDEFINED))
}

/// Milliseconds since the Unix epoch, from the browser clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// A User Timing mark in the browser, for benchmarks to read (nothing natively).
pub fn mark(name: &str) {
    #[cfg(target_arch = "wasm32")]
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = name;
}

/// A User Timing measure `name` between two earlier marks (nothing natively).
pub fn measure(name: &str, start: &str, end: &str) {
    #[cfg(target_arch = "wasm32")]
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.measure_with_start_mark_and_end_mark(name, start, end);
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (name, start, end);
}

/// Lets the browser paint (a "working…" state) before a long computation such as Argon2id.
pub async fn yield_to_browser() {
    gloo_timers::future::TimeoutFuture::new(20).await;
}
