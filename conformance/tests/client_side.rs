//! The suite on a small client-side store of the signed-cookie kind: the
//! key is Django's `signed_cookies` value of the data (`signing.dumps` with
//! compression), exists is false and delete a no-op. It proves the
//! client-side paths of the suite work, that capability switches turn off
//! exactly the checks the rules allow, and that client-side mutants are
//! caught.

use async_trait::async_trait;
use serde_json::Value;
use session_conformance::{Corruption, Ctx, Harness, Skip};
use session_core::signing;
use session_core::time::{Duration, OffsetDateTime};
use session_core::{
    Capabilities, Data, EXPIRY_KEY, Error, ErrorKind, Operation, Record, Result, SessionKey,
    SessionStore, SharedClock, StoredExpiry,
};

const SECRET: &str = "conformance-test-secret";
const AGE: i64 = session_core::config::DEFAULT_COOKIE_AGE;
/// Django's salt for a `signed_cookies` session value.
const SALT: &str = "django.contrib.sessions.backends.signed_cookies";

/// A client-side store: the key is `signing.dumps(data, compress=True,
/// salt=SALT)` at the clock's now.
#[derive(Debug)]
struct CookieStore {
    clock: SharedClock,
    salt: &'static str,
    /// The mutant: enforce only the default age, as Django's signed_cookies
    /// does (ticket #19201), which rule E5 forbids.
    ignores_session_expiry: bool,
}

impl CookieStore {
    fn encode(&self, record: &Record, operation: Operation) -> Result<SessionKey> {
        let now = self.clock.now().unix_timestamp();
        let data = Value::Object((*record.data).clone());
        let key = signing::dumps(&data, SECRET, self.salt, true, now);
        // `sessionid=<key>` must fit a 4,096-byte cookie.
        let fits = "sessionid=".len() + key.len() <= 4096;
        SessionKey::parse(&key).filter(|_| fits).ok_or_else(|| {
            Error::new(ErrorKind::TooLarge, operation, "cookie").with_context("over 4,096 bytes")
        })
    }

    fn decode(&self, key: &SessionKey) -> Option<Record> {
        let now = self.clock.now().unix_timestamp();
        let value = signing::loads(key.as_str(), SECRET, self.salt, None, &[] as &[&str], now);
        let Ok(Value::Object(data)) = value else {
            return None;
        };
        let data: Data = data;
        // The signing time: the timestamp between the last two separators.
        let (signed, _) = key.as_str().rsplit_once(':')?;
        let (_, ts) = signed.rsplit_once(':')?;
        let ts = OffsetDateTime::from_unix_timestamp(signing::b62_decode(ts).ok()?).ok()?;
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
        record.check_depth(Operation::Create, self.name())?;
        self.encode(record, Operation::Create)
    }
    async fn save(&self, _key: &SessionKey, record: &Record) -> Result<SessionKey> {
        record.check_depth(Operation::Save, self.name())?;
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
    salt: &'static str,
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
            salt: self.salt,
            ignores_session_expiry: self.ignores_session_expiry,
        })
    }
    async fn corrupt(&self, _ctx: &Ctx, _key: &SessionKey) -> Corruption {
        Corruption::NotApplicable(
            "the key is the data; tampered keys are covered by g2_tampered_keys_load_as_absent",
        )
    }
    fn django_secret(&self) -> Option<String> {
        Some(SECRET.to_owned())
    }
}

const COOKIE: CookieHarness = CookieHarness {
    salt: SALT,
    ignores_session_expiry: false,
};

session_conformance::suite!(COOKIE);

/// Exactly the checks the rules let a client-side store switch off are off.
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
            "k2_saves_to_malformed_keys_write_nothing",
            "k2_keys_of_8_to_40_characters_are_accepted",
            "k3_load_never_creates_a_record",
            "k4_create_never_overwrites_a_taken_key",
            "k4_create_draws_another_key_after_a_collision",
            "k4_concurrent_creates_with_one_forced_key_leave_one_holder",
            "k4_cross_instance_creates_with_one_forced_key_leave_one_holder",
            "l1_save_after_delete_is_interrupted",
            "l1_save_after_expiry_is_interrupted",
            "l1_save_after_clear_expired_is_interrupted",
            "l1_save_of_an_unknown_key_is_interrupted",
            "l1_server_side_saves_keep_the_key",
            "l1_handle_save_after_logout_elsewhere_is_interrupted",
            "l1_logout_save_races_resurrect_nothing",
            "l1_cross_instance_logout_save_races_resurrect_nothing",
            "l2_flush_deletes_the_stored_record",
            "l3_cycle_key_deletes_the_old_record",
            "l3_cycle_key_beats_a_stale_concurrent_save",
            "l3_cross_instance_cycle_key_beats_a_stale_save",
            "l5_exists_iff_a_live_record_is_stored",
            "l6_clear_expired_removes_exactly_the_expired",
            "e3_custom_age_sets_the_stored_expiry",
            "r1_errors_name_the_backend_and_operation",
            "r1_corrupt_record_loads_as_absent",
            "r2_deleted_records_stay_deleted_after_reopen",
            "r2_concurrent_saves_never_tear_a_record",
            "l1_e5_differential_random_sequences_match_memory_store",
        ]
    );
}

/// Runs the suite on `mutant` and asserts that each of `checks` fails.
async fn caught(mutant: &CookieHarness, what: &str, checks: &[&str]) {
    let report = session_conformance::run(mutant).await;
    let caught: Vec<&str> = report.failures().map(|f| f.check).collect();
    println!("cookie {what} caught by: {}", caught.join(", "));
    for check in checks {
        assert!(caught.contains(check), "{check} missed it:\n{report}");
    }
}

/// A client-side store that ignores per-session expiry (Django's #19201)
/// is caught.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ignoring_per_session_expiry_is_caught() {
    let mutant = CookieHarness {
        salt: SALT,
        ignores_session_expiry: true,
    };
    caught(
        &mutant,
        "ignoring per-session expiry",
        &[
            "e5_every_expiry_kind_is_enforced_at_its_boundary",
            "e5_handle_drops_an_expired_session",
            "l1_e5_model_random_sequences_match_the_reference",
        ],
    )
    .await;
}

/// A client-side store that signs with another salt than Django's
/// `signed_cookies` one is caught: Django could not read its cookies.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_with_the_wrong_salt_is_caught() {
    let mutant = CookieHarness {
        salt: "django.core.signing",
        ignores_session_expiry: false,
    };
    caught(
        &mutant,
        "signing with the wrong salt",
        &["g1_client_side_key_is_djangos_signed_format"],
    )
    .await;
}
