//! zlib compression with reused per-thread state, and bounded decompression.
//!
//! A fresh `flate2` compressor allocates and zeroes a few hundred KiB of
//! working memory; allocating it per call was measured at ~110 µs for a 1 KB
//! payload, most of it page faults. Each thread therefore keeps one
//! [`Compress`] and one [`Decompress`] and resets them before each use. If
//! the per-thread state is unavailable (during thread teardown), a fresh one
//! is used instead.

use std::cell::RefCell;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

use super::error::{PayloadError, ZlibError};

/// Python's `zlib.compress` default level (`Z_DEFAULT_COMPRESSION` is 6).
const LEVEL: u32 = 6;

thread_local! {
    static COMPRESSOR: RefCell<Compress> = RefCell::new(new_compressor());
    static DECOMPRESSOR: RefCell<Decompress> = RefCell::new(Decompress::new(true));
}

fn new_compressor() -> Compress {
    Compress::new(Compression::new(LEVEL), true)
}

/// Runs `f` with a reset per-thread compressor, or a fresh one if that is
/// unavailable.
fn with_compressor<R>(mut f: impl FnMut(&mut Compress) -> R) -> R {
    let reused = COMPRESSOR.try_with(|cell| {
        cell.try_borrow_mut().ok().map(|mut state| {
            state.reset();
            f(&mut state)
        })
    });
    match reused {
        Ok(Some(result)) => result,
        _ => f(&mut new_compressor()),
    }
}

/// Runs `f` with a reset per-thread decompressor, or a fresh one if that is
/// unavailable.
fn with_decompressor<R>(mut f: impl FnMut(&mut Decompress) -> R) -> R {
    let reused = DECOMPRESSOR.try_with(|cell| {
        cell.try_borrow_mut().ok().map(|mut state| {
            state.reset(true);
            f(&mut state)
        })
    });
    match reused {
        Ok(Some(result)) => result,
        _ => f(&mut Decompress::new(true)),
    }
}

/// zlib-compresses `data` (zlib format, level 6) and returns the result only
/// if it is at least 2 bytes shorter than `data`: Django's rule
/// `len(compressed) < len(data) - 1`.
///
/// The output buffer is capped at that length, so an incompressible input
/// stops early instead of being compressed in full.
pub(crate) fn compress_if_smaller(data: &[u8]) -> Option<Vec<u8>> {
    let budget = data.len().checked_sub(2)?;
    // A zlib stream is at least 8 bytes (2 header, >= 2 block, 4 checksum).
    if budget < 8 {
        return None;
    }
    with_compressor(|compressor| {
        let mut out = vec![0u8; budget];
        match compressor.compress(data, &mut out, FlushCompress::Finish) {
            Ok(Status::StreamEnd) => {
                let written = usize::try_from(compressor.total_out()).ok()?;
                out.truncate(written);
                Some(out)
            }
            // Out of room (the stream would not be short enough) or an error.
            _ => None,
        }
    })
}

/// Decompresses a complete zlib stream, failing once the output would exceed
/// `limit` bytes. Bytes after the end of the stream are ignored, as Python's
/// `zlib.decompress` does.
pub(crate) fn decompress_bounded(data: &[u8], limit: usize) -> Result<Vec<u8>, PayloadError> {
    with_decompressor(|decompressor| decompress_with(decompressor, data, limit))
}

fn decompress_with(
    decompressor: &mut Decompress,
    data: &[u8],
    limit: usize,
) -> Result<Vec<u8>, PayloadError> {
    // `FlushDecompress::None` throughout: with miniz_oxide, `Finish` on the
    // first call demands that the whole output fit in one buffer.
    // Room for one byte past the limit, so that exceeding it is detected.
    let hard_cap = limit.saturating_add(1);
    let mut out: Vec<u8> = Vec::with_capacity(data.len().saturating_mul(4).max(64).min(hard_cap));
    loop {
        if out.len() == out.capacity() {
            if out.len() >= hard_cap {
                return Err(PayloadError::TooLarge { limit });
            }
            let grow = out.len().max(1024).min(hard_cap - out.len());
            out.reserve_exact(grow);
        }
        let consumed = usize::try_from(decompressor.total_in()).unwrap_or(usize::MAX);
        let input = data.get(consumed..).unwrap_or_default();
        let (in_before, out_before) = (decompressor.total_in(), decompressor.total_out());
        let status = decompressor
            .decompress_vec(input, &mut out, FlushDecompress::None)
            .map_err(|err| PayloadError::Zlib(ZlibError::Corrupt(err)))?;
        if out.len() > limit {
            return Err(PayloadError::TooLarge { limit });
        }
        if status == Status::StreamEnd {
            return Ok(out);
        }
        let progressed =
            decompressor.total_in() != in_before || decompressor.total_out() != out_before;
        if !progressed && out.len() < out.capacity() {
            return Err(PayloadError::Zlib(ZlibError::Truncated));
        }
    }
}
