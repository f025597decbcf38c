//! The credentials a kubeconfig user entry presents, as kubectl presents them: a bearer token
//! (inline, `--token`, or a `tokenFile` trimmed of surrounding whitespace and read again
//! whenever it changes), basic auth, or an exec credential plugin run once per process and
//! again only once its credential has expired (client certificates it returns go to the TLS
//! configuration), or the `oidc` auth-provider's ID token (`oidc`); a request answered 401 is
//! sent once more when the credential can be had again. Client certificates of the kubeconfig
//! stay with kube's TLS configuration. Which requests are made is not decided here.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use futures::future::BoxFuture;
use http::{HeaderValue, Request, header::AUTHORIZATION};
use jiff::Timestamp;
use kube::Config;
use kube::client::Body;
use secrecy::{ExposeSecret, SecretString};
use std::task::{Context, Poll};
use tower::BoxError;

use http::{Response, StatusCode};
use tower::{Service, ServiceExt};

use crate::exec::{CredentialError, ExecCredential, ExecPlugin};
use crate::oidc::OidcToken;

/// The Authorization header of every request, for one kubeconfig user entry.
#[derive(Clone)]
pub struct Credentials {
    source: Arc<Source>,
}

enum Source {
    /// Nothing in the Authorization header: a client certificate (`true`) or no credentials.
    None(bool),
    Fixed(HeaderValue),
    File(Mutex<FileToken>),
    Exec(Box<tokio::sync::Mutex<ExecToken>>),
    Oidc(Box<tokio::sync::Mutex<OidcToken>>),
}

impl Credentials {
    /// Takes the credentials of `config`'s user entry `entry` (or the `--token` one) out of
    /// `config`, leaving it the client certificate for kube; an exec plugin is run now (its
    /// certificate is needed before the first connection). `files` are the kubeconfig files
    /// the entry was read from, where an `oidc` auth-provider keeps its refreshed tokens.
    pub async fn take(
        config: &mut Config,
        entry: &str,
        token: Option<&str>,
        files: &[PathBuf],
    ) -> Result<Credentials, CredentialError> {
        let auth = std::mem::take(&mut config.auth_info);
        let info = &mut config.auth_info;
        (info.impersonate, info.impersonate_uid) = (auth.impersonate.clone(), auth.impersonate_uid.clone());
        (info.impersonate_groups, info.impersonate_user_extra) = (
            auth.impersonate_groups.clone(),
            auth.impersonate_user_extra.clone(),
        );
        if let Some(token) = token {
            return Ok(Credentials::fixed(bearer(token, "--token")?));
        }
        (info.client_certificate, info.client_certificate_data) = (
            auth.client_certificate.clone(),
            auth.client_certificate_data.clone(),
        );
        (info.client_key, info.client_key_data) = (auth.client_key.clone(), auth.client_key_data.clone());
        refuse_expired_certificate(&auth, entry)?;
        if let Some(provider) = &auth.auth_provider {
            return Credentials::provider(provider, entry, files);
        }
        if let Some(token) = &auth.token {
            return Ok(Credentials::fixed(bearer(token.expose_secret(), "token")?));
        }
        if let Some(path) = &auth.token_file {
            let file = FileToken::read(PathBuf::from(path), entry)?;
            return Ok(Credentials::from(Source::File(Mutex::new(file))));
        }
        if let (Some(user), Some(password)) = (&auth.username, &auth.password) {
            let pair = format!("{user}:{}", password.expose_secret());
            return Ok(Credentials::fixed(basic(&pair)?));
        }
        match &auth.exec {
            Some(exec) => Credentials::exec(ExecPlugin::new(exec, entry)?, info).await,
            None => Ok(Credentials::from(Source::None(has_certificate(info)))),
        }
    }

    /// The plugin's credentials, shared by every context of the process whose user entry
    /// runs the same plugin (a fleet read): it is run once for all of them.
    async fn exec(
        plugin: ExecPlugin,
        info: &mut kube::config::AuthInfo,
    ) -> Result<Credentials, CredentialError> {
        type Shared = Arc<tokio::sync::OnceCell<(Credentials, Option<(String, String)>)>>;
        static PLUGINS: Mutex<Vec<(String, Shared)>> = Mutex::new(Vec::new());
        let key = plugin.key();
        let cell = {
            let mut plugins = PLUGINS.lock().expect("exec plugins");
            match plugins.iter().find(|(k, _)| *k == key) {
                Some((_, cell)) => cell.clone(),
                None => {
                    let cell = Shared::default();
                    plugins.push((key, cell.clone()));
                    cell
                }
            }
        };
        let (credentials, certificate) = cell
            .get_or_try_init(|| async {
                let credential = plugin.run().await?;
                let certificate = credential.certificate.clone();
                let token = ExecToken::new(plugin, &credential)?;
                let source = Source::Exec(Box::new(tokio::sync::Mutex::new(token)));
                Ok::<_, CredentialError>((Credentials::from(source), certificate))
            })
            .await?;
        if let Some((cert, key)) = certificate {
            info.client_certificate_data = Some(cert.clone());
            info.client_key_data = Some(SecretString::from(key.clone()));
        }
        Ok(credentials.clone())
    }

    /// An `auth-provider`: `oidc` as kubectl has it; the `gcp` and `azure` providers left
    /// kubectl in 1.26 for exec plugins, and are pointed there.
    fn provider(
        provider: &kube::config::AuthProviderConfig,
        entry: &str,
        files: &[PathBuf],
    ) -> Result<Credentials, CredentialError> {
        let plugin = match provider.name.as_str() {
            "oidc" => {
                let token = OidcToken::new(entry, provider.config.clone(), files.to_vec());
                return Ok(Credentials::from(Source::Oidc(Box::new(
                    tokio::sync::Mutex::new(token),
                ))));
            }
            "gcp" => "gke-gcloud-auth-plugin",
            "azure" => "kubelogin",
            _ => "an exec credential plugin",
        };
        Err(CredentialError(format!(
            "the auth-provider {:?} of user {entry:?} in the kubeconfig is not supported (kubectl dropped it in 1.26); use {plugin} as an exec credential plugin",
            provider.name
        )))
    }

    fn fixed(header: HeaderValue) -> Credentials {
        Credentials::from(Source::Fixed(header))
    }

    fn from(source: Source) -> Credentials {
        Credentials {
            source: Arc::new(source),
        }
    }

    /// The layer that sets each request's Authorization header (`Authorize`).
    pub fn layer(&self) -> AuthorizeLayer {
        AuthorizeLayer(self.clone())
    }

    /// What these credentials present, for a message about a rejected one.
    pub fn describe(&self) -> String {
        match &*self.source {
            Source::None(true) => "its client certificate".into(),
            Source::None(false) => "no credentials (the entry has none)".into(),
            Source::Fixed(_) => "its token".into(),
            Source::File(file) => {
                let file = file.lock().expect("token file");
                format!("the token of tokenFile {}", file.path.display())
            }
            Source::Exec(exec) => match exec.try_lock() {
                Ok(token) => token.describe(),
                Err(_) => "the credential of its exec plugin".into(),
            },
            Source::Oidc(oidc) => match oidc.try_lock() {
                Ok(token) => token.describe(),
                Err(_) => "the id-token of its oidc auth-provider".into(),
            },
        }
    }

    async fn header(&self) -> Result<Option<HeaderValue>, CredentialError> {
        match &*self.source {
            Source::None(_) => Ok(None),
            Source::Fixed(header) => Ok(Some(header.clone())),
            Source::File(file) => file.lock().expect("token file").current().map(Some),
            Source::Exec(exec) => exec.lock().await.current().await,
            Source::Oidc(oidc) => {
                let id_token = oidc.lock().await.current().await?;
                bearer(&id_token, "id-token of the oidc auth-provider").map(Some)
            }
        }
    }

    /// After the server refused `presented` (401): whether credentials can be had again (the
    /// exec plugin run again, the OIDC token refreshed, the token file read again), or already
    /// were by another request meanwhile.
    async fn renew(&self, presented: Option<&HeaderValue>) -> Result<bool, CredentialError> {
        match &*self.source {
            Source::None(_) | Source::Fixed(_) => Ok(false),
            Source::File(file) => Ok(file.lock().expect("token file").reread(presented)),
            Source::Exec(exec) => exec.lock().await.renew(presented).await,
            Source::Oidc(oidc) => {
                let presented = presented.and_then(|h| h.to_str().ok()?.strip_prefix("Bearer "));
                Ok(oidc.lock().await.renew(presented))
            }
        }
    }
}

/// Sets each request's Authorization header; a request the server answers 401 is sent once
/// more if the credentials can be had again, as kubectl gets them again after a 401 (an exec
/// plugin whose token was revoked before its expiry, a token file rotated early). The server
/// did nothing with a request it could not authenticate, so sending it again is safe, writes
/// included.
pub struct AuthorizeLayer(Credentials);

impl<S> tower::Layer<S> for AuthorizeLayer {
    type Service = Authorize<S>;

    fn layer(&self, inner: S) -> Authorize<S> {
        Authorize {
            inner,
            credentials: self.0.clone(),
        }
    }
}

#[derive(Clone)]
pub struct Authorize<S> {
    inner: S,
    credentials: Credentials,
}

impl<S, B> Service<Request<Body>> for Authorize<S>
where
    S: Service<Request<Body>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send,
    S::Error: Into<BoxError>,
    B: Send + 'static,
{
    type Response = Response<B>;
    type Error = BoxError;
    type Future = BoxFuture<'static, Result<Response<B>, BoxError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, request: Request<Body>) -> Self::Future {
        // The clone is not known to be ready: the ready one is taken for this call.
        let fresh = self.inner.clone();
        let ready = std::mem::replace(&mut self.inner, fresh);
        let credentials = self.credentials.clone();
        Box::pin(credentials.send(ready, request))
    }
}

impl Credentials {
    async fn send<S, B>(self, mut inner: S, request: Request<Body>) -> Result<Response<B>, BoxError>
    where
        S: Service<Request<Body>, Response = Response<B>>,
        S::Error: Into<BoxError>,
    {
        let again = copy(&request);
        let presented = self.header().await?;
        let response = inner
            .call(authorized(request, presented.clone()))
            .await
            .map_err(Into::into)?;
        let Some(again) = again.filter(|_| response.status() == StatusCode::UNAUTHORIZED) else {
            return Ok(response);
        };
        if !self.renew(presented.as_ref()).await? {
            return Ok(response);
        }
        let header = self.header().await?;
        let inner = inner.ready().await.map_err(Into::into)?;
        inner.call(authorized(again, header)).await.map_err(Into::into)
    }
}

/// `request` with its Authorization header, if there is one to send.
fn authorized(mut request: Request<Body>, header: Option<HeaderValue>) -> Request<Body> {
    if let Some(value) = header {
        request.headers_mut().insert(AUTHORIZATION, value);
    }
    request
}

/// A copy of `request` to send again, if its body is held whole (not a stream).
fn copy(request: &Request<Body>) -> Option<Request<Body>> {
    let mut copy = Request::new(request.body().try_clone()?);
    *copy.method_mut() = request.method().clone();
    *copy.uri_mut() = request.uri().clone();
    *copy.version_mut() = request.version();
    *copy.headers_mut() = request.headers().clone();
    Some(copy)
}

/// A client certificate that has expired, refused before any request (the server would answer
/// 401 without saying why).
fn refuse_expired_certificate(auth: &kube::config::AuthInfo, entry: &str) -> Result<(), CredentialError> {
    use base64::Engine as _;
    let pem = match (&auth.client_certificate_data, &auth.client_certificate) {
        (Some(data), _) => base64::engine::general_purpose::STANDARD.decode(data.trim()).ok(),
        (None, Some(path)) => std::fs::read(path).ok(),
        (None, None) => None,
    };
    match pem.as_deref().and_then(crate::certs::expiry) {
        Some(at) if at <= Timestamp::now() => Err(CredentialError(format!(
            "the client certificate of user {entry:?} in the kubeconfig expired at {at}; renew it (e.g. `kubeadm certs renew`) or get a new kubeconfig"
        ))),
        _ => Ok(()),
    }
}

fn has_certificate(info: &kube::config::AuthInfo) -> bool {
    info.client_certificate.is_some() || info.client_certificate_data.is_some()
}

/// `Bearer TOKEN`, the token trimmed of surrounding whitespace as kubectl trims it.
fn bearer(token: &str, what: &str) -> Result<HeaderValue, CredentialError> {
    sensitive(&format!("Bearer {}", token.trim()))
        .map_err(|_| CredentialError(format!("the {what} holds characters a token cannot have")))
}

fn basic(pair: &str) -> Result<HeaderValue, CredentialError> {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
    sensitive(&format!("Basic {encoded}"))
        .map_err(|_| CredentialError("the username or password cannot be sent".into()))
}

fn sensitive(value: &str) -> Result<HeaderValue, http::header::InvalidHeaderValue> {
    let mut value = HeaderValue::from_str(value)?;
    value.set_sensitive(true);
    Ok(value)
}

/// A `tokenFile`: read again whenever its modification time or size changes (a projected
/// service-account token is rotated in place); a file gone or unreadable later keeps the
/// last token, as client-go does.
struct FileToken {
    path: PathBuf,
    entry: String,
    stamp: Option<(SystemTime, u64)>,
    header: HeaderValue,
}

impl FileToken {
    fn read(path: PathBuf, entry: &str) -> Result<FileToken, CredentialError> {
        let mut file = FileToken {
            path,
            entry: entry.to_string(),
            stamp: None,
            header: HeaderValue::from_static(""),
        };
        file.refresh()?;
        Ok(file)
    }

    fn stamp(&self) -> Option<(SystemTime, u64)> {
        let meta = std::fs::metadata(&self.path).ok()?;
        Some((meta.modified().ok()?, meta.len()))
    }

    fn refresh(&mut self) -> Result<(), CredentialError> {
        let failed = |why: String| {
            CredentialError(format!(
                "cannot read the tokenFile {} of user {:?} in the kubeconfig: {why}",
                self.path.display(),
                self.entry
            ))
        };
        let stamp = self.stamp();
        let text = std::fs::read_to_string(&self.path).map_err(|e| failed(e.to_string()))?;
        if text.trim().is_empty() {
            return Err(failed("it is empty".into()));
        }
        self.header = bearer(&text, &format!("tokenFile {}", self.path.display()))?;
        self.stamp = stamp;
        Ok(())
    }

    /// Reads the file again after the server refused `presented`: whether the token now
    /// differs from it.
    fn reread(&mut self, presented: Option<&HeaderValue>) -> bool {
        let _ = self.refresh();
        presented != Some(&self.header)
    }

    fn current(&mut self) -> Result<HeaderValue, CredentialError> {
        let stamp = self.stamp();
        if stamp.is_some() && stamp != self.stamp {
            // A file being rewritten may be empty for a moment: the last token stays then.
            let _ = self.refresh();
        }
        Ok(self.header.clone())
    }
}

/// An exec plugin's token, run again once it has expired.
struct ExecToken {
    plugin: ExecPlugin,
    header: Option<HeaderValue>,
    expires: Option<Timestamp>,
}

impl ExecToken {
    fn new(plugin: ExecPlugin, credential: &ExecCredential) -> Result<ExecToken, CredentialError> {
        let header = credential
            .token
            .as_deref()
            .map(|token| bearer(token, &format!("token of the exec plugin {}", plugin.name())))
            .transpose()?;
        Ok(ExecToken {
            plugin,
            header,
            expires: credential.expires,
        })
    }

    async fn current(&mut self) -> Result<Option<HeaderValue>, CredentialError> {
        if self.expires.is_some_and(|at| Timestamp::now() >= at) {
            let credential = self.plugin.run().await?;
            *self = ExecToken::new(self.plugin.clone(), &credential)?;
        }
        Ok(self.header.clone())
    }

    /// Runs the plugin again after the server refused `presented`, unless another request
    /// already did: whether there is another credential to present.
    async fn renew(&mut self, presented: Option<&HeaderValue>) -> Result<bool, CredentialError> {
        if presented == self.header.as_ref() {
            let credential = self.plugin.run().await?;
            *self = ExecToken::new(self.plugin.clone(), &credential)?;
        }
        Ok(presented != self.header.as_ref())
    }

    fn describe(&self) -> String {
        let what = format!("the credential of its exec plugin {}", self.plugin.name());
        match self.expires {
            Some(at) => format!("{what} (valid until {at})"),
            None => what,
        }
    }
}
