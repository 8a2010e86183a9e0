//! Which providers run on this machine, so their calls cost $0: mock and replay, and
//! OpenAI-compatible servers on a loopback address (ollama, llama.cpp, LM Studio, vLLM).

use crate::config::{ProviderConfig, ProviderKind};

/// Mock and replay never bill; an OpenAI-compatible server on a loopback address is local.
pub(super) fn is_local_provider(config: &ProviderConfig) -> bool {
    match config.kind {
        ProviderKind::Mock | ProviderKind::Replay => true,
        ProviderKind::Openai | ProviderKind::Anthropic => {
            config.base_url.as_deref().is_some_and(is_loopback_url)
        }
    }
}

/// `http://127.0.0.1:11434/v1`, `http://localhost:8080`, `http://[::1]:8000` are loopback.
pub fn is_loopback_url(url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(url) else {
        return false;
    };
    let Some(host) = url.host_str() else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.ends_with(".localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback() || ip.is_unspecified())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_urls_are_local() {
        for url in [
            "http://127.0.0.1:11434/v1",
            "http://localhost:8080",
            "http://[::1]:8000/v1",
            "http://0.0.0.0:1234",
            "http://llm.localhost/v1",
        ] {
            assert!(is_loopback_url(url), "{url}");
        }
        for url in [
            "https://api.openai.com/v1",
            "http://10.0.0.5:8000",
            "not a url",
        ] {
            assert!(!is_loopback_url(url), "{url}");
        }
    }
}
