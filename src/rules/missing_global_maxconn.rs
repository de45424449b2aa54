//! No global `maxconn`: the limit comes from the file-descriptor limit.

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::SectionKind;

#[derive(Default)]
pub struct MissingGlobalMaxconn;

impl Rule for MissingGlobalMaxconn {
    const ID: &'static str = "missing-global-maxconn";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let Some(global) = model.sections_of(SectionKind::Global).next() else {
            return;
        };
        if model.global_maxconn().is_some() {
            return;
        }
        out.push(
            Finding::new(
                Self::ID,
                model.stmt_span(global.header),
                "`global` sets no `maxconn`: the process limit \
                 is derived from the file-descriptor limit",
            )
            .note(
                "without it haproxy computes the limit from `ulimit -n` (roughly half of it, \
                 as each proxied connection needs two descriptors) and the memory limit if one \
                 is set; with systemd's or a container's default of 1,048,576 descriptors that \
                 is about 500,000 connections, far more than the memory of a small host can \
                 hold, so an overload ends in swapping or the OOM killer instead of queueing",
            )
            .help(
                "set `maxconn` in `global` to what the host's memory can \
                 hold (`haplint tune` computes it from cores and memory)",
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "missing-global-maxconn";

    #[test]
    fn global_without_maxconn() {
        assert_eq!(findings(ID, "global\n  user haproxy\n").len(), 1);
        assert!(findings(ID, "global\n  maxconn 20000\n").is_empty());
    }
}
