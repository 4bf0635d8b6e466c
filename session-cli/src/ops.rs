//! `sessions clear-expired` and `sessions inspect`: Django's
//! `clearsessions`, and one session's data and expiry.

use session_core::time::format_description::well_known::Rfc3339;
use session_core::{Operation, SessionKey};
use session_stores::Options;

use crate::error::CliError;
use crate::targets::{Target, open, within};

/// Removes every expired session and prints how many went.
pub(crate) async fn clear_expired(url: &str, options: &Options) -> Result<(), CliError> {
    let target = Target::from_url(url);
    let store = open(&target, options).await?;
    if !store.capabilities().clear_expired {
        println!(
            "0 removed: the {} store keeps nothing expired to clear",
            store.name()
        );
        return Ok(());
    }
    let removed = within(&target, Operation::ClearExpired, async {
        store
            .clear_expired()
            .await
            .map_err(|error| CliError::Store {
                url: target.shown(),
                error,
            })
    })
    .await?;
    println!("{removed} expired session(s) removed");
    Ok(())
}

/// Prints the live session under `key`: its expiry, then its data as JSON.
pub(crate) async fn inspect(url: &str, key: &str, options: &Options) -> Result<(), CliError> {
    let target = Target::from_url(url);
    let key = SessionKey::parse(key.trim()).ok_or(CliError::BadKey)?;
    let store = open(&target, options).await?;
    let record = within(&target, Operation::Load, async {
        store.load(&key).await.map_err(|error| CliError::Store {
            url: target.shown(),
            error,
        })
    })
    .await?
    .ok_or(CliError::NoSession)?;
    let now = store.clock().now();
    let left = record.expires_at - now;
    let expires = record
        .expires_at
        .format(&Rfc3339)
        .unwrap_or_else(|_| record.expires_at.to_string());
    println!(
        "expires {expires} (in {})",
        whole_units(left.whole_seconds())
    );
    let data = serde_json::to_string_pretty(&*record.data).unwrap_or_default();
    println!("{data}");
    Ok(())
}

/// `13 days`, `5 hours`, `42 seconds`.
fn whole_units(seconds: i64) -> String {
    match seconds {
        s if s >= 2 * 86_400 => format!("{} days", s / 86_400),
        s if s >= 2 * 3_600 => format!("{} hours", s / 3_600),
        s if s >= 120 => format!("{} minutes", s / 60),
        s => format!("{s} seconds"),
    }
}
