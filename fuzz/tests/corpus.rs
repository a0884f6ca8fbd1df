//! Replays every corpus and regression input through the fuzz targets' checks on the
//! stable toolchain: a crash `cargo fuzz` once found stays fixed.

use std::fs;
use std::path::Path;

fn replay(target: &str, check: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut inputs = 0;
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            check(&fs::read(&path).unwrap());
            inputs += 1;
        }
    }
    assert!(
        inputs >= 5,
        "the {target} corpus has seeds ({inputs} found)"
    );
}

#[test]
fn jwt_corpus() {
    replay("jwt", tokenkeeper_fuzz::jwt);
}

#[test]
fn token_response_corpus() {
    replay("token_response", tokenkeeper_fuzz::token_response);
}

#[test]
fn session_record_corpus() {
    replay("session_record", tokenkeeper_fuzz::session_record);
}

#[test]
fn jwks_corpus() {
    replay("jwks", tokenkeeper_fuzz::jwks);
}
