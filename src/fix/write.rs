//! Writing a fixed file without ever losing the original: a temporary file
//! in the same directory, flushed to disk, given the original's permissions
//! and owner, then renamed over the target. Symlinks are followed to their
//! target, which is what gets replaced. A file that changed on disk since it
//! was read is left alone.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum WriteError {
    #[error("{path} changed on disk since haplint read it; nothing was written")]
    #[diagnostic(code(haplint::write), help("run haplint again on the current file"))]
    Changed { path: PathBuf },
    #[error("cannot write {path}: {source}; the original file is unchanged")]
    #[diagnostic(code(haplint::write))]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Points where tests inject failures (debug builds only, through the
/// `HAPLINT_FAULT` environment variable): `write` fails writing the temporary
/// file, `rename` fails the final rename, `abort-before-rename` kills the
/// process between the two.
fn fault(point: &str) -> io::Result<()> {
    if cfg!(debug_assertions) && std::env::var("HAPLINT_FAULT").is_ok_and(|f| f == point) {
        if point == "abort-before-rename" {
            std::process::abort();
        }
        return Err(io::Error::other(format!("injected fault at {point}")));
    }
    Ok(())
}

/// Replace the file at `path` (whose content was `expected` when read) with `content`.
pub fn write_atomic(path: &Path, expected: &str, content: &str) -> Result<(), WriteError> {
    let target = fs::canonicalize(path).map_err(io_error(path))?;
    let current = fs::read(&target).map_err(io_error(&target))?;
    if current != expected.as_bytes() {
        return Err(WriteError::Changed { path: target });
    }
    let metadata = fs::metadata(&target).map_err(io_error(&target))?;
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (temp_path, mut temp) = create_temp(dir, &name).map_err(io_error(&target))?;
    let result = (|| -> io::Result<()> {
        fault("write")?;
        temp.write_all(content.as_bytes())?;
        temp.sync_all()?;
        fs::set_permissions(&temp_path, metadata.permissions())?;
        keep_owner(&temp_path, &metadata)?;
        // Someone may have written the file while we prepared ours.
        if fs::read(&target)? != expected.as_bytes() {
            return Err(io::Error::other("changed"));
        }
        fault("abort-before-rename")?;
        fault("rename")?;
        fs::rename(&temp_path, &target)?;
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
        Ok(())
    })();
    if let Err(error) = result {
        let _ = fs::remove_file(&temp_path);
        if error.to_string() == "changed" {
            return Err(WriteError::Changed { path: target });
        }
        return Err(WriteError::Io {
            path: target,
            source: error,
        });
    }
    Ok(())
}

fn create_temp(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    for attempt in 0..100u32 {
        let candidate = dir.join(format!(
            ".{name}.haplint-{}-{attempt}.tmp",
            std::process::id()
        ));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&candidate)
        {
            Ok(file) => return Ok((candidate, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("no free temporary file name"))
}

#[cfg(unix)]
fn keep_owner(path: &Path, metadata: &fs::Metadata) -> io::Result<()> {
    use std::os::unix::fs::MetadataExt;
    let current = fs::metadata(path)?;
    if current.uid() == metadata.uid() && current.gid() == metadata.gid() {
        return Ok(());
    }
    std::os::unix::fs::chown(path, Some(metadata.uid()), Some(metadata.gid()))
}

#[cfg(not(unix))]
fn keep_owner(_path: &Path, _metadata: &fs::Metadata) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_content_and_keeps_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let scratch = tempfile::tempdir().unwrap();
        let dir = scratch.path();
        let path = dir.join("haproxy.cfg");
        fs::write(&path, "old\n").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&path, "old\n", "new\n").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new\n");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640
        );
        assert_eq!(
            fs::read_dir(dir).unwrap().count(),
            1,
            "temporary file left behind"
        );
    }

    #[test]
    fn follows_symlinks_to_their_target() {
        let scratch = tempfile::tempdir().unwrap();
        let dir = scratch.path();
        let target = dir.join("real.cfg");
        let link = dir.join("haproxy.cfg");
        fs::write(&target, "old\n").unwrap();
        std::os::unix::fs::symlink(&target, &link).unwrap();
        write_atomic(&link, "old\n", "new\n").unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&target).unwrap(), "new\n");
    }

    #[test]
    fn refuses_a_file_changed_since_read() {
        let scratch = tempfile::tempdir().unwrap();
        let dir = scratch.path();
        let path = dir.join("haproxy.cfg");
        fs::write(&path, "edited by someone else\n").unwrap();
        let error = write_atomic(&path, "old\n", "new\n").unwrap_err();
        assert!(matches!(error, WriteError::Changed { .. }));
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "edited by someone else\n"
        );
    }

    #[test]
    fn a_directory_without_write_permission_leaves_the_original() {
        use std::os::unix::fs::PermissionsExt;
        let scratch = tempfile::tempdir().unwrap();
        let dir = scratch.path();
        let path = dir.join("haproxy.cfg");
        fs::write(&path, "old\n").unwrap();
        fs::set_permissions(dir, fs::Permissions::from_mode(0o555)).unwrap();
        let result = write_atomic(&path, "old\n", "new\n");
        fs::set_permissions(dir, fs::Permissions::from_mode(0o755)).unwrap();
        // root may write anyway; either way the file is whole.
        let content = fs::read_to_string(&path).unwrap();
        match result {
            Ok(()) => assert_eq!(content, "new\n"),
            Err(error) => {
                assert_eq!(content, "old\n");
                assert!(error.to_string().contains("haproxy.cfg"));
            }
        }
    }
}
