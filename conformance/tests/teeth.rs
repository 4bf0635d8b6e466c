//! Teeth: the suite run against deliberately broken stores. A suite that
//! passes a broken store is a bug in the suite.

mod mutants;

use mutants::{BrokenHarness, Bug};
use session_conformance::{__private, CHECKS, Outcome, Report, checks, run};

async fn report(bug: Bug) -> Report {
    let report = run(&BrokenHarness(bug)).await;
    let caught: Vec<&str> = report.failures().map(|f| f.check).collect();
    println!(
        "{:<24} caught by {} checks: {}",
        bug.name(),
        caught.len(),
        caught.join(", ")
    );
    for failure in report.failures() {
        println!("  {failure}");
        assert_eq!(
            failure.backend,
            bug.name(),
            "a failure must name the backend"
        );
        assert!(
            failure.to_string().starts_with(&format!(
                "[{}] {}: {}: ",
                failure.rule,
                bug.name(),
                failure.check
            )),
            "a failure must name its rule, backend and check: {failure}"
        );
    }
    report
}

/// The report on `bug`, asserted to fail: a suite that passes a broken
/// store is a bug in the suite.
async fn failing_report(bug: Bug) -> Report {
    let report = report(bug).await;
    assert!(
        !report.is_success(),
        "the suite passed the broken store `{}`:\n{report}",
        bug.name()
    );
    report
}

/// Whether `check` failed in `report`; panics on a name that is no check.
fn failed(report: &Report, check: &str) -> bool {
    assert!(
        CHECKS.iter().any(|c| c.name == check),
        "no check named {check}"
    );
    report.get(check).expect("check ran").result.is_err()
}

/// Asserts that `bug` is caught, and by each of `expected` (check names).
async fn caught(bug: Bug, expected: &[&str]) {
    let report = failing_report(bug).await;
    for check in expected {
        assert!(
            failed(&report, check),
            "{check} did not catch `{}`: {:?}",
            bug.name(),
            report.get(check).expect("check ran").result
        );
    }
}

/// Asserts that `bug` is caught by at least one of `races`: checks that
/// catch it only when threads interleave a certain way. Each catches this
/// bug in nearly every run, yet on a loaded machine one can miss it (its
/// window is bounded so that the mutant stays fast), so the tooth is that
/// the suite as a whole never passes it.
async fn caught_by_a_race(bug: Bug, races: &[&str]) {
    let report = failing_report(bug).await;
    let caught = races.iter().filter(|check| failed(&report, check)).count();
    assert!(caught > 0, "none of {races:?} caught `{}`", bug.name());
}

/// Two store instances over one engine, each atomic only within itself:
/// the cross-instance races must see it (K4: two holders of one key; L1: a
/// save on one instance resurrects a record the other deleted).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn locking_per_instance_is_caught() {
    caught_by_a_race(
        Bug::LocksPerInstance,
        &[
            "k4_cross_instance_creates_with_one_forced_key_leave_one_holder",
            "l1_cross_instance_logout_save_races_resurrect_nothing",
        ],
    )
    .await;
}

macro_rules! teeth {
    ($($test:ident: $bug:ident => [$($check:ident),* $(,)?];)*) => {$(
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn $test() {
            caught(Bug::$bug, &[$(stringify!($check)),*]).await;
        }
    )*};
}

teeth! {
    upsert_on_save_is_caught: UpsertsOnSave => [
        l1_save_after_delete_is_interrupted,
        l1_save_after_expiry_is_interrupted,
        l1_handle_save_after_logout_elsewhere_is_interrupted,
        l1_logout_save_races_resurrect_nothing,
        l3_cycle_key_beats_a_stale_concurrent_save,
        l1_e5_model_random_sequences_match_the_reference,
        l1_e5_differential_random_sequences_match_memory_store,
    ];
    returning_expired_records_is_caught: ReturnsExpired => [
        e5_expired_record_is_never_returned,
        e5_every_expiry_kind_is_enforced_at_its_boundary,
        k3_expired_key_is_dropped_not_adopted,
        l5_exists_iff_a_live_record_is_stored,
        l1_e5_model_random_sequences_match_the_reference,
    ];
    overwriting_on_create_is_caught: OverwritesOnCreate => [
        k4_create_never_overwrites_a_taken_key,
        k4_concurrent_creates_with_one_forced_key_leave_one_holder,
    ];
    giving_up_at_the_first_collision_is_caught: GivesUpOnCollision => [
        k4_create_draws_another_key_after_a_collision,
    ];
    adopting_unknown_keys_is_caught: AdoptsUnknownKeys => [
        k2_saves_to_malformed_keys_write_nothing,
        l1_save_of_an_unknown_key_is_interrupted,
        l1_e5_model_random_sequences_match_the_reference,
    ];
    losing_unicode_is_caught: LosesUnicode => [
        d1_values_round_trip_exactly,
        d1_handle_values_round_trip_through_save_and_load,
        l1_e5_model_random_sequences_match_the_reference,
    ];
    reading_python_json_with_serde_is_caught: ReadsPythonJsonWithSerde => [
        d1_python_values_round_trip_exactly,
    ];
    integer_expiry_by_cookie_age_is_caught: IntegerExpiryByCookieAge => [
        e5_integer_expiry_ends_at_its_instant,
        e5_every_expiry_kind_is_enforced_at_its_boundary,
    ];
    losing_big_integers_is_caught: LosesBigIntegers => [
        d1_values_round_trip_exactly,
        d1_handle_values_round_trip_through_save_and_load,
        d2_typed_access_goes_through_serde,
        l1_e5_model_random_sequences_match_the_reference,
    ];
    exists_ignoring_expiry_is_caught: ExistsIgnoresExpiry => [
        l5_exists_iff_a_live_record_is_stored,
        l1_e5_model_random_sequences_match_the_reference,
    ];
    live_at_expiry_instant_is_caught: LiveAtExpiryInstant => [
        e5_expired_record_is_never_returned,
        l1_save_after_expiry_is_interrupted,
        l5_exists_iff_a_live_record_is_stored,
        l1_e5_model_random_sequences_match_the_reference,
    ];
    clearing_live_records_is_caught: ClearsLiveRecords => [
        l6_clear_expired_removes_exactly_the_expired,
        l1_e5_model_random_sequences_match_the_reference,
    ];
    failing_delete_of_missing_key_is_caught: DeleteMissingFails => [
        l4_delete_of_a_missing_key_is_ok,
    ];
    a_delete_that_does_nothing_is_caught: DeleteIsNoop => [
        l2_flush_deletes_the_stored_record,
        l3_cycle_key_deletes_the_old_record,
        l1_save_after_delete_is_interrupted,
        l5_exists_iff_a_live_record_is_stored,
    ];
    a_load_that_creates_is_caught: LoadCreates => [
        k3_load_never_creates_a_record,
    ];
    cross_talk_between_keys_is_caught: CrossTalk => [
        d1_concurrent_sessions_stay_isolated,
    ];
    case_insensitive_keys_are_caught: CaseInsensitiveKeys => [
        k2_keys_of_8_to_40_characters_are_accepted,
    ];
    ignoring_the_key_generator_is_caught: IgnoresKeyGenerator => [
        k1_created_keys_are_32_lowercase_alphanumerics,
        k4_create_never_overwrites_a_taken_key,
    ];
    upper_case_keys_are_caught: UppercasesKeys => [
        k1_created_keys_are_32_lowercase_alphanumerics,
    ];
    forgetting_on_reopen_is_caught: ForgetsOnReopen => [
        r2_acknowledged_saves_survive_reopen,
    ];
    forgetting_deletes_on_reopen_is_caught: ForgetsDeletesOnReopen => [
        r2_deleted_records_stay_deleted_after_reopen,
    ];
    sorting_entries_is_caught: SortsEntries => [
        d1_values_round_trip_exactly,
    ];
    torn_writes_are_caught: TornWrites => [
        r2_concurrent_saves_never_tear_a_record,
    ];
    ignoring_the_depth_limit_is_caught: IgnoresDepthLimit => [
        d1_nesting_to_the_limit_round_trips_and_deeper_is_refused,
    ];
}

/// The reference store passes everything: the mutants fail for their bug.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_store_passes_every_check() {
    let report = run(&session_conformance::MemoryHarness).await;
    println!("{report}");
    assert!(report.is_success(), "{report}");
    assert_eq!(report.checks.len(), CHECKS.len());
    // Off, with a reason, exactly where a capability or the harness says so.
    let off: Vec<(&str, &str)> = report.off().collect();
    let names: Vec<&str> = off.iter().map(|(check, _)| *check).collect();
    assert_eq!(
        names,
        [
            "k4_cross_instance_creates_with_one_forced_key_leave_one_holder",
            "l1_cross_instance_logout_save_races_resurrect_nothing",
            "l3_cross_instance_cycle_key_beats_a_stale_save",
            "l5_client_side_exists_is_always_false",
            "g1_client_side_key_is_djangos_signed_format",
            "g2_validly_signed_bad_payloads_load_as_absent",
            "r1_oversized_client_side_record_is_too_large",
            "r1_corrupt_record_loads_as_absent",
            "r2_acknowledged_saves_survive_reopen",
            "r2_deleted_records_stay_deleted_after_reopen",
        ]
    );
    let corrupt = off
        .iter()
        .find(|(check, _)| *check == "r1_corrupt_record_loads_as_absent")
        .map(|(_, reason)| *reason);
    assert_eq!(
        corrupt,
        Some(
            "the harness cannot corrupt a stored record: keeps typed records, nothing encoded to corrupt"
        )
    );
}

/// A harness whose server is not configured: every check reports it
/// skipped (and passes) instead of opening it again and again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unconfigured_backend_is_skipped() {
    struct Unconfigured;
    #[session_conformance::async_trait]
    impl session_conformance::Harness for Unconfigured {
        type Store = session_core::MemoryStore;
        fn name(&self) -> &'static str {
            "unconfigured"
        }
        async fn open(
            &self,
            _ctx: &session_conformance::Ctx,
        ) -> Result<Self::Store, session_conformance::Skip> {
            Err(session_conformance::Skip(
                "SESSION_TEST_UNCONFIGURED_URL is not set".into(),
            ))
        }
        async fn corrupt(
            &self,
            _ctx: &session_conformance::Ctx,
            _key: &session_core::SessionKey,
        ) -> session_conformance::Corruption {
            session_conformance::Corruption::NotApplicable("never opened")
        }
    }
    let report = run(&Unconfigured).await;
    assert!(report.is_success(), "{report}");
    assert!(report.checks.iter().all(|c| matches!(
        &c.result,
        Ok(session_conformance::Outcome::Skipped(reason)) if reason.contains("SESSION_TEST_UNCONFIGURED_URL")
    )));
}

/// The runtime entry point can be spawned: its future is `Send`.
#[test]
fn run_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let future = run(&session_conformance::MemoryHarness);
    assert_send(&future);
}

/// The model check's failure on `UpsertsOnSave`: the rule, the backend, the
/// minimal operation sequence (one save to a key with no live record) and
/// the seed that reproduces it.
async fn model_failure(dir: Option<&std::path::Path>) -> session_conformance::Failure {
    let harness = BrokenHarness(Bug::UpsertsOnSave);
    let check = checks::l1_e5_model_random_sequences_match_the_reference(&harness);
    let result = match dir {
        Some(dir) => __private::with_regressions_dir(dir, check).await,
        None => check.await,
    };
    result.expect_err("the model check catches a store that upserts on save")
}

/// The operation count of a property-test failure message.
fn sequence_length(message: &str) -> Option<usize> {
    let rest = message.split("minimal sequence of ").nth(1)?;
    rest.split(' ').next()?.parse().ok()
}

/// The hex seed of a property-test failure message.
fn seed(message: &str) -> Option<&str> {
    let rest = message.split("seed: cc ").nth(1)?;
    let hex = rest.get(..64)?;
    hex.bytes().all(|b| b.is_ascii_hexdigit()).then_some(hex)
}

/// A fresh temporary directory for a regressions file.
fn temp_dir(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!(
        "session-conformance-{name}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    ))
}

/// A seed whose sequence `UpsertsOnSave` fails, shrunk to three handle
/// operations. If the operation generator changes, this test says so;
/// replace the seed by one the new generator fails with.
const UPSERT_SEED: &str = "a884be495af12809f72ee5657901ec07c18810cbe683ea4a36e26754a122325e";

/// Replayed from a saved seed, the model check's failure is deterministic:
/// it names the rule, the backend, the minimal operation sequence and the
/// seed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn model_failures_name_the_minimal_sequence_and_the_seed() {
    let dir = temp_dir("minimal");
    let file = dir.join("proptest-regressions").join("conformance.txt");
    std::fs::create_dir_all(dir.join("proptest-regressions")).expect("a temporary directory");
    std::fs::write(&file, format!("# a saved seed\ncc {UPSERT_SEED} # saved\n"))
        .expect("a regressions file");
    for _ in 0..3 {
        let failure = model_failure(Some(&dir)).await;
        println!("{failure}");
        assert_eq!(failure.rule, "L1", "{failure}");
        assert_eq!(failure.backend, "upserts-on-save");
        assert!(
            failure.to_string().starts_with(
                "[L1] upserts-on-save: l1_e5_model_random_sequences_match_the_reference: \
                 the store disagrees with the reference model; minimal sequence of 3 operations:\n    \
                 1. s2.save()\n    2. s2.delete()\n    3. s2.save()\n  \
                 first disagreement at step 3 `s2.save()`:\n"
            ),
            "the seed no longer shrinks to the expected sequence (has the generator changed?): {failure}"
        );
        assert_eq!(seed(&failure.message), Some(UPSERT_SEED), "{failure}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Without a regressions directory (as `run` is called), a failure from a
/// fresh random seed still lists its minimal sequence and its seed, and
/// saves nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_model_failures_list_their_sequence_and_seed() {
    let failure = model_failure(None).await;
    let len = sequence_length(&failure.message).expect("an operation count");
    let listed = failure
        .message
        .lines()
        .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .count();
    assert!(len >= 1 && listed == len, "{failure}");
    assert!(seed(&failure.message).is_some(), "no seed line: {failure}");
    assert!(!failure.message.contains("saved to"), "{failure}");
}

/// A failing seed is appended to `proptest-regressions/conformance.txt`
/// under the regressions directory, and the next run replays it first: it
/// fails with the same seed rather than a fresh random one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_seeds_are_saved_and_replayed_first() {
    let dir = temp_dir("regressions");
    let file = dir.join("proptest-regressions").join("conformance.txt");

    let first = model_failure(Some(&dir)).await;
    let saved = std::fs::read_to_string(&file).expect("the failing seed was saved");
    let first_seed = seed(&first.message).expect("a seed line").to_owned();
    assert!(
        first
            .message
            .contains(&format!("(saved to {}; ", file.display())),
        "{first}"
    );
    assert!(saved.starts_with("# "), "the file starts with its header");
    let lines: Vec<&str> = saved.lines().filter(|l| l.starts_with("cc ")).collect();
    assert_eq!(
        lines,
        [format!(
            "cc {first_seed} # l1_e5_model_random_sequences_match_the_reference on upserts-on-save: L1, {} operations",
            sequence_length(&first.message).unwrap_or_default()
        )],
        "one seed line naming the check, the backend and the rule:\n{saved}"
    );

    let second = model_failure(Some(&dir)).await;
    assert_eq!(
        seed(&second.message),
        Some(first_seed.as_str()),
        "the saved seed is replayed first and reproduces the failure: {second}"
    );
    assert_eq!(second.message, first.message, "the same minimal sequence");
    let again = std::fs::read_to_string(&file).expect("still there");
    assert_eq!(again, saved, "a replayed seed is not saved twice");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A harness whose store opens `opens` times, then is gone, as a live
/// deployment that loses its server halfway through a run.
struct Flaky {
    opens: usize,
    count: std::sync::atomic::AtomicUsize,
}

#[session_conformance::async_trait]
impl session_conformance::Harness for Flaky {
    type Store = session_core::MemoryStore;
    fn name(&self) -> &'static str {
        "flaky"
    }
    async fn open(
        &self,
        ctx: &session_conformance::Ctx,
    ) -> Result<Self::Store, session_conformance::Skip> {
        let n = self
            .count
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if n >= self.opens {
            return Err(session_conformance::Skip("connection refused".into()));
        }
        Ok(session_core::MemoryStore::new()
            .with_clock(ctx.shared_clock())
            .with_key_generator(ctx.keys.clone()))
    }
    async fn corrupt(
        &self,
        _ctx: &session_conformance::Ctx,
        _key: &session_core::SessionKey,
    ) -> session_conformance::Corruption {
        session_conformance::Corruption::NotApplicable("keeps typed records")
    }
}

/// A store that was reachable and then is not fails the run where it was
/// lost (in the first check, or in a later one), and the checks after it
/// are reported not run: the report is never a success.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_lost_mid_run_fails_the_report() {
    for opens in [1, 5, 40] {
        let harness = Flaky {
            opens,
            count: std::sync::atomic::AtomicUsize::new(0),
        };
        let report = run(&harness).await;
        assert!(!report.is_success(), "{report}");
        let failures: Vec<_> = report.failures().collect();
        assert_eq!(failures.len(), 1, "{report}");
        let lost = failures[0];
        assert_eq!(lost.rule, "setup");
        assert!(
            lost.message.contains(
                "the store of `flaky` was opened earlier in this run, then could not be opened: connection refused"
            ),
            "{lost}"
        );
        let at = report
            .checks
            .iter()
            .position(|c| c.result.is_err())
            .unwrap_or_default();
        println!("{opens} opens: lost in check {at} `{}`", lost.check);
        assert!(
            opens < 40 || at > 0,
            "40 opens outlast the first check, so the loss is in a later one"
        );
        assert!(
            report.checks[..at]
                .iter()
                .all(|c| matches!(c.result, Ok(Outcome::Pass | Outcome::Off(_))))
        );
        assert!(report.checks[at + 1..].iter().all(|c| matches!(
            &c.result,
            Ok(Outcome::Skipped(reason)) if reason.starts_with(&format!("not run: the store was lost during `{}`", lost.check))
        )), "{report}");
    }
}
