//! Any bytes as a login body, under each Content-Type the parser distinguishes (chosen by the
//! first byte): the parser must not panic, and must either accept a non-blank username and
//! password or refuse with one of the contract's errors.
#![no_main]

use std::sync::OnceLock;

use authtoken::http::form::{self, FormError};
use bytes::Bytes;
use libfuzzer_sys::fuzz_target;

const CONTENT_TYPES: &[Option<&[u8]>] = &[
    Some(b"application/json"),
    Some(b"application/x-www-form-urlencoded"),
    Some(b"multipart/form-data; boundary=X"),
    Some(b"multipart/form-data"),
    Some(b"text/plain"),
    Some(b"*/*"),
    None,
];

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    let content_type = CONTENT_TYPES[usize::from(selector) % CONTENT_TYPES.len()];
    let outcome = runtime().block_on(form::parse(content_type, Bytes::copy_from_slice(body)));
    match outcome {
        Ok(form) => {
            assert!(!form.username.is_empty());
            assert_eq!(form.username.trim(), form.username);
        }
        Err(FormError::Fields(errors)) => {
            assert!(errors.username.is_some() || errors.password.is_some())
        }
        Err(FormError::Malformed(message)) => assert!(
            message.starts_with("JSON parse error - ")
                || message.starts_with("Multipart form parse error - ")
        ),
        Err(FormError::NotAnObject(_) | FormError::UnsupportedMediaType(_)) => {}
    }
});
