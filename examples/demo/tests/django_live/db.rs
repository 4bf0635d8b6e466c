//! The db backend and Django's `django.contrib.sessions.backends.db` on one
//! `django_session` table, both directions, on SQLite (a file) and on
//! PostgreSQL (a schema of its own; skipped with one line without
//! `SESSION_TEST_POSTGRES_URL`, a failure when `SESSION_TEST_REQUIRE` names
//! `postgres`). Django creates the table (`migrate sessions`) and our store
//! opens it with its column check; rows written on either side load on the
//! other, updates go both ways, and each side's purge (`clearsessions`,
//! `clear_expired`) removes the other's expired rows and only those.

use serde_json::{Value, json};
use session_backend_db::DbConfig;
use session_core::signing::pyjson;
use session_core::time::{Duration, OffsetDateTime};
use session_core::{Codec, Data, MockClock, Record, SessionKey, SessionStore};

use crate::demo::{AGE, KINDS, SECRET};
use crate::python::{Python, django, django_or_skip};

fn one(value: &str) -> String {
    format!(r#"{{"v":{value}}}"#)
}

/// `{"v": value}` as Python's `json.loads` reads it.
fn data(value: &str) -> Data {
    match pyjson::from_str(&one(value)).expect("JSON") {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

/// Django's side of one database: its settings and a clock for commands.
struct DjangoDb<'a> {
    python: &'a Python,
    settings: Value,
}

impl DjangoDb<'_> {
    /// Runs `commands` at the clock's time `now`.
    fn at(&self, now: OffsetDateTime, commands: Vec<Value>) -> Vec<Value> {
        let at = now.unix_timestamp() as f64;
        let commands = commands
            .into_iter()
            .map(|mut c| {
                c["now"] = json!(at);
                c
            })
            .collect();
        django(self.python, self.settings.clone(), commands)
    }

    fn keys(&self, now: OffsetDateTime) -> Vec<String> {
        let got = self.at(now, vec![json!({"op": "db_keys"})]);
        serde_json::from_value(got[0]["keys"].clone()).expect("keys")
    }
}

/// The whole exchange on the table Django has just created.
async fn both_directions(django_db: &DjangoDb<'_>, ours: DbConfig) -> (usize, usize) {
    let t0 = OffsetDateTime::now_utc().replace_nanosecond(0).expect("ns");
    let clock = MockClock::at_unix(t0.unix_timestamp());
    let store = ours
        .with_codec(Codec::django(SECRET).expect("codec"))
        .with_clock(clock.shared())
        .open()
        .await
        .expect("our store opens Django's table");
    let (mut to_django, mut from_django) = (0, 0);

    // Django -> Rust: every JSON kind, with Django's default expiry.
    let puts = KINDS
        .iter()
        .map(|(_, v)| json!({"op": "db_put", "data": one(v)}))
        .collect();
    let written = django_db.at(t0, puts);
    let mut django_keys = Vec::new();
    for ((kind, value), put) in KINDS.iter().zip(&written) {
        let key = SessionKey::parse(put["key"].as_str().expect("key")).expect("a session key");
        let record = store.load(&key).await.expect("load").expect(kind);
        assert_eq!(pyjson::map_to_string(&record.data), one(value), "{kind}");
        assert_eq!(record.expires_at, t0 + Duration::seconds(AGE), "{kind}");
        django_keys.push(key);
        from_django += 1;
    }

    // Rust -> Django: every kind.
    let mut our_keys = Vec::new();
    for (_, value) in KINDS {
        let record = Record::new(data(value), t0 + Duration::seconds(AGE));
        our_keys.push(store.create(&record).await.expect("create"));
    }
    let gets = our_keys
        .iter()
        .map(|k| json!({"op": "db_get", "key": k.as_str()}))
        .collect();
    for ((kind, value), got) in KINDS.iter().zip(django_db.at(t0, gets)) {
        assert_eq!(
            got["json"],
            one(value),
            "{kind} written here, read by Django"
        );
        to_django += 1;
    }

    // Updates both ways: ours of Django's row, Django's of ours.
    let record = store
        .load(&django_keys[0])
        .await
        .expect("load")
        .expect("row");
    let mut updated = (*record.data).clone();
    updated.insert("w".to_owned(), json!("x"));
    let record = Record::new(updated, record.expires_at);
    store.save(&django_keys[0], &record).await.expect("save");
    let update = json!({"op": "db_update", "key": our_keys[0].as_str(), "data": r#"{"w":"y"}"#});
    let got = django_db.at(
        t0,
        vec![
            json!({"op": "db_get", "key": django_keys[0].as_str()}),
            update,
        ],
    );
    assert_eq!(got[0]["json"], format!(r#"{{"v":{},"w":"x"}}"#, KINDS[0].1));
    let ours = store.load(&our_keys[0]).await.expect("load").expect("row");
    assert_eq!(
        pyjson::map_to_string(&ours.data),
        format!(r#"{{"v":{},"w":"y"}}"#, KINDS[0].1),
        "saved by Django, read here"
    );
    (to_django, from_django) = (to_django + 1, from_django + 1);

    // Expiry and purges: a short session on each side, one minute.
    let short = store
        .create(&Record::new(data("1"), t0 + Duration::seconds(60)))
        .await
        .expect("create");
    let long = store
        .create(&Record::new(data("2"), t0 + Duration::seconds(AGE)))
        .await
        .expect("create");
    let theirs = django_db.at(
        t0,
        vec![json!({"op": "db_put", "data": one("3"), "expiry": 60})],
    );
    let theirs = SessionKey::parse(theirs[0]["key"].as_str().expect("key")).expect("key");
    assert!(store.load(&theirs).await.expect("load").is_some());
    let later = t0 + Duration::seconds(120);
    clock.advance_secs(120);
    assert!(
        store.load(&theirs).await.expect("load").is_none(),
        "Django's expired row"
    );
    let got = django_db.at(later, vec![json!({"op": "db_get", "key": short.as_str()})]);
    assert_eq!(got[0]["loaded"], false, "our expired row, in Django");
    let before = django_db.keys(later);
    assert!(
        before.contains(&short.as_str().to_owned()) && before.contains(&theirs.as_str().to_owned())
    );
    django_db.at(later, vec![json!({"op": "clearsessions"})]);
    let after = django_db.keys(later);
    assert!(
        !after.contains(&short.as_str().to_owned()),
        "clearsessions removes our expired row"
    );
    assert!(!after.contains(&theirs.as_str().to_owned()));
    assert_eq!(after.len(), before.len() - 2, "and nothing else");
    assert!(after.contains(&long.as_str().to_owned()));
    // Our purge of Django's expired row.
    let mine = django_db.at(
        later,
        vec![json!({"op": "db_put", "data": one("4"), "expiry": 30})],
    );
    let mine = mine[0]["key"].as_str().expect("key").to_owned();
    clock.advance_secs(60);
    assert_eq!(
        store.clear_expired().await.expect("clear"),
        1,
        "Django's expired row"
    );
    let last = django_db.keys(later + Duration::seconds(60));
    assert!(!last.contains(&mine));
    assert_eq!(last.len(), after.len(), "nothing else");
    (to_django + 3, from_django + 3)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn db_backend_with_django_on_sqlite() {
    let Some(python) = django_or_skip("db_backend_with_django_on_sqlite") else {
        return;
    };
    let dir = tempfile::tempdir().expect("a directory");
    let path = dir.path().join("db.sqlite3");
    let url = format!("sqlite://{}", path.display());
    let django_db = DjangoDb {
        python,
        settings: json!({"secret_key": SECRET, "cookie_age": AGE, "database_url": url}),
    };
    django_db.at(OffsetDateTime::now_utc(), vec![json!({"op": "db_migrate"})]);
    let (to, from) = both_directions(&django_db, DbConfig::sqlite(&path)).await;
    eprintln!("django_live db on SQLite: {to} scenarios Rust -> Django, {from} Django -> Rust");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn db_backend_with_django_on_postgres() {
    let Some(python) = django_or_skip("db_backend_with_django_on_postgres") else {
        return;
    };
    let Some(url) = session_conformance::env_url("SESSION_TEST_POSTGRES_URL") else {
        assert!(
            !session_conformance::required("postgres"),
            "SESSION_TEST_REQUIRE names `postgres` but SESSION_TEST_POSTGRES_URL is not set"
        );
        eprintln!("SKIPPED django_live db on PostgreSQL: SESSION_TEST_POSTGRES_URL is not set");
        return;
    };
    // A schema of this run's own, Django's `django_session` in it.
    let schema = format!(
        "django_live_{}_{}",
        std::process::id(),
        OffsetDateTime::now_utc().unix_timestamp_nanos() % 1_000_000_000
    );
    let sep = if url.contains('?') { '&' } else { '?' };
    let django_db = DjangoDb {
        python,
        settings: json!({
            "secret_key": SECRET,
            "cookie_age": AGE,
            "database_url": format!("{url}{sep}search_path={schema}"),
        }),
    };
    let now = OffsetDateTime::now_utc();
    django_db.at(
        now,
        vec![
            json!({"op": "db_sql", "statements": [format!("CREATE SCHEMA {schema}")]}),
            json!({"op": "db_migrate"}),
        ],
    );
    let ours = DbConfig::from_url(
        &format!("{url}{sep}options=-c%20search_path%3D{schema}"),
        None,
    )
    .expect("our URL");
    let (to, from) = both_directions(&django_db, ours).await;
    django_db.at(
        now,
        vec![json!({"op": "db_sql", "statements": [format!("DROP SCHEMA {schema} CASCADE")]})],
    );
    eprintln!("django_live db on PostgreSQL: {to} scenarios Rust -> Django, {from} Django -> Rust");
}
