//! Token counts against published reference counts, and price lookup with overrides.

use temper::config::Config;
use temper::cost::{
    Encoding, PriceBook, PriceError, PriceOrigin, Pricing, Usage, count_chat, count_request,
    count_text, round_micro,
};
use temper::prompt::{Message, Role};

/// Reference counts from tiktoken's README ("hello world") and OpenAI's cookbook
/// "How to count tokens with tiktoken" (compare_encodings examples).
#[test]
fn counts_match_published_references() {
    let cases = [
        // (text, cl100k_base, o200k_base)
        ("hello world", 2, 2),
        ("tiktoken is great!", 6, 6),
        ("antidisestablishmentarianism", 6, 6),
        ("2 + 2 = 4", 7, 7),
        ("お誕生日おめでとう", 9, 8),
    ];
    for (text, cl100k, o200k) in cases {
        let c = count_text("openai:gpt-4", text);
        assert_eq!(c.encoding, Encoding::Cl100kBase);
        assert_eq!(c.tokens, cl100k, "cl100k_base {text:?}");
        assert!(!c.estimated);
        let o = count_text("openai:gpt-4o", text);
        assert_eq!(o.encoding, Encoding::O200kBase);
        assert_eq!(o.tokens, o200k, "o200k_base {text:?}");
    }
    // Special-token text in user content is ordinary text.
    assert!(count_text("gpt-4o", "<|endoftext|>").tokens > 1);
}

#[test]
fn chat_count_agrees_with_tiktoken_rs_and_cookbook_framing() {
    let messages = vec![
        Message::new(
            Role::System,
            "You are a helpful, pattern-following assistant that translates corporate jargon into plain English.",
        ),
        Message::new(
            Role::User,
            "This late pivot means we don't have time to boil the ocean for the client deliverable.",
        ),
    ];
    for model in ["gpt-4o", "gpt-4o-mini", "gpt-4", "gpt-3.5-turbo"] {
        let theirs: Vec<tiktoken_rs::ChatCompletionRequestMessage> = messages
            .iter()
            .map(|m| tiktoken_rs::ChatCompletionRequestMessage {
                role: m.role.as_str().to_string(),
                content: Some(m.content.clone()),
                ..Default::default()
            })
            .collect();
        let expected = tiktoken_rs::num_tokens_from_messages(model, &theirs).unwrap() as u64;
        let ours = count_chat(&format!("openai:{model}"), &messages);
        assert_eq!(ours.tokens, expected, "{model}");
        assert!(!ours.estimated);
    }
    let claude = count_chat("anthropic:claude-sonnet-4-5", &messages);
    assert!(claude.estimated);
}

#[test]
fn tools_follow_the_cookbook_formula() {
    let tool = serde_json::json!({"type": "function", "function": {
        "name": "get_weather", "description": "Get the weather.",
        "parameters": {"type": "object", "properties": {
            "unit": {"type": "string", "description": "Unit.", "enum": ["c", "f"]}}}}});
    let with = count_request("gpt-4o", &[], &[tool], None);
    let without = count_request("gpt-4o", &[], &[], None);
    let t = |s: &str| count_text("gpt-4o", s).tokens;
    // func_init 7 + "get_weather:Get the weather" + prop_init 3 + prop_key 3 + enum_init -3
    // + 2 x (enum_item 3 + value) + "unit:string:Unit" + func_end 12
    let expected = 7 + t("get_weather:Get the weather") + 3 + 3 - 3
        + (3 + t("c"))
        + (3 + t("f"))
        + t("unit:string:Unit")
        + 12;
    assert_eq!(with.tokens - without.tokens, expected);
    let schema = serde_json::json!({"type": "object"});
    assert!(count_request("gpt-4o", &[], &[], Some(&schema)).estimated);
}

fn book_with(config_toml: &str, file: Option<(&str, &str)>) -> Result<PriceBook, PriceError> {
    let config = Config::parse(config_toml, std::path::Path::new("c.toml")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = file.map(|(name, text)| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    });
    PriceBook::load(&config, path.as_deref())
}

fn priced(book: &PriceBook, model: &str) -> temper::cost::PriceRow {
    match book.lookup(model).unwrap() {
        Pricing::Priced { row } => *row,
        other => panic!("{model}: {other:?}"),
    }
}

#[test]
fn lookup_by_provider_bare_and_dated_names() {
    let book = PriceBook::builtin().unwrap();
    assert_eq!(priced(&book, "openai:gpt-4o-mini").input, 0.15);
    assert_eq!(priced(&book, "gpt-4o-mini").key(), "openai:gpt-4o-mini");
    // A dated snapshot the table lists keeps its own row; an unlisted date finds its base row.
    assert_eq!(
        priced(&book, "gpt-4o-2024-08-06").key(),
        "openai:gpt-4o-2024-08-06"
    );
    assert_eq!(priced(&book, "gpt-4o-2099-01-01").key(), "openai:gpt-4o");
    assert_eq!(
        priced(&book, "anthropic:claude-sonnet-4-5-20990101").key(),
        "anthropic:claude-sonnet-4-5"
    );
    assert_eq!(
        priced(&book, "mistral:mistral-large-2411").output,
        priced(&book, "mistral:mistral-large-latest").output
    );
    // A router's vendor path and an unknown provider fall back to the model name.
    assert_eq!(
        priced(&book, "openrouter:openai/gpt-4o").key(),
        "openai:gpt-4o"
    );
    // A known provider does not borrow another provider's row.
    assert!(matches!(
        book.lookup("anthropic:gpt-4o").unwrap(),
        Pricing::Unpriced { .. }
    ));
    assert!(matches!(
        book.lookup("openai:gpt-99").unwrap(),
        Pricing::Unpriced { .. }
    ));
    let cost = book
        .cost_usd(
            "openai:gpt-4o",
            &Usage {
                input: 1000,
                cached: 0,
                output: 100,
            },
        )
        .unwrap();
    assert_eq!(cost.map(round_micro), Some(0.0035));
    assert_eq!(book.cost_usd("foo:bar", &Usage::default()).unwrap(), None);
}

#[test]
fn alias_matching_two_rows_names_both() {
    let book = PriceBook::builtin().unwrap();
    let err = book.lookup("llama-3.3-70b").unwrap_err();
    let text = err.to_string();
    assert!(text.contains("groq:llama-3.3-70b-versatile"), "{text}");
    assert!(
        text.contains("together:meta-llama/Llama-3.3-70B-Instruct-Turbo"),
        "{text}"
    );
    assert_eq!(priced(&book, "groq:llama-3.3-70b").input, 0.59);
    assert!(book.lookup("gpt-oss-120b").is_err());
}

#[test]
fn local_providers_are_free_and_explicit() {
    let book = book_with(
        "[providers.llamacpp]\nkind = \"openai\"\nbase_url = \"http://localhost:8080/v1\"\n\
         [providers.remote]\nkind = \"openai\"\nbase_url = \"https://llm.example.com/v1\"\n",
        None,
    )
    .unwrap();
    for model in ["ollama:llama3.2", "mock:echo", "llamacpp:qwen2.5-7b"] {
        assert_eq!(
            book.lookup(model).unwrap(),
            Pricing::Local {
                provider: model.split(':').next().unwrap().to_string()
            }
        );
    }
    assert!(book.is_local("ollama"));
    assert!(!book.is_local("remote"));
    assert!(!book.is_local("openai"));
    assert!(matches!(
        book.lookup("remote:qwen2.5-7b").unwrap(),
        Pricing::Unpriced { .. }
    ));
}

#[test]
fn overrides_from_config_then_file() {
    let config = "[prices.\"openai:gpt-4o\"]\noutput = 9\n[prices.my-finetune]\ninput = 1\noutput = 2\ncontext_window = 4096\n";
    let file = "as_of = \"2026-11-01\"\n[prices.\"openai:gpt-4o\"]\ninput = 2\n";
    let book = book_with(config, Some(("p.toml", file))).unwrap();
    let row = priced(&book, "openai:gpt-4o-2099-11-20");
    // The file wins over the config; fields it leaves out come from the table.
    assert_eq!(row.input, 2.0);
    assert_eq!(row.output, 10.0);
    assert!(matches!(row.origin, PriceOrigin::File(_)));
    let row = priced(&book, "gpt-4o");
    assert_eq!(row.input, 2.0);
    let custom = priced(&book, "my-finetune");
    assert_eq!((custom.input, custom.context_window), (1.0, Some(4096)));
    assert_eq!(custom.origin, PriceOrigin::Config);
    assert!(book.rows().iter().any(|r| r.model == "my-finetune"));
    assert_eq!(book.files()[0].as_of.as_deref(), Some("2026-11-01"));
    // An override can price a local model on purpose.
    let book = book_with(
        "[prices.\"ollama:llama3.2\"]\ninput = 0.01\noutput = 0.01\n",
        None,
    )
    .unwrap();
    assert_eq!(priced(&book, "ollama:llama3.2").input, 0.01);
}

#[test]
fn override_errors_say_where_and_how() {
    let err = book_with("[prices.new-model]\noutput = 1\n", None).unwrap_err();
    assert!(
        err.to_string().contains("set both input and output"),
        "{err}"
    );
    let err = book_with("", Some(("p.toml", "[prices.x]\ninput = 1\noutput = -1\n"))).unwrap_err();
    assert!(err.to_string().contains("p.toml:3:"), "{err}");
    let err = book_with(
        "",
        Some((
            "p.json",
            "{\"x\": {\"input_cost_per_token\": 1e-6,\n \"output_cost_per_token\": \"cheap\"}}",
        )),
    )
    .unwrap_err();
    assert!(err.to_string().contains("p.json:2:"), "{err}");
    let err = book_with("[prices.x]\ninput = \"free\"\noutput = 1\n", None).unwrap_err();
    assert!(
        err.to_string().starts_with("config [prices.\"x\"]"),
        "{err}"
    );
}
