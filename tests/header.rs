//! The committed C header must match a fresh cbindgen run over the sources.
//! `USAGE_DB_UPDATE_HEADER=1 cargo test --test header` (or `make header`) rewrites it.

use std::path::Path;

#[test]
fn header_matches_fresh_generation() {
    let crate_dir = env!("CARGO_MANIFEST_DIR");
    let header_path = Path::new(crate_dir).join("include/usage_db.h");

    let config = cbindgen::Config::from_file(Path::new(crate_dir).join("cbindgen.toml"))
        .expect("cbindgen.toml parses");
    let bindings = cbindgen::Builder::new()
        .with_crate(crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen generates the header");
    let mut fresh = Vec::new();
    bindings.write(&mut fresh);
    let fresh = String::from_utf8(fresh).expect("header is UTF-8");

    if std::env::var_os("USAGE_DB_UPDATE_HEADER").is_some() {
        std::fs::write(&header_path, &fresh).expect("write include/usage_db.h");
        return;
    }

    let committed = std::fs::read_to_string(&header_path).unwrap_or_default();
    assert!(
        committed == fresh,
        "include/usage_db.h is stale: run `make header` and commit the result"
    );
}

/// cbindgen skips functions it cannot see, such as those a `macro_rules!` defines, so
/// every exported function in `src/ffi` must also be declared in the header.
#[test]
fn header_declares_every_exported_function() {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let header =
        std::fs::read_to_string(crate_dir.join("include/usage_db.h")).expect("read the header");

    let mut exported = Vec::new();
    for entry in std::fs::read_dir(crate_dir.join("src/ffi")).expect("list src/ffi") {
        let source = std::fs::read_to_string(entry.expect("directory entry").path())
            .expect("read a source file");
        for line in source.lines().filter(|l| l.contains("extern \"C\" fn ")) {
            let after = line.split("extern \"C\" fn ").nth(1).unwrap_or_default();
            exported.push(after.split('(').next().unwrap_or_default().to_owned());
        }
    }

    assert!(
        exported.len() >= 40,
        "found only {} exported functions",
        exported.len()
    );
    let missing: Vec<_> = exported
        .iter()
        .filter(|name| !header.contains(&format!("{name}(")))
        .collect();
    assert!(
        missing.is_empty(),
        "declared nowhere in include/usage_db.h: {missing:?}"
    );
}
