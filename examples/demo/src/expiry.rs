//! The session views beyond the Django notes' four: `set_expiry` in each of
//! its forms, `cycle_key`, and the whole session as Python's JSON, so that
//! values of every JSON kind (also those only Python writes) can be set and
//! compared with what a Django application sharing the store sees.

use axum::extract::Query;
use serde::Deserialize;
use session_core::Expiry;
use session_core::expiry::parse_iso;
use session_core::signing::pyjson;
use session_tower::Session;

use crate::views::Failure;

#[derive(Deserialize)]
pub(crate) struct SetExpiry {
    seconds: Option<i64>,
    date: Option<String>,
}

/// `request.session.set_expiry(value)`: `seconds=N` (Django's integer, `0`
/// for browser close, negative for already expired), `date=<ISO-8601>`
/// (Django's `datetime`), neither for `None` (back to the default age).
pub(crate) async fn set_expiry(
    session: Session,
    Query(q): Query<SetExpiry>,
) -> Result<&'static str, Failure> {
    let expiry = match (q.seconds, q.date) {
        (Some(_), Some(_)) => return Err(Failure::bad_request("Give seconds or date, not both")),
        (Some(seconds), None) => Expiry::Seconds(seconds),
        (None, Some(date)) => match parse_iso(&date) {
            Some(at) => Expiry::At(at),
            None => return Err(Failure::bad_request("Invalid date")),
        },
        (None, None) => Expiry::Default,
    };
    session.set_expiry(expiry).await?;
    Ok("Session expiry set")
}

/// `request.session.cycle_key()`: the data under a new key.
pub(crate) async fn cycle_key(session: Session) -> Result<&'static str, Failure> {
    session.cycle_key().await?;
    Ok("Session key cycled")
}

#[derive(Deserialize)]
pub(crate) struct SetJson {
    key: String,
    json: String,
}

/// `request.session[key] = json.loads(json)`: any JSON Python reads,
/// including `NaN`, `Infinity`, integers beyond 64 bits and lone
/// surrogates.
pub(crate) async fn set_json(
    session: Session,
    Query(q): Query<SetJson>,
) -> Result<&'static str, Failure> {
    let value = pyjson::from_str(&q.json).map_err(|_| Failure::bad_request("Invalid JSON"))?;
    session.insert(q.key, value).await?;
    Ok("Session data set")
}

/// `json.dumps(dict(request.session), separators=(",", ":"))`.
pub(crate) async fn data_json(session: Session) -> Result<String, Failure> {
    Ok(pyjson::map_to_string(&*session.data().await?))
}
