//! The suite on a small client-side store of the signed-cookie kind: the
//! key is the signed, compressed JSON of the data, exists is false and
//! delete a no-op. It proves the client-side paths of the suite work and
//! that capability switches turn off exactly the checks DESIGN.md allows.

use std::io::{Read, Write};

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use session_conformance::{Ctx, Harness, Skip};
use session_core::time::{Duration, OffsetDateTime};
use session_core::{
    Capabilities, Data, EXPIRY_KEY, Error, ErrorKind, Operation, Record, Result, SessionKey,
    SessionStore, SharedClock, StoredExpiry,
};

const SECRET: &[u8] = b"conformance-test-secret";
const AGE: i64 = session_core::config::DEFAULT_COOKIE_AGE;
const B62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// JSON as Python's `json.dumps` writes it: non-ASCII as `\uXXXX`.
fn ascii_json(data: &Data) -> String {
    let mut out = String::new();
    for c in serde_json::to_string(data).expect("JSON").chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

fn b62(mut n: u64) -> String {
    let mut digits = Vec::new();
    loop {
        digits.push(B62[(n % 62) as usize]);
        n /= 62;
        if n == 0 {
            break;
        }
    }
    digits.reverse();
    String::from_utf8(digits).expect("ascii")
}

fn unb62(text: &str) -> Option<i64> {
    text.bytes().try_fold(0i64, |n, b| {
        let digit = B62.iter().position(|d| *d == b)? as i64;
        n.checked_mul(62)?.checked_add(digit)
    })
}

fn signature(value: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(SECRET).expect("any key length");
    mac.update(value.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// A client-side store: the key is `payload:timestamp:signature`.
#[derive(Debug)]
struct CookieStore {
    clock: SharedClock,
    /// The mutant: enforce only the default age, as Django's signed_cookies
    /// does (ticket #19201), which DESIGN.md forbids.
    ignores_session_expiry: bool,
}

impl CookieStore {
    fn encode(&self, record: &Record, operation: Operation) -> Result<SessionKey> {
        let json = ascii_json(&record.data);
        let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        zlib.write_all(json.as_bytes()).expect("in memory");
        let compressed = zlib.finish().expect("in memory");
        let payload = if compressed.len() + 1 < json.len() {
            format!(".{}", URL_SAFE_NO_PAD.encode(compressed))
        } else {
            URL_SAFE_NO_PAD.encode(json)
        };
        let signed = format!(
            "{payload}:{}",
            b62(self.clock.now().unix_timestamp() as u64)
        );
        let key = format!("{signed}:{}", signature(&signed));
        SessionKey::parse(&key).ok_or_else(|| {
            Error::new(ErrorKind::TooLarge, operation, "cookie").with_context("over 4,096 bytes")
        })
    }

    fn decode(&self, key: &SessionKey) -> Option<Record> {
        let (signed, sig) = key.as_str().rsplit_once(':')?;
        if signature(signed) != sig {
            return None;
        }
        let (payload, ts) = signed.rsplit_once(':')?;
        let ts = OffsetDateTime::from_unix_timestamp(unb62(ts)?).ok()?;
        let json = match payload.strip_prefix('.') {
            Some(compressed) => {
                let bytes = URL_SAFE_NO_PAD.decode(compressed).ok()?;
                let mut json = Vec::new();
                flate2::read::ZlibDecoder::new(&bytes[..])
                    .read_to_end(&mut json)
                    .ok()?;
                json
            }
            None => URL_SAFE_NO_PAD.decode(payload).ok()?,
        };
        let data: Data = serde_json::from_slice(&json).ok()?;
        let stored = data.get(EXPIRY_KEY).and_then(StoredExpiry::from_value);
        let stored = stored.filter(|_| !self.ignores_session_expiry);
        let expires_at = match stored {
            Some(StoredExpiry::Date(at)) => at,
            Some(StoredExpiry::Seconds(n)) if n != 0 => ts + Duration::seconds(n),
            _ => ts + Duration::seconds(AGE),
        };
        Some(Record::new(data, expires_at))
    }
}

#[async_trait]
impl SessionStore for CookieStore {
    fn name(&self) -> &str {
        "cookie"
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            server_side: false,
            clear_expired: false,
            durable: true,
            shared_across_processes: true,
        }
    }
    fn clock(&self) -> &SharedClock {
        &self.clock
    }
    async fn load(&self, key: &SessionKey) -> Result<Option<Record>> {
        let now = self.clock.now();
        Ok(self.decode(key).filter(|r| r.is_live_at(now)))
    }
    async fn create(&self, record: &Record) -> Result<SessionKey> {
        self.encode(record, Operation::Create)
    }
    async fn save(&self, _key: &SessionKey, record: &Record) -> Result<SessionKey> {
        self.encode(record, Operation::Save)
    }
    async fn exists(&self, _key: &SessionKey) -> Result<bool> {
        Ok(false)
    }
    async fn delete(&self, _key: &SessionKey) -> Result<()> {
        Ok(())
    }
    async fn clear_expired(&self) -> Result<u64> {
        Ok(0)
    }
}

struct CookieHarness {
    ignores_session_expiry: bool,
}

#[async_trait]
impl Harness for CookieHarness {
    type Store = CookieStore;
    fn name(&self) -> &'static str {
        "cookie"
    }
    async fn open(&self, ctx: &Ctx) -> std::result::Result<CookieStore, Skip> {
        Ok(CookieStore {
            clock: ctx.shared_clock(),
            ignores_session_expiry: self.ignores_session_expiry,
        })
    }
}

const COOKIE: CookieHarness = CookieHarness {
    ignores_session_expiry: false,
};

session_conformance::suite!(COOKIE);

/// Exactly the checks DESIGN.md lets a client-side store switch off are off.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_allowed_checks_are_off_for_a_client_side_store() {
    let report = session_conformance::run(&COOKIE).await;
    println!("{report}");
    assert!(report.is_success(), "{report}");
    let off: Vec<&str> = report.off().map(|(check, _)| check).collect();
    assert_eq!(
        off,
        [
            "k1_created_keys_are_32_lowercase_alphanumerics",
            "k2_keys_of_8_to_40_characters_are_accepted",
            "k3_load_never_creates_a_record",
            "k4_create_never_overwrites_a_taken_key",
            "k4_concurrent_creates_with_one_forced_key_leave_one_holder",
            "l1_save_after_delete_is_interrupted",
            "l1_save_after_expiry_is_interrupted",
            "l1_save_after_clear_expired_is_interrupted",
            "l1_save_of_an_unknown_key_is_interrupted",
            "l1_handle_save_after_logout_elsewhere_is_interrupted",
            "l1_logout_save_races_resurrect_nothing",
            "l2_flush_deletes_the_stored_record",
            "l3_cycle_key_deletes_the_old_record",
            "l3_cycle_key_beats_a_stale_concurrent_save",
            "l6_clear_expired_removes_exactly_the_expired",
            "r1_corrupt_record_loads_as_absent",
            "differential_random_sequences_match_memory_store",
        ]
    );
}

/// A client-side store that ignores per-session expiry (Django's #19201)
/// is caught.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ignoring_per_session_expiry_is_caught() {
    let mutant = CookieHarness {
        ignores_session_expiry: true,
    };
    let report = session_conformance::run(&mutant).await;
    let caught: Vec<&str> = report.failures().map(|f| f.check).collect();
    println!(
        "cookie ignoring per-session expiry caught by: {}",
        caught.join(", ")
    );
    for check in [
        "e5_every_expiry_kind_is_enforced_at_its_boundary",
        "e5_handle_drops_an_expired_session",
        "model_random_sequences_match_the_reference",
    ] {
        assert!(caught.contains(&check), "{check} missed it:\n{report}");
    }
}
