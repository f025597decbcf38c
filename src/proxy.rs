//! Which proxy a cluster is reached through, chosen as kubectl chooses it: the kubeconfig
//! cluster's `proxy-url` (`http://`, `https://` or `socks5://`), else `HTTPS_PROXY` / `HTTP_PROXY` for the
//! server's scheme unless `NO_PROXY` names the server's host, a loopback server never being
//! proxied by the environment. Only the choice lives here; `connect` dials through it.

use std::net::IpAddr;

use anyhow::{Result, anyhow};
use http::Uri;
use hyper_util::client::proxy::matcher::{Intercept, Matcher};

/// A proxy to dial through, with the credentials its URL carries.
#[derive(Clone, Debug)]
pub enum Proxy {
    /// An HTTP proxy: a CONNECT tunnel per connection (over TLS to an `https://` one).
    Http(Intercept),
    /// A SOCKS5 proxy: the server's host name is resolved by the proxy.
    Socks5(Intercept),
}

impl Proxy {
    /// The proxy's own URL (without credentials), for messages.
    pub fn uri(&self) -> &Uri {
        match self {
            Proxy::Http(intercept) | Proxy::Socks5(intercept) => intercept.uri(),
        }
    }
}

/// The proxy for `server`: the kubeconfig cluster entry `cluster`'s `proxy-url` when it has
/// one, else the environment's.
pub fn choose(cluster: &str, proxy_url: Option<&str>, server: &Uri) -> Result<Option<Proxy>> {
    match proxy_url.map(str::trim).filter(|url| !url.is_empty()) {
        Some(url) => from_kubeconfig(cluster, url, server).map(Some),
        None => from_env(server),
    }
}

/// A kubeconfig's `proxy-url`, used for every request to the cluster.
fn from_kubeconfig(cluster: &str, url: &str, server: &Uri) -> Result<Proxy> {
    let refused = |why: &str| {
        anyhow!(
            "proxy-url {url:?} of cluster {cluster:?} in the kubeconfig {why}; use http://HOST:PORT, https://HOST:PORT or socks5://HOST:PORT"
        )
    };
    let parsed: Uri = url.parse().map_err(|_| refused("is not a URL"))?;
    let scheme = parsed.scheme_str().unwrap_or_default().to_string();
    if !matches!(scheme.as_str(), "http" | "https" | "socks5") {
        return Err(refused(&format!("has the unsupported scheme {scheme:?}")));
    }
    let matcher = Matcher::builder().all(url.to_string()).build();
    let intercept = matcher
        .intercept(server)
        .ok_or_else(|| refused("names no host"))?;
    Ok(wrap(intercept))
}

/// `HTTPS_PROXY` (or `HTTP_PROXY` for an `http://` server) unless `NO_PROXY` covers the
/// host; a loopback server is always reached directly, as Go's `ProxyFromEnvironment` does.
fn from_env(server: &Uri) -> Result<Option<Proxy>> {
    let host = server.host().unwrap_or_default().trim_matches(['[', ']']);
    let loopback = host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
    if loopback {
        return Ok(None);
    }
    let Some(intercept) = Matcher::from_env().intercept(server) else {
        return Ok(None);
    };
    match intercept.uri().scheme_str() {
        Some("http" | "https" | "socks5") => Ok(Some(wrap(intercept))),
        other => Err(anyhow!(
            "the proxy {} from the environment (HTTPS_PROXY/HTTP_PROXY) has the unsupported scheme {:?}; use http://HOST:PORT, https://HOST:PORT or socks5://HOST:PORT, or NO_PROXY",
            intercept.uri(),
            other.unwrap_or_default()
        )),
    }
}

fn wrap(intercept: Intercept) -> Proxy {
    match intercept.uri().scheme_str() {
        Some("socks5") => Proxy::Socks5(intercept),
        _ => Proxy::Http(intercept),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server() -> Uri {
        "https://api.example.com:6443".parse().unwrap()
    }

    #[test]
    fn a_kubeconfig_proxy_url_is_taken_with_its_credentials() {
        let proxy = choose("prod", Some("http://me:s%40cret@proxy:3128"), &server())
            .unwrap()
            .unwrap();
        assert!(
            matches!(&proxy, Proxy::Http(i) if i.basic_auth().is_some()),
            "{proxy:?}"
        );
        assert_eq!(proxy.uri().authority().unwrap().as_str(), "proxy:3128");
        let socks = choose("prod", Some("socks5://me:pw@proxy:1080"), &server())
            .unwrap()
            .unwrap();
        assert!(matches!(&socks, Proxy::Socks5(i) if i.raw_auth() == Some(("me", "pw"))));
    }

    #[test]
    fn an_unsupported_scheme_is_one_line_naming_the_cluster_entry() {
        let err = choose("prod", Some("ftp://proxy:21"), &server()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "proxy-url \"ftp://proxy:21\" of cluster \"prod\" in the kubeconfig has the unsupported scheme \"ftp\"; use http://HOST:PORT, https://HOST:PORT or socks5://HOST:PORT"
        );
    }

    #[test]
    fn a_loopback_server_is_never_proxied_by_the_environment() {
        for server in [
            "https://127.0.0.1:6443",
            "https://localhost:6443",
            "https://[::1]:6443",
        ] {
            assert!(from_env(&server.parse().unwrap()).unwrap().is_none(), "{server}");
        }
    }
}
