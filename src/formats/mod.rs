pub mod envelope;
pub mod magic;
pub mod records;
pub mod sheet;
pub mod sniff;
pub mod sql;
pub mod strings;
