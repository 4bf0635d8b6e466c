//! The HTML report opened in headless Chromium: it renders with no console
//! error, and each chart shows one bar per backend.
//!
//! Without Chromium the test prints one loud line and passes, unless
//! `SESSION_TEST_REQUIRE` names `chromium` (CI sets it): then it fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Chromium: `$CHROMIUM`, else the first of the usual names on `PATH`.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).find_map(|dir| {
        ["chromium", "chromium-browser", "google-chrome"]
            .iter()
            .map(|name| dir.join(name))
            .find(|candidate| candidate.is_file())
    })
}

fn required() -> bool {
    std::env::var("SESSION_TEST_REQUIRE").is_ok_and(|list| {
        list.split(',')
            .any(|name| name.trim().eq_ignore_ascii_case("chromium"))
    })
}

/// Loads `page` headless and returns the DOM after rendering (stdout) and
/// Chromium's log, console messages included (stderr).
fn render(chromium: &Path, page: &Path) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let output: Output = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=2000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs");
    assert!(output.status.success(), "chromium failed: {output:?}");
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Console messages in Chromium's log: `...:CONSOLE(12)] "message", source: ...`.
fn console_lines(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|line| line.contains(":CONSOLE"))
        .collect()
}

/// Bars per chart in the rendered DOM: the filled rectangles of each
/// `<figure class="chart">` other than its white background.
fn bars_per_chart(dom: &str) -> Vec<usize> {
    dom.split("<figure class=\"chart\"")
        .skip(1)
        .map(|figure| {
            let figure = &figure[..figure.find("</figure>").unwrap_or(figure.len())];
            figure
                .split("<rect")
                .skip(1)
                .filter(|rect| {
                    let tag = &rect[..rect.find('>').unwrap_or(rect.len())];
                    !tag.contains("fill=\"#FFFFFF\"")
                })
                .count()
        })
        .collect()
}

#[test]
fn the_report_renders_in_chromium_with_a_bar_per_backend() {
    let Some(chromium) = chromium() else {
        assert!(
            !required(),
            "SESSION_TEST_REQUIRE names chromium, and no chromium is installed"
        );
        eprintln!(
            "!!!! SKIPPED: no Chromium found (install Debian's `chromium`); the report was not rendered"
        );
        return;
    };
    let work = tempfile::tempdir().unwrap();

    // The detector sees a console error when there is one.
    let control = work.path().join("control.html");
    std::fs::write(
        &control,
        "<html><body><script>console.error('boom')</script></body></html>",
    )
    .unwrap();
    let (_, log) = render(&chromium, &control);
    assert!(
        console_lines(&log).iter().any(|l| l.contains("boom")),
        "the console capture does not work: {log}"
    );

    let report = work.path().join("report");
    let output = Command::new(env!("CARGO_BIN_EXE_sessions"))
        .args(["bench", "--quick", "--report"])
        .arg(&report)
        .args(["memory://", "cache://", "signed-cookie://"])
        .env(
            "SESSION_SECRET_KEY",
            "a-chromium-test-secret-key-long-enough",
        )
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let (dom, log) = render(&chromium, &report.join("index.html"));
    assert_eq!(console_lines(&log), Vec::<&str>::new(), "console messages");
    assert!(dom.contains("Session backends compared"), "{dom}");
    assert_eq!(
        bars_per_chart(&dom),
        vec![3; 8],
        "one bar per backend in 8 charts"
    );
}
