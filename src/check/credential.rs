//! What counts as a credential: the keys whose values are secrets, and the tokens recognisable
//! whatever their key. The checker refuses such literals (`hub::check::literal_secret`); the
//! diff masks them in what it prints.

/// What reports print in place of a credential.
pub const REDACTED: &str = "<redacted>";

/// Whether a string set under `key` is a literal credential, as the checker refuses it: a
/// value of eight characters or more under a credential key, or a recognisable token under
/// any key.
pub fn is_literal_credential(key: &str, text: &str) -> bool {
    (is_credential_key(key) && text.len() >= 8) || looks_like_credential(text)
}

/// Whether values under `key` are credentials, whatever its case: `password`, `token`,
/// `client_secret` and the like, and any key ending in `_password`, `_token` or `_secret`.
pub fn is_credential_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    CREDENTIAL_KEYS.contains(&key.as_str())
        || key.ends_with("_password")
        || key.ends_with("_token")
        || key.ends_with("_secret")
}

/// Whether a string is a credential whatever its key: a private key, or a token of a known
/// issuer (its prefix, then a long run of token characters).
pub fn looks_like_credential(text: &str) -> bool {
    if text.contains("-----BEGIN") && text.contains("PRIVATE KEY") {
        return true;
    }
    let text = text.trim();
    TOKEN_PREFIXES.iter().any(|prefix| {
        text.strip_prefix(prefix).is_some_and(|rest| {
            rest.len() >= 16
                && rest
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        })
    })
}

/// Whether the value printed as `value` (a string quoted, a list or map on one line) at `path`
/// (keys joined by dots) is a credential: reports print [`REDACTED`] in its place.
pub fn is_printed_credential(path: &str, value: &str) -> bool {
    if value == "null" {
        return false;
    }
    let last_key = path
        .rsplit(['.', ']', ' '])
        .next()
        .unwrap_or(path)
        .trim_matches('"');
    if is_credential_key(last_key) || looks_like_credential(value) {
        return true;
    }
    // A key or a token anywhere in a list or map printed on one line, or a token inside a
    // longer string.
    let structured = value.starts_with('{') || value.starts_with('[') || value.starts_with("+=");
    value
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .filter(|word| !word.is_empty())
        .any(|word| looks_like_credential(word) || (structured && is_credential_key(word)))
}

/// Key names whose literal values are credentials.
const CREDENTIAL_KEYS: &[&str] = &[
    "password",
    "token",
    "client_secret",
    "api_key",
    "apikey",
    "api_token",
    "secret_key",
    "access_key",
    "private_key",
    "auth_token",
    "secrettoken",
];

/// The prefixes of tokens whose issuers make them recognisable: GitHub, GitLab, Slack, AWS
/// access keys, Google API keys, Stripe and OpenAI-style secret keys.
const TOKEN_PREFIXES: &[&str] = &[
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "AKIA",
    "ASIA",
    "AIza",
    "sk_live_",
    "rk_live_",
    "sk-",
];

#[cfg(test)]
mod tests {
    use super::is_printed_credential;

    #[test]
    fn credentials_are_found_by_key_by_token_and_inside_structures() {
        assert!(is_printed_credential("a.b.password", "\"hunter2\""));
        assert!(is_printed_credential("a[slug=gpu].client_secret", "\"x\""));
        assert!(is_printed_credential("a.b", "\"ghp_0123456789abcdefghij\""));
        assert!(is_printed_credential(
            "a.b",
            "{ user = \"x\", password = \"y\" }"
        ));
        assert!(is_printed_credential(
            "a.b",
            "\"Bearer ghp_0123456789abcdefghij\""
        ));
        assert!(!is_printed_credential(
            "a.b",
            "\"reset your password here\""
        ));
        assert!(!is_printed_credential("a.password", "null"));
        assert!(!is_printed_credential(
            "a.image",
            "\"quay.io/jupyter/scipy-notebook:2026\""
        ));
    }
}
