//! A profiling aid: one operation `N` times against a `CacheStore` or
//! against raw moka (the benchmark's baseline: a `moka::future::Cache`
//! with no weigher and no expiry), on 1 KB of session data, so a profiler
//! sees one side alone.
//!
//! ```sh
//! CARGO_PROFILE_RELEASE_DEBUG=line-tables-only CARGO_TARGET_DIR=target/profile \
//!     cargo build --release -p session-backend-cache --example profile_cache
//! valgrind --tool=callgrind target/profile/release/examples/profile_cache save store 20000
//! ```
//!
//! Operations: `save` (the same session over and over), `create`, `load`.
//! Instructions per operation: run with `N` and `2N` and divide the
//! difference of the two totals by `N`, which cancels the set-up.

use std::sync::Arc;

use session_backend_cache::CacheConfig;
use session_core::serde_json::{Value, json};
use session_core::time::{Duration, OffsetDateTime};
use session_core::{Data, Record, SessionStore};

const USAGE: &str = "usage: profile_cache save|create|load store|raw N";

/// About 1 KB of JSON shaped like a real session: Django's auth keys, a
/// token, a few flags, cart items, a note.
fn payload() -> Data {
    let mut data = Data::new();
    data.insert("_auth_user_id".into(), json!("12345"));
    data.insert(
        "_auth_user_backend".into(),
        json!("django.contrib.auth.backends.ModelBackend"),
    );
    data.insert("_auth_user_hash".into(), json!("h".repeat(64)));
    data.insert("csrf".into(), json!("c".repeat(32)));
    data.insert(
        "flags".into(),
        json!({"beta": true, "theme": "dark", "lang": "en-gb"}),
    );
    for item in 1..=9_u32 {
        data.insert(
            format!("cart_{item:04}"),
            json!({"sku": format!("SKU-{:05}", item * 37), "qty": item % 3 + 1,
                   "price_cents": 999 + item * 100, "ref": "r".repeat(8)}),
        );
    }
    data.insert("note".into(), Value::String("n".repeat(120)));
    data
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), session_core::Error> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(op), Some(side), Some(n)) = (
        args.first(),
        args.get(1),
        args.get(2).and_then(|n| n.parse::<u64>().ok()),
    ) else {
        eprintln!("{USAGE}");
        std::process::exit(2);
    };
    let data = Arc::new(payload());
    match side.as_str() {
        "store" => store(op, n, &data).await,
        "raw" => {
            raw(op, n, &data).await;
            Ok(())
        }
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
}

/// `op` `n` times on a `CacheStore` (64 MiB, the default).
async fn store(op: &str, n: u64, data: &Arc<Data>) -> Result<(), session_core::Error> {
    let store = CacheConfig::new().build()?;
    let record = Record::new(
        Arc::clone(data),
        OffsetDateTime::now_utc() + Duration::hours(1),
    );
    let key = store.create(&record).await?;
    for _ in 0..n {
        match op {
            "save" => {
                store.save(&key, &record).await?;
            }
            "create" => {
                let fresh = store.create(&record).await?;
                store.delete(&fresh).await?;
            }
            "load" => {
                std::hint::black_box(store.load(&key).await?);
            }
            _ => {
                eprintln!("{USAGE}");
                std::process::exit(2);
            }
        }
    }
    println!("{op} store x{n}: {} entries", store.entry_count());
    Ok(())
}

/// `op` `n` times on raw moka, as the benchmark's baseline does it.
async fn raw(op: &str, n: u64, data: &Arc<Data>) {
    let cache: moka::future::Cache<String, Arc<Data>> = moka::future::Cache::new(1_000_000);
    let key = "abcdefghijklmnopqrstuvwxyz012345".to_owned();
    cache.insert(key.clone(), Arc::clone(data)).await;
    for i in 0..n {
        match op {
            "save" => cache.insert(key.clone(), Arc::clone(data)).await,
            "create" => {
                let fresh = format!("{i:032}");
                cache.insert(fresh.clone(), Arc::clone(data)).await;
                cache.invalidate(&fresh).await;
            }
            "load" => {
                std::hint::black_box(cache.get(&key).await);
            }
            _ => {
                eprintln!("{USAGE}");
                std::process::exit(2);
            }
        }
    }
    println!("{op} raw x{n}: {} entries", cache.entry_count());
}
