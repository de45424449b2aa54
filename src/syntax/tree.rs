//! The lossless syntax tree: lines of words, with every byte accounted for.
//!
//! A line is laid out as `[blank][word (blank word)*][blank][comment][ignored][eol]`,
//! so its pieces (see [`Line::pieces`]) cover its bytes exactly and the file
//! reprints byte for byte from the tree.

use crate::finding::Finding;
use crate::source::{FileId, Span};
use std::sync::Arc;

/// A word as the configuration parser cuts it (§2.1 rule 3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub start: u32,
    pub end: u32,
    /// The flags in the top bits; below them 1 + index in
    /// `SyntaxTree::cooked` of the unescaped, unquoted value when it differs
    /// from the raw text, 0 when the raw text is the value. Packed so a word
    /// is 12 bytes: large configurations have millions of words.
    packed: u32,
}

impl Word {
    const QUOTED: u32 = 1 << 31;
    const HAS_ENV: u32 = 1 << 30;
    const INVALID: u32 = 1 << 29;
    /// Cooked values are at most one per two bytes of a file of at most
    /// 256 MiB, so 29 bits always hold the index.
    const COOKED: u32 = Self::INVALID - 1;

    pub(crate) fn new(
        start: u32,
        end: u32,
        cooked: u32,
        quoted: bool,
        has_env: bool,
        invalid: bool,
    ) -> Self {
        let mut packed = cooked & Self::COOKED;
        if quoted {
            packed |= Self::QUOTED;
        }
        if has_env {
            packed |= Self::HAS_ENV;
        }
        if invalid {
            packed |= Self::INVALID;
        }
        Word { start, end, packed }
    }

    /// Any part of the word was single- or double-quoted.
    pub fn is_quoted(&self) -> bool {
        self.packed & Self::QUOTED != 0
    }

    /// The word refers to an environment variable; its value is only known at run time.
    pub fn has_env(&self) -> bool {
        self.packed & Self::HAS_ENV != 0
    }

    /// The word contains a lexical error (unmatched quote, bad escape…).
    pub fn is_invalid(&self) -> bool {
        self.packed & Self::INVALID != 0
    }

    /// The word has quotes or escapes, so its value differs from its raw text.
    pub fn is_cooked(&self) -> bool {
        self.packed & Self::COOKED != 0
    }

    /// Index in `SyntaxTree::cooked` of the word's value, when it is cooked.
    pub(crate) fn cooked_index(&self) -> Option<usize> {
        (self.packed & Self::COOKED)
            .checked_sub(1)
            .map(|i| i as usize)
    }

    /// Move the cooked value index by `offset` (trees parsed in parts are joined).
    pub(crate) fn shift_cooked(&mut self, offset: u32) {
        if self.is_cooked() {
            let index = (self.packed & Self::COOKED) + offset;
            self.packed = (self.packed & !Self::COOKED) | (index & Self::COOKED);
        }
    }
}

/// One physical line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// First byte of the line.
    pub start: u32,
    /// End of the line's content: the CR of a CRLF, the LF, or the end of the file.
    pub content_end: u32,
    /// One past the LF (or the end of the file for a last line without one).
    pub end: u32,
    pub(crate) first_word: u32,
    pub(crate) word_count: u32,
    /// Start of the `#` comment, or [`Line::NONE`]; see [`Line::comment`].
    pub(crate) comment_at: u32,
    /// Start of the ignored tail, or [`Line::NONE`]; see [`Line::ignored`].
    pub(crate) ignored_at: u32,
}

/// What a piece of a line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PieceKind {
    Blank,
    Word,
    Comment,
    Ignored,
    Eol,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    pub kind: PieceKind,
    pub start: u32,
    pub end: u32,
}

impl Line {
    /// No comment, or no ignored tail. Kept as a number rather than an
    /// `Option` so a line is 28 bytes instead of 36.
    pub(crate) const NONE: u32 = u32::MAX;

    /// Start of the `#` comment, if any; it runs to `ignored` or `content_end`.
    pub fn comment(&self) -> Option<u32> {
        (self.comment_at != Self::NONE).then_some(self.comment_at)
    }

    /// Start of the text after a stray CR, which haproxy ignores.
    pub fn ignored(&self) -> Option<u32> {
        (self.ignored_at != Self::NONE).then_some(self.ignored_at)
    }

    pub fn word_range(&self) -> std::ops::Range<usize> {
        self.first_word as usize..(self.first_word + self.word_count) as usize
    }

    pub fn has_words(&self) -> bool {
        self.word_count > 0
    }

    /// End of what haproxy reads: before the comment or the ignored tail.
    pub fn code_end(&self) -> u32 {
        self.comment()
            .or(self.ignored())
            .unwrap_or(self.content_end)
    }

    fn comment_end(&self) -> u32 {
        self.ignored().unwrap_or(self.content_end)
    }

    /// The consecutive pieces that make up the line, covering `start..end` exactly.
    pub fn pieces(&self, words: &[Word]) -> Vec<Piece> {
        let mut pieces = Vec::new();
        let mut at = self.start;
        let mut push = |kind, start: u32, end: u32, at: &mut u32| {
            if start > *at {
                pieces.push(Piece {
                    kind: PieceKind::Blank,
                    start: *at,
                    end: start,
                });
            }
            if end > start {
                pieces.push(Piece { kind, start, end });
            }
            *at = end;
        };
        for word in words.get(self.word_range()).unwrap_or(&[]) {
            push(PieceKind::Word, word.start, word.end, &mut at);
        }
        if let Some(comment) = self.comment() {
            push(PieceKind::Comment, comment, self.comment_end(), &mut at);
        }
        if let Some(ignored) = self.ignored() {
            push(PieceKind::Ignored, ignored, self.content_end, &mut at);
        }
        push(
            PieceKind::Blank,
            self.content_end,
            self.content_end,
            &mut at,
        );
        push(PieceKind::Eol, self.content_end, self.end, &mut at);
        pieces
    }
}

/// A parsed file: its lines, their words, and the lexical problems found.
#[derive(Debug)]
pub struct SyntaxTree {
    pub file: FileId,
    pub text: Arc<str>,
    pub lines: Vec<Line>,
    pub(crate) words: Vec<Word>,
    /// Values of the words whose value differs from their raw text.
    pub(crate) cooked: Vec<Box<str>>,
    /// `syntax` findings: lexical errors and misplaced directives.
    pub findings: Vec<Finding>,
    /// Lines whose first word may be a directive (`.if`…): unquoted and
    /// starting with a dot as written, or with escapes. Most files have
    /// none, and then no pass over every line is needed for them.
    pub(crate) directive_lines: Vec<u32>,
    /// One bit per line: see [`SyntaxTree::may_hold_expression`].
    pub(crate) expression_lines: LineBits,
}

/// One bit per line of a file, packed: rules test every statement of
/// large configurations against it, and 500,000 lines fit in 64 KB.
#[derive(Clone, Debug, Default)]
pub(crate) struct LineBits {
    bits: Vec<u64>,
    len: usize,
}

impl LineBits {
    pub(crate) fn push(&mut self, set: bool) {
        if self.len.is_multiple_of(64) {
            self.bits.push(0);
        }
        if set && let Some(word) = self.bits.last_mut() {
            *word |= 1 << (self.len % 64);
        }
        self.len += 1;
    }

    pub(crate) fn get(&self, index: usize) -> bool {
        self.bits
            .get(index / 64)
            .is_some_and(|word| word & (1 << (index % 64)) != 0)
    }

    /// The bits of `next` after these.
    pub(crate) fn append(&mut self, next: &LineBits) {
        for index in 0..next.len {
            self.push(next.get(index));
        }
    }
}

impl SyntaxTree {
    /// Whether line `index` may hold a sample expression (`%[…]`,
    /// `fetch(…)`) or an anonymous ACL (`{ … }`): its code has `%`, `{` or
    /// `(`, or quotes or escapes that hide what its bytes mean. Rules that
    /// look for these skip the other lines without reading their words.
    pub fn may_hold_expression(&self, index: usize) -> bool {
        self.expression_lines.get(index)
    }

    /// The lines whose first word is a directive, with their index.
    pub(crate) fn directives(&self) -> impl Iterator<Item = (usize, &Line, &str)> {
        self.directive_lines.iter().filter_map(|&index| {
            let line = self.lines.get(index as usize)?;
            let first = self.words(line).first().filter(|w| !w.is_quoted())?;
            let directive = self.value(first);
            directive
                .starts_with('.')
                .then_some((index as usize, line, directive))
        })
    }

    pub fn words(&self, line: &Line) -> &[Word] {
        self.words.get(line.word_range()).unwrap_or(&[])
    }

    /// The word's value as haproxy sees it: quotes removed, escapes resolved,
    /// environment variables left as written.
    pub fn value<'a>(&'a self, word: &'a Word) -> &'a str {
        match word.cooked_index().and_then(|i| self.cooked.get(i)) {
            Some(cooked) => cooked,
            None => self.raw(word),
        }
    }

    /// The word's bytes as written in the file.
    pub fn raw(&self, word: &Word) -> &str {
        self.text
            .get(word.start as usize..word.end as usize)
            .unwrap_or("")
    }

    pub fn span(&self, start: u32, end: u32) -> Span {
        Span::new(self.file, start, end)
    }

    pub fn word_span(&self, word: &Word) -> Span {
        Span::new(self.file, word.start, word.end)
    }

    pub fn line_span(&self, line: &Line) -> Span {
        Span::new(self.file, line.start, line.end)
    }

    /// The text of the line's comment, `#` included.
    pub fn comment_text(&self, line: &Line) -> Option<&str> {
        let start = line.comment()?;
        self.text.get(start as usize..line.comment_end() as usize)
    }

    /// Reprint the file from the tree, piece by piece.
    pub fn reprint(&self) -> String {
        let mut out = String::with_capacity(self.text.len());
        for line in &self.lines {
            for piece in line.pieces(&self.words) {
                out.push_str(
                    self.text
                        .get(piece.start as usize..piece.end as usize)
                        .unwrap_or(""),
                );
            }
        }
        out
    }
}
