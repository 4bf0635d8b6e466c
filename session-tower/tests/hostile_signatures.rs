//! A signed cookie that fails to verify is answered with a fixed body,
//! never with the client's text. The log side is in `suspicious_log.rs`.

mod common;

use axum::response::IntoResponse;
use common::signing_layer;
use common::with_cookies;
use session_core::MockClock;
use session_tower::{CookieSigning, SignedCookieError};

const SECRET: &str = "conformance-secret";

#[tokio::test]
async fn error_responses_have_fixed_bodies() {
    let layer = signing_layer(
        &MockClock::at_unix(1_700_000_000),
        CookieSigning::new(SECRET).unwrap(),
    );
    let later = signing_layer(
        &MockClock::at_unix(1_700_000_100),
        CookieSigning::new(SECRET).unwrap(),
    );
    let (value, headers) = with_cookies(&layer, &[], |c| {
        c.set_signed(session_tower::SetCookie::new("c", "v"), "")
    })
    .await;
    value.unwrap();
    let cookie = common::parse_set_cookie(&headers[0]).value;
    let max_age = Some(session_tower::MaxAge::from_secs(10));
    let (expired, _) = with_cookies(&later, &[("c", &cookie)], move |c| {
        c.get_signed("c", "", max_age)
    })
    .await;
    let missing: Result<String, SignedCookieError> =
        with_cookies(&later, &[], |c| c.get_signed("c", "", None))
            .await
            .0;
    for (err, status, body) in [
        (expired.unwrap_err(), 400, "Signature expired"),
        (missing.unwrap_err(), 400, "Missing cookie"),
    ] {
        let response = err.into_response();
        assert_eq!(response.status().as_u16(), status);
        let got = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        assert_eq!(&got[..], body.as_bytes());
    }
}
