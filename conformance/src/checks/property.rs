//! The model-based and differential property tests.

use crate::cx::{Checked, Cx};
use crate::harness::Harness;
use crate::model::{Mode, check};

pub(crate) async fn l1_e5_model_random_sequences_match_the_reference<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    check(cx, Mode::Model).await
}

pub(crate) async fn l1_e5_differential_random_sequences_match_memory_store<H: Harness>(
    cx: &Cx<'_, H>,
) -> Checked {
    check(cx, Mode::Differential).await
}
