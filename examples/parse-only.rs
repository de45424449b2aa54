//! Times the stages of a check on one file, for the benchmark script:
//! read, parse (syntax tree), model, and the full check with all rules.
//!
//!     cargo run --release --example parse-only -- /tmp/50k.cfg

use haplint::load::{self, Input};
use std::time::Instant;

fn resident_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        })
        .unwrap_or(0)
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: parse-only FILE");
        std::process::exit(2);
    };
    let started = Instant::now();
    let sources = match load::load(&[Input::Path(path.into())]) {
        Ok(sources) => sources,
        Err(error) => {
            eprintln!("{error}");
            std::process::exit(2);
        }
    };
    let read = started.elapsed();
    let rss_read = resident_kb();
    let at = Instant::now();
    let trees: Vec<_> = sources.files().iter().map(haplint::syntax::parse).collect();
    let parse = at.elapsed();
    let rss_parse = resident_kb();
    let at = Instant::now();
    let model = haplint::model::Model::build(trees);
    let build = at.elapsed();
    let rss_model = resident_kb();
    let bytes: usize = sources.files().iter().map(|f| f.text.len()).sum();
    let mb = bytes as f64 / 1e6;
    println!(
        "read {:.3}s ({rss_read} KB)  parse {:.3}s = {:.0} MB/s \
            ({rss_parse} KB)  model {:.3}s ({rss_model} KB)  sections {}",
        read.as_secs_f64(),
        parse.as_secs_f64(),
        mb / parse.as_secs_f64(),
        build.as_secs_f64(),
        model.sections.len()
    );
    std::mem::forget(model);
}
