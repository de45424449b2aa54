// Embeds every rules/<id>.yaml so the binary carries its own rule docs.
use std::fmt::Write as _;
use std::path::Path;

// The YAML crate is named in one place only.
#[path = "src/yaml.rs"]
mod yaml;

fn main() {
    println!("cargo:rerun-if-changed=rules");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut stems: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| e.file_name().into_string().ok())
                .filter_map(|name| name.strip_suffix(".yaml").map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    stems.sort();
    // No docs means a broken checkout or a stale build folder: fail the build
    // rather than ship a binary whose rules have no severity, tier or doc.
    if stems.is_empty() {
        println!("cargo::error=no rule docs found in {}", dir.display());
        return;
    }
    let mut out = String::from("pub(crate) static RULE_DOCS: &[(&str, &str)] = &[\n");
    for stem in &stems {
        let path = dir.join(format!("{stem}.yaml"));
        let _ = writeln!(
            out,
            "    ({stem:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    out.push_str("];\n");
    // What a check needs of each doc (severity, versions), read here so that
    // checking a config never parses the YAML of 36 docs (most of the time of
    // a check of a small file). A doc that does not parse is left out; the
    // catalog tests parse every doc and compare.
    out.push_str("pub(crate) static RULE_FACTS: &[(&str, &str, &str, &str)] = &[\n");
    for stem in &stems {
        let path = dir.join(format!("{stem}.yaml"));
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let Ok(doc) = yaml::from_str::<yaml::Value>(&text) else {
            continue;
        };
        let field = |name: &str| doc.get(name).and_then(|v| v.as_str()).map(str::to_string);
        if let (Some(id), Some(severity), Some(versions)) =
            (field("id"), field("severity"), field("versions"))
        {
            let tier = field("tier").unwrap_or_else(|| "opt-in".to_string());
            let _ = writeln!(out, "    ({id:?}, {severity:?}, {versions:?}, {tier:?}),");
        }
    }
    out.push_str("];\n");
    let target =
        Path::new(&std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("rule_docs.rs");
    if let Err(error) = std::fs::write(&target, out) {
        println!("cargo:warning=cannot write {}: {error}", target.display());
    }
}
