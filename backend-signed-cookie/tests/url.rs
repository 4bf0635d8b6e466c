//! `SignedCookieConfig::from_url`: what a signed-cookie URL may say, and
//! the typed reason for each refusal.

use session_backend_signed_cookie::{
    CookieFormat, SCHEMES, SignedCookieConfig, SignedCookieUrlError,
};

const SECRET: &str = "a-signed-cookie-url-test-secret";

#[test]
fn reads_the_format_under_every_scheme() {
    for scheme in SCHEMES {
        for url in [
            format!("{scheme}://"),
            format!("{scheme}:"),
            (*scheme).to_owned(),
        ] {
            let config = SignedCookieConfig::from_url(&url, SECRET).unwrap();
            assert_eq!(config.format(), CookieFormat::Django, "{url}");
            assert!(config.build().is_ok(), "{url}");
        }
    }
    let config =
        SignedCookieConfig::from_url("Signed_Cookies://?format=encrypt%65d", SECRET).unwrap();
    assert_eq!(config.format(), CookieFormat::Encrypted, "percent-decoded");
    let config = SignedCookieConfig::from_url("signed-cookie://?format=django", SECRET).unwrap();
    assert_eq!(config.format(), CookieFormat::Django);
}

#[test]
fn refusals_are_typed() {
    let err = |url: &str| SignedCookieConfig::from_url(url, SECRET).unwrap_err();
    assert!(matches!(err("cookie://"), SignedCookieUrlError::Scheme(s) if s == "cookie"));
    assert!(matches!(
        err("signed-cookie://host"),
        SignedCookieUrlError::Location
    ));
    assert!(matches!(
        err("signed-cookie:///path"),
        SignedCookieUrlError::Location
    ));
    assert!(
        matches!(err("signed-cookie://?key=x"), SignedCookieUrlError::UnknownParameter(p) if p == "key")
    );
    assert!(matches!(
        err("signed-cookie://?format=django&format=django"),
        SignedCookieUrlError::Repeated(_)
    ));
    assert!(
        matches!(err("signed-cookie://?format=pickle"), SignedCookieUrlError::Format(f) if f == "pickle")
    );
}
