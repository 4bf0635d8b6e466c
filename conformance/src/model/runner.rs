//! Runs generated sequences against a store and a reference, shrinks a
//! failure to a minimal sequence, and keeps its seed for the next run.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use session_core::time::Duration;
use session_core::{Capabilities, Clock, SessionStore};

use super::ops::{Obs, Op, Ret, sequences};
use super::reference::Model;
use super::sut::Sut;
use crate::__private::REGRESSIONS_DIR;
use crate::cx::{Checked, Cx, Stop, fail, off};
use crate::harness::{Ctx, Harness};
use crate::memory::MemoryHarness;
use crate::report::Outcome;

/// What a sequence's results are compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The reference model.
    Model,
    /// A `MemoryStore` driven side by side.
    Differential,
}

/// Shrinking stops after this many re-runs, so a slow server store still
/// reports in reasonable time.
const MAX_SHRINK_ITERS: u32 = 2_048;

type Seed = [u8; 32];

/// Runs `PROPTEST_CASES` (256 by default) random sequences, after the seeds
/// saved by earlier failures.
pub(crate) async fn check<H: Harness>(cx: &Cx<'_, H>, mode: Mode) -> Checked {
    let (ctx, store) = cx.open().await?;
    let caps = store.capabilities();
    drop(store);
    cx.release(&ctx).await;
    if mode == Mode::Differential && !caps.server_side {
        return off(
            "capabilities().server_side is false: MemoryStore is server-side, so a client-side store cannot equal it; the model check covers client-side semantics",
        );
    }
    let config = Config::default();
    let strategy = sequences();
    let saved = saved_seeds();
    let fresh = std::iter::repeat_with(rand::random::<Seed>).take(config.cases as usize);
    for seed in saved.into_iter().chain(fresh) {
        let mut runner = TestRunner::new_with_rng(
            config.clone(),
            TestRng::from_seed(RngAlgorithm::ChaCha, &seed),
        );
        let mut tree = strategy
            .new_tree(&mut runner)
            .map_err(|e| fail("setup", format!("cannot generate a sequence: {e}")))?;
        let (mut rule, mut message) = match run_case(cx, caps, mode, &tree.current()).await {
            Ok(()) => continue,
            Err(Stop::Fail { rule, message }) => (rule, message),
            Err(skip) => return Err(skip),
        };
        let mut minimal = tree.current();
        let mut iterations = 0;
        if tree.simplify() {
            while iterations < MAX_SHRINK_ITERS.min(config.max_shrink_iters) {
                iterations += 1;
                match run_case(cx, caps, mode, &tree.current()).await {
                    Err(Stop::Fail {
                        rule: r,
                        message: m,
                    }) => {
                        (rule, message, minimal) = (r, m, tree.current());
                        if !tree.simplify() {
                            break;
                        }
                    }
                    Err(skip) => return Err(skip),
                    Ok(()) => {
                        if !tree.complicate() {
                            break;
                        }
                    }
                }
            }
        }
        // Vec shrinking deletes elements only before it simplifies them, so
        // operations simplified into no-ops stay; drop them greedily.
        let mut i = 0;
        while i < minimal.len() && minimal.len() > 1 {
            let mut shorter = minimal.clone();
            shorter.remove(i);
            match run_case(cx, caps, mode, &shorter).await {
                Err(Stop::Fail {
                    rule: r,
                    message: m,
                }) => (rule, message, minimal) = (r, m, shorter),
                Err(skip) => return Err(skip),
                Ok(()) => i += 1,
            }
        }
        let saved_to = save_seed(&seed, cx.check, cx.backend(), rule, minimal.len());
        return Err(fail(
            rule,
            describe(mode, &minimal, &message, &seed, saved_to),
        ));
    }
    Ok(Outcome::Pass)
}

/// Runs one sequence on a fresh store; `Err` at the first disagreement.
async fn run_case<H: Harness>(
    cx: &Cx<'_, H>,
    caps: Capabilities,
    mode: Mode,
    ops: &[Op],
) -> Result<(), Stop> {
    let ctx = Ctx::new();
    let store: Arc<dyn SessionStore> = cx.open_in(&ctx).await?;
    let mut sut = Sut::new(store);
    let mut model = Model::new(caps, ctx.clock.now());
    let mut reference = match mode {
        Mode::Model => None,
        Mode::Differential => {
            let reference_ctx = Ctx {
                clock: ctx.clock.clone(),
                ..Ctx::new()
            };
            let store = MemoryHarness
                .open(&reference_ctx)
                .await
                .map_err(|s| Stop::Skip(s.0))?;
            Some(Sut::new(Arc::new(store)))
        }
    };
    let tick = if caps.server_side {
        Duration::microseconds(1)
    } else {
        // Signed timestamps have whole-second resolution.
        Duration::seconds(1)
    };
    let result = async {
        for (i, op) in ops.iter().enumerate() {
            match op {
                Op::Advance(step) => {
                    let to = model.target(*step, tick);
                    ctx.clock.set(to);
                    model.now = to;
                    continue;
                }
                Op::Reopen => {
                    model.reopen();
                    let reopened: Option<Arc<dyn SessionStore>> = match caps.durable {
                        true => Some(cx.open_in(&ctx).await?),
                        false => None,
                    };
                    sut.reopen(reopened);
                    if let Some(reference) = &mut reference {
                        reference.reopen(None);
                    }
                    continue;
                }
                _ => {}
            }
            let observed = sut.apply(op).await;
            let mut expected = model.apply(op);
            if let Some(reference) = &mut reference {
                expected = reference.apply(op).await;
            }
            if !observed.agrees_with(&expected) {
                let name = if reference.is_some() {
                    "memory"
                } else {
                    "model"
                };
                return Err(fail(
                    rule_of(op, &observed, &expected),
                    format!(
                        "step {} `{op}`:\n    {:<8} {observed:?}\n    {name:<8} {expected:?}",
                        i + 1,
                        cx.backend()
                    ),
                ));
            }
        }
        Ok(())
    }
    .await;
    drop(sut);
    drop(reference);
    cx.release(&ctx).await;
    result
}

/// The rule a disagreement breaks: the operation's, refined by what differs.
fn rule_of(op: &Op, observed: &Obs, expected: &Obs) -> &'static str {
    match (observed, expected) {
        (Obs::Store(Ok(Ret::Loaded(Some(_)))), Obs::Store(Ok(Ret::Loaded(Some(_))))) => "D1",
        (
            Obs::Handle {
                result: r1,
                key: k1,
                ..
            },
            Obs::Handle {
                result: r2,
                key: k2,
                ..
            },
        ) if r1 == r2 => {
            if k1 != k2 {
                "K3"
            } else {
                "D3"
            }
        }
        _ => op.rule(),
    }
}

fn describe(
    mode: Mode,
    ops: &[Op],
    mismatch: &str,
    seed: &Seed,
    saved_to: Option<PathBuf>,
) -> String {
    let against = match mode {
        Mode::Model => "the reference model",
        Mode::Differential => "MemoryStore",
    };
    let mut out = format!(
        "the store disagrees with {against}; minimal sequence of {} operations:\n",
        ops.len()
    );
    for (i, op) in ops.iter().enumerate() {
        let _ = writeln!(out, "  {:>3}. {op}", i + 1);
    }
    let _ = write!(
        out,
        "  first disagreement at {mismatch}\n  seed: cc {}",
        hex(seed)
    );
    if let Some(path) = saved_to {
        let _ = write!(
            out,
            " (saved to {}; it is replayed first on the next run: commit it)",
            path.display()
        );
    }
    out
}

fn hex(seed: &Seed) -> String {
    seed.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Seed> {
    let bytes: Vec<u8> = (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect::<Option<_>>()?;
    bytes.try_into().ok()
}

/// `proptest-regressions/conformance.txt` of the crate whose stamped test
/// is running, if any.
fn regressions_file() -> Option<PathBuf> {
    REGRESSIONS_DIR
        .try_with(|dir| dir.join("proptest-regressions").join("conformance.txt"))
        .ok()
}

/// The comment a new regressions file starts with; the committed
/// `proptest-regressions/conformance.txt` of this crate starts with it too.
const HEADER: &str = "\
# Seeds of conformance property-test failures (session-conformance).
#
# Each line `cc <64 hex digits> # <check> on <backend>: <rule>, <n> operations`
# is the seed of one failing case. A failing property test appends its seed
# here, and every run replays the seeds of this file before it generates new
# cases, so a failure found once is checked again on every later run.
# Commit this file. Only `cc ` lines are read; comments and blank lines
# are ignored.
";

/// The seeds saved in the crate's regressions file, in file order.
fn saved_seeds() -> Vec<Seed> {
    regressions_file()
        .and_then(|path| std::fs::read_to_string(path).ok())
        .map(|text| parse_seeds(&text))
        .unwrap_or_default()
}

/// The seeds of a regressions file's `cc <hex>` lines. Comment lines,
/// blank lines and lines whose seed is not 64 hex digits are ignored.
fn parse_seeds(text: &str) -> Vec<Seed> {
    text.lines()
        .filter_map(|line| line.trim_start().strip_prefix("cc "))
        .filter_map(|rest| rest.split_whitespace().next().and_then(unhex))
        .collect()
}

/// Appends `seed` to the regressions file unless it is there already, and
/// returns the file's path; `None` outside a stamped test or when the file
/// cannot be written (the failure is reported either way).
fn save_seed(seed: &Seed, check: &str, backend: &str, rule: &str, len: usize) -> Option<PathBuf> {
    let path = regressions_file()?;
    let existing = std::fs::read_to_string(&path).unwrap_or_default();
    if parse_seeds(&existing).contains(seed) {
        return Some(path);
    }
    let mut text = existing;
    if text.is_empty() {
        text.push_str(HEADER);
    } else if !text.ends_with('\n') {
        text.push('\n');
    }
    let _ = writeln!(
        text,
        "cc {} # {check} on {backend}: {rule}, {len} operations",
        hex(seed)
    );
    std::fs::create_dir_all(path.parent()?).ok()?;
    std::fs::write(&path, text).ok()?;
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_round_trip_through_hex() {
        let seed: Seed = std::array::from_fn(|i| (i * 7) as u8);
        assert_eq!(unhex(&hex(&seed)), Some(seed));
        assert_eq!(unhex("zz"), None);
    }

    #[test]
    fn regressions_files_keep_only_cc_lines() {
        let seed: Seed = std::array::from_fn(|i| i as u8);
        let text = format!(
            "{HEADER}\n  # cc {h}\ncc {h} # l1 on file: L1, 2 operations\ncc nothex\ncc {h}00\n",
            h = hex(&seed)
        );
        assert_eq!(parse_seeds(&text), vec![seed]);
        assert!(parse_seeds(HEADER).is_empty());
    }

    #[test]
    fn the_committed_regressions_file_parses() {
        let text = include_str!("../../proptest-regressions/conformance.txt");
        assert!(
            text.starts_with(HEADER),
            "the committed file keeps the header"
        );
        let seeds = text.lines().filter(|l| l.starts_with("cc ")).count();
        assert_eq!(parse_seeds(text).len(), seeds, "every seed line parses");
    }
}
