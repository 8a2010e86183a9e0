//! Unit tests of `mock_schema.rs` (kept beside it so the module reads without them).

use super::*;
use crate::prompt::{Message, Params, Role};
use crate::provider::Request;

fn req(system: &str, user: &str) -> Request {
    Request {
        model: "echo".into(),
        messages: vec![
            Message::new(Role::System, system),
            Message::new(Role::User, user),
        ],
        ..Request::default()
    }
}

fn answer(r: &Request) -> (String, ()) {
    let facts = Facts::from_text(r.last_user_text());
    let schema = r.params.response_schema.as_ref().unwrap();
    (facts.value_for(schema, "", None).to_string(), ())
}

#[test]
fn schema_answer_validates() {
    let schema = json!({"type": "object", "required": ["vendor", "invoice_number", "total", "currency", "items"],
        "properties": {"vendor": {"type": "string"}, "invoice_number": {"type": "string"},
        "total": {"type": "number"}, "currency": {"enum": ["USD", "EUR"]},
        "items": {"type": "array", "items": {"type": "object", "properties": {"amount": {"type": "number"}}}}}});
    let mut r = req(
        "Extract.",
        "INVOICE #INV-2291 from Northwind Traders.\n2 x keyboard ..... $178.00\n1 x dock .... $89.50",
    );
    r.params = Params {
        response_schema: Some(schema.clone()),
        ..Params::default()
    };
    let (text, _) = answer(&r);
    let value: Value = serde_json::from_str(&text).unwrap();
    assert!(jsonschema::is_valid(&schema, &value), "{value}");
    assert_eq!(value["vendor"], "Northwind Traders");
    assert_eq!(value["invoice_number"], "INV-2291");
    assert_eq!(value["total"], 178.0);
    assert_eq!(value["items"][1]["amount"], 89.5);
}
