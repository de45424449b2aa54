//! Tool errors: problems with the inputs or the invocation, never with the
//! configuration itself (those are findings). Each maps to exit code 2.

use miette::Diagnostic;
use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Error, Diagnostic)]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    #[diagnostic(code(haplint::io))]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{path} is not UTF-8: invalid byte sequence at byte offset {offset}")]
    #[diagnostic(
        code(haplint::encoding),
        help(
            "haplint reads configurations as UTF-8 text; convert the \
                file (e.g. with iconv) or remove the offending bytes"
        )
    )]
    NotUtf8 { path: String, offset: usize },

    #[error("{path} is not a regular file or directory")]
    #[diagnostic(
        code(haplint::io),
        help("pass configuration files, directories of *.cfg files, or - for standard input")
    )]
    NotAFile { path: PathBuf },

    #[error("{path}: file is larger than {limit} bytes")]
    #[diagnostic(code(haplint::io))]
    TooLarge { path: PathBuf, limit: u64 },

    #[error("no configuration file given and none found")]
    #[diagnostic(
        code(haplint::usage),
        help("pass a haproxy.cfg path, a directory, or - for standard input")
    )]
    NoInput,

    #[error("invalid haplint configuration {path}: {message}")]
    #[diagnostic(code(haplint::config))]
    Config { path: String, message: String },

    #[error("unknown rule id `{id}`{suggestion}")]
    #[diagnostic(code(haplint::usage), help("`haplint rules` lists every rule id"))]
    UnknownRule { id: String, suggestion: String },

    #[error("{0}")]
    #[diagnostic(code(haplint::usage))]
    Usage(String),

    #[error("{0}")]
    #[diagnostic(code(haplint::write))]
    Write(String),

    #[error("haproxy not found: {0}")]
    #[diagnostic(
        code(haplint::verify),
        help(
            "install haproxy (e.g. `apt-get install haproxy`) or pass --haproxy /path/to/haproxy"
        )
    )]
    NoHaproxy(String),

    #[error("{0}")]
    #[diagnostic(code(haplint::verify))]
    Verify(String),

    #[error("interactive mode needs a terminal: standard input is not a TTY")]
    #[diagnostic(
        code(haplint::usage),
        help("use `haplint check --fix` (or --diff) in scripts and CI")
    )]
    NotATerminal,

    #[error("cannot write output: {0}")]
    #[diagnostic(code(haplint::io))]
    Output(#[source] std::io::Error),

    #[error("cannot write the report to {}: {source}", path.display())]
    #[diagnostic(code(haplint::io))]
    ReportFile {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl From<crate::fix::write::WriteError> for Error {
    fn from(error: crate::fix::write::WriteError) -> Self {
        Error::Write(error.to_string())
    }
}
