//! Any bytes as an `Authorization` header value: the parser must not panic, and a key it
//! accepts must be one non-empty word of valid UTF-8.
#![no_main]

use authtoken::http::header::{self, Credentials};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|value: &[u8]| {
    if let Ok(Credentials::Key(key)) = header::parse(Some(value)) {
        let key = key.expose();
        assert!(!key.is_empty());
        assert!(
            !key.bytes()
                .any(|b| matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
        );
    }
});
