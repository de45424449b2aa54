//! The one module that names haplint's YAML crate.
//!
//! `serde_yaml` 0.9 (the design's choice) is marked deprecated upstream. The
//! rest of haplint (and `build.rs`, which includes this file) goes through
//! `crate::yaml`, so moving to a maintained fork with the same API is the
//! `pub use` line below, or just the `package =` of the dependency in
//! `Cargo.toml` (`serde_yaml = { package = "<fork>", version = "…" }`).

pub use serde_yaml::{Value, from_str};

#[cfg(test)]
mod tests {
    /// No other source file names the crate, so the switch stays one line.
    #[test]
    fn only_this_module_names_the_yaml_crate() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let name = concat!("serde", "_yaml");
        let mut stack = vec![root.join("src"), root.join("build.rs")];
        let mut offenders = Vec::new();
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                for entry in std::fs::read_dir(&path).unwrap() {
                    stack.push(entry.unwrap().path());
                }
            } else if path.extension().is_some_and(|e| e == "rs")
                && !path.ends_with("src/yaml.rs")
                && std::fs::read_to_string(&path).unwrap().contains(name)
            {
                offenders.push(path.display().to_string());
            }
        }
        assert!(
            offenders.is_empty(),
            "{name} named outside src/yaml.rs: {offenders:?}"
        );
    }
}
