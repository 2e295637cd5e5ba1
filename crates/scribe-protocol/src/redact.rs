//! `Debug` helpers that show the shape of sensitive values, never their content.
//!
//! Patient data (transcripts, `patient_details`, template results, audio) and
//! secrets must not reach logs through `{:?}`.

use std::fmt;

use crate::Extra;

/// Shows whether an optional sensitive value is present: `Some(<redacted>)`.
pub(crate) struct Redacted<'a, T>(pub(crate) &'a Option<T>);

impl<T> fmt::Debug for Redacted<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(_) => f.write_str("Some(<redacted>)"),
            None => f.write_str("None"),
        }
    }
}

/// Shows only the keys of an unknown-field map (values may be anything).
pub(crate) struct Keys<'a>(pub(crate) &'a Extra);

impl fmt::Debug for Keys<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.keys()).finish()
    }
}
