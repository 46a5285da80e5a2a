pub mod archive;
pub mod walk;
