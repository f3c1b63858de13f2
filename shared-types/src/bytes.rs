//! Binary data: unpadded URL-safe base64 in JSON (and other text formats), the bytes themselves
//! in binary formats (the vault's binary wire).

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
        if serializer.is_human_readable() {
            serializer.serialize_str(&self.to_base64())
        } else {
            serializer.serialize_bytes(&self.0)
        }
    }
}

/// Reads the bytes of a binary format.
struct BytesVisitor;

impl<'de> serde::de::Visitor<'de> for BytesVisitor {
    type Value = Base64Bytes;

    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("bytes")
    }

    fn visit_bytes<E: serde::de::Error>(self, bytes: &[u8]) -> Result<Self::Value, E> {
        Ok(Base64Bytes(bytes.to_vec()))
    }

    fn visit_byte_buf<E: serde::de::Error>(self, bytes: Vec<u8>) -> Result<Self::Value, E> {
        Ok(Base64Bytes(bytes))
    }
}

impl<'de> Deserialize<'de> for Base64Bytes {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if !deserializer.is_human_readable() {
            return deserializer.deserialize_byte_buf(BytesVisitor);
        }
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
    fn travels_as_the_bytes_themselves_in_a_binary_format() {
        let bytes = Base64Bytes(vec![0xfb, 0xff, 0x00, 0x01]);
        let binary = postcard::to_allocvec(&bytes).unwrap();
        assert_eq!(
            binary,
            vec![4, 0xfb, 0xff, 0x00, 0x01],
            "a length, then the bytes"
        );
        assert_eq!(postcard::from_bytes::<Base64Bytes>(&binary).unwrap(), bytes);
    }

    #[test]
    fn refuses_padding_and_standard_alphabet() {
        assert!(serde_json::from_str::<Base64Bytes>("\"+/8AAQ\"").is_err());
        assert!(serde_json::from_str::<Base64Bytes>("\"-_8AAQ==\"").is_err());
    }
}
