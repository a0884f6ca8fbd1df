//! The accept loop and per-connection serving.
//!
//! Connections are served by hyper directly (one task each) rather than `axum::serve`, so
//! that a handler can make its connection vanish: every request carries a [`ConnHandle`];
//! [`ConnHandle::drop_connection`] wakes the connection task, which drops the connection
//! (and the in-flight handler with it) without writing a response. The client sees EOF
//! or a reset, never an HTTP response; other connections are unaffected.

use std::convert::Infallible;
use std::future::pending;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{Request, StatusCode};
use axum::response::Response;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::{Notify, oneshot};
use tokio::task::{JoinHandle, JoinSet};
use tower::Service;

use crate::response::json_error;

/// Lets a handler close the TCP connection its request arrived on.
#[derive(Clone, Debug, Default)]
pub(crate) struct ConnHandle {
    kill: Arc<Notify>,
}

impl ConnHandle {
    /// Closes this request's connection without a response. Never returns when the
    /// request came through [`serve_connection`]; otherwise answers 500.
    pub(crate) async fn drop_connection(conn: Option<&ConnHandle>) -> Response {
        match conn {
            Some(conn) => {
                conn.kill.notify_one();
                // The connection task drops this future together with the connection.
                pending::<Response>().await
            }
            None => json_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "server_error",
                "cannot drop a connection outside the test server's accept loop",
            ),
        }
    }
}

/// A running accept loop; dropping it aborts the loop and all its connections.
pub(crate) struct Listening {
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl Listening {
    /// Stops accepting, closes the listener and every open connection, and waits for that.
    pub(crate) async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            // An error means the loop already ended: nothing left to stop.
            let _ = stop.send(());
        }
        // A JoinError here means the loop panicked or was aborted: either way it is gone.
        let _ = (&mut self.task).await;
    }
}

impl Drop for Listening {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Binds `addr` with `SO_REUSEADDR`, so a paused server can re-bind its port at once.
pub(crate) fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(1024)
}

/// Spawns the accept loop for `listener`.
pub(crate) fn spawn(listener: TcpListener, router: Router) -> Listening {
    let (stop_tx, stop_rx) = oneshot::channel();
    let task = tokio::spawn(accept_loop(listener, router, stop_rx));
    Listening {
        stop: Some(stop_tx),
        task,
    }
}

async fn accept_loop(listener: TcpListener, router: Router, mut stop: oneshot::Receiver<()>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    connections.spawn(serve_connection(stream, router.clone()));
                }
                Err(error) => {
                    // E.g. too many open files: back off instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    // Refuse new connections first, then cut the open ones (keep-alive included).
    drop(listener);
    connections.shutdown().await;
}

/// Serves one connection until the client closes it, hyper fails, or a handler asks for
/// the connection to be dropped.
pub(crate) async fn serve_connection(stream: TcpStream, router: Router) {
    if let Err(error) = stream.set_nodelay(true) {
        tracing::debug!(%error, "set_nodelay failed");
    }
    let handle = ConnHandle::default();
    let kill = handle.kill.clone();
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        // Only the method and path are logged: tokens travel in headers and bodies.
        tracing::debug!(method = %request.method(), path = request.uri().path(), "request");
        request.extensions_mut().insert(handle.clone());
        let mut router = router.clone();
        async move { Ok::<_, Infallible>(router.call(request).await.unwrap_or_else(|e| match e {})) }
    });
    // No header-read timeout: hyper would apply it to idle keep-alive connections too and
    // close them after 30 s, racing a client that reuses one. Idle connections end when the
    // client closes them, or on pause/shutdown.
    let connection = http1::Builder::new()
        .keep_alive(true)
        .header_read_timeout(None)
        .serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        result = connection => {
            if let Err(error) = result {
                tracing::debug!(%error, "connection ended with an error");
            }
        }
        () = kill.notified() => {
            tracing::debug!("connection dropped on purpose (fault injection)");
        }
    }
}
