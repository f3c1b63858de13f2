//! sea-orm entities. They are storage types only: handlers map them to `shared-types` DTOs and
//! never send them as they are.

pub mod server_secret;
