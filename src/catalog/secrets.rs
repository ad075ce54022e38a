//! Secrets never reach the catalogue in plain text: `hagen init` replaces every value under a secret-looking key
//! by [`PLACEHOLDER`], and generate refuses own values while one is left (docs/adoption.md, "Secrets").
//!
//! The rule, on a key split into lowercase words at camelCase humps, `_`, `-` and `.`:
//! - a secret: the last word is one of [`SECRET_WORDS`], or the last two words are one of [`SECRET_PAIRS`]
//!   (`apiKey`, `privateKey`), or the key is `users` under a key with the word `auth` (Traefik's basic-auth
//!   `users`); and any string that holds a PEM private key;
//! - not a secret: a key that names where a secret is rather than holding it: the first word `existing`
//!   (`existingSecret`), or the last word one of [`NAMING_WORDS`] (`secretName`, `passwordKey`, `tokenEnabled`);
//! - only strings and numbers are replaced (a boolean or an empty string hides nothing); a mapping under a
//!   secret key is walked, each of its keys judged alone.

use serde_json::Value;

/// What init writes in place of a secret's value.
pub const PLACEHOLDER: &str = "<hagen: secret removed by hagen init; supply it from a Secret (docs/adoption.md)>";

/// Last words that make a key a secret.
pub const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "htpasswd",
    "secret",
    "token",
    "credentials",
    "credential",
    "apikey",
    "privatekey",
];

/// Last two words that make a key a secret.
pub const SECRET_PAIRS: &[(&str, &str)] = &[
    ("api", "key"),
    ("private", "key"),
    ("access", "key"),
    ("secret", "key"),
    ("signing", "key"),
    ("encryption", "key"),
    ("auth", "key"),
    ("client", "key"),
];

/// Last words of keys that name a secret (or switch it) rather than hold it.
pub const NAMING_WORDS: &[&str] = &[
    "name",
    "names",
    "ref",
    "enabled",
    "create",
    "key",
    "path",
    "file",
    "mount",
    "namespace",
    "annotations",
    "labels",
    "type",
    "field",
];

/// A key's lowercase words: `adminPassword` → admin, password; `AWS_SECRET_ACCESS_KEY` → aws, secret, access, key.
fn words(key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in key.chars() {
        if c == '_' || c == '-' || c == '.' || c == ' ' {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_uppercase() && prev_lower && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_lowercase() || c.is_ascii_digit();
        cur.extend(c.to_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Whether a value under `key` (whose parent keys are `parents`) is a secret by its key alone.
pub fn secret_key(key: &str, parents: &[String]) -> bool {
    let w = words(key);
    let (Some(last), Some(first)) = (w.last(), w.first()) else {
        return false;
    };
    if first == "existing" {
        return false;
    }
    if w.len() >= 2 && SECRET_PAIRS.contains(&(w[w.len() - 2].as_str(), last.as_str())) {
        return true;
    }
    if NAMING_WORDS.contains(&last.as_str()) {
        return false;
    }
    if SECRET_WORDS.contains(&last.as_str()) {
        return true;
    }
    last == "users" && parents.iter().any(|p| words(p).iter().any(|x| x == "auth"))
}

/// Whether a string is a secret by itself: a PEM private key.
fn secret_text(s: &str) -> bool {
    s.contains("-----BEGIN") && s.contains("PRIVATE KEY-----")
}

/// One value replaced: its key path (dots between keys, `[i]` for list items).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted {
    pub path: String,
}

/// Replaces every secret in `values` by [`PLACEHOLDER`] and returns where.
pub fn redact(values: &mut Value) -> Vec<Redacted> {
    let mut found = Vec::new();
    walk(values, &mut Vec::new(), false, &mut found);
    found
}

fn walk(v: &mut Value, path: &mut Vec<String>, under_secret_key: bool, found: &mut Vec<Redacted>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                let secret = secret_key(k, path);
                path.push(k.clone());
                walk(x, path, secret, found);
                path.pop();
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter_mut().enumerate() {
                path.push(format!("[{i}]"));
                walk(x, path, under_secret_key, found);
                path.pop();
            }
        }
        Value::String(s) if s.is_empty() || s == PLACEHOLDER => {}
        Value::String(s) if under_secret_key || secret_text(s) => {
            *v = Value::String(PLACEHOLDER.into());
            found.push(Redacted { path: shown(path) });
        }
        Value::Number(_) if under_secret_key => {
            *v = Value::String(PLACEHOLDER.into());
            found.push(Redacted { path: shown(path) });
        }
        _ => {}
    }
}

/// A key path as a user reads it: `grafana.adminPassword`, `users[0]`.
fn shown(path: &[String]) -> String {
    let mut out = String::new();
    for seg in path {
        if !seg.starts_with('[') && !out.is_empty() {
            out.push('.');
        }
        out.push_str(seg);
    }
    out
}

/// The JSON pointers of every placeholder left in `values`.
pub fn placeholders(values: &Value) -> Vec<String> {
    fn go(v: &Value, p: String, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => m
                .iter()
                .for_each(|(k, x)| go(x, format!("{p}/{}", k.replace('~', "~0").replace('/', "~1")), out)),
            Value::Array(a) => a.iter().enumerate().for_each(|(i, x)| go(x, format!("{p}/{i}"), out)),
            Value::String(s) if s == PLACEHOLDER => out.push(p),
            _ => {}
        }
    }
    let mut out = Vec::new();
    go(values, String::new(), &mut out);
    out
}

/// How to supply a secret instead of writing it into the catalogue, for the refusal message.
pub const HOW_TO_SUPPLY: &str = "supply it without writing it into git: the chart's `existingSecret`-style key (a Secret you create with kubectl or Sealed Secrets), Flux `valuesFrom` a Secret, or Argo CD with a secrets plugin; then delete this key";

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secret_looking_keys() {
        struct Case {
            key: &'static str,
            parents: &'static [&'static str],
            want: bool,
        }
        let cases = [
            Case {
                key: "adminPassword",
                parents: &[],
                want: true,
            },
            Case {
                key: "password",
                parents: &[],
                want: true,
            },
            Case {
                key: "PASSWORD",
                parents: &[],
                want: true,
            },
            Case {
                key: "db_passwd",
                parents: &[],
                want: true,
            },
            Case {
                key: "token",
                parents: &[],
                want: true,
            },
            Case {
                key: "apiToken",
                parents: &[],
                want: true,
            },
            Case {
                key: "clientSecret",
                parents: &[],
                want: true,
            },
            Case {
                key: "secret",
                parents: &[],
                want: true,
            },
            Case {
                key: "credentials",
                parents: &[],
                want: true,
            },
            Case {
                key: "apiKey",
                parents: &[],
                want: true,
            },
            Case {
                key: "api_key",
                parents: &[],
                want: true,
            },
            Case {
                key: "AWS_SECRET_ACCESS_KEY",
                parents: &[],
                want: true,
            },
            Case {
                key: "privateKey",
                parents: &[],
                want: true,
            },
            Case {
                key: "secretKey",
                parents: &[],
                want: true,
            },
            Case {
                key: "htpasswd",
                parents: &[],
                want: true,
            },
            Case {
                key: "users",
                parents: &["middlewares", "basicAuth"],
                want: true,
            },
            Case {
                key: "users",
                parents: &["rbac"],
                want: false,
            },
            Case {
                key: "existingSecret",
                parents: &[],
                want: false,
            },
            Case {
                key: "existingSecretPasswordKey",
                parents: &[],
                want: false,
            },
            Case {
                key: "secretName",
                parents: &[],
                want: false,
            },
            Case {
                key: "passwordKey",
                parents: &[],
                want: false,
            },
            Case {
                key: "tokenEnabled",
                parents: &[],
                want: false,
            },
            Case {
                key: "secretRef",
                parents: &[],
                want: false,
            },
            Case {
                key: "topologyKey",
                parents: &[],
                want: false,
            },
            Case {
                key: "key",
                parents: &[],
                want: false,
            },
            Case {
                key: "keyAlgorithm",
                parents: &[],
                want: false,
            },
            Case {
                key: "adminUser",
                parents: &[],
                want: false,
            },
            Case {
                key: "replicaCount",
                parents: &[],
                want: false,
            },
            Case {
                key: "",
                parents: &[],
                want: false,
            },
        ];
        for c in cases {
            let parents: Vec<String> = c.parents.iter().map(|p| p.to_string()).collect();
            assert_eq!(secret_key(c.key, &parents), c.want, "{} under {parents:?}", c.key);
        }
    }

    #[test]
    fn redaction_replaces_strings_and_numbers_and_lists_them() {
        let mut v = json!({
            "grafana": {"adminPassword": "hunter2", "adminUser": "admin", "admin": {"existingSecret": "", "passwordKey": "admin-password"}},
            "auth": {"token": 1234, "tokenEnabled": true, "password": ""},
            "secret": {"create": true, "name": "x"},
            "middlewares": {"basicAuth": {"users": ["u:$apr1$x"]}},
            "tls": {"cert": "-----BEGIN CERTIFICATE-----", "extra": "-----BEGIN RSA PRIVATE KEY-----\nabc"}
        });
        let found: Vec<String> = redact(&mut v).into_iter().map(|r| r.path).collect();
        assert_eq!(
            found,
            [
                "grafana.adminPassword",
                "auth.token",
                "middlewares.basicAuth.users[0]",
                "tls.extra"
            ]
        );
        assert_eq!(v["grafana"]["adminUser"], "admin");
        assert_eq!(v["auth"]["tokenEnabled"], true);
        assert_eq!(v["secret"], json!({"create": true, "name": "x"}));
        assert_eq!(
            placeholders(&v),
            [
                "/grafana/adminPassword",
                "/auth/token",
                "/middlewares/basicAuth/users/0",
                "/tls/extra"
            ]
        );
        // Redacting again finds nothing new.
        assert!(redact(&mut v).is_empty());
    }
}
