//! G1, G2: a client-side key is Django's signed data, and any altered or
//! undecodable key is treated as absent.

use serde_json::{Value, json};
use session_core::signing::{self, TimestampSigner, b62_encode, b64_encode, pyjson};
use session_core::{SessionKey, SessionStore};

use crate::cx::{Checked, Cx, Expect, data, ensure, ensure_eq, fail, off, record, session};
use crate::harness::Harness;
use crate::report::Outcome;

/// Django's salt for a `signed_cookies` session value.
const SIGNED_COOKIES_SALT: &str = "django.contrib.sessions.backends.signed_cookies";

/// Why the G1 checks are off for a server-side store.
const OFF_SERVER_KEYS: &str = "capabilities().server_side is true: keys are random, not signed data (Django's signing is covered by session-core's signing tests)";
/// Why the G1 checks are off for a harness without a Django secret.
const OFF_NOT_DJANGO: &str = "the harness supplies no Django secret (django_secret() is None): the store's keys are not in Django's signed_cookies format (an encrypted cookie)";

/// The Django secret of a client-side store in Django's format, or why the
/// check is off.
fn django_secret<H: Harness, S: SessionStore>(
    cx: &Cx<'_, H>,
    store: &S,
) -> Result<String, &'static str> {
    if store.capabilities().server_side {
        return Err(OFF_SERVER_KEYS);
    }
    cx.h.django_secret().ok_or(OFF_NOT_DJANGO)
}

pub(crate) async fn g1_client_side_key_is_djangos_signed_format<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    let (_ctx, store) = cx.open().await?;
    let secret = match django_secret(cx, &*store) {
        Ok(secret) => secret,
        Err(reason) => return off(reason),
    };
    let compressible = "ab".repeat(200);
    for rec in [
        record(
            &*store,
            data([
                ("user", json!(42)),
                ("ключ", json!("значение ✓ 😀")),
                ("a", json!({"z": 1, "b": [1.5, null]})),
            ]),
        ),
        record(&*store, data([("long", json!(compressible))])),
    ] {
        let key = store.create(&rec).await.ok_or_fail("G1", "create")?;
        let now = store.clock().unix_seconds();
        // Django's signing.loads(key, key=SECRET_KEY, salt=signed_cookies).
        let decoded = signing::loads(
            key.as_str(),
            secret.as_bytes(),
            SIGNED_COOKIES_SALT,
            None,
            &[] as &[&str],
            now,
        )
        .map_err(|e| {
            fail(
                "G1",
                format!(
                    "key {:?} does not verify as Django's signing.loads with the harness's secret and the signed_cookies salt: {e}",
                    key.as_str()
                ),
            )
        })?;
        let expected = Value::Object((*rec.data).clone());
        ensure_eq!(
            pyjson::to_string(&decoded),
            pyjson::to_string(&expected),
            "G1",
            "the data Django's signing.loads reads from the key (entries and their order)"
        );
        let parts: Vec<&str> = key.as_str().rsplitn(3, ':').collect();
        ensure!(
            parts.len() == 3,
            "G1",
            "key {:?} is not payload:timestamp:signature",
            key.as_str()
        );
        ensure_eq!(
            parts[1],
            b62_encode(now),
            "G1",
            "base62 timestamp of a key signed at the clock's now"
        );
        ensure!(
            parts[2].starts_with('.') || !rec.data.contains_key("long"),
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

pub(crate) async fn g2_validly_signed_bad_payloads_load_as_absent<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    let (_ctx, store) = cx.open().await?;
    let secret = match django_secret(cx, &*store) {
        Ok(secret) => secret,
        Err(reason) => return off(reason),
    };
    let now = store.clock().unix_seconds();
    let signer = TimestampSigner::new(secret.as_bytes()).with_salt(SIGNED_COOKIES_SALT);
    // Django's test_unpickling_exception: the signature is valid, the
    // payload is not session data.
    let dumped =
        |value: Value| signing::dumps(&value, secret.as_bytes(), SIGNED_COOKIES_SALT, true, now);
    let cases = [
        ("a JSON list", dumped(json!([1, 2, 3]))),
        ("a JSON string", dumped(json!("user"))),
        ("a JSON number", dumped(json!(42))),
        ("JSON null", dumped(Value::Null)),
        ("text that is not base64", signer.sign_at("not!base64", now)),
        (
            "a compressed payload that is not zlib",
            signer.sign_at(".bm90IHpsaWI", now),
        ),
        (
            "base64 of text that is not JSON",
            signer.sign_at(&b64_encode(b"{not json"), now),
        ),
        (
            "base64 of JSON with trailing bytes",
            signer.sign_at(&b64_encode(b"{}x"), now),
        ),
    ];
    for (what, signed) in cases {
        if let Some(key) = SessionKey::parse(&signed) {
            let loaded = store.load(&key).await.ok_or_fail(
                "G2",
                &format!("load of a validly signed key holding {what}"),
            )?;
            ensure!(
                loaded.is_none(),
                "G2",
                "a validly signed key holding {what} loads a record"
            );
        }
        let s = session(&store, Some(&signed));
        ensure_eq!(
            s.len().await.ok_or_fail("G2", "len")?,
            0,
            "G2",
            "entries of a session opened with a validly signed key holding {what}"
        );
        ensure!(
            s.key().is_none(),
            "G2",
            "a session opened with a validly signed key holding {what} kept it"
        );
    }
    Ok(Outcome::Pass)
}
