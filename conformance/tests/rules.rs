//! The rules file, `session-core/docs/rules.md`, cannot drift from the code:
//!
//! 1. every rule id cited in a `.rs`, `.md` or `.toml` file of the workspace
//!    is a rule of the file (the failure names `file:line` of each unknown
//!    id);
//! 2. every rule the suite checks is in the file, and its `Checks:` line lists
//!    exactly the checks of [`CHECKS`] tagged with it, in the suite's order;
//! 3. every rule of the file is cited outside it, or marked `Not yet cited.`
//!    (and a rule so marked is really not cited);
//! 4. every path after `Tested in:` exists.
//!
//! Skipped when scanning: `target/`, `reports/`, `proptest-regressions/`,
//! `testdata/` and hidden folders.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use regex::Regex;
use session_conformance::CHECKS;

/// The rules file, relative to the workspace root.
const RULES: &str = "session-core/docs/rules.md";
/// Folders never scanned for citations.
const SKIPPED: &[&str] = &["target", "reports", "proptest-regressions", "testdata"];
/// The line that marks a rule nobody cites yet.
const NOT_YET_CITED: &str = "Not yet cited.";

/// A rule id as the code cites it: one of the rule letters, then one or two
/// digits, standing alone. Longer numbers (`E0599`), hex (`0xD4`) and words
/// (`R2D2`, `k1_`) do not match.
fn id_pattern() -> Regex {
    Regex::new(r"\b[DEGKLMR][0-9]{1,2}\b").expect("valid regex")
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the suite sits one folder below the workspace root")
        .to_path_buf()
}

/// One `### ID — title` section of the rules file.
#[derive(Debug, Default)]
struct Rule {
    line: usize,
    checks: Option<Vec<String>>,
    not_yet_cited: bool,
    tested_in: Vec<String>,
}

/// Parses the rules file; malformed sections are added to `problems`.
fn parse_rules(text: &str, problems: &mut Vec<String>) -> BTreeMap<String, Rule> {
    let heading = Regex::new(r"^### ([DEGKLMR][0-9]{1,2}) — \S").expect("valid regex");
    let backticked = Regex::new(r"`([^`]+)`").expect("valid regex");
    let mut rules: BTreeMap<String, Rule> = BTreeMap::new();
    let mut current: Option<String> = None;
    for (index, line) in text.lines().enumerate() {
        let at = format!("{RULES}:{}", index + 1);
        if line.starts_with('#') {
            current = None;
            if line.starts_with("### ") {
                let Some(caps) = heading.captures(line) else {
                    problems.push(format!("{at}: a rule heading must read `### ID — title`"));
                    continue;
                };
                let id = caps[1].to_string();
                if rules.contains_key(&id) {
                    problems.push(format!("{at}: rule {id} is defined twice"));
                }
                let rule = Rule {
                    line: index + 1,
                    ..Rule::default()
                };
                rules.insert(id.clone(), rule);
                current = Some(id);
            }
            continue;
        }
        let Some(rule) = current.as_ref().and_then(|id| rules.get_mut(id)) else {
            continue;
        };
        if let Some(list) = line.strip_prefix("Checks: ") {
            let names: Vec<String> = backticked
                .captures_iter(list)
                .map(|c| c[1].to_string())
                .collect();
            let rebuilt = names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            if rebuilt != list.trim_end() {
                problems.push(format!(
                    "{at}: `Checks:` must be backticked names joined by \", \""
                ));
            }
            if rule.checks.replace(names).is_some() {
                problems.push(format!("{at}: a second `Checks:` line for one rule"));
            }
        } else if let Some(list) = line.strip_prefix("Tested in: ") {
            rule.tested_in
                .extend(backticked.captures_iter(list).map(|c| c[1].to_string()));
        } else if line.trim_end() == NOT_YET_CITED {
            rule.not_yet_cited = true;
        }
    }
    rules
}

/// Every `.rs`, `.md` and `.toml` file under `dir`, skipping [`SKIPPED`] and
/// hidden folders.
fn source_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if path.is_dir() {
            if !name.starts_with('.') && !SKIPPED.contains(&name) {
                source_files(&path, out);
            }
        } else if [".rs", ".md", ".toml"]
            .iter()
            .any(|ext| name.ends_with(ext))
        {
            out.push(path);
        }
    }
}

/// Every id cited in the workspace, as `id -> ["file:line", ...]`.
fn citations(root: &Path) -> BTreeMap<String, Vec<String>> {
    let pattern = id_pattern();
    let mut files = Vec::new();
    source_files(root, &mut files);
    files.sort();
    let mut cited: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in files {
        let text =
            fs::read_to_string(&file).unwrap_or_else(|e| panic!("read {}: {e}", file.display()));
        let relative = file
            .strip_prefix(root)
            .expect("under the root")
            .display()
            .to_string();
        for (index, line) in text.lines().enumerate() {
            for id in pattern.find_iter(line) {
                let at = format!("{relative}:{}", index + 1);
                cited.entry(id.as_str().to_string()).or_default().push(at);
            }
        }
    }
    cited
}

#[test]
fn the_rules_file_matches_the_code_and_the_suite() {
    let root = root();
    let text = fs::read_to_string(root.join(RULES)).expect("the rules file exists");
    let mut problems = Vec::new();
    let rules = parse_rules(&text, &mut problems);
    assert!(!rules.is_empty(), "{RULES} defines no rule");
    let cited = citations(&root);

    // 1. Every cited id is a rule of the file (the file's own text included).
    for (id, places) in &cited {
        if !rules.contains_key(id) {
            for at in places {
                problems.push(format!("{at}: cites {id}, which {RULES} does not define"));
            }
        }
    }

    // 2. Every rule the suite checks is listed with exactly its checks.
    let mut checked: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for check in CHECKS {
        for &rule in check.rules {
            checked
                .entry(rule)
                .or_default()
                .push(check.name.to_string());
        }
    }
    for (id, expected) in &checked {
        match rules.get(*id) {
            None => problems.push(format!(
                "the suite checks {id}, which {RULES} does not define"
            )),
            Some(rule) => compare_checks(id, rule, expected, &mut problems),
        }
    }
    for (id, rule) in &rules {
        if rule.checks.is_some() && !checked.contains_key(id.as_str()) {
            problems.push(format!(
                "{RULES}:{}: {id} lists checks, but no check of the suite is tagged with it",
                rule.line
            ));
        }
    }

    // 3. Every rule is cited outside the file, or marked as not yet cited.
    let rules_path = Path::new(RULES).display().to_string();
    for (id, rule) in &rules {
        let outside = cited.get(id).is_some_and(|places| {
            places
                .iter()
                .any(|at| !at.starts_with(&format!("{rules_path}:")))
        });
        match (outside, rule.not_yet_cited) {
            (false, false) => problems.push(format!(
                "{RULES}:{}: {id} is cited nowhere; cite it or mark it `{NOT_YET_CITED}`",
                rule.line
            )),
            (true, true) => problems.push(format!(
                "{RULES}:{}: {id} is cited (first at {}); drop `{NOT_YET_CITED}`",
                rule.line,
                cited[id]
                    .iter()
                    .find(|at| !at.starts_with(&rules_path))
                    .expect("cited outside")
            )),
            _ => {}
        }
    }

    // 4. The tests named after `Tested in:` exist.
    for (id, rule) in &rules {
        for path in &rule.tested_in {
            if !root.join(path).is_file() {
                problems.push(format!(
                    "{RULES}:{}: {id} is tested in `{path}`, which does not exist",
                    rule.line
                ));
            }
        }
    }

    assert!(
        problems.is_empty(),
        "{RULES} has drifted:\n{}",
        problems.join("\n")
    );
}

fn compare_checks(id: &str, rule: &Rule, expected: &[String], problems: &mut Vec<String>) {
    let at = format!("{RULES}:{}", rule.line);
    let Some(listed) = &rule.checks else {
        problems.push(format!(
            "{at}: {id} has no `Checks:` line; the suite checks it with {expected:?}"
        ));
        return;
    };
    let listed_set: BTreeSet<&String> = listed.iter().collect();
    let expected_set: BTreeSet<&String> = expected.iter().collect();
    for missing in expected_set.difference(&listed_set) {
        problems.push(format!(
            "{at}: {id} does not list `{missing}`, which the suite tags with {id}"
        ));
    }
    for extra in listed_set.difference(&expected_set) {
        problems.push(format!(
            "{at}: {id} lists `{extra}`, which is not a check of the suite tagged with {id}"
        ));
    }
    if listed_set == expected_set && listed != expected {
        problems.push(format!(
            "{at}: {id} lists its checks out of the suite's order: {expected:?}"
        ));
    }
}

#[test]
fn the_id_pattern_finds_rules_and_nothing_else() {
    let pattern = id_pattern();
    let found = |s: &str| {
        pattern
            .find_iter(s)
            .map(|m| m.as_str().to_string())
            .collect::<Vec<_>>()
    };
    let line = "K1, L6 (E5; G2) M4 and R21: `D4`";
    assert_eq!(found(line), ["K1", "L6", "E5", "G2", "M4", "R21", "D4"]);
    let unrelated = "E0599 0xD4 #E1E1E1 R2D2 k1_keys K100 T3 A1 sha256:L1x";
    assert_eq!(found(unrelated), Vec::<String>::new());
}
