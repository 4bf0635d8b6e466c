#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod baseline;
mod driver;
mod measurement;
mod operation;
mod payload;
mod store;

pub use baseline::{
    Baseline, BaselineError, EncryptedCookieBaseline, FileBaseline, HashMapBaseline, MokaBaseline,
    RedisBaseline, RusqliteBaseline, SignedCookieBaseline, SqlxBaseline, baseline_for,
    measure_baseline, measure_baseline_ops,
};
pub use measurement::Measurement;
pub use operation::{Operation, SIZES};
pub use payload::payload;
pub use store::{measure, measure_ops};

/// Re-exported: the histogram type of [`Measurement::histogram`].
pub use hdrhistogram;
