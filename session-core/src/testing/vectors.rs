//! Django's recorded vectors (`testdata/django/vectors.json`), parsed once.

use std::sync::OnceLock;

use serde_json::Value;

/// Where the vectors are: `testdata/django/vectors.json` at the root of the
/// workspace this crate was built in.
///
/// They are read when first asked for rather than embedded: 90 KB that
/// only tests need stay out of every build with the `testing` feature, and
/// the file stays outside the published package (an `include_str!` of a
/// path outside the package would break `cargo package`).
pub const VECTORS_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../testdata/django/vectors.json"
);

/// The vectors real Django 5.2 produced (see `testdata/django/README.md`):
/// signing, session encoding, cookies, middleware and what Django logged, at
/// the frozen time `frozen_time_unix` with `secret_key` (and
/// `old_secret_key` as a fallback key). Read and parsed on the first call.
///
/// # Panics
/// If [`VECTORS_PATH`] cannot be read or is not JSON: outside this
/// workspace the vectors are not there, and a test that needs them cannot
/// run.
pub fn django_vectors() -> &'static Value {
    static VECTORS: OnceLock<Value> = OnceLock::new();
    VECTORS.get_or_init(|| {
        let text = std::fs::read_to_string(VECTORS_PATH)
            .unwrap_or_else(|e| panic!("reading the Django vectors at {VECTORS_PATH}: {e}"));
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("the Django vectors at {VECTORS_PATH} are not JSON: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_vectors_load_with_their_frozen_time_and_keys() {
        let v = django_vectors();
        assert_eq!(v["frozen_time_unix"].as_i64(), Some(1_700_000_000));
        assert!(v["secret_key"].is_string() && v["old_secret_key"].is_string());
        assert!(std::ptr::eq(v, django_vectors()), "parsed once");
    }
}
