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
mod tests {
    use super::*;

    fn ask(rubric: &str, response: &str) -> serde_json::Value {
        let user = format!(
            "<rubric>\n{rubric}\n</rubric>\n\n<input>\nq\n</input>\n\n<response>\n{response}\n</response>"
        );
        serde_json::from_str(&grade(&user)).unwrap()
    }

    #[test]
    fn scores_the_share_of_quoted_phrases() {
        let rubric = r#"Mentions "refund" and "30 days"."#;
        assert_eq!(ask(rubric, "A Refund within 30 days.")["score"], 1.0);
        assert_eq!(ask(rubric, "A refund, soon.")["score"], 0.5);
        assert_eq!(ask(rubric, "No.")["score"], 0.0);
        assert_eq!(ask(rubric, "No."), ask(rubric, "No."), "deterministic");
    }

    #[test]
    fn without_quotes_it_scores_shared_words_and_without_sections_zero() {
        let v = ask(
            "explains the billing policy",
            "Our billing policy is strict.",
        );
        assert_eq!(v["score"], 0.67, "{v}");
        let none: serde_json::Value = serde_json::from_str(&grade("grade this")).unwrap();
        assert_eq!(none["score"], 0.0);
    }
}
