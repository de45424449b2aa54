//! Parser and model: never panic, and the tree reprints the input exactly.
#![no_main]

use haplint::source::SourceSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = SourceSet::new();
    let id = sources.add("fuzz.cfg", None, text);
    let Some(file) = sources.get(id) else { return };
    let tree = haplint::syntax::parse(file);
    assert_eq!(tree.reprint(), text);
    let _ = haplint::model::Model::build(vec![tree]);
});
