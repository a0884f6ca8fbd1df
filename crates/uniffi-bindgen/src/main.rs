//! `cargo run -p uniffi-bindgen -- generate <library> --language kotlin --out-dir <dir>`.
//! Always pass the unstripped library: bindings are read from its metadata symbols.

fn main() {
    uniffi::uniffi_bindgen_main()
}
