//! Unit tests of `theme.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn every_builtin_parses() {
    for (name, text) in BUILTIN {
        let mut t = Theme::default();
        t.apply(text).unwrap();
        assert_eq!(t.name, *name);
    }
    let (light, warn) = Theme::load(Some("light"));
    assert!(warn.is_none());
    assert_eq!(light.name, "light");
    assert_ne!(light.added, Theme::default().added);
}

#[test]
fn malformed_theme_falls_back_with_warning() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "[colors]\nadded = \"not-a-colour\"\n").unwrap();
    let (theme, warn) = Theme::load(path.to_str());
    assert_eq!(theme, Theme::default());
    let warn = warn.unwrap();
    assert!(warn.contains("colors.added"), "{warn}");
    let (_, warn) = Theme::load(Some("nope"));
    assert!(warn.unwrap().contains("no such theme"));
}

#[test]
fn the_docs_example_theme_loads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.toml");
    let text = "name = \"mine\"\nsyntect = \"base16-ocean.dark\"\n[colors]\naccent = \"#7aa2f7\"\nadded = \"lightgreen\"\nremoved = \"#f7768e\"\nflag = \"214\"\n";
    std::fs::write(&path, text).unwrap();
    let (theme, warn) = Theme::load(path.to_str());
    assert!(warn.is_none(), "{warn:?}");
    assert_eq!(
        (theme.name.as_str(), theme.flag),
        ("mine", Color::Indexed(214))
    );
}

#[test]
fn partial_theme_overrides_only_what_it_names() {
    let mut t = Theme::default();
    t.apply("[colors]\nflag = \"#ff0000\"\n").unwrap();
    assert_eq!(t.flag, Color::Rgb(255, 0, 0));
    assert_eq!(t.added, Theme::default().added);
}
