//! Session cookies Django 5.2 wrote that this store once refused: Python
//! values Rust's JSON types cannot hold (D1), and a cookie over 4,096 bytes.
//!
//! Written by Django 5.2's `signed_cookies` engine with `SECRET_KEY =
//! "django-insecure-shared-secret-key"` at `time.time() == 1700000000`:
//! `s = SessionStore(); s.update(json.loads(PYTHON_JSON)); s.save()`, and
//! for the large cookie `s["blob"] = <4,300 random letters and digits>`.

use session_backend_signed_cookie::{MAX_COOKIE_SIZE, SignedCookieStore};
use session_core::signing::pyjson;
use session_core::{ErrorKind, MockClock, SessionKey, SessionStore};

const SECRET: &str = "django-insecure-shared-secret-key";
const SIGNED_AT: i64 = 1_700_000_000;

/// The data, as Python's `json.dumps(separators=(",", ":"))` writes it.
const PYTHON_JSON: &str = r#"{"big":1180591620717411303424,"neg":-1180591620717411303424,"nan":NaN,"inf":Infinity,"ninf":-Infinity,"lone":"a\ud800b","k\udfff":"\ud83d\ude00","n":1}"#;
const PYTHON_COOKIE: &str = ".eJyrVkrKTFeyMjS0MDC1NDQzMjA3NDcxNDQ2MDYxMtFRyksFSurilE3MU7LyS_TTUcrMS1Oy8sxLy8zLLKkESoD5ugiBnPy8VCUrpcSY0hQLA4MkJR2lbCAzLQ2oSgkkZpwCJFMNDIASQCMNawGTIima:1r31eq:LeN9xiSg2JTEhVuEWQaO_04iebSZxNT_zN2wgwRM-zo";

/// `sessionid=<this>` is 4,418 bytes.
const LARGE_COOKIE: &str = include_str!("django_values/cookie_4418_bytes.txt");

fn store(clock: &MockClock) -> SignedCookieStore {
    SignedCookieStore::builder(SECRET)
        .with_clock(clock.shared())
        .build()
        .expect("store")
}

/// D1: a Django cookie holding integers beyond 64 bits, `NaN`, `Infinity`,
/// `-Infinity` and lone surrogates loads with every key, and the cookie
/// signed again holds exactly the JSON Django signed.
#[tokio::test]
async fn d1_a_django_cookie_with_python_values_loads_and_re_signs_what_django_wrote() {
    let clock = MockClock::at_unix(SIGNED_AT + 60);
    let store = store(&clock);
    let key = SessionKey::parse(PYTHON_COOKIE).expect("a cookie value");
    let loaded = store
        .load(&key)
        .await
        .expect("load")
        .expect("a Django cookie with Python values loads");
    assert_eq!(loaded.data.len(), 8, "no key is lost");
    assert_eq!(pyjson::map_to_string(&loaded.data), PYTHON_JSON);

    let again = store.save(&key, &loaded).await.expect("save");
    let reloaded = store.load(&again).await.expect("load").expect("live");
    assert_eq!(pyjson::map_to_string(&reloaded.data), PYTHON_JSON);
    let django_loads = session_core::signing::loads(
        again.as_str(),
        SECRET,
        session_backend_signed_cookie::SIGNED_COOKIES_SALT,
        None,
        &[] as &[&str],
        SIGNED_AT + 60,
    )
    .expect("Django's signing.loads reads it");
    assert_eq!(pyjson::to_string(&django_loads), PYTHON_JSON);
}

/// A 4,418-byte session cookie Django wrote (and browsers would drop, but
/// a non-browser client sends back) loads, as it does in Django: its
/// signature is verified before anything is decompressed, and decompression
/// is capped. Saving it again is still refused: no cookie over 4,096 bytes
/// is ever written.
#[tokio::test]
async fn a_django_cookie_over_4096_bytes_loads_but_is_never_written() {
    assert_eq!("sessionid=".len() + LARGE_COOKIE.len(), 4418);
    let clock = MockClock::at_unix(SIGNED_AT + 60);
    let store = store(&clock);
    let key = SessionKey::parse(LARGE_COOKIE).expect("accepted as a key");
    let loaded = store
        .load(&key)
        .await
        .expect("load")
        .expect("Django's 4,418-byte cookie loads");
    assert_eq!(loaded.data["blob"].as_str().map(str::len), Some(4300));

    let err = store.save(&key, &loaded).await.expect_err("too large");
    assert_eq!(err.kind(), ErrorKind::TooLarge);
    const { assert!(MAX_COOKIE_SIZE < 4418) };
}
