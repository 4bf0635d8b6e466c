//! G1, G2: a client-side key is Django's signed data, and any altered key
//! is treated as absent.

use std::io::Read;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use session_core::{SessionKey, SessionStore};

use crate::cx::{Checked, Cx, Expect, data, ensure, ensure_eq, off, record, session};
use crate::harness::Harness;
use crate::report::Outcome;

/// Django's base62 alphabet (`django.core.signing.BASE62_ALPHABET`).
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn b62_encode(n: i64) -> String {
    let mut rest = n.unsigned_abs();
    let mut digits = Vec::new();
    loop {
        digits.push(BASE62[(rest % 62) as usize]);
        rest /= 62;
        if rest == 0 {
            break;
        }
    }
    if n < 0 {
        digits.push(b'-');
    }
    digits.reverse();
    String::from_utf8(digits).expect("ascii")
}

/// Decodes the payload of `payload:timestamp:signature` as Django's
/// `signing.loads` would, without checking the signature.
fn decode_payload(payload: &str) -> Result<Vec<u8>, String> {
    let (compressed, text) = match payload.strip_prefix('.') {
        Some(rest) => (true, rest),
        None => (false, payload),
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|e| format!("payload is not unpadded URL-safe base64: {e}"))?;
    if !compressed {
        return Ok(bytes);
    }
    let mut json = Vec::new();
    flate2::read::ZlibDecoder::new(&bytes[..])
        .read_to_end(&mut json)
        .map_err(|e| format!("payload marked compressed is not zlib: {e}"))?;
    Ok(json)
}

pub(crate) async fn g1_client_side_key_is_djangos_signed_format<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    let (_ctx, store) = cx.open().await?;
    if store.capabilities().server_side {
        return off(
            "capabilities().server_side is true: keys are random, not signed data (G1 is covered by session-core's signing tests)",
        );
    }
    if !cx.h.keys_are_django_signed() {
        return off(
            "the harness declares keys in a format other than Django's signed_cookies (keys_are_django_signed() is false)",
        );
    }
    let compressible = "ab".repeat(200);
    for rec in [
        record(
            &*store,
            data([("user", json!(42)), ("ключ", json!("значение ✓"))]),
        ),
        record(&*store, data([("long", json!(compressible))])),
    ] {
        let key = store.create(&rec).await.ok_or_fail("G1", "create")?;
        let parts: Vec<&str> = key.as_str().rsplitn(3, ':').collect();
        ensure!(
            parts.len() == 3,
            "G1",
            "key {:?} is not payload:timestamp:signature",
            key.as_str()
        );
        let (signature, timestamp, payload) = (parts[0], parts[1], parts[2]);
        ensure!(
            signature.len() == 43
                && signature
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "G1",
            "signature {signature:?} is not 43 characters of URL-safe base64 (HMAC-SHA256)"
        );
        ensure_eq!(
            timestamp,
            b62_encode(store.clock().unix_seconds()),
            "G1",
            "base62 timestamp of a key signed at the clock's now"
        );
        let json = decode_payload(payload).map_err(|e| crate::cx::fail("G1", e))?;
        ensure!(
            json.is_ascii(),
            "G1",
            "the signed JSON is not ASCII-escaped as Python's json.dumps writes it"
        );
        let value: Value = serde_json::from_slice(&json)
            .map_err(|e| crate::cx::fail("G1", format!("payload is not JSON: {e}")))?;
        ensure_eq!(
            value,
            Value::Object((*rec.data).clone()),
            "G1",
            "the JSON inside the signed key"
        );
        let is_compressed = payload.starts_with('.');
        ensure!(
            is_compressed || !rec.data.contains_key("long"),
            "G1",
            "a 400-character repetitive value was not compressed"
        );
    }
    Ok(Outcome::Pass)
}

/// Keys derived from `key` by tampering: none may load.
fn tampered(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let last = key.chars().last().unwrap_or('a');
    let first = key.chars().next().unwrap_or('a');
    let swap = |c: char| if c == 'a' { 'b' } else { 'a' };
    out.push(format!("{}{}", &key[..key.len() - 1], swap(last)));
    out.push(format!("{}{}", swap(first), &key[1..]));
    out.push(key[..key.len() - 1].to_owned());
    out.push(format!("{key}a"));
    out.push(key[..key.len() / 2].to_owned());
    out.push(key.to_ascii_uppercase());
    out.push(key.replacen(':', "", 1));
    if key.len() > 2 {
        out.push(format!("{}$$", &key[..key.len() - 2]));
    }
    let mid = key.len() / 2;
    let bytes = key.as_bytes();
    if mid + 1 < key.len() && bytes[mid] != bytes[mid + 1] {
        let mut swapped = bytes.to_vec();
        swapped.swap(mid, mid + 1);
        out.push(String::from_utf8(swapped).expect("ascii key"));
    }
    out.retain(|t| t != key);
    out
}

pub(crate) async fn g2_tampered_keys_load_as_absent<H: Harness>(cx: &Cx<'_, H>) -> Checked {
    let (_ctx, store) = cx.open().await?;
    let s = session(&store, None);
    s.insert("user", 42).await.ok_or_fail("G2", "insert")?;
    s.save().await.ok_or_fail("G2", "save")?;
    let key = s.key().expect("saved");
    for bad in tampered(key.as_str()) {
        if let Some(parsed) = SessionKey::parse(&bad) {
            let loaded = store
                .load(&parsed)
                .await
                .ok_or_fail("G2", "load of a tampered key")?;
            ensure!(
                loaded.is_none(),
                "G2",
                "tampered key {bad:?} (from {:?}) loads a record",
                key.as_str()
            );
        }
        let t = session(&store, Some(&bad));
        ensure_eq!(
            t.get_value("user").await.ok_or_fail("G2", "get")?,
            None::<Value>,
            "G2",
            "session opened with tampered key {bad:?}"
        );
        ensure!(
            t.key().is_none(),
            "G2",
            "session opened with tampered key {bad:?} kept it"
        );
    }
    let original = session(&store, Some(key.as_str()));
    ensure_eq!(
        original.get_value("user").await.ok_or_fail("G2", "get")?,
        Some(json!(42)),
        "G2",
        "the untampered key after the attempts"
    );
    Ok(Outcome::Pass)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base62_matches_django() {
        // django.core.signing.b62_encode
        assert_eq!(b62_encode(0), "0");
        assert_eq!(b62_encode(61), "z");
        assert_eq!(b62_encode(62), "10");
        assert_eq!(b62_encode(1_700_000_000), "1r31eq");
        assert_eq!(b62_encode(-62), "-10");
    }
}
