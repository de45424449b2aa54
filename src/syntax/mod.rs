//! Bytes → lossless syntax tree. The only module that knows pest.
//!
//! [`parse`] never fails: lexical mistakes become `syntax` findings on the
//! exact bytes, and the next line parses as usual.

mod directives;
pub use directives::{Activity, line_activity};
mod grammar;
mod tree;
pub mod word;

pub use tree::{Line, Piece, PieceKind, SyntaxTree, Word};

use crate::finding::{Finding, Severity};
use crate::source::{FileId, SourceFile, Span};
use grammar::{LineParser, Rule};
use pest::Parser;
use pest::iterators::Pair;

/// Rule id of every finding the parser produces.
pub const SYNTAX: &str = "syntax";

/// haproxy refuses a line with more words than this (MAX_LINE_ARGS).
pub const MAX_LINE_WORDS: usize = 64;

/// Lines longer than this that need the full grammar (quotes, escapes) are
/// not cut into words: no real configuration has them, and a hostile one must
/// not cost gigabytes. Plain lines of any length are still read.
pub const MAX_GRAMMAR_LINE: usize = 1 << 20;

/// Files larger than this are cut in two halves parsed on two threads.
const PARALLEL_PARSE_BYTES: usize = 4 << 20;

pub fn parse(file: &SourceFile) -> SyntaxTree {
    let text = file.text.clone();
    let bytes = text.as_bytes();
    // Lines are independent, so a large file splits at a line end in the middle.
    let middle = if bytes.len() > PARALLEL_PARSE_BYTES {
        memchr_newline(bytes, bytes.len() / 2).map(|lf| lf + 1)
    } else {
        None
    };
    let mut builder = match middle {
        Some(middle) => {
            // The first half, sized for the whole file so that appending the
            // second does not reallocate, is parsed on the helper thread; the
            // second, freed once appended, on this one, whose allocator then
            // reuses that memory for the model.
            let (second, first) = crate::in_parallel(
                || parse_lines(file, &text, middle, bytes.len(), bytes.len() - middle),
                || parse_lines(file, &text, 0, middle, bytes.len()),
            );
            first.append(second)
        }
        None => parse_lines(file, &text, 0, bytes.len(), bytes.len()),
    };
    if let Some(last) = builder.lines.last()
        && last.end == last.content_end
        && last.end > last.start
    {
        let span = Span::new(file.id, last.start, last.end);
        builder.findings.push(
            Finding::new(SYNTAX, span, "the last line has no line feed at its end")
                .primary_text("no LF after this line")
                .note(
                    "haproxy takes a last line without LF for \
                     a truncated file and refuses to start",
                )
                .help("end the file with a newline"),
        );
    }
    // No shrink_to_fit: the reserve beyond need was never written, so it
    // takes address space but no memory, while shrinking would copy the
    // vectors (tens of megabytes on large configurations).
    let mut tree = SyntaxTree {
        file: file.id,
        text,
        lines: builder.lines,
        words: builder.words,
        cooked: builder.cooked,
        findings: builder.findings,
        directive_lines: builder.directive_lines,
        expression_lines: builder.expression_lines,
    };
    directives::check(&mut tree);
    tree
}

/// Parse the lines of `text[from..to]` (`from` at a line start), with room
/// for the lines and words of `room` bytes.
fn parse_lines(file: &SourceFile, text: &str, from: usize, to: usize, room: usize) -> Builder {
    let mut builder = Builder {
        file: file.id,
        // Real lines are 20 to 60 bytes long; a tenth of the bytes is
        // address space enough, and only what is written becomes resident.
        lines: Vec::with_capacity(room / 10 + 1),
        // Real configurations average 8 to 12 bytes per word; a quarter of
        // the bytes is a bound they stay well under, so the vector is never
        // moved (only the part written becomes resident).
        words: Vec::with_capacity(room / 4 + 1),
        cooked: Vec::new(),
        findings: Vec::new(),
        directive_lines: Vec::new(),
        expression_lines: tree::LineBits::default(),
    };
    let bytes = text.as_bytes();
    let mut start = from;
    while start < to {
        let (content_end, end) = match memchr_newline(bytes, start) {
            Some(lf) if lf > start && bytes.get(lf - 1) == Some(&b'\r') => (lf - 1, lf + 1),
            Some(lf) => (lf, lf + 1),
            None => (bytes.len(), bytes.len()),
        };
        builder.line(text, start, content_end, end);
        start = end;
    }
    builder
}

/// Most lines have no quote, backslash or carriage return: for those the
/// grammar reduces to "words separated by blanks, then an optional comment",
/// which is cut here directly (the `plain_lines_match_the_grammar` property
/// test holds this shortcut to the grammar). Returns word ranges and the
/// comment start, relative to the line, or `None` when the grammar is needed.
/// (The parser itself uses [`cut_plain_line`], which writes into the tree.)
#[cfg(test)]
#[allow(clippy::type_complexity)]
fn plain_line(content: &str) -> Option<(Vec<(u32, u32)>, Option<u32>)> {
    let mut words = Vec::new();
    let cut = cut_plain_line(content, 0, &mut words)?;
    Some((
        words.iter().map(|w| (w.start, w.end)).collect(),
        cut.comment,
    ))
}

/// What the plain-line cut found besides the words.
struct PlainCut {
    /// Start of the comment, relative to the line.
    comment: Option<u32>,
    /// The code holds `%`, `{` or `(` (see [`SyntaxTree::may_hold_expression`]).
    expression_bytes: bool,
}

/// The plain-line cut, appending the words (offset by `base`) straight to the
/// tree's word list: no allocation per line, one pass over the bytes. On
/// `None` (a quote, backslash, carriage return or NUL anywhere on the line)
/// nothing was appended and the grammar reads the line.
fn cut_plain_line(content: &str, base: u32, words: &mut Vec<Word>) -> Option<PlainCut> {
    let bytes = content.as_bytes();
    let first_new = words.len();
    let needs_grammar = |byte: &u8| matches!(byte, b'"' | b'\'' | b'\\' | b'\r' | 0);
    let mut word_start: Option<usize> = None;
    let mut comment = None;
    let mut expression_bytes = false;
    for (at, byte) in bytes.iter().enumerate() {
        match byte {
            b'%' | b'{' | b'(' => {
                expression_bytes = true;
                word_start.get_or_insert(at);
            }
            b' ' | b'\t' | 0x0b | 0x0c => {
                if let Some(start) = word_start.take() {
                    words.push(Word::new(
                        base + start as u32,
                        base + at as u32,
                        0,
                        false,
                        false,
                        false,
                    ));
                }
            }
            b'#' => {
                comment = Some(at);
                break;
            }
            byte if needs_grammar(byte) => {
                words.truncate(first_new);
                return None;
            }
            _ => {
                word_start.get_or_insert(at);
            }
        }
    }
    let code_end = comment.unwrap_or(bytes.len());
    if let Some(start) = word_start {
        words.push(Word::new(
            base + start as u32,
            base + code_end as u32,
            0,
            false,
            false,
            false,
        ));
    }
    if comment.is_some()
        && bytes
            .get(code_end..)
            .unwrap_or(&[])
            .iter()
            .any(needs_grammar)
    {
        words.truncate(first_new);
        return None;
    }
    Some(PlainCut {
        comment: comment.map(|c| c as u32),
        expression_bytes,
    })
}

fn memchr_newline(bytes: &[u8], from: usize) -> Option<usize> {
    memchr::memchr(b'\n', bytes.get(from..)?).map(|i| i + from)
}

struct Builder {
    file: FileId,
    lines: Vec<Line>,
    words: Vec<Word>,
    cooked: Vec<Box<str>>,
    findings: Vec<Finding>,
    directive_lines: Vec<u32>,
    expression_lines: tree::LineBits,
}

impl Builder {
    /// The lines of `next`, which follow this builder's, after its own.
    fn append(mut self, next: Builder) -> Builder {
        let word_offset = self.words.len() as u32;
        let line_offset = self.lines.len() as u32;
        self.expression_lines.append(&next.expression_lines);
        self.directive_lines
            .extend(next.directive_lines.iter().map(|line| line + line_offset));
        let cooked_offset = self.cooked.len() as u32;
        self.lines.extend(next.lines.into_iter().map(|mut line| {
            line.first_word += word_offset;
            line
        }));
        self.words.extend(next.words.into_iter().map(|mut word| {
            word.shift_cooked(cooked_offset);
            word
        }));
        self.cooked.extend(next.cooked);
        self.findings.extend(next.findings);
        self
    }

    fn line(&mut self, text: &str, start: usize, content_end: usize, end: usize) {
        let content = text.get(start..content_end).unwrap_or("");
        let first_word = self.words.len() as u32;
        let mut line = Line {
            start: start as u32,
            content_end: content_end as u32,
            end: end as u32,
            first_word,
            word_count: 0,
            comment_at: Line::NONE,
            ignored_at: Line::NONE,
        };
        let base = start as u32;
        if let Some(cut) = cut_plain_line(content, base, &mut self.words) {
            line.comment_at = cut.comment.map_or(Line::NONE, |c| base + c);
            line.word_count = self.words.len() as u32 - first_word;
            // The plain cut refuses lines with a NUL byte.
            self.check_line(&line, None);
            self.push_line(line, text, cut.expression_bytes);
            return;
        }
        if content.len() > MAX_GRAMMAR_LINE {
            self.words
                .push(Word::new(base, content_end as u32, 0, false, false, true));
            line.word_count = 1;
            self.findings.push(
                Finding::new(
                    SYNTAX,
                    Span::new(self.file, base, base),
                    format!(
                        "line of {} bytes with quotes or escapes is too long \
                         to check (haplint reads such lines up to {} bytes)",
                        content.len(),
                        MAX_GRAMMAR_LINE
                    ),
                )
                .help("split the line, or move the long value into a map or a file"),
            );
            self.push_line(line, text, true);
            return;
        }
        match LineParser::parse(Rule::line, content) {
            Ok(mut pairs) => {
                let inner = pairs.next().map(|p| p.into_inner());
                for pair in inner.into_iter().flatten() {
                    let at = base + pair.as_span().start() as u32;
                    match pair.as_rule() {
                        Rule::word => {
                            let word = self.word(pair, base);
                            self.words.push(word);
                        }
                        Rule::comment => line.comment_at = at,
                        Rule::ignored_tail => {
                            line.ignored_at = at;
                            if pair.as_str().len() > 1 {
                                self.findings.push(
                                    Finding::new(
                                        SYNTAX,
                                        Span::new(
                                            self.file,
                                            at,
                                            base + pair.as_span().end() as u32,
                                        ),
                                        "haproxy stops reading this line at a \
                                         carriage return and ignores what follows it",
                                    )
                                    .severity(Severity::Warning)
                                    .help(
                                        "remove the stray carriage return or \
                                         put the rest on a line of its own",
                                    ),
                                );
                            }
                        }
                        _ => {}
                    }
                }
            }
            Err(error) => {
                // The grammar is total, so this is a bug in it: keep the line as one
                // invalid word so nothing is lost, and say so.
                let word = Word::new(base, content_end as u32, 0, false, false, true);
                self.words.push(word);
                self.findings.push(Finding::new(
                    SYNTAX,
                    Span::new(self.file, base, content_end as u32),
                    format!("internal error: the grammar did not accept this line ({error})"),
                ));
            }
        }
        line.word_count = self.words.len() as u32 - first_word;
        self.check_line(&line, Some(text));
        // Quotes and escapes hide what the bytes mean: assume the worst.
        self.push_line(line, text, true);
    }

    /// Keep the line, noting it when its first word may be a directive, and
    /// whether it may hold an expression.
    fn push_line(&mut self, line: Line, text: &str, expression: bool) {
        self.expression_lines.push(expression);
        let first = self
            .words
            .get(line.first_word as usize)
            .filter(|_| line.has_words());
        if let Some(word) = first
            && !word.is_quoted()
            && (word.is_cooked() || text.as_bytes().get(word.start as usize) == Some(&b'.'))
        {
            self.directive_lines.push(self.lines.len() as u32);
        }
        self.lines.push(line);
    }

    fn word(&mut self, pair: Pair<'_, Rule>, base: u32) -> Word {
        let span = pair.as_span();
        let (start, end) = (base + span.start() as u32, base + span.end() as u32);
        let mut value = String::new();
        let mut plain_only = true;
        let mut quoted = false;
        let mut has_env = false;
        let mut invalid = false;
        for segment in pair.into_inner() {
            let seg_start = base + segment.as_span().start() as u32;
            let seg_end = base + segment.as_span().end() as u32;
            match segment.as_rule() {
                Rule::plain => value.push_str(segment.as_str()),
                Rule::escape => {
                    plain_only = false;
                    word::unescape_outside_quotes(segment.as_str(), &mut value);
                }
                Rule::squoted => {
                    plain_only = false;
                    quoted = true;
                    let s = segment.as_str();
                    value.push_str(s.get(1..s.len().saturating_sub(1)).unwrap_or(""));
                }
                Rule::dquoted => {
                    plain_only = false;
                    quoted = true;
                    for part in segment.into_inner() {
                        let part_start = base + part.as_span().start() as u32;
                        let part_end = base + part.as_span().end() as u32;
                        match part.as_rule() {
                            Rule::dq_text => value.push_str(part.as_str()),
                            Rule::dq_escape => {
                                word::unescape_in_double_quotes(part.as_str(), &mut value)
                            }
                            Rule::env_var => {
                                has_env = true;
                                value.push_str(part.as_str());
                            }
                            Rule::error_env_var => {
                                invalid = true;
                                value.push_str(part.as_str());
                                self.error(
                                    part_start,
                                    part_end.max(part_start + 1),
                                    "invalid environment variable reference: a name must start \
                                     with a letter, '_' or '.', and `${` needs its closing `}`",
                                );
                            }
                            Rule::error_bad_hex => {
                                invalid = true;
                                value.push_str(part.as_str());
                                self.error(
                                    part_start,
                                    part_end,
                                    "truncated or invalid hexadecimal escape: `\\x` \
                                     must be followed by two hexadecimal digits",
                                );
                            }
                            _ => value.push_str(part.as_str()),
                        }
                    }
                }
                Rule::error_bad_hex => {
                    plain_only = false;
                    invalid = true;
                    value.push_str(segment.as_str());
                    self.error(
                        seg_start,
                        seg_end,
                        "truncated or invalid hexadecimal escape: `\\x` \
                         must be followed by two hexadecimal digits",
                    );
                }
                Rule::error_unclosed_quote => {
                    plain_only = false;
                    invalid = true;
                    value.push_str(segment.as_str());
                    let quote = segment.as_str().chars().next().unwrap_or('"');
                    self.findings.push(
                        Finding::new(
                            SYNTAX,
                            Span::new(self.file, seg_start, seg_start + 1),
                            format!("unmatched quote: this {quote} is never closed on its line"),
                        )
                        .primary_text("opened here")
                        .note(
                            "haproxy rejects a line with an unmatched quote; \
                             a `#` after the quote does not start a comment",
                        )
                        .help(format!(
                            "close the quote with {quote} or escape it with a backslash"
                        )),
                    );
                }
                _ => value.push_str(segment.as_str()),
            }
        }
        let cooked = if plain_only {
            0
        } else {
            self.cooked.push(value.into_boxed_str());
            self.cooked.len() as u32
        };
        Word::new(start, end, cooked, quoted, has_env, invalid)
    }

    fn error(&mut self, start: u32, end: u32, message: &str) {
        self.findings.push(Finding::new(
            SYNTAX,
            Span::new(self.file, start, end),
            message,
        ));
    }

    /// Line-level checks haproxy's line reader makes; `text` is given
    /// when the line may hold a NUL byte.
    fn check_line(&mut self, line: &Line, text: Option<&str>) {
        let words = self.words.get(line.word_range()).unwrap_or(&[]);
        if let Some(nul) = text
            .and_then(|text| text.get(line.start as usize..line.content_end as usize))
            .and_then(|s| s.find('\0'))
        {
            let at = line.start + nul as u32;
            self.findings.push(
                Finding::new(
                    SYNTAX,
                    Span::new(self.file, at, at + 1),
                    "stray NUL character",
                )
                .note("haproxy stops reading the configuration at a NUL byte and refuses it"),
            );
        }
        if words.len() > MAX_LINE_WORDS {
            let (first, last) = match (words.get(MAX_LINE_WORDS), words.last()) {
                (Some(first), Some(last)) => (first.start, last.end),
                _ => (line.start, line.content_end),
            };
            self.findings.push(
                Finding::new(
                    SYNTAX,
                    Span::new(self.file, first, last),
                    format!(
                        "too many words on one line: {} (haproxy accepts at most {MAX_LINE_WORDS})",
                        words.len()
                    ),
                )
                .help("split the statement over several lines where the keyword allows it"),
            );
        }
        let cooked = &self.cooked;
        let empty = words.iter().enumerate().find(|(_, w)| {
            !w.is_invalid()
                && w.cooked_index()
                    .and_then(|i| cooked.get(i))
                    .is_some_and(|v| v.is_empty())
        });
        if let Some((index, word)) = empty
            && index + 1 < words.len()
        {
            let finding = Finding::new(
                SYNTAX,
                Span::new(self.file, word.start, word.end),
                format!(
                    "argument {} is empty, and haproxy ignores every argument after it",
                    index + 1
                ),
            )
            .severity(Severity::Warning)
            .help("remove the empty argument or give it a value");
            self.findings.push(finding);
        }
    }
}

#[cfg(test)]
mod tests;
