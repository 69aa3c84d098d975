//! Repository checks: no import cycle between the modules of any crate (a module and its own
//! submodules excepted), and core's layers never import from a layer above their own.
//!
//! A module's imports are the `crate::…` and `super::…` paths in its file outside comments
//! and outside its `#[cfg(test)] mod tests`; each path is resolved to the longest module
//! prefix that exists.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable source dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn module_of(root: &Path, file: &Path) -> Module {
    let rel = file.strip_prefix(root).expect("file under root").with_extension("");
    let mut parts: Module = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    parts
}

/// The code of a file without comments and without its unit-test module.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]\nmod tests").next().unwrap_or("");
    text.lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `prefix::a::b…` path in `code`, as its segments after the prefix; `{a, b::c}` groups
/// are expanded one level.
fn paths(code: &str, prefix: &str) -> Vec<Module> {
    let mut out = Vec::new();
    let ident = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_';
    let mut rest = code;
    while let Some(i) = rest.find(prefix) {
        let before = rest[..i].chars().last();
        rest = &rest[i + prefix.len()..];
        if before.is_some_and(|c| ident(c) || c.is_ascii_uppercase()) {
            continue;
        }
        if let Some(group) = rest.strip_prefix("::{") {
            let end = group.find('}').unwrap_or(group.len());
            for item in group[..end].split(',') {
                out.push(segments(item.trim(), ident));
            }
            continue;
        }
        let mut segs = Vec::new();
        let mut r = rest;
        while let Some(next) = r.strip_prefix("::") {
            let len = next.find(|c: char| !ident(c)).unwrap_or(next.len());
            if len == 0 {
                break;
            }
            segs.push(next[..len].to_string());
            r = &next[len..];
        }
        out.push(segs);
    }
    out
}

fn segments(path: &str, ident: impl Fn(char) -> bool + Copy) -> Module {
    path.split("::")
        .map(str::trim)
        .take_while(|s| !s.is_empty() && s.chars().all(ident))
        .map(String::from)
        .collect()
}

fn resolve(modules: &BTreeSet<Module>, mut path: Module) -> Option<Module> {
    while !path.is_empty() {
        if modules.contains(&path) {
            return Some(path);
        }
        path.pop();
    }
    None
}

/// The import graph of one crate's `src`, without edges between a module and its ancestors
/// or descendants.
fn graph(root: &Path) -> BTreeMap<Module, BTreeSet<Module>> {
    let mut files = Vec::new();
    rust_files(root, &mut files);
    let modules: BTreeSet<Module> = files.iter().map(|f| module_of(root, f)).collect();
    let mut edges = BTreeMap::new();
    for file in &files {
        let m = module_of(root, file);
        let text = code(&std::fs::read_to_string(file).expect("readable source"));
        let mut targets = BTreeSet::new();
        for p in paths(&text, "crate") {
            targets.extend(resolve(&modules, p));
        }
        let parent: Module = m[..m.len().saturating_sub(1)].to_vec();
        for p in paths(&text, "super") {
            targets.extend(resolve(&modules, parent.iter().cloned().chain(p).collect()));
        }
        targets.retain(|t: &Module| !t.starts_with(&m) && !m.starts_with(t));
        edges.insert(m, targets);
    }
    edges
}

/// Modules that lie on a cycle (a path back to themselves).
fn on_cycles(edges: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Module> {
    let reaches = |from: &Module, to: &Module| {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&Module> = edges[from].iter().collect();
        while let Some(m) = stack.pop() {
            if m == to {
                return true;
            }
            if seen.insert(m) {
                stack.extend(edges.get(m).into_iter().flatten());
            }
        }
        false
    };
    edges.keys().filter(|m| reaches(m, m)).cloned().collect()
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

#[test]
fn no_crate_has_an_import_cycle_between_its_modules() {
    let root = workspace();
    for krate in [
        "crates/kernels/src",
        "crates/schema/src",
        "crates/core/src",
        "crates/report/src",
        "xtask/src",
        "benches/src",
    ] {
        let cycles = on_cycles(&graph(&root.join(krate)));
        let names: Vec<String> = cycles.iter().map(|m| m.join("::")).collect();
        assert!(names.is_empty(), "{krate}: modules on an import cycle: {names:?}");
    }
}

#[test]
fn core_layers_import_only_from_below() {
    let order = ["base", "network", "constructions", "evaluate", "lower", "checks"];
    let layer = |m: &Module| m.first().and_then(|top| order.iter().position(|l| l == top));
    let edges = graph(&workspace().join("crates/core/src"));
    let mut upward = Vec::new();
    for (from, targets) in &edges {
        for to in targets {
            if let (Some(a), Some(b)) = (layer(from), layer(to))
                && b > a
            {
                upward.push(format!("{} -> {}", from.join("::"), to.join("::")));
            }
        }
    }
    assert!(upward.is_empty(), "imports from a layer above: {upward:?}");
}

#[test]
fn the_checker_sees_a_cycle_and_an_upward_import() {
    // Negative control: a two-module cycle written to a scratch crate must be found.
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("lib.rs"), "mod a;\nmod b;\n").unwrap();
    std::fs::write(dir.path().join("a.rs"), "use crate::b::Thing;\n").unwrap();
    std::fs::write(dir.path().join("b.rs"), "use crate::{a::Other, c};\n").unwrap();
    std::fs::write(dir.path().join("c.rs"), "// use crate::a;\n").unwrap();
    let cycles = on_cycles(&graph(dir.path()));
    assert_eq!(cycles, vec![vec!["a".to_string()], vec!["b".to_string()]]);
}
