//! `FileConfig::from_url`: what a file URL may say, and the typed reason
//! for each refusal.

use session_backend_file::{FileConfig, FileUrlError};

const SECRET: &str = "a-file-url-test-secret-key";

#[test]
fn reads_the_directory_and_the_codec() {
    let store = FileConfig::from_url("file:///srv/my%20sessions/", None).unwrap();
    let shown = format!("{store:?}");
    assert!(
        shown.contains("\"/srv/my sessions/\""),
        "percent-decoded: {shown}"
    );
    for url in ["file://", "file:", "file", "file:///", "FILE://?codec=json"] {
        let config = FileConfig::from_url(url, None).unwrap();
        assert!(
            format!("{config:?}").contains("directory: None"),
            "{url}: the default directory"
        );
    }
    let django = FileConfig::from_url("file:///srv/s?codec=django", Some(SECRET)).unwrap();
    assert!(format!("{django:?}").contains("Django"), "{django:?}");
    assert!("file:///srv/s".parse::<FileConfig>().is_ok());
}

#[test]
fn refusals_are_typed() {
    let err = |url: &str| FileConfig::from_url(url, Some(SECRET)).unwrap_err();
    assert!(matches!(err("files:///x"), FileUrlError::Scheme(s) if s == "files"));
    assert!(matches!(
        err("file:relative/dir"),
        FileUrlError::RelativePath
    ));
    assert!(matches!(err("file://relative/dir"), FileUrlError::Host(h) if h == "relative"));
    assert!(matches!(err("file:///x#y"), FileUrlError::Fragment));
    assert!(matches!(err("file:///x?fsync=0"), FileUrlError::UnknownParameter(p) if p == "fsync"));
    assert!(matches!(
        err("file:///x?codec=json&codec=json"),
        FileUrlError::Repeated(_)
    ));
    assert!(matches!(err("file:///x?codec=pickle"), FileUrlError::Codec(c) if c == "pickle"));
    assert!(matches!(
        FileConfig::from_url("file:///x?codec=django", None).unwrap_err(),
        FileUrlError::MissingSecret
    ));
    assert!(matches!(
        FileConfig::from_url("file:///x?codec=django", Some("short")).unwrap_err(),
        FileUrlError::ShortSecret(_)
    ));
}
