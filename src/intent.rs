//! Transitional: the model and the resolver under their old name, until every caller names them directly.

pub use crate::model::*;
pub use crate::resolve::*;
