//! How [`IndexedDbCache`](super::IndexedDbCache) lays out the records store: not one
//! IndexedDB value per record, but a few values ("segments") that each hold many records.
//!
//! Chromium spends about 70 µs per value written to IndexedDB, whatever its size, so storing
//! the 10,000 records of a first sync one by one took 0.7 s of the browser's time. Instead:
//!
//! - A record belongs to one of [`BUCKETS`] buckets, chosen from the id it is filed under (the
//!   part of its key after the first `:`, up to the next one), so an item, its past versions
//!   (`h:{item}:…`) and nothing else of note share a bucket.
//! - A bucket is a short run of segments under the keys `{bucket}/{sequence}`. A write appends
//!   one segment to each bucket it touches, holding the new values and the deletions.
//! - A read takes the newest entry for a key, newest segment first.
//! - When a bucket reaches [`MAX_SEGMENTS`] segments, the write merges them all into one and
//!   drops what was overwritten or deleted.
//!
//! This module is the layout alone (keys, encoding, merging), so it is tested natively; the
//! IndexedDB calls are in `indexed_db.rs`.

use std::collections::BTreeMap;

use super::CacheError;

/// How many buckets the records are spread over. A first sync writes one segment per bucket
/// per page; opening a record reads one bucket (about 1/32 of the vault).
pub const BUCKETS: u32 = 32;

/// A bucket's segments are merged into one when a write would leave it with this many.
pub const MAX_SEGMENTS: usize = 32;

/// The first byte of every segment: the layout's version.
const FORMAT: u8 = 1;
const DELETED: u8 = 0;
const VALUE: u8 = 1;

/// What a write does to one key: a new value, or `None` for a deletion.
pub type Entries = BTreeMap<String, Option<Vec<u8>>>;

/// The bucket of a record key: a hash (FNV-1a, then mixed) of the id it is filed under. Stored
/// records are found by it: changing it, or [`BUCKETS`], needs the records moved.
pub fn bucket_of(key: &str) -> u32 {
    let owner = match key.split_once(':') {
        Some((_, rest)) => rest.split(':').next().unwrap_or(rest),
        None => key,
    };
    let hash = owner.bytes().fold(0x811c_9dc5u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    });
    // FNV's low bits are weak on text; MurmurHash3's finaliser mixes the high bits in.
    let mut hash = hash ^ (hash >> 16);
    hash = hash.wrapping_mul(0x85eb_ca6b);
    hash ^= hash >> 13;
    hash = hash.wrapping_mul(0xc2b2_ae35);
    hash ^= hash >> 16;
    hash % BUCKETS
}

/// The one bucket that holds every key starting with `prefix`, when the prefix names a whole
/// owner id (`h:{item}:`); `None` when keys of any bucket may match (`i:`).
pub fn bucket_of_prefix(prefix: &str) -> Option<u32> {
    let (_, rest) = prefix.split_once(':')?;
    rest.contains(':').then(|| bucket_of(prefix))
}

/// The first key of a bucket's segments; they all start with it.
pub fn bucket_prefix(bucket: u32) -> String {
    format!("{bucket:02x}/")
}

/// The key of a bucket's segment number `sequence` (keys sort in sequence order).
pub fn segment_key(bucket: u32, sequence: u64) -> String {
    format!("{bucket:02x}/{sequence:016x}")
}

/// The sequence number in a segment key.
pub fn sequence_of(key: &str) -> Result<u64, CacheError> {
    key.split_once('/')
        .and_then(|(_, sequence)| u64::from_str_radix(sequence, 16).ok())
        .ok_or_else(|| CacheError::Corrupt(format!("{key} is not a segment key")))
}

/// Encodes entries as a segment: the format byte, then per entry a tag, the key's length
/// (u16, little-endian) and bytes and, for a value, its length (u32) and bytes.
pub fn encode(entries: &Entries) -> Result<Vec<u8>, CacheError> {
    let size = entries
        .iter()
        .map(|(key, value)| 7 + key.len() + value.as_ref().map_or(0, Vec::len))
        .sum::<usize>();
    let mut out = Vec::with_capacity(1 + size);
    out.push(FORMAT);
    for (key, value) in entries {
        let key_len = u16::try_from(key.len())
            .map_err(|_| CacheError::Corrupt(format!("a key of {} bytes", key.len())))?;
        match value {
            None => out.push(DELETED),
            Some(_) => out.push(VALUE),
        }
        out.extend_from_slice(&key_len.to_le_bytes());
        out.extend_from_slice(key.as_bytes());
        if let Some(value) = value {
            let len = u32::try_from(value.len())
                .map_err(|_| CacheError::Corrupt("a value over 4 GiB".to_owned()))?;
            out.extend_from_slice(&len.to_le_bytes());
            out.extend_from_slice(value);
        }
    }
    Ok(out)
}

/// The entries of a segment, in order, without copying them. Damage is an error, and ends
/// the entries.
pub fn decode(segment: &[u8]) -> impl Iterator<Item = Result<Entry<'_>, CacheError>> {
    let mut rest = match segment.split_first() {
        Some((&FORMAT, rest)) => Ok(rest),
        _ => Err(CacheError::Corrupt(
            "a segment of stored records has an unknown layout".to_owned(),
        )),
    };
    std::iter::from_fn(move || {
        let bytes = match std::mem::replace(&mut rest, Ok(&[])) {
            Ok([]) => return None,
            Ok(bytes) => bytes,
            Err(e) => return Some(Err(e)),
        };
        Some(entry(bytes).map(|(entry, after)| {
            rest = Ok(after);
            entry
        }))
    })
}

/// One entry of a segment: a key, and its value or `None` for a deletion.
pub type Entry<'a> = (&'a str, Option<&'a [u8]>);

/// One entry, and the bytes after it.
fn entry(bytes: &[u8]) -> Result<(Entry<'_>, &[u8]), CacheError> {
    let damaged = || CacheError::Corrupt("a segment of stored records is cut short".to_owned());
    let (&tag, bytes) = bytes.split_first().ok_or_else(damaged)?;
    let (len, bytes) = bytes.split_first_chunk::<2>().ok_or_else(damaged)?;
    let (key, bytes) = bytes
        .split_at_checked(usize::from(u16::from_le_bytes(*len)))
        .ok_or_else(damaged)?;
    let key = std::str::from_utf8(key)
        .map_err(|_| CacheError::Corrupt("a stored key is not text".to_owned()))?;
    match tag {
        DELETED => Ok(((key, None), bytes)),
        VALUE => {
            let (len, bytes) = bytes.split_first_chunk::<4>().ok_or_else(damaged)?;
            let len = usize::try_from(u32::from_le_bytes(*len)).map_err(|_| damaged())?;
            let (value, bytes) = bytes.split_at_checked(len).ok_or_else(damaged)?;
            Ok(((key, Some(value)), bytes))
        }
        _ => Err(CacheError::Corrupt(
            "a segment of stored records has an unknown entry".to_owned(),
        )),
    }
}

/// The value under `key` in a bucket's segments (oldest first): the newest entry wins, and a
/// deletion hides older values.
pub fn find(segments: &[impl AsRef<[u8]>], key: &str) -> Result<Option<Vec<u8>>, CacheError> {
    for segment in segments.iter().rev() {
        for entry in decode(segment.as_ref()) {
            let (found, value) = entry?;
            if found == key {
                return Ok(value.map(<[u8]>::to_vec));
            }
        }
    }
    Ok(None)
}

/// Applies segments (oldest first) on top of `entries`: newer entries replace older ones.
pub fn apply(entries: &mut Entries, segments: &[impl AsRef<[u8]>]) -> Result<(), CacheError> {
    for segment in segments {
        for entry in decode(segment.as_ref()) {
            let (key, value) = entry?;
            entries.insert(key.to_owned(), value.map(<[u8]>::to_vec));
        }
    }
    Ok(())
}

/// What segments (oldest first) hold: the live records by key, deletions dropped.
pub fn live(segments: &[impl AsRef<[u8]>]) -> Result<BTreeMap<String, Vec<u8>>, CacheError> {
    let mut entries = Entries::new();
    apply(&mut entries, segments)?;
    Ok(entries
        .into_iter()
        .filter_map(|(key, value)| Some((key, value?)))
        .collect())
}

/// The keys of the live records in segments (oldest first), in key order, without copying
/// any value: listing the keys is on every sync's way (the index check).
pub fn live_keys(segments: &[impl AsRef<[u8]>]) -> Result<Vec<String>, CacheError> {
    let mut alive: BTreeMap<&str, bool> = BTreeMap::new();
    for segment in segments {
        for entry in decode(segment.as_ref()) {
            let (key, value) = entry?;
            alive.insert(key, value.is_some());
        }
    }
    Ok(alive
        .into_iter()
        .filter(|&(_, alive)| alive)
        .map(|(key, _)| key.to_owned())
        .collect())
}

/// One bucket's part of a write, from the keys of the segments it has now (in key order): the
/// key of the segment to write and whether it replaces them all. At [`MAX_SEGMENTS`] the old
/// segments are read, merged with the new entries into one, and removed.
pub struct Plan {
    /// The key of the segment to write.
    pub key: String,
    /// Whether the existing segments must be read and merged in (and then removed).
    pub merge: bool,
}

impl Plan {
    pub fn new(bucket: u32, existing: &[String]) -> Result<Self, CacheError> {
        let next = match existing.last() {
            Some(last) => sequence_of(last)? + 1,
            None => 0,
        };
        Ok(Self {
            key: segment_key(bucket, next),
            merge: existing.len() + 1 >= MAX_SEGMENTS,
        })
    }
}

/// The merged segment of a bucket: its existing segments (oldest first), then `entries`, with
/// deletions dropped (nothing older is left for them to hide).
pub fn merged(existing: &[impl AsRef<[u8]>], entries: Entries) -> Result<Vec<u8>, CacheError> {
    let mut all = Entries::new();
    apply(&mut all, existing)?;
    all.extend(entries);
    all.retain(|_, value| value.is_some());
    encode(&all)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(list: &[(&str, Option<&str>)]) -> Entries {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), v.map(|v| v.as_bytes().to_vec())))
            .collect()
    }

    #[test]
    fn an_item_and_its_past_versions_share_a_bucket() {
        let item = "0b9c3f0e-8f6a-4b55-9d1e-2a7c4f1b9e01";
        let bucket = bucket_of(&format!("i:{item}"));
        assert_eq!(bucket_of(&format!("h:{item}:v1")), bucket);
        assert_eq!(bucket_of(&format!("h:{item}:v2")), bucket);
        assert_eq!(bucket_of_prefix(&format!("h:{item}:")), Some(bucket));
        assert_eq!(bucket_of_prefix("i:"), None);
        assert_eq!(bucket_of_prefix("h:"), None);
        assert!(bucket < BUCKETS);
    }

    #[test]
    fn keys_spread_over_every_bucket() {
        let mut counts = [0u32; BUCKETS as usize];
        for n in 0..10_000u32 {
            counts[bucket_of(&format!("i:{n:08x}-0000-4000-8000-{n:012x}")) as usize] += 1;
        }
        let (min, max) = (
            counts.iter().min().expect("buckets"),
            counts.iter().max().expect("buckets"),
        );
        assert!(*min > 200 && *max < 430, "{counts:?}");
    }

    #[test]
    fn segments_round_trip_values_and_deletions() {
        let written = entries(&[("i:a", Some("one")), ("i:b", None), ("h:a:1", Some(""))]);
        let segment = encode(&written).expect("valid");
        let read: Vec<_> = decode(&segment).map(|e| e.expect("an entry")).collect();
        assert_eq!(
            read,
            vec![
                ("h:a:1", Some(&b""[..])),
                ("i:a", Some(&b"one"[..])),
                ("i:b", None)
            ]
        );
        assert_eq!(decode(&encode(&Entries::new()).expect("valid")).count(), 0);
    }

    #[test]
    fn damaged_segments_are_errors_not_panics() {
        let segment = encode(&entries(&[("i:a", Some("value"))])).expect("valid");
        // The format byte alone is an empty segment; any longer cut is damage.
        for len in 2..segment.len() {
            let result: Result<Vec<_>, _> = decode(&segment[..len]).collect();
            assert!(result.is_err(), "cut at {len}");
        }
        assert!(decode(&[]).collect::<Result<Vec<_>, _>>().is_err());
        assert!(decode(&[9, 1]).collect::<Result<Vec<_>, _>>().is_err());
        let mut unknown = segment.clone();
        unknown[1] = 7;
        assert!(decode(&unknown).collect::<Result<Vec<_>, _>>().is_err());
    }

    #[test]
    fn the_newest_entry_wins_and_a_deletion_hides_older_values() {
        let segments = vec![
            encode(&entries(&[("i:a", Some("1")), ("i:b", Some("1"))])).expect("valid"),
            encode(&entries(&[("i:a", Some("2")), ("i:c", Some("2"))])).expect("valid"),
            encode(&entries(&[("i:b", None)])).expect("valid"),
        ];
        assert_eq!(find(&segments, "i:a").expect("valid"), Some(b"2".to_vec()));
        assert_eq!(find(&segments, "i:b").expect("valid"), None);
        assert_eq!(find(&segments, "i:c").expect("valid"), Some(b"2".to_vec()));
        assert_eq!(find(&segments, "i:d").expect("valid"), None);
        let live = live(&segments).expect("valid");
        assert_eq!(
            live.keys().map(String::as_str).collect::<Vec<_>>(),
            ["i:a", "i:c"]
        );
        assert_eq!(live_keys(&segments).expect("valid"), ["i:a", "i:c"]);
    }

    #[test]
    fn a_full_bucket_is_merged_into_one_segment_without_deletions() {
        let existing: Vec<String> = (0..MAX_SEGMENTS as u64 - 2)
            .map(|n| segment_key(3, n))
            .collect();
        let plan = Plan::new(3, &existing).expect("valid");
        assert_eq!(plan.key, segment_key(3, MAX_SEGMENTS as u64 - 2));
        assert!(!plan.merge);

        let existing: Vec<String> = (5..5 + MAX_SEGMENTS as u64 - 1)
            .map(|n| segment_key(3, n))
            .collect();
        let plan = Plan::new(3, &existing).expect("valid");
        assert_eq!(plan.key, segment_key(3, 5 + MAX_SEGMENTS as u64 - 1));
        assert!(plan.merge);

        let old = vec![
            encode(&entries(&[("i:a", Some("1")), ("i:b", Some("1"))])).expect("valid"),
            encode(&entries(&[("i:c", Some("1"))])).expect("valid"),
        ];
        let merged = merged(&old, entries(&[("i:b", None), ("i:c", Some("2"))])).expect("valid");
        let read: Vec<_> = decode(&merged).map(|e| e.expect("an entry")).collect();
        assert_eq!(
            read,
            vec![("i:a", Some(&b"1"[..])), ("i:c", Some(&b"2"[..]))]
        );
    }

    #[test]
    fn segment_keys_sort_in_sequence_order() {
        let mut keys: Vec<String> = [0u64, 9, 10, 255, 256, 70_000]
            .iter()
            .map(|n| segment_key(31, *n))
            .collect();
        let sorted = keys.clone();
        keys.sort();
        assert_eq!(keys, sorted);
        assert_eq!(
            sequence_of(&segment_key(31, 70_000)).expect("valid"),
            70_000
        );
        assert!(segment_key(0, u64::MAX) < bucket_prefix(1));
        assert!(sequence_of("records").is_err());
    }
}
