//! Reading the configuration the way haproxy does with several `-f`: files in
//! the order given, and for a directory its non-hidden `*.cfg` files in byte
//! order of their names.

use crate::error::Error;
use crate::source::SourceSet;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Files larger than this are refused rather than read into memory (the
/// largest generated configurations seen in practice are around 20 MB).
pub const MAX_FILE_SIZE: u64 = 256 << 20;

/// One input as given on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Path(PathBuf),
    /// `-`: standard input, shown under the given name.
    Stdin {
        name: String,
    },
}

/// Expand directories and read every input into a source set.
pub fn load(inputs: &[Input]) -> Result<SourceSet, Error> {
    let mut set = SourceSet::new();
    for input in inputs {
        match input {
            Input::Stdin { name } => {
                let mut bytes = Vec::new();
                std::io::stdin()
                    .lock()
                    .take(MAX_FILE_SIZE + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|source| Error::Read {
                        path: PathBuf::from(name),
                        source,
                    })?;
                if bytes.len() as u64 > MAX_FILE_SIZE {
                    return Err(Error::TooLarge {
                        path: PathBuf::from(name),
                        limit: MAX_FILE_SIZE,
                    });
                }
                let text = decode(name, bytes)?;
                set.add(name.clone(), None, text);
            }
            Input::Path(path) => {
                for file in expand(path)? {
                    let text = read_file(&file)?;
                    set.add(file.display().to_string(), Some(file), text);
                }
            }
        }
    }
    Ok(set)
}

/// A directory contributes its non-hidden `*.cfg` files, sorted by name bytes.
pub fn expand(path: &Path) -> Result<Vec<PathBuf>, Error> {
    let metadata = fs::metadata(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if metadata.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    if !metadata.is_dir() {
        return Err(Error::NotAFile {
            path: path.to_path_buf(),
        });
    }
    let entries = fs::read_dir(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let name = entry.file_name();
        let name_bytes = name.as_encoded_bytes();
        if name_bytes.starts_with(b".") || !name_bytes.ends_with(b".cfg") {
            continue;
        }
        let file = entry.path();
        if fs::metadata(&file).map(|m| m.is_file()).unwrap_or(false) {
            files.push(file);
        }
    }
    files.sort_by(|a, b| {
        let a = a.file_name().map(|n| n.as_encoded_bytes().to_vec());
        let b = b.file_name().map(|n| n.as_encoded_bytes().to_vec());
        a.cmp(&b)
    });
    Ok(files)
}

fn read_file(path: &Path) -> Result<Arc<str>, Error> {
    let mut file = fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let metadata = file.metadata().map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if !metadata.is_file() {
        return Err(Error::NotAFile {
            path: path.to_path_buf(),
        });
    }
    if metadata.len() > MAX_FILE_SIZE {
        return Err(Error::TooLarge {
            path: path.to_path_buf(),
            limit: MAX_FILE_SIZE,
        });
    }
    let name = path.display().to_string();
    let read_error = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    // Read straight into the buffer the source set shares: configurations
    // reach tens of megabytes, and reading into a Vec and converting it into
    // an `Arc` would hold and copy the text twice.
    let expected = metadata.len() as usize;
    let zeroed = Arc::<[u8]>::new_zeroed_slice(expected);
    // SAFETY: every byte is zero, a valid `u8`. (Zeroed memory fresh from
    // the system needs no filling, unlike a buffer written with zeros.)
    let mut shared: Arc<[u8]> = unsafe { zeroed.assume_init() };
    let mut filled = 0;
    if let Some(buffer) = Arc::get_mut(&mut shared) {
        while let Some(rest) = buffer.get_mut(filled..).filter(|rest| !rest.is_empty()) {
            match file.read(rest) {
                Ok(0) => break,
                Ok(count) => filled += count,
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(error) => return Err(read_error(error)),
            }
        }
    }
    // The file changed size since its metadata was read: what it holds now.
    let mut more = Vec::new();
    file.take(MAX_FILE_SIZE + 1 - filled as u64)
        .read_to_end(&mut more)
        .map_err(read_error)?;
    if filled < expected || !more.is_empty() {
        let mut bytes = shared.get(..filled).unwrap_or(&[]).to_vec();
        bytes.extend(more);
        if bytes.len() as u64 > MAX_FILE_SIZE {
            return Err(Error::TooLarge {
                path: path.to_path_buf(),
                limit: MAX_FILE_SIZE,
            });
        }
        return decode(&name, bytes).map(Arc::from);
    }
    shared_text(&name, shared)
}

/// `bytes` as text, shared without a copy.
fn shared_text(name: &str, bytes: Arc<[u8]>) -> Result<Arc<str>, Error> {
    if let Err(error) = std::str::from_utf8(&bytes) {
        return Err(Error::NotUtf8 {
            path: name.to_string(),
            offset: error.valid_up_to(),
        });
    }
    let raw = Arc::into_raw(bytes) as *const str;
    // SAFETY: the bytes were just checked to be UTF-8, and `str` has the
    // layout of `[u8]`, so the pointer is a valid `Arc<str>` of the same
    // allocation (this is how the standard library converts a `String`).
    Ok(unsafe { Arc::from_raw(raw) })
}

fn decode(name: &str, bytes: Vec<u8>) -> Result<String, Error> {
    String::from_utf8(bytes).map_err(|e| Error::NotUtf8 {
        path: name.to_string(),
        offset: e.utf8_error().valid_up_to(),
    })
}
