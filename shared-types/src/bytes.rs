//! Binary data in JSON: unpadded URL-safe base64.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Bytes that travel as an unpadded URL-safe base64 string: ciphertext, wrapped keys, public
/// keys, signatures. Opaque to the server.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Base64Bytes(pub Vec<u8>);

impl Base64Bytes {
    /// The raw bytes.
    pub fn as_slice(&self) -> &[u8] {
        &self.0
    }

    /// Takes the raw bytes.
    pub fn into_inner(self) -> Vec<u8> {
        self.0
    }

    /// The base64 text.
    pub fn to_base64(&self) -> String {
        URL_SAFE_NO_PAD.encode(&self.0)
    }
}

impl From<Vec<u8>> for Base64Bytes {
    fn from(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }
}

impl core::fmt::Debug for Base64Bytes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Base64Bytes({} bytes)", self.0.len())
    }
}

impl Serialize for Base64Bytes {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_base64())
    }
}

impl<'de> Deserialize<'de> for Base64Bytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        URL_SAFE_NO_PAD
            .decode(text.as_bytes())
            .map(Self)
            .map_err(|_| serde::de::Error::custom("expected unpadded URL-safe base64"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trips_through_json_as_unpadded_url_safe_base64() {
        let bytes = Base64Bytes(vec![0xfb, 0xff, 0x00, 0x01]);
        let json = serde_json::to_string(&bytes).unwrap();
        assert_eq!(json, "\"-_8AAQ\"");
        assert_eq!(serde_json::from_str::<Base64Bytes>(&json).unwrap(), bytes);
    }

    #[test]
    fn refuses_padding_and_standard_alphabet() {
        assert!(serde_json::from_str::<Base64Bytes>("\"+/8AAQ\"").is_err());
        assert!(serde_json::from_str::<Base64Bytes>("\"-_8AAQ==\"").is_err());
    }
}
