//! zlib with per-thread reused state (flate2), for the encrypted-cookie
//! baseline: what session-core's signing does, since allocating a
//! compressor afresh would cost more than compressing a small session.

use std::cell::RefCell;

use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};

thread_local! {
    static COMPRESSOR: RefCell<Compress> = RefCell::new(Compress::new(Compression::new(6), true));
    static DECOMPRESSOR: RefCell<Decompress> = RefCell::new(Decompress::new(true));
}

/// `data` compressed, when that saves two bytes or more (Django's rule).
pub(crate) fn compress_if_smaller(data: &[u8]) -> Option<Vec<u8>> {
    let budget = data.len().checked_sub(2)?;
    COMPRESSOR.with_borrow_mut(|compressor| {
        compressor.reset();
        let mut out = Vec::with_capacity(budget);
        match compressor.compress_vec(data, &mut out, FlushCompress::Finish) {
            Ok(Status::StreamEnd) => Some(out),
            _ => None,
        }
    })
}

/// `data` decompressed, or `None` when it is not a whole zlib stream of at
/// most `limit` bytes.
pub(crate) fn decompress(data: &[u8], limit: usize) -> Option<Vec<u8>> {
    DECOMPRESSOR.with_borrow_mut(|decompressor| {
        decompressor.reset(true);
        let mut out = Vec::with_capacity((data.len() * 4).min(limit));
        loop {
            let consumed = usize::try_from(decompressor.total_in()).ok()?;
            let before = decompressor.total_out();
            let status = decompressor
                .decompress_vec(data.get(consumed..)?, &mut out, FlushDecompress::Finish)
                .ok()?;
            if status == Status::StreamEnd {
                return Some(out);
            }
            if out.len() >= limit
                || (decompressor.total_out() == before && out.len() < out.capacity())
            {
                return None;
            }
            out.reserve(out.len().max(1024).min(limit - out.len()));
        }
    })
}
