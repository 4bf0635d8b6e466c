//! A corrupt row loads as absent (the suite's
//! `r1_corrupt_record_loads_as_absent` checks that much) and is logged on
//! `session::suspicious`, once and without its key, which the suite does
//! not see. One test: the log capture is process-wide.

use session_backend_db::DbConfig;
use session_core::testing::{LogCapture, suspicious_lines};
use session_core::{Codec, Data, MockClock, Record, SessionStore, time};

/// What a test does to a column's value.
type Damage = fn(String) -> String;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corrupt_rows_load_as_absent_and_are_logged_as_suspicious() {
    let log = LogCapture::install();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sessions.sqlite3");
    let clock = MockClock::at_unix(1_700_000_000);
    let store = DbConfig::sqlite(&path)
        .with_codec(Codec::django("a-secret-key-long-enough-for-django-0123").unwrap())
        .with_clock(clock.shared())
        .build()
        .unwrap();
    let raw = rusqlite::Connection::open(&path).unwrap();
    let expires = session_core::Clock::now(&clock) + time::Duration::days(1);
    let cases: [(&str, &str, Damage); 3] = [
        ("a forged signature", "session_data", |data| {
            data.replacen(':', ":x", 1)
        }),
        ("data that is not Django's", "session_data", |_| {
            "not session data".to_owned()
        }),
        ("an expire_date that is not a date", "expire_date", |_| {
            "tomorrow".to_owned()
        }),
    ];
    for (case, column, damage) in cases {
        let data = Data::from_iter([("user".to_owned(), 42.into())]);
        let key = store.create(&Record::new(data, expires)).await.unwrap();
        let value: String = raw
            .query_row(
                &format!("SELECT {column} FROM django_session WHERE session_key = ?1"),
                [key.as_str()],
                |r| r.get(0),
            )
            .unwrap();
        raw.execute(
            &format!("UPDATE django_session SET {column} = ?1 WHERE session_key = ?2"),
            [damage(value).as_str(), key.as_str()],
        )
        .unwrap();
        log.take();

        assert!(store.load(&key).await.unwrap().is_none(), "{case}");
        let text = log.take();
        let lines = suspicious_lines(&text);
        assert_eq!(lines.len(), 1, "{case}: {text}");
        assert!(
            !lines[0].contains(key.as_str()),
            "{case}: the key is logged"
        );
    }
}
