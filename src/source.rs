//! Source files, byte spans and line/column arithmetic.
//!
//! Everything downstream addresses text by byte [`Span`]s; line and column
//! numbers are only computed at the edge (reports), from a [`LineIndex`] built
//! once per file.

use std::path::PathBuf;
use std::sync::Arc;

/// Index of a file in a [`SourceSet`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileId(pub u32);

/// Half-open byte range `[start, end)` in one source file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, start: u32, end: u32) -> Self {
        debug_assert!(start <= end, "span start after end");
        Span { file, start, end }
    }

    pub fn empty_at(file: FileId, offset: u32) -> Self {
        Span::new(file, offset, offset)
    }

    pub fn len(&self) -> u32 {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(&self) -> bool {
        self.start >= self.end
    }

    /// The smallest span covering both (same file assumed).
    pub fn cover(self, other: Span) -> Span {
        Span::new(
            self.file,
            self.start.min(other.start),
            self.end.max(other.end),
        )
    }

    pub fn range(&self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// 1-based position in a file, columns counted in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

/// Start offset of every line of a text, for offset → line/column lookups.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    line_starts: Vec<u32>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = Vec::with_capacity(text.len() / 40 + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i as u32 + 1));
        LineIndex { line_starts }
    }

    /// 0-based line number containing `offset`.
    pub fn line_of(&self, offset: u32) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        }
    }

    pub fn line_start(&self, line: usize) -> u32 {
        self.line_starts.get(line).copied().unwrap_or(0)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// 1-based line and character column of `offset` in `text`.
    pub fn position(&self, text: &str, offset: u32) -> Position {
        let offset = (offset as usize).min(text.len());
        let line = self.line_of(offset as u32);
        let start = self.line_start(line) as usize;
        let column = text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start);
        Position {
            line: line as u32 + 1,
            column: column as u32 + 1,
        }
    }
}

/// One configuration file as read: its name for reports, its text, its lines.
#[derive(Debug)]
pub struct SourceFile {
    pub id: FileId,
    /// Name shown in reports (the path as given, or `--stdin-filename`).
    pub name: String,
    /// Where it was read from, if it came from disk.
    pub path: Option<PathBuf>,
    pub text: Arc<str>,
    /// Built on first use: positions are only needed to report findings,
    /// and a large configuration without findings never pays for them.
    lines: std::sync::OnceLock<LineIndex>,
}

impl SourceFile {
    /// Where each line starts, for offset → line/column lookups.
    pub fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    pub fn position(&self, offset: u32) -> Position {
        self.lines().position(&self.text, offset)
    }

    /// Byte range of the whole line (end of line included) that holds `offset`.
    pub fn line_range_at(&self, offset: u32) -> std::ops::Range<usize> {
        let lines = self.lines();
        let line = lines.line_of(offset);
        let start = lines.line_start(line) as usize;
        let end = if line + 1 < lines.line_count() {
            lines.line_start(line + 1) as usize
        } else {
            self.text.len()
        };
        start..end
    }
}

/// All files of one check, in the order haproxy would read them.
#[derive(Debug, Default)]
pub struct SourceSet {
    files: Vec<SourceFile>,
}

impl SourceSet {
    pub fn new() -> Self {
        SourceSet::default()
    }

    pub fn add(
        &mut self,
        name: impl Into<String>,
        path: Option<PathBuf>,
        text: impl Into<Arc<str>>,
    ) -> FileId {
        let id = FileId(self.files.len() as u32);
        let text: Arc<str> = text.into();
        self.files.push(SourceFile {
            id,
            name: name.into(),
            path,
            text,
            lines: std::sync::OnceLock::new(),
        });
        id
    }

    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    pub fn slice(&self, span: Span) -> &str {
        self.get(span.file).map(|f| f.slice(span)).unwrap_or("")
    }

    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_not_bytes() {
        let text = "global\n  # é x\nfoo";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 0), Position { line: 1, column: 1 });
        let x = text.find('x').unwrap() as u32;
        assert_eq!(index.position(text, x), Position { line: 2, column: 7 });
        assert_eq!(
            index.position(text, text.len() as u32),
            Position { line: 3, column: 4 }
        );
    }

    #[test]
    fn offset_on_newline_belongs_to_its_line() {
        let text = "a\nb\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_of(1), 0);
        assert_eq!(index.line_of(2), 1);
        assert_eq!(index.line_count(), 3);
    }
}
