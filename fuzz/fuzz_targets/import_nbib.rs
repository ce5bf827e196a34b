//! PubMed MEDLINE import (`evbrief import file.nbib`): no panic, located problems, and every record
//! it accepts survives being written to the inbox as BibTeX.
#![no_main]

use evbrief_intake::ImportFormat;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    evbrief_fuzz::import::check(data, "fuzz.nbib", ImportFormat::Medline);
});
