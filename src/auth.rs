//! The credentials a kubeconfig user entry presents, as kubectl presents them: a bearer token
//! (inline, `--token`, or a `tokenFile` trimmed of surrounding whitespace and read again
//! whenever it changes), basic auth, or an exec credential plugin run once per process and
//! again only once its credential has expired (client certificates it returns go to the TLS
//! configuration). Client certificates of the kubeconfig and `auth-provider` entries stay
//! with kube. Which requests are made is not decided here.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use futures::future::BoxFuture;
use http::{HeaderValue, Request, header::AUTHORIZATION};
use jiff::Timestamp;
use kube::Config;
use kube::client::Body;
use secrecy::{ExposeSecret, SecretString};
use tower::BoxError;
use tower::filter::{AsyncFilterLayer, AsyncPredicate};

use crate::exec::{CredentialError, ExecCredential, ExecPlugin};

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
}

impl Credentials {
    /// Takes the credentials of `config`'s user entry `entry` (or the `--token` one) out of
    /// `config`, leaving it the client certificate and `auth-provider` for kube; an exec
    /// plugin is run now (its certificate is needed before the first connection).
    pub async fn take(
        config: &mut Config,
        entry: &str,
        token: Option<&str>,
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
        info.auth_provider = auth.auth_provider.clone();
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

    fn fixed(header: HeaderValue) -> Credentials {
        Credentials::from(Source::Fixed(header))
    }

    fn from(source: Source) -> Credentials {
        Credentials {
            source: Arc::new(source),
        }
    }

    /// The layer that sets each request's Authorization header.
    pub fn layer(&self) -> AsyncFilterLayer<Credentials> {
        AsyncFilterLayer::new(self.clone())
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
        }
    }

    async fn header(&self) -> Result<Option<HeaderValue>, CredentialError> {
        match &*self.source {
            Source::None(_) => Ok(None),
            Source::Fixed(header) => Ok(Some(header.clone())),
            Source::File(file) => file.lock().expect("token file").current().map(Some),
            Source::Exec(exec) => exec.lock().await.current().await,
        }
    }
}

impl AsyncPredicate<Request<Body>> for Credentials {
    type Future = BoxFuture<'static, Result<Request<Body>, BoxError>>;
    type Request = Request<Body>;

    fn check(&mut self, mut request: Request<Body>) -> Self::Future {
        let credentials = self.clone();
        Box::pin(async move {
            if let Some(value) = credentials.header().await? {
                request.headers_mut().insert(AUTHORIZATION, value);
            }
            Ok(request)
        })
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

    fn describe(&self) -> String {
        let what = format!("the credential of its exec plugin {}", self.plugin.name());
        match self.expires {
            Some(at) => format!("{what} (valid until {at})"),
            None => what,
        }
    }
}
