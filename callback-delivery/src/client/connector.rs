//! The connector of the HTTP client: TCP to the checked addresses a request carries (see
//! [`pin`](super::pin)), each tried in turn, then TLS for `https`, all within the connect
//! timeout. It never looks a name up and never goes through a proxy.

use std::fmt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use http::Uri;
use hyper_util::client::legacy::connect::{Connected, Connection};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use super::pin::unpin;

/// Connects to pinned addresses only.
#[derive(Clone)]
pub(super) struct PinnedConnector {
    tls: TlsConnector,
    connect_timeout: Duration,
}

impl PinnedConnector {
    pub(super) fn new(tls: Arc<rustls::ClientConfig>, connect_timeout: Duration) -> Self {
        Self {
            tls: TlsConnector::from(tls),
            connect_timeout,
        }
    }

    async fn connect(self, uri: Uri) -> Result<TokioIo<Transport>, ConnectError> {
        let pinned = unpin(&uri).map_err(|e| ConnectError::new(ConnectErrorKind::Refused, e.0))?;
        let started = Instant::now();
        let budget = self.connect_timeout;
        let (tcp, remote) = connect_tcp(&pinned.addresses, budget).await?;
        if !pinned.tls {
            return Ok(TokioIo::new(Transport::Plain { tcp, remote }));
        }
        let name = ServerName::try_from(pinned.host.clone()).map_err(|_| {
            ConnectError::new(
                ConnectErrorKind::Tls,
                format!("{} is not a valid TLS server name", pinned.host),
            )
        })?;
        let left = budget.saturating_sub(started.elapsed());
        let handshake = self.tls.connect(name, tcp);
        match tokio::time::timeout(left, handshake).await {
            Ok(Ok(tls)) => Ok(TokioIo::new(Transport::Tls {
                tls: Box::new(tls),
                remote,
            })),
            Ok(Err(e)) => Err(ConnectError::new(
                ConnectErrorKind::Tls,
                format!("TLS handshake with {} ({remote}) failed: {e}", pinned.host),
            )),
            Err(_) => Err(ConnectError::new(
                ConnectErrorKind::Timeout,
                format!(
                    "the TLS handshake with {} ({remote}) took longer than the connect timeout of {}",
                    pinned.host,
                    show(budget)
                ),
            )),
        }
    }
}

/// TCP to each address in turn, each given an equal share of what is left of the budget (so one
/// address that never answers does not use up the time of the others).
async fn connect_tcp(
    addresses: &[SocketAddr],
    budget: Duration,
) -> Result<(TcpStream, SocketAddr), ConnectError> {
    let started = Instant::now();
    let mut errors = Vec::new();
    let mut timeouts = 0;
    for (i, &addr) in addresses.iter().enumerate() {
        let left = budget.saturating_sub(started.elapsed());
        let remaining = u32::try_from(addresses.len() - i).unwrap_or(u32::MAX);
        let share = left / remaining;
        match tokio::time::timeout(share, TcpStream::connect(addr)).await {
            Ok(Ok(tcp)) => {
                // Requests are small and written at once; do not wait for more.
                let _ = tcp.set_nodelay(true);
                return Ok((tcp, addr));
            }
            Ok(Err(e)) => errors.push(format!("{addr}: {e}")),
            Err(_) => {
                timeouts += 1;
                errors.push(format!("{addr}: no answer within {}", show(share)));
            }
        }
    }
    if timeouts == addresses.len() {
        let message = match addresses {
            [one] => format!(
                "connecting to {one} took longer than the connect timeout of {}",
                show(budget)
            ),
            _ => format!(
                "no address answered within the connect timeout of {}: {}",
                show(budget),
                errors.join("; ")
            ),
        };
        return Err(ConnectError::new(ConnectErrorKind::Timeout, message));
    }
    let message = match errors.as_slice() {
        [one] => format!("cannot connect to {one}"),
        several => format!("cannot connect to any address: {}", several.join("; ")),
    };
    Err(ConnectError::new(ConnectErrorKind::Tcp, message))
}

/// `1 s`, `300 ms`.
fn show(d: Duration) -> String {
    if d.subsec_millis() == 0 && d.as_secs() > 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

impl tower_service::Service<Uri> for PinnedConnector {
    type Response = TokioIo<Transport>;
    type Error = ConnectError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        Box::pin(self.clone().connect(uri))
    }
}

/// What went wrong while connecting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ConnectErrorKind {
    /// The URI carries no checked addresses (a bug, refused rather than looked up).
    Refused,
    /// No TCP connection to any address.
    Tcp,
    /// The TLS handshake failed (a certificate, say).
    Tls,
    /// The connect timeout passed.
    Timeout,
}

/// A connection that could not be made, in words that name the address.
#[derive(Debug)]
pub(super) struct ConnectError {
    pub(super) kind: ConnectErrorKind,
    message: String,
}

impl ConnectError {
    fn new(kind: ConnectErrorKind, message: String) -> Self {
        Self { kind, message }
    }
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConnectError {}

/// A connection to a checked address, plain or TLS.
pub(super) enum Transport {
    Plain {
        tcp: TcpStream,
        remote: SocketAddr,
    },
    Tls {
        tls: Box<TlsStream<TcpStream>>,
        remote: SocketAddr,
    },
}

/// The address a response came from, in the response's extensions.
#[derive(Clone, Copy, Debug)]
pub(super) struct RemoteAddr(pub(super) SocketAddr);

impl Connection for Transport {
    fn connected(&self) -> Connected {
        let remote = match self {
            Transport::Plain { remote, .. } | Transport::Tls { remote, .. } => *remote,
        };
        Connected::new().extra(RemoteAddr(remote))
    }
}

impl AsyncRead for Transport {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain { tcp, .. } => Pin::new(tcp).poll_read(cx, buf),
            Transport::Tls { tls, .. } => Pin::new(tls.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Transport {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Transport::Plain { tcp, .. } => Pin::new(tcp).poll_write(cx, buf),
            Transport::Tls { tls, .. } => Pin::new(tls.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain { tcp, .. } => Pin::new(tcp).poll_flush(cx),
            Transport::Tls { tls, .. } => Pin::new(tls.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Transport::Plain { tcp, .. } => Pin::new(tcp).poll_shutdown(cx),
            Transport::Tls { tls, .. } => Pin::new(tls.as_mut()).poll_shutdown(cx),
        }
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Transport::Plain { tcp, .. } => Pin::new(tcp).poll_write_vectored(cx, bufs),
            Transport::Tls { tls, .. } => Pin::new(tls.as_mut()).poll_write_vectored(cx, bufs),
        }
    }

    fn is_write_vectored(&self) -> bool {
        match self {
            Transport::Plain { tcp, .. } => tcp.is_write_vectored(),
            Transport::Tls { tls, .. } => tls.is_write_vectored(),
        }
    }
}
