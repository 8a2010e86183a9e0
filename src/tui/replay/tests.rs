//! Unit tests of `mod.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn samples_follow_the_config_else_five() {
    let mut config = Config::default();
    assert_eq!(samples(&config), DEFAULT_SAMPLES);
    config.run.samples = 3;
    assert_eq!(samples(&config), 3);
}
