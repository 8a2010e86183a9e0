//! `mock:judge`: a deterministic grader for offline tests and demos of a session's
//! `[check] judge`. It reads the `<rubric>` and `<response>` sections of the judge's request and
//! scores the share of the rubric's quoted phrases found in the response (case-insensitive), or,
//! when the rubric quotes nothing, the share of its content words the response shares.

use super::mock_answer::{overlap, words};

/// The text between `<tag>` and the last `</tag>` of `text`, trimmed.
fn section<'a>(text: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let start = text.find(&open)? + open.len();
    let end = text.rfind(&format!("</{tag}>"))?;
    text.get(start..end).map(str::trim)
}

/// The phrases written in double quotes in `rubric`.
fn quoted(rubric: &str) -> Vec<&str> {
    rubric
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|p| !p.trim().is_empty())
        .collect()
}

/// The judge's answer to `user` (the request's last user message): `{"score", "reason"}`.
pub(super) fn grade(user: &str) -> String {
    let (Some(rubric), Some(response)) = (section(user, "rubric"), section(user, "response"))
    else {
        return serde_json::json!({
            "score": 0.0,
            "reason": "no <rubric> and <response> sections to grade"
        })
        .to_string();
    };
    let phrases = quoted(rubric);
    let (found, total, what) = if phrases.is_empty() {
        let want = words(rubric);
        (overlap(&want, &words(response)), want.len(), "rubric words")
    } else {
        let lower = response.to_lowercase();
        let found = phrases
            .iter()
            .filter(|p| lower.contains(&p.to_lowercase()))
            .count();
        (found, phrases.len(), "quoted phrases")
    };
    let score = if total == 0 {
        1.0
    } else {
        (found as f64 / total as f64 * 100.0).round() / 100.0
    };
    serde_json::json!({
        "score": score,
        "reason": format!("the response has {found} of the {total} {what}"),
    })
    .to_string()
}

#[cfg(test)]
#[path = "mock_judge_tests.rs"]
mod tests;
