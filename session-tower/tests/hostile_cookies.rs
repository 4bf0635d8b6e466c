//! R22: hostile `Cookie` headers through the real middleware.
//!
//! Arbitrary bytes (non-UTF-8, quotes, backslashes, octal escapes, huge
//! values, duplicated names, several `Cookie` headers) never panic and never
//! give a 5xx. A session cookie value that cannot be a key (under 8 bytes,
//! over 4,096, or with a byte no cookie value may hold) is dropped by the
//! middleware before the store (K2): the probe counts no load. A value that
//! is a possible key but not a server key (`SessionKey::is_server_key`) does
//! reach the store's `load`, since only the store knows its key shape (a
//! signed-cookie store's key is its data); the memory store answers unknown
//! without looking, and the key is never adopted (K3).
//!
//! The parser itself (`wire::parse_request_cookies`) is crate-private; it is
//! tested here through [`Cookies::get`], and its pub quoting functions
//! directly. Cases: `ProptestConfig::default()` (256, or `PROPTEST_CASES`).

mod common;

use std::sync::{Arc, LazyLock, Mutex};

use axum::body::Body;
use common::{FixedKeys, call, parse_set_cookie, set_cookies};
use http::{HeaderValue, Request, Response, StatusCode, header};
use proptest::prelude::*;
use session_core::key::{MAX_KEY_LENGTH, MIN_SERVER_KEY_LENGTH, is_server_key};
use session_core::testing::ProbeStore;
use session_core::{
    Clock, Config, MemoryStore, MockClock, Record, Session, SessionKey, SessionStore,
};
use session_tower::{Cookies, SessionLayer, wire};

/// The key of the one record each case starts with.
const STORED: &str = "storedkey00000000000000000000000";

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
});

/// What the handler saw before touching the session.
#[derive(Debug, Clone)]
struct Seen {
    /// `sessionid` as the middleware parsed it.
    parsed: Option<String>,
    /// The session's key before loading.
    key: Option<String>,
    /// Store loads before the handler ran.
    loads_before: usize,
    /// The user found in the session.
    user: Option<String>,
}

struct Outcome {
    seen: Seen,
    status: StatusCode,
    session_cookies: Vec<String>,
    loads: usize,
    probe: Arc<ProbeStore<MemoryStore>>,
}

/// Sends `headers` as `Cookie` headers, in order, to a handler that reads
/// the session and, if `write`, changes it.
fn run(headers: Vec<HeaderValue>, write: bool) -> Outcome {
    RUNTIME.block_on(async move {
        let clock = MockClock::at_unix(1_700_000_000);
        let store = MemoryStore::new()
            .with_clock(clock.shared())
            .with_key_generator(Arc::new(FixedKeys::new(&[STORED])));
        let mut data = session_core::Data::new();
        data.insert(session_tower::auth::USER_ID_KEY.into(), "alice".into());
        let record = Record {
            data: Arc::new(data),
            expires_at: clock.now() + time::Duration::days(1),
        };
        assert_eq!(store.create(&record).await.unwrap().as_str(), STORED);
        let probe = ProbeStore::new(Arc::new(store));
        let layer = SessionLayer::new(probe.clone(), Config::default());

        let mut request = Request::get("/").body(Body::empty()).unwrap();
        for value in headers {
            request.headers_mut().append(header::COOKIE, value);
        }
        let slot: Arc<Mutex<Option<Seen>>> = Arc::default();
        let seen_slot = Arc::clone(&slot);
        let counting = Arc::clone(&probe);
        let response = call(&layer, request, move |req| async move {
            let session = req.extensions().get::<Session>().cloned().unwrap();
            let cookies = req.extensions().get::<Cookies>().cloned().unwrap();
            let mut seen = Seen {
                parsed: cookies.get("sessionid").map(str::to_owned),
                key: session.key().map(|k| k.as_str().to_owned()),
                loads_before: counting.loads(),
                user: None,
            };
            seen.user = session_tower::auth::user_id(&session).await.unwrap();
            if write {
                session.insert("n", 1).await.unwrap();
            }
            *seen_slot.lock().unwrap() = Some(seen);
            Response::new(Body::empty())
        })
        .await;
        let seen = slot.lock().unwrap().take().expect("the handler ran");
        Outcome {
            seen,
            status: response.status(),
            session_cookies: set_cookies(&response)
                .iter()
                .map(|c| parse_set_cookie(c))
                .filter(|c| c.name == "sessionid")
                .map(|c| c.value)
                .collect(),
            loads: probe.loads(),
            probe,
        }
    })
}

/// Checks every rule a response to any `Cookie` headers must follow.
fn check(outcome: &Outcome, write: bool) -> Result<(), TestCaseError> {
    let Outcome {
        seen,
        status,
        session_cookies,
        loads,
        probe,
    } = outcome;
    prop_assert!(status.as_u16() < 500, "status {status}");
    prop_assert_eq!(*status, StatusCode::OK);
    prop_assert_eq!(seen.loads_before, 0, "nothing loads before the handler");
    prop_assert!(*loads <= 1, "at most one load (D4)");

    let usable = seen
        .parsed
        .as_deref()
        .filter(|v| v.len() >= MIN_SERVER_KEY_LENGTH && SessionKey::parse(v).is_some());
    match usable {
        None => {
            // K2: dropped before the store.
            prop_assert_eq!(&seen.key, &None);
            prop_assert_eq!(*loads, 0, "an impossible key reached the store");
        }
        Some(value) => {
            prop_assert!(value.len() <= MAX_KEY_LENGTH);
            prop_assert_eq!(seen.key.as_deref(), Some(value));
            prop_assert_eq!(*loads, 1);
        }
    }
    let is_stored = usable == Some(STORED);
    prop_assert_eq!(seen.user.as_deref(), is_stored.then_some("alice"));

    if write {
        // One session cookie, for the stored key or a fresh server key,
        // never a key the client chose (K3).
        prop_assert_eq!(session_cookies.len(), 1, "{:?}", session_cookies);
        let value = &session_cookies[0];
        prop_assert!(is_server_key(value), "{value:?}");
        if is_stored {
            prop_assert_eq!(value.as_str(), STORED);
            prop_assert_eq!(probe.inner().len(), 1);
        } else {
            prop_assert_ne!(Some(value.as_str()), seen.parsed.as_deref());
            prop_assert_eq!(probe.inner().len(), 2);
        }
    } else {
        // At most the deletion of a cookie that led nowhere.
        for value in session_cookies {
            prop_assert_eq!(value.as_str(), "\"\"");
        }
        prop_assert_eq!(
            session_cookies.is_empty(),
            is_stored || seen.parsed.is_none()
        );
        prop_assert_eq!(probe.inner().len(), 1, "nothing written");
    }
    Ok(())
}

/// A byte an `http::HeaderValue` may hold: tab, visible ASCII, space, and
/// any byte from 0x80 (not valid UTF-8 on its own).
fn header_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        1 => Just(b'\t'),
        8 => 0x20u8..=0x7e,
        2 => 0x80u8..=0xff,
    ]
}

/// A session cookie value: the stored key, key-shaped and almost key-shaped
/// strings, quoted and escaped values, huge values, arbitrary bytes.
fn session_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(STORED.as_bytes().to_vec()),
        Just(format!("\"{STORED}\"").into_bytes()),
        Just(format!(" {STORED} ").into_bytes()),
        "[a-z0-9]{32}".prop_map(String::into_bytes),
        "[a-z0-9]{0,12}".prop_map(String::into_bytes),
        "[A-Za-z0-9]{8,41}".prop_map(String::into_bytes),
        "[!-~]{1,48}".prop_map(String::into_bytes),
        "\"([a-z0-9]|\\\\[0-7]{3}|\\\\[ -~]|\"){0,40}\"?".prop_map(String::into_bytes),
        (MAX_KEY_LENGTH - 2..MAX_KEY_LENGTH + 3).prop_map(|n| "a".repeat(n).into_bytes()),
        proptest::collection::vec(header_byte(), 0..64),
    ]
}

/// One `Cookie` header: chunks joined by `;`, some naming `sessionid`
/// (possibly spaced or in another case), the rest arbitrary.
fn cookie_header() -> impl Strategy<Value = HeaderValue> {
    let name = prop_oneof![
        4 => Just("sessionid".to_owned()),
        1 => Just(" sessionid ".to_owned()),
        1 => Just("SESSIONID".to_owned()),
        1 => Just(String::new()),
        2 => "[!-:<-~]{1,12}",
    ];
    let chunk = prop_oneof![
        4 => (name, session_value()).prop_map(|(name, value)| {
            let mut chunk = name.into_bytes();
            chunk.push(b'=');
            chunk.extend(value);
            chunk
        }),
        1 => proptest::collection::vec(header_byte(), 0..32),
    ];
    let separator = prop_oneof![Just(";"), Just("; "), Just(" ;"), Just(";;"), Just(",")];
    proptest::collection::vec((chunk, separator), 1..6).prop_map(|chunks| {
        let mut bytes = Vec::new();
        for (chunk, separator) in chunks {
            bytes.extend(chunk);
            bytes.extend(separator.as_bytes());
        }
        HeaderValue::from_bytes(&bytes).expect("only header bytes were drawn")
    })
}

/// A header of arbitrary header bytes.
fn raw_header() -> impl Strategy<Value = HeaderValue> {
    proptest::collection::vec(header_byte(), 0..256)
        .prop_map(|bytes| HeaderValue::from_bytes(&bytes).expect("only header bytes were drawn"))
}

fn headers() -> impl Strategy<Value = Vec<HeaderValue>> {
    proptest::collection::vec(prop_oneof![3 => cookie_header(), 1 => raw_header()], 0..4)
}

/// A cookie name that is not `sessionid` and carries no separator.
fn other_name() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_.-]{1,10}".prop_filter("not the session cookie", |n| n != "sessionid")
}

proptest! {
    // 256 cases unless PROPTEST_CASES says otherwise.
    #![proptest_config(ProptestConfig::default())]

    /// R22, K2, K3: any `Cookie` headers, read-only or writing handler.
    #[test]
    fn hostile_cookie_headers_fail_safe(headers in headers(), write in any::<bool>()) {
        let outcome = run(headers, write);
        check(&outcome, write)?;
    }

    /// The parser finds the last `sessionid` among noise, across several
    /// `Cookie` headers, and unquotes a Django-quoted value of any text.
    #[test]
    fn parser_takes_the_last_session_cookie(
        entries in proptest::collection::vec(
            prop_oneof![
                2 => (other_name(), "[ -:<-~]{0,20}").prop_map(|(n, v)| (Some(n), v)),
                1 => "[A-Za-z0-9]{1,8}".prop_map(|v| (None, v)),
                2 => any::<String>().prop_map(|v| (Some("sessionid".to_owned()), v)),
            ],
            0..8,
        ),
        splits in proptest::collection::vec(any::<bool>(), 8),
    ) {
        let mut expected = None;
        let mut headers = vec![String::new()];
        for (i, (name, value)) in entries.iter().enumerate() {
            let chunk = match name.as_deref() {
                Some("sessionid") => {
                    expected = Some(value.clone());
                    format!("sessionid={}", wire::quote_value(value))
                }
                Some(name) => format!("{name}={value}"),
                None => value.clone(),
            };
            let current = headers.last_mut().unwrap();
            current.push_str(&chunk);
            current.push_str("; ");
            if splits[i] {
                headers.push(String::new());
            }
        }
        let headers = headers
            .iter()
            .map(|h| HeaderValue::from_str(h).expect("quoted values are header-safe"))
            .collect();
        let outcome = run(headers, false);
        prop_assert_eq!(&outcome.seen.parsed, &expected);
        check(&outcome, false)?;
    }

    /// Python's `_quote` output is always a safe header value with no `;`,
    /// and `_unquote` undoes it; `_unquote` never panics on any text.
    #[test]
    fn quoting_round_trips_and_is_header_safe(value in any::<String>(), junk in any::<String>()) {
        let quoted = wire::quote_value(&value);
        prop_assert!(!quoted.contains(';'));
        prop_assert!(HeaderValue::from_str(&quoted).is_ok(), "{quoted:?}");
        prop_assert_eq!(wire::unquote_value(&quoted), value);
        let _ = wire::unquote_value(&junk);
        let _ = wire::unquote_value(&format!("\"{junk}\""));
    }
}
