//! Reading gzip files as a stream (AWS stores ALB access logs as `.log.gz`):
//! the gzip wrapper (RFC 1952) read here, the deflate data inflated by
//! miniz_oxide. Several members one after the other (concatenated files) are
//! read as one stream. The CRC-32 of the trailer is not checked; deflate's own
//! structure catches most damage.

use miniz_oxide::inflate::stream::{InflateState, inflate};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};
use std::io::{self, BufRead, BufReader, Read};

/// Whether data starts like a gzip file.
pub fn is_gzip(start: &[u8]) -> bool {
    start.starts_with(&[0x1f, 0x8b])
}

pub struct GzipReader<R: Read> {
    inner: BufReader<R>,
    state: Box<InflateState>,
    /// At the start of a member: its header comes next.
    at_member: bool,
}

fn invalid(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("gzip: {what}"))
}

impl<R: Read> GzipReader<R> {
    pub fn new(inner: R) -> GzipReader<R> {
        GzipReader {
            inner: BufReader::with_capacity(256 * 1024, inner),
            state: InflateState::new_boxed(DataFormat::Raw),
            at_member: true,
        }
    }

    fn byte(&mut self) -> io::Result<u8> {
        let mut one = [0u8; 1];
        self.inner.read_exact(&mut one)?;
        Ok(one[0])
    }

    fn skip(&mut self, count: usize) -> io::Result<()> {
        for _ in 0..count {
            self.byte()?;
        }
        Ok(())
    }

    fn skip_zero_terminated(&mut self) -> io::Result<()> {
        while self.byte()? != 0 {}
        Ok(())
    }

    /// Read a member's header; `false` at the end of the data.
    fn header(&mut self) -> io::Result<bool> {
        if self.inner.fill_buf()?.is_empty() {
            return Ok(false);
        }
        let mut fixed = [0u8; 10];
        self.inner.read_exact(&mut fixed)?;
        if !is_gzip(&fixed) || fixed[2] != 8 {
            return Err(invalid("not a gzip member (bad magic or method)"));
        }
        let flags = fixed[3];
        if flags & 0x04 != 0 {
            let low = self.byte()?;
            let high = self.byte()?;
            self.skip(usize::from(u16::from_le_bytes([low, high])))?;
        }
        if flags & 0x08 != 0 {
            self.skip_zero_terminated()?;
        }
        if flags & 0x10 != 0 {
            self.skip_zero_terminated()?;
        }
        if flags & 0x02 != 0 {
            self.skip(2)?;
        }
        self.state.reset(DataFormat::Raw);
        Ok(true)
    }
}

impl<R: Read> Read for GzipReader<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            if self.at_member {
                if !self.header()? {
                    return Ok(0);
                }
                self.at_member = false;
            }
            let input = self.inner.fill_buf()?;
            let at_end = input.is_empty();
            let result = inflate(&mut self.state, input, out, MZFlush::None);
            self.inner.consume(result.bytes_consumed);
            match result.status {
                Ok(MZStatus::StreamEnd) => {
                    // CRC-32 and size of the member.
                    self.skip(8)?;
                    self.at_member = true;
                    if result.bytes_written > 0 {
                        return Ok(result.bytes_written);
                    }
                }
                Ok(_) | Err(MZError::Buf) => {
                    if result.bytes_written > 0 {
                        return Ok(result.bytes_written);
                    }
                    if at_end {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "gzip: the data ends inside a member",
                        ));
                    }
                }
                Err(_) => return Err(invalid("damaged deflate data")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut out = vec![0x1f, 0x8b, 8, 0x08, 0, 0, 0, 0, 0, 3];
        out.extend_from_slice(b"x.log\0");
        out.extend(miniz_oxide::deflate::compress_to_vec(data, 6));
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out
    }

    #[test]
    fn members_are_read_as_one_stream() {
        let first: Vec<u8> = (0..200_000u32)
            .flat_map(|i| format!("line {i}\n").into_bytes())
            .collect();
        let mut data = gzip(&first);
        data.extend(gzip(b"last\n"));
        assert!(is_gzip(&data));
        let mut text = Vec::new();
        GzipReader::new(&data[..]).read_to_end(&mut text).unwrap();
        assert_eq!(text.len(), first.len() + 5);
        assert!(text.ends_with(b"line 199999\nlast\n"));
        let cut = &data[..data.len() / 3];
        assert!(GzipReader::new(cut).read_to_end(&mut Vec::new()).is_err());
    }
}
