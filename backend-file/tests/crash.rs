//! A real crash (R2, R30): a child process saves large records to a few
//! sessions from several tasks at once and is killed with `SIGKILL` right
//! after a varying number of acknowledged saves. A fresh store on the same
//! directory must then load every session whole (never torn, mixed or
//! empty), with at least the last acknowledged version (a `SIGKILL` keeps
//! the page cache, so an acknowledged write is durable here), and only
//! session files and temporary files may be left in the directory.
//!
//! The test binary runs itself as the child
//! ([`child_saves_until_killed`], ignored and a no-op unless the
//! environment names its directory), as `faults.rs` and `private.rs` do.
#![cfg(unix)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsString;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::MetadataExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, SystemTime};

use common::private_tempdir;
use session_backend_file::{FileConfig, FileStore};
use session_core::serde_json::{Map, Value, json};
use session_core::time;
use session_core::{Data, MockClock, Record, SessionKey, SessionStore};

/// The directory the child works in; the child does nothing without it.
const CHILD_DIR: &str = "SESSION_FILE_TEST_CRASH_DIR";
/// Sessions the child creates per round.
const SESSIONS: usize = 8;
/// Writer tasks in the child; each owns `SESSIONS / TASKS` sessions, so a
/// session is only ever written by one task, one save at a time.
const TASKS: usize = 4;
/// Rounds of spawn, save, kill, check.
const ROUNDS: usize = 8;
/// How long the parent waits for any line from the child before failing.
const TIMEOUT: Duration = Duration::from_secs(30);
/// The cookie name (file-name prefix).
const PREFIX: &str = "sessionid";
/// The temporary-file infix (`<cookie_name><key>_out_<random>`, src/io.rs).
const TEMP_INFIX: &str = "_out_";

fn clock() -> MockClock {
    MockClock::at_unix(1_700_000_000)
}

fn store(dir: &Path, clock: &MockClock) -> FileStore {
    FileConfig::new()
        .with_directory(dir)
        .with_cookie_name(PREFIX)
        .with_clock(clock.shared())
        .build()
        .expect("store")
}

/// FNV-1a over the owner, the generation and the padding.
fn checksum(owner: &str, generation: u64, pad: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let gen_bytes = generation.to_le_bytes();
    for byte in owner
        .bytes()
        .chain([0u8])
        .chain(gen_bytes)
        .chain(pad.bytes())
    {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// `len` bytes of a pattern that names the owner and the generation.
fn padding(owner: &str, generation: u64, len: usize) -> String {
    let unit = format!("{}:{generation};", owner.get(..6).unwrap_or(owner));
    unit.repeat(len / unit.len() + 1)[..len].to_owned()
}

/// A self-verifying record: `owner` is the session key (empty for the
/// record a session is created with, before its key is known).
fn record(clock: &MockClock, owner: &str, generation: u64, len: usize) -> Record {
    let pad = padding(owner, generation, len);
    let mut data = Map::new();
    data.insert("owner".to_owned(), json!(owner));
    data.insert("gen".to_owned(), json!(generation));
    data.insert("len".to_owned(), json!(len));
    data.insert("sum".to_owned(), json!(checksum(owner, generation, &pad)));
    data.insert("pad".to_owned(), json!(pad));
    // Far past the mock clock's now: nothing expires during the test.
    Record::new(data, clock.shared().now() + time::Duration::days(365))
}

/// The generation of a record loaded under `key`, or why it is not one the
/// child wrote whole for that key.
fn verify(key: &str, data: &Data) -> Result<u64, String> {
    let owner = data
        .get("owner")
        .and_then(Value::as_str)
        .ok_or("no owner")?;
    let generation = data.get("gen").and_then(Value::as_u64).ok_or("no gen")?;
    let len = data.get("len").and_then(Value::as_u64).ok_or("no len")?;
    let sum = data.get("sum").and_then(Value::as_str).ok_or("no sum")?;
    let pad = data.get("pad").and_then(Value::as_str).ok_or("no pad")?;
    if owner != key && !(owner.is_empty() && generation == 0) {
        return Err(format!("record of another session (gen {generation})"));
    }
    if pad.len() as u64 != len {
        return Err(format!("pad of {} bytes, len says {len}", pad.len()));
    }
    if pad != padding(owner, generation, pad.len()) {
        return Err(format!("pad does not match gen {generation}"));
    }
    if sum != checksum(owner, generation, pad) {
        return Err(format!("checksum mismatch at gen {generation}"));
    }
    Ok(generation)
}

/// A small xorshift generator: record sizes and session choices.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// 20 to 200 KB.
    fn size(&mut self) -> usize {
        20_000 + (self.next() % 180_001) as usize
    }
}

/// Writes one line to stdout and flushes it; exits when the parent is gone.
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
        std::process::exit(3);
    }
}

/// Runs in a child process; does nothing unless run by
/// [`r2_a_killed_writer_leaves_only_whole_acknowledged_sessions`]. Creates
/// [`SESSIONS`] sessions, then saves forever from [`TASKS`] tasks, printing
/// `SAVED <key> <gen>` after each acknowledged save.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "run and killed in a child process by r2_a_killed_writer_leaves_only_whole_acknowledged_sessions"]
async fn child_saves_until_killed() {
    let Some(dir) = std::env::var_os(CHILD_DIR).map(PathBuf::from) else {
        return;
    };
    let clock = clock();
    let store = store(&dir, &clock);
    let seed = u64::from(std::process::id()) | 1;
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut keys = Vec::new();
    for _ in 0..SESSIONS {
        let key = store
            .create(&record(&clock, "", 0, rng.size()))
            .await
            .expect("create");
        say(&format!("CREATED {}", key.as_str()));
        keys.push(key);
    }
    let mut tasks = Vec::new();
    for (task, owned) in keys.chunks(SESSIONS / TASKS).enumerate() {
        let owned: Vec<(SessionKey, u64)> = owned.iter().map(|k| (k.clone(), 0)).collect();
        let store = store.clone();
        let clock = clock.clone();
        let mut rng = Rng(rng.next() ^ (task as u64 + 1));
        tasks.push(tokio::spawn(async move {
            let mut owned = owned;
            // Bounded, so an orphaned child cannot run forever.
            for _ in 0..1_000_000u32 {
                let slot = (rng.next() % owned.len() as u64) as usize;
                let (key, generation) = &mut owned[slot];
                *generation += 1;
                let next = record(&clock, key.as_str(), *generation, rng.size());
                store.save(key, &next).await.expect("save");
                say(&format!("SAVED {} {generation}", key.as_str()));
            }
        }));
    }
    for task in tasks {
        task.await.expect("writer task");
    }
}

/// Kills the child on drop (an assertion failed before the planned kill).
struct Killing(Child);

impl Drop for Killing {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// What the parent learned from one child's stdout.
#[derive(Default)]
struct Acks {
    created: BTreeSet<String>,
    /// The last acknowledged generation per key.
    saved: BTreeMap<String, u64>,
    saves: usize,
}

impl Acks {
    /// Records a complete line; true when it acknowledged a save.
    fn take(&mut self, line: &str) -> bool {
        // The harness prints `test child_saves_until_killed ... ` without a
        // newline before the test runs: the first line carries it.
        let line = line
            .find("CREATED ")
            .or_else(|| line.find("SAVED "))
            .map_or(line, |at| &line[at..]);
        let mut words = line.split_whitespace();
        match (words.next(), words.next(), words.next()) {
            (Some("CREATED"), Some(key), None) => {
                self.created.insert(key.to_owned());
                false
            }
            (Some("SAVED"), Some(key), Some(generation)) => {
                let generation: u64 = generation.parse().expect("a generation");
                let last = self.saved.entry(key.to_owned()).or_insert(0);
                assert!(
                    generation > *last,
                    "the child acknowledged gen {generation} of {key} after {last}"
                );
                *last = generation;
                self.saves += 1;
                true
            }
            _ => false,
        }
    }
}

/// Runs one child, kills it after `trigger` acknowledged saves and returns
/// every acknowledgement it printed (read to the end of its stdout).
fn crash_child(dir: &Path, trigger: usize) -> Acks {
    let exe = std::env::current_exe().expect("test binary");
    let child = Command::new(exe)
        .args([
            "--exact",
            "child_saves_until_killed",
            "--ignored",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(CHILD_DIR, dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the child");
    let mut child = Killing(child);
    let stdout = child.0.stdout.take().expect("stdout");
    let mut stderr = child.0.stderr.take().expect("stderr");
    let (lines_tx, lines) = mpsc::channel::<String>();
    let reader = thread::spawn(move || {
        let mut stdout = BufReader::new(stdout);
        let mut line = String::new();
        // A partial last line (killed mid-write) ends without '\n': dropped.
        while stdout.read_line(&mut line).is_ok_and(|n| n > 0) {
            if line.ends_with('\n') && lines_tx.send(line.trim_end().to_owned()).is_err() {
                break;
            }
            line.clear();
        }
    });
    let errors = thread::spawn(move || {
        let mut text = Vec::new();
        let _ = stderr.read_to_end(&mut text);
        String::from_utf8_lossy(&text).into_owned()
    });

    let mut acks = Acks::default();
    let mut killed = false;
    loop {
        match lines.recv_timeout(TIMEOUT) {
            Ok(line) => {
                if acks.take(&line) && !killed && acks.saves >= trigger {
                    // At this acknowledgement, not after a sleep.
                    child.0.kill().expect("SIGKILL the child");
                    killed = true;
                }
            }
            Err(mpsc::RecvTimeoutError::Disconnected) if killed => break,
            Err(e) => {
                let _ = child.0.kill();
                let _ = child.0.wait();
                panic!(
                    "the child {} after {} acknowledged saves (of {trigger}); its stderr:\n{}",
                    if e == mpsc::RecvTimeoutError::Timeout {
                        "printed nothing for 30 s"
                    } else {
                        "ended early"
                    },
                    acks.saves,
                    errors.join().unwrap_or_default()
                );
            }
        }
    }
    let status = child.0.wait().expect("wait for the child");
    reader.join().expect("stdout reader");
    let stderr = errors.join().unwrap_or_default();
    assert_eq!(
        status.signal(),
        Some(9),
        "the child was not killed by SIGKILL ({status}); its stderr:\n{stderr}"
    );
    acks
}

/// The directory's entries, split into session keys and temporary files.
fn list(dir: &Path) -> (BTreeSet<String>, Vec<PathBuf>) {
    let mut sessions = BTreeSet::new();
    let mut temps = Vec::new();
    for entry in fs::read_dir(dir).expect("list") {
        let entry = entry.expect("entry");
        let name: OsString = entry.file_name();
        let name = name.to_str().expect("a UTF-8 name").to_owned();
        let rest = name
            .strip_prefix(PREFIX)
            .unwrap_or_else(|| panic!("a file that is not the store's: {name}"));
        if let Some((key, random)) = rest.split_once(TEMP_INFIX) {
            assert!(
                SessionKey::parse(key).is_some_and(|k| k.is_server_key())
                    && random.len() == 10
                    && random.bytes().all(|b| b.is_ascii_alphanumeric()),
                "a temporary file not named as the store names them: {name}"
            );
            // A name the store can never load: not a key (K2).
            assert!(SessionKey::parse(rest).is_none_or(|k| !k.is_server_key()));
            temps.push(entry.path());
        } else {
            assert!(
                SessionKey::parse(rest).is_some_and(|k| k.is_server_key()),
                "a file that is neither a session nor a temporary file: {name}"
            );
            sessions.insert(rest.to_owned());
        }
    }
    (sessions, temps)
}

/// Real time since the inode last changed (what `clear_expired` judges).
fn ctime_age(path: &Path) -> Option<Duration> {
    let meta = fs::symlink_metadata(path).ok()?;
    let changed = SystemTime::UNIX_EPOCH
        + Duration::from_secs(u64::try_from(meta.ctime()).ok()?)
        + Duration::from_nanos(u64::try_from(meta.ctime_nsec()).ok()?);
    Some(
        SystemTime::now()
            .duration_since(changed)
            .unwrap_or(Duration::ZERO),
    )
}

/// Checks every session against what the children acknowledged; returns
/// the temporary files left and the sessions holding the save that was in
/// flight at the kill (one past the last acknowledged).
async fn check(
    dir: &Path,
    clock: &MockClock,
    acks: &Acks,
    round: usize,
) -> (Vec<PathBuf>, BTreeSet<String>) {
    let (sessions, temps) = list(dir);
    let store = store(dir, clock);
    let mut in_flight = BTreeSet::new();
    for key in &acks.created {
        assert!(
            sessions.contains(key),
            "round {round}: the acknowledged session {key} has no file"
        );
    }
    for key in &sessions {
        let parsed = SessionKey::parse(key).expect("a key");
        let loaded = store
            .load(&parsed)
            .await
            .expect("load")
            .unwrap_or_else(|| panic!("round {round}: session {key} does not load"));
        let generation = verify(key, &loaded.data)
            .unwrap_or_else(|why| panic!("round {round}: session {key} is not whole: {why}"));
        if acks.created.contains(key) {
            let last = acks.saved.get(key).copied().unwrap_or(0);
            // One save per session in flight: the last acknowledged one or
            // the one after it, never older (R2) and never anything else.
            assert!(
                generation == last || generation == last + 1,
                "round {round}: session {key} holds gen {generation}, last acknowledged {last}"
            );
            if generation == last + 1 {
                in_flight.insert(key.clone());
            }
        } else {
            // Created but killed before the acknowledgement was printed.
            assert_eq!(generation, 0, "round {round}: unacknowledged {key}");
        }
    }

    // Nothing live is removed; temporary files younger than
    // `stale_temp_age` (one minute by default) stay.
    let young: Vec<&PathBuf> = temps
        .iter()
        .filter(|p| ctime_age(p).is_some_and(|age| age < Duration::from_secs(50)))
        .collect();
    let removed = store.clear_expired().await.expect("clear_expired");
    assert_eq!(
        removed, 0,
        "round {round}: clear_expired removed live sessions"
    );
    let (after, temps_after) = list(dir);
    assert_eq!(
        after, sessions,
        "round {round}: clear_expired changed the sessions"
    );
    for path in young {
        assert!(
            temps_after.contains(path),
            "round {round}: a temporary file younger than a minute was removed"
        );
    }
    (temps, in_flight)
}

/// R2/R30: `SIGKILL` a writer in the middle of large concurrent saves, then
/// reopen: every session loads whole, with its last acknowledged version
/// (or the one in flight), and only session and temporary files remain.
#[test]
fn r2_a_killed_writer_leaves_only_whole_acknowledged_sessions() {
    let dir = private_tempdir();
    let clock = clock();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut all = Acks::default();
    let mut temps_seen = BTreeSet::new();
    let mut landed = BTreeSet::new();
    for round in 0..ROUNDS {
        let acks = crash_child(dir.path(), 20 + round * 7);
        all.saves += acks.saves;
        all.created.extend(acks.created);
        all.saved.extend(acks.saved);
        let (temps, in_flight) = runtime.block_on(check(dir.path(), &clock, &all, round));
        temps_seen.extend(temps);
        landed.extend(in_flight);
    }

    // A sweep with no grace period removes every leftover temporary file
    // and still no session.
    let sweeper = FileConfig::new()
        .with_directory(dir.path())
        .with_cookie_name(PREFIX)
        .with_clock(clock.shared())
        .with_stale_temp_age(Duration::ZERO)
        .build()
        .expect("store");
    let removed = runtime
        .block_on(sweeper.clear_expired())
        .expect("clear_expired");
    assert_eq!(removed, 0);
    let (sessions, temps) = list(dir.path());
    assert!(temps.is_empty(), "left after a zero-age sweep: {temps:?}");
    assert_eq!(sessions.len(), ROUNDS * SESSIONS);
    runtime.block_on(check(dir.path(), &clock, &all, ROUNDS));
    println!(
        "FIGURE backend=file test=crash_sigkill rounds={ROUNDS} sessions={} acknowledged_saves={} \
         unacknowledged_saves_landed={} leftover_temp_files_seen={}",
        sessions.len(),
        all.saves,
        landed.len(),
        temps_seen.len()
    );
}
