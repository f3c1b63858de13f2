//! The one error type of the crate. Its variants are deliberately vague about *why* something
//! could not be opened: telling a caller (or an attacker driving it) which check failed would
//! help an attacker more than it helps a person.

/// Everything that can go wrong in `wasm-crypto`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The master password is wrong, or the password envelope was altered.
    #[error("the master password is wrong")]
    WrongPassword,
    /// The data could not be opened: wrong key, altered bytes, or data moved to another object.
    #[error("the data could not be decrypted")]
    Decrypt,
    /// The data was made by a newer (or unknown) format version.
    #[error(
        "the data uses format version {0}, which this version of Strongroom cannot read; reload the app to update it"
    )]
    UnsupportedVersion(u8),
    /// The bytes are not the kind of object the caller expected, or are cut short.
    #[error("malformed encrypted data: {0}")]
    Malformed(&'static str),
    /// Key-derivation parameters below the floor this client accepts.
    #[error(
        "the key-derivation settings are too weak (memory {memory_kib} KiB, {iterations} iterations); Strongroom requires at least {min_memory_kib} KiB and {min_iterations} iterations"
    )]
    KdfTooWeak {
        /// Memory cost asked for, in KiB.
        memory_kib: u32,
        /// Iterations asked for.
        iterations: u32,
        /// The floor for memory, in KiB.
        min_memory_kib: u32,
        /// The floor for iterations.
        min_iterations: u32,
    },
    /// Key-derivation parameters above what a browser can afford (a denial-of-service guard).
    #[error(
        "the key-derivation settings are too costly (memory {memory_kib} KiB, {iterations} iterations, parallelism {parallelism}); the limit is {max_memory_kib} KiB, {max_iterations} iterations and parallelism {max_parallelism}"
    )]
    KdfTooCostly {
        /// Memory cost asked for, in KiB.
        memory_kib: u32,
        /// Iterations asked for.
        iterations: u32,
        /// Parallelism asked for.
        parallelism: u32,
        /// The ceiling for memory, in KiB.
        max_memory_kib: u32,
        /// The ceiling for iterations.
        max_iterations: u32,
        /// The ceiling for parallelism.
        max_parallelism: u32,
    },
    /// A signature does not verify under the given key and statement.
    #[error("the signature is not valid")]
    BadSignature,
    /// The built-in known-answer check gave a wrong result: this platform computes differently.
    #[error("the cryptography self-check failed at: {0}")]
    SelfTest(&'static str),
    /// A public key is not a valid curve point or has the wrong length.
    #[error("the public key is not valid")]
    InvalidPublicKey,
}

/// The crate's result type.
pub type Result<T, E = Error> = core::result::Result<T, E>;
