//! Django's side: a Python that imports Django 5.2 (installed on first
//! use) running `scripts/django-interop/django_side.py`.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::{Value, json};

/// A Python that imports Django 5.2 and psycopg (Django's PostgreSQL
/// driver): an interpreter and the directory they were installed into.
pub(crate) struct Python {
    program: PathBuf,
    site: Option<PathBuf>,
}

impl Python {
    fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        if let Some(site) = &self.site {
            command.env("PYTHONPATH", site);
        }
        command
    }

    fn has_django(&self) -> bool {
        self.command()
            .args([
                "-c",
                "import django, psycopg; assert django.VERSION[:2] == (5, 2)",
            ])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }
}

/// Python with Django 5.2 and psycopg 3 (its binary wheel, no compiler
/// needed), installed on first use, or why there is none.
///
/// Django goes into `target/django-site` with `pip install --target` (no
/// virtual environment needed, and allowed on systems whose Python is
/// externally managed), else into a virtual environment in
/// `target/django-venv`; `$DJANGO_INTEROP_DIR` replaces `target`.
fn django_python() -> Result<&'static Python, &'static str> {
    static PYTHON: OnceLock<Result<Python, String>> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            let base = std::env::var_os("DJANGO_INTEROP_DIR").map_or_else(
                || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
                PathBuf::from,
            );
            let site = Python {
                program: PathBuf::from("python3"),
                site: Some(base.join("django-site")),
            };
            let venv = Python {
                program: base.join("django-venv/bin/python"),
                site: None,
            };
            if site.has_django() {
                return Ok(site);
            }
            if venv.has_django() {
                return Ok(venv);
            }
            let spec = ["Django>=5.2,<5.3", "psycopg[binary]>=3.1,<4"];
            let target = base.join("django-site");
            let pip = Command::new("python3")
                .args(["-m", "pip", "install", "--quiet", "--upgrade", "--target"])
                .arg(&target)
                .args(spec)
                .env("PIP_ROOT_USER_ACTION", "ignore")
                .env("PIP_DISABLE_PIP_VERSION_CHECK", "1")
                // Installing into a directory of our own never touches the
                // system's packages, which is all the externally-managed
                // check (PEP 668, Debian's Python) protects.
                .env("PIP_BREAK_SYSTEM_PACKAGES", "1")
                .status();
            match pip {
                Err(e) => return Err(format!("python3 not found ({e})")),
                Ok(status) if status.success() && site.has_django() => return Ok(site),
                Ok(_) => {}
            }
            let made = Command::new("python3")
                .args(["-m", "venv"])
                .arg(base.join("django-venv"))
                .status()
                .is_ok_and(|s| s.success());
            let installed = made
                && Command::new(base.join("django-venv/bin/pip"))
                    .args(["install", "--quiet"])
                    .args(spec)
                    .env("PIP_ROOT_USER_ACTION", "ignore")
                    .status()
                    .is_ok_and(|s| s.success());
            if installed && venv.has_django() {
                Ok(venv)
            } else {
                Err(format!(
                    "could not install {} with pip (--target or a venv)",
                    spec.join(" and ")
                ))
            }
        })
        .as_ref()
        .map_err(String::as_str)
}

/// Django's Python, or `None` after one loud line (a panic when
/// `SESSION_TEST_REQUIRE` names `django`).
pub(crate) fn django_or_skip(test: &str) -> Option<&'static Python> {
    match django_python() {
        Ok(python) => Some(python),
        Err(why) => {
            assert!(
                !session_conformance::required("django"),
                "{test}: no live Django: {why}"
            );
            static ONCE: std::sync::Once = std::sync::Once::new();
            ONCE.call_once(|| {
                // Straight to the process's stderr: the test harness does not
                // capture it, so the skip shows in every run.
                let line = format!(
                    "SKIPPED the live Django checks (django_live): {why}; set SESSION_TEST_REQUIRE=django to fail instead\n"
                );
                let _ = std::io::Write::write_all(&mut std::io::stderr(), line.as_bytes());
            });
            None
        }
    }
}

/// One run of the Django side with `settings`: the results of `commands`.
pub(crate) fn django(python: &Python, settings: Value, commands: Vec<Value>) -> Vec<Value> {
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/django-interop/django_side.py");
    let mut child = python
        .command()
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the Django side");
    let request = json!({"settings": settings, "commands": commands}).to_string();
    std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), request.as_bytes())
        .expect("write the commands");
    let out = child.wait_with_output().expect("the Django side");
    assert!(
        out.status.success(),
        "the Django side failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reply: Value = serde_json::from_slice(&out.stdout).expect("JSON from the Django side");
    assert!(
        reply["django"]
            .as_str()
            .is_some_and(|v| v.starts_with("5.2"))
    );
    reply["results"].as_array().expect("results").clone()
}
