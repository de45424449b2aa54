//! haplint: a HAProxy configuration linter and tuner.
//!
//! Data flows one way: `source` bytes → `syntax` (lossless tree) → `model`
//! (sections, effective settings, references) → `rules` (findings with fixes)
//! → `report` (human / JSON).

pub mod finding;
pub mod source;
pub mod syntax;
pub mod model;
