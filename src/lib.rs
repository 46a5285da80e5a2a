//! triage: judge a leaked Indonesian dataset fast, without spreading it further.
pub mod patterns;
pub mod synth;
pub mod validate;
