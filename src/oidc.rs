//! The `oidc` auth-provider of a kubeconfig user entry, as kubectl presents it: its `id-token`
//! while it is valid (with ten seconds to spare, as client-go keeps); a missing or expired one
//! replaced by the issuer (`idp-issuer-url`, whose discovery document names the token
//! endpoint) for the `refresh-token`, as client `client-id` (with `client-secret` if any), the
//! issuer trusted by `idp-certificate-authority` / `-data` or else the system's roots, and
//! reached through the environment's proxy. The new tokens are written back into the
//! kubeconfig file that holds the user entry, as kubectl writes them: an issuer that rotates
//! refresh tokens accepts a used one no more, so a token not kept would log the user out.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use http::{Method, Request, Uri, header};
use http_body_util::BodyExt;
use jiff::Timestamp;
use kube::client::Body;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use serde_json::Value;

use crate::exec::CredentialError;

/// How long before its expiry an ID token is refreshed (client-go's margin).
const MARGIN: Duration = Duration::from_secs(10);

/// An `oidc` auth-provider's ID token, refreshed once it has expired.
pub struct OidcToken {
    entry: String,
    settings: HashMap<String, String>,
    /// The kubeconfig files, in the order they merge: the first holding the entry is rewritten.
    files: Vec<PathBuf>,
    id_token: Option<String>,
    expires: Option<Timestamp>,
    /// The issuer's client and token endpoint, found at the first refresh.
    issuer: Option<(Issuer, String)>,
}

impl OidcToken {
    /// The auth-provider `settings` of user entry `entry`, read from `files`.
    pub fn new(entry: &str, settings: HashMap<String, String>, files: Vec<PathBuf>) -> OidcToken {
        let mut token = OidcToken {
            entry: entry.to_string(),
            settings,
            files,
            id_token: None,
            expires: None,
            issuer: None,
        };
        if let Some(id_token) = token.setting("id-token").map(str::to_string) {
            token.accept(&id_token);
        }
        token
    }

    fn setting(&self, key: &str) -> Option<&str> {
        self.settings
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.trim().is_empty())
    }

    fn accept(&mut self, id_token: &str) {
        (self.id_token, self.expires) = (Some(id_token.to_string()), expiry(id_token));
    }

    /// The ID token to present, refreshed first when missing or expired.
    pub async fn current(&mut self) -> Result<String, CredentialError> {
        let now = Timestamp::now() + MARGIN;
        if self.id_token.is_none() || self.expires.is_some_and(|at| now >= at) {
            self.refresh().await?;
        }
        Ok(self.id_token.clone().unwrap_or_default())
    }

    /// After the server refused `presented`: whether another ID token can be had (one has been
    /// meanwhile, or a refresh token is there to get one on the next `current`).
    pub fn renew(&mut self, presented: Option<&str>) -> bool {
        if presented != self.id_token.as_deref() {
            return true;
        }
        if self.setting("refresh-token").is_none() {
            return false;
        }
        self.expires = Some(Timestamp::MIN);
        true
    }

    /// What is presented, for a message about a rejected credential.
    pub fn describe(&self) -> String {
        match self.expires {
            Some(at) => format!("the id-token of its oidc auth-provider (valid until {at})"),
            None => "the id-token of its oidc auth-provider".into(),
        }
    }

    fn failed(&self, why: impl std::fmt::Display) -> CredentialError {
        CredentialError(format!(
            "the oidc auth-provider of user {:?} in the kubeconfig cannot refresh its id-token: {why}; log in again (e.g. `kubectl oidc-login`)",
            self.entry
        ))
    }

    fn required(&self, key: &'static str) -> Result<&str, CredentialError> {
        self.setting(key)
            .ok_or_else(|| self.failed(format!("it has no {key}")))
    }

    /// A client for the issuer and its token endpoint, from its discovery document.
    async fn find_issuer(&self) -> Result<(Issuer, String), CredentialError> {
        let issuer = self.required("idp-issuer-url")?;
        let client = self.client(issuer).map_err(|e| self.failed(e))?;
        let endpoint = token_endpoint(&client, issuer)
            .await
            .map_err(|e| self.failed(e))?;
        Ok((client, endpoint))
    }

    async fn refresh(&mut self) -> Result<(), CredentialError> {
        let form = self.refresh_form(self.required("refresh-token")?, self.required("client-id")?);
        if self.issuer.is_none() {
            self.issuer = Some(self.find_issuer().await?);
        }
        let (client, endpoint) = self.issuer.as_ref().expect("found above");
        let answer = client
            .post_form(endpoint, form)
            .await
            .map_err(|e| self.failed(e))?;
        let id_token = answer["id_token"]
            .as_str()
            .ok_or_else(|| self.failed("the issuer's answer has no id_token"))?;
        self.accept(id_token);
        self.settings.insert("id-token".into(), id_token.to_string());
        if let Some(rotated) = answer["refresh_token"].as_str() {
            self.settings.insert("refresh-token".into(), rotated.to_string());
        }
        if let Err(why) = persist(&self.files, &self.entry, &self.settings) {
            eprintln!(
                "warning: the refreshed tokens of user {:?} could not be written into the kubeconfig ({why}); the next command refreshes again, which an issuer that rotates refresh tokens refuses",
                self.entry
            );
        }
        Ok(())
    }

    /// The refresh-token grant, the client's credentials in the form.
    fn refresh_form(&self, refresh_token: &str, client_id: &str) -> String {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("grant_type", "refresh_token")
            .append_pair("refresh_token", refresh_token);
        form.append_pair("client_id", client_id);
        if let Some(secret) = self.setting("client-secret") {
            form.append_pair("client_secret", secret);
        }
        if let Some(scopes) = self.setting("extra-scopes") {
            form.append_pair("scope", &format!("openid {}", scopes.replace(',', " ")));
        }
        form.finish()
    }

    /// A client for the issuer: its certificate authority from the settings, else the
    /// system's; the environment's proxy.
    fn client(&self, issuer: &str) -> Result<Issuer, String> {
        let uri: Uri = issuer
            .parse()
            .map_err(|_| format!("its idp-issuer-url {issuer:?} is not a URL"))?;
        let mut config = kube::Config::new(uri.clone());
        config.root_cert = self.certificate_authority()?;
        let proxy = crate::proxy::choose("oidc issuer", None, &uri).map_err(|e| e.to_string())?;
        let client = crate::dial::https_client(&config, proxy.as_ref()).map_err(|e| e.to_string())?;
        Ok(Issuer(client))
    }

    fn certificate_authority(&self) -> Result<Option<Vec<Vec<u8>>>, String> {
        let pem = match (
            self.setting("idp-certificate-authority-data"),
            self.setting("idp-certificate-authority"),
        ) {
            (Some(data), _) => {
                use base64::Engine as _;
                let engine = base64::engine::general_purpose::STANDARD;
                engine
                    .decode(data.trim())
                    .map_err(|e| format!("its idp-certificate-authority-data: {e}"))?
            }
            (None, Some(path)) => {
                std::fs::read(path).map_err(|e| format!("its idp-certificate-authority {path}: {e}"))?
            }
            (None, None) => return Ok(None),
        };
        let certs: Vec<Vec<u8>> = CertificateDer::pem_slice_iter(&pem)
            .map(|cert| cert.map(|c| c.to_vec()))
            .collect::<Result<_, _>>()
            .map_err(|e| format!("its idp-certificate-authority holds no certificate: {e}"))?;
        Ok(Some(certs))
    }
}

/// The expiry (`exp`) of a JWT, if it reads as one.
fn expiry(jwt: &str) -> Option<Timestamp> {
    use base64::Engine as _;
    let payload = jwt.split('.').nth(1)?;
    let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let claims: Value = serde_json::from_slice(&decoded).ok()?;
    Timestamp::from_second(claims["exp"].as_i64()?).ok()
}

/// An HTTPS client for the issuer.
struct Issuer(crate::dial::HttpsClient);

impl Issuer {
    async fn send(&self, request: Request<Body>) -> Result<Value, String> {
        let uri = request.uri().to_string();
        let response = tokio::time::timeout(Duration::from_secs(30), self.0.request(request))
            .await
            .map_err(|_| format!("{uri} did not answer within 30s"))?
            .map_err(|e| format!("cannot reach {uri}: {e}"))?;
        let status = response.status();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("{uri}: {e}"))?
            .to_bytes();
        let answer: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(answer);
        }
        let error = [&answer["error"], &answer["error_description"]]
            .iter()
            .filter_map(|v| v.as_str())
            .collect::<Vec<_>>()
            .join(": ");
        Err(format!("{uri} answered {status} {error}").trim_end().to_string())
    }

    async fn post_form(&self, uri: &str, form: String) -> Result<Value, String> {
        let request = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json")
            .body(Body::from(form.into_bytes()))
            .map_err(|e| e.to_string())?;
        self.send(request).await
    }
}

/// The token endpoint the issuer's discovery document names.
async fn token_endpoint(client: &Issuer, issuer: &str) -> Result<String, String> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let request = Request::builder()
        .uri(&url)
        .header(header::ACCEPT, "application/json")
        .body(Body::empty())
        .map_err(|e| e.to_string())?;
    let discovery = client.send(request).await?;
    match discovery["token_endpoint"].as_str() {
        Some(endpoint) => Ok(endpoint.to_string()),
        None => Err(format!("the discovery document {url} names no token_endpoint")),
    }
}

/// Writes `settings` as the auth-provider config of user `entry` into the first of `files`
/// that holds the entry, as kubectl does (the file is rewritten whole, its mode kept).
fn persist(files: &[PathBuf], entry: &str, settings: &HashMap<String, String>) -> Result<(), String> {
    for file in files {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        let mut doc: Value = serde_saphyr::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        let users = doc["users"].as_array_mut().into_iter().flatten();
        let Some(user) = users.into_iter().find(|u| u["name"] == entry) else {
            continue;
        };
        let config = &mut user["user"]["auth-provider"]["config"];
        for key in ["id-token", "refresh-token"] {
            if let Some(value) = settings.get(key) {
                config[key] = Value::from(value.as_str());
            }
        }
        let yaml = serde_saphyr::to_string(&doc).map_err(|e| e.to_string())?;
        return write_keeping_mode(file, &yaml).map_err(|e| format!("{}: {e}", file.display()));
    }
    Err(format!("no kubeconfig file holds user {entry:?}"))
}

/// Replaces `file` by a file of `text` with the same permissions, renamed into place.
fn write_keeping_mode(file: &Path, text: &str) -> std::io::Result<()> {
    let permissions = std::fs::metadata(file)?.permissions();
    let fresh = file.with_extension(format!("kubectl-sts-{}", std::process::id()));
    std::fs::write(&fresh, text)?;
    std::fs::set_permissions(&fresh, permissions)?;
    std::fs::rename(&fresh, file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        use base64::Engine as _;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!(
            "{}.{}.sig",
            engine.encode(r#"{"alg":"ES256"}"#),
            engine.encode(claims)
        )
    }

    #[test]
    fn the_expiry_of_an_id_token_is_its_exp_claim() {
        let at = expiry(&jwt(r#"{"sub":"alice","exp":1800000000}"#));
        assert_eq!(at, Some(Timestamp::from_second(1_800_000_000).unwrap()));
        assert_eq!(expiry("not-a-jwt"), None);
        assert_eq!(expiry(&jwt(r#"{"sub":"alice"}"#)), None);
    }

    #[test]
    fn refreshed_tokens_go_into_the_first_file_holding_the_user() {
        let dir = std::env::temp_dir().join(format!("kubectl-sts-oidc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (other, holder) = (dir.join("other"), dir.join("holder"));
        std::fs::write(&other, "users:\n- name: bob\n  user: {token: t}\n").unwrap();
        let user = "users:\n- name: alice\n  user:\n    auth-provider:\n      name: oidc\n      config: {client-id: k, id-token: old, refresh-token: r1}\n";
        std::fs::write(&holder, user).unwrap();
        let settings = HashMap::from([
            ("id-token".to_string(), "new".to_string()),
            ("refresh-token".into(), "r2".into()),
        ]);
        persist(&[other.clone(), holder.clone()], "alice", &settings).unwrap();
        let doc: Value = serde_saphyr::from_str(&std::fs::read_to_string(&holder).unwrap()).unwrap();
        let config = &doc["users"][0]["user"]["auth-provider"]["config"];
        assert_eq!(
            (config["id-token"].as_str(), config["refresh-token"].as_str()),
            (Some("new"), Some("r2"))
        );
        assert_eq!(config["client-id"], "k", "the rest of the entry is kept");
        assert!(std::fs::read_to_string(&other).unwrap().contains("bob"));
        assert!(persist(&[other], "alice", &settings).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
