//! rustfmt leaves alone any expression it cannot fit in 100 columns (a long
//! string literal is enough), so such code silently escapes formatting. No
//! Rust source line may be longer than 100 characters: wrap a long string
//! (a `\` at the end of a string line continues it without the next line's
//! indentation) and let rustfmt lay out the rest.

// Test helpers may unwrap: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

const MAX: usize = 100;

fn visit(dir: &Path, root: &Path, long: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let relative = path
            .strip_prefix(root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if path.is_dir() {
            if !matches!(relative.as_str(), "target" | "fuzz/target") && !relative.starts_with('.')
            {
                visit(&path, root, long);
            }
        } else if relative.ends_with(".rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            for (index, line) in text.lines().enumerate() {
                let width = line.chars().count();
                if width > MAX {
                    long.push(format!("{relative}:{}: {width} characters", index + 1));
                }
            }
        }
    }
}

#[test]
fn no_source_line_is_wider_than_rustfmt_formats() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut long = Vec::new();
    for dir in ["src", "tests", "examples", "fuzz", "build.rs"] {
        let path = root.join(dir);
        if path.is_file() {
            let text = std::fs::read_to_string(&path).unwrap();
            for (index, line) in text.lines().enumerate() {
                if line.chars().count() > MAX {
                    long.push(format!("{dir}:{}", index + 1));
                }
            }
        } else if path.is_dir() {
            visit(&path, root, &mut long);
        }
    }
    assert!(
        long.is_empty(),
        "lines over {MAX} characters (rustfmt gives up on them; wrap by hand):\n{}",
        long.join("\n")
    );
}
