//! Unit tests of `lines.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn tiny_blocks_keep_order_and_line_numbers() {
    let mut text = String::from("\u{feff}");
    for i in 0..500 {
        if i % 97 == 3 {
            text.push_str("{broken\n\n");
        } else {
            text.push_str(&format!("{{\"id\":\"s{i}\",\"kind\":\"llm\"}}\n"));
        }
    }
    text.push_str("{\"id\":\"last\",\"kind\":\"tool\"}");
    for size in [1, 50, 4096, BLOCK] {
        let got = read_blocks(text.as_bytes(), Format::TemperJsonl, size).unwrap();
        let ids: Vec<&str> = got.spans.iter().map(|s| s.id.as_str()).collect();
        let want: Vec<String> = (0..500)
            .filter(|i| i % 97 != 3)
            .map(|i| format!("s{i}"))
            .chain(["last".to_string()])
            .collect();
        assert_eq!(ids, want, "block size {size}");
        assert_eq!(got.bad, 6);
        // Bad line i sits on line i + 1 plus one blank line per earlier bad line.
        let lines: Vec<usize> = got.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, [4, 102, 200, 298, 396, 494], "block size {size}");
    }
}
