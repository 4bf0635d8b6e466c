//! [`suite!`](crate::suite): the one declaration in a backend's tests.

/// Stamps one test per check of the suite for a [`Harness`](crate::Harness).
///
/// In a backend crate's `tests/conformance.rs` (here with the reference
/// store's harness):
///
/// ```
/// session_conformance::suite!(session_conformance::MemoryHarness);
/// session_conformance::suite!(arc_dyn => session_conformance::Erased(session_conformance::MemoryHarness));
/// # fn main() {}
/// ```
///
/// expands to `mod conformance { ... }` with one `#[test]` per check, named
/// after it (`conformance::l1_save_after_delete_is_interrupted`), each
/// running on a multi-threaded tokio runtime with two workers, so
/// `cargo test -p <crate> conformance::` runs the suite. The argument is an
/// expression (a unit struct, a constructor call) evaluated once per test.
/// `suite!(name => MyHarness)` names the module `name` instead, for crates
/// that test several harnesses in one file.
///
/// A test passes when its check passes; prints `off: <check>: <reason>` and
/// passes when a capability flag or the harness's answer switches the check
/// off; prints
/// `skipped: <backend>: <reason>` and passes when the harness returns
/// [`Skip`](crate::Skip) before it has opened a store, unless
/// `SESSION_TEST_REQUIRE` names the backend (a `Skip` after the check has
/// opened a store means the store was lost, and fails); and panics with the [`Failure`](crate::Failure) otherwise. Property-test
/// failures are saved as seeds in the crate's
/// `proptest-regressions/conformance.txt` and replayed first on later runs.
#[macro_export]
macro_rules! suite {
    ($module:ident => $harness:expr) => {
        $crate::__with_checks!($crate::__stamp_tests!($module, $harness));
    };
    ($harness:expr) => {
        $crate::__with_checks!($crate::__stamp_tests!(conformance, $harness));
    };
}

/// Expands the check list into test functions; used by [`suite!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __stamp_tests {
    (($module:ident, $harness:expr) $([$group:ident, $name:ident, [$($rule:literal),+], $doc:literal])*) => {
        mod $module {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[doc = $doc]
                #[test]
                fn $name() {
                    let harness = $harness;
                    $crate::__private::run_test(
                        stringify!($name),
                        ::std::env!("CARGO_MANIFEST_DIR"),
                        &harness,
                        async { $crate::checks::$name(&harness).await },
                    );
                }
            )*
        }
    };
}
