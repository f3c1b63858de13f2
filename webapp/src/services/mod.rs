//! Services: where the app's work happens. They are built once in [`Services::provide_browser`]
//! and reached from components through context.

pub mod device;
pub mod status;

use leptos::prelude::*;

use crate::api::ApiClient;
use crate::cache::IndexedDbCache;
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
}

impl Services {
    /// Builds the browser's services and provides them to every component below.
    pub fn provide_browser() {
        let api = ApiClient::same_origin();
        let cache = IndexedDbCache::default();
        provide_context(Services(StoredValue::new_local(AppServices {
            status: StatusService::new(api),
            device: DeviceService::new(cache),
        })));
    }

    /// The services, from context.
    pub fn get() -> AppServices {
        expect_context::<Services>().0.get_value()
    }
}

/// Milliseconds since the Unix epoch, from the browser clock.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}
