//! triage: judge a leaked Indonesian dataset fast, without spreading it further.
pub mod patterns;
pub mod synth;
pub mod validate;
pub mod dates;
pub mod detect;
pub mod summary;
pub mod analyze;
pub mod records;
