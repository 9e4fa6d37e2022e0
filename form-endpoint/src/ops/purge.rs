//! Retention purge and erasure (to come).

use std::path::Path;

use crate::Error;

/// Completes a purge that a crash interrupted after its commit point.
pub fn complete_pending(_queue: &Path, _state_locked: bool) -> Result<(), Error> {
    Ok(())
}
