//! View pieces for a reader's vocabulary (issue 26): the GRADE plain-language statement of
//! each summary-of-findings row, the abbreviations list and the methods with their
//! references. Pure functions of the analysis, the localised configuration and the label
//! tables; the view model calls them and the templates print what they return.

pub mod plain;
pub mod reader;
