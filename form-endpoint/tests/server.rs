//! The connection layer: slow headers and slow bodies are cut off, and a
//! shutdown lets the submission in flight finish.

mod support;

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sportello_forms::queue::FaultyStorage;
use sportello_forms::{FormsConfig, PlainPages, Queue, Rate, ServerOptions};
use tokio::sync::oneshot;

struct Running {
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    storage: FaultyStorage,
    queue: Queue,
}

async fn start(header_timeout: Duration, body_timeout: Duration) -> Running {
    let storage = FaultyStorage::new();
    let queue = Queue::with_storage(storage.clone()).expect("writer");
    let pages = Arc::new(PlainPages::new(
        vec!["it".into(), "ar".into()],
        vec![],
        "0744 812786",
    ));
    let config = FormsConfig {
        rate: Rate::Off,
        body_timeout,
        ..FormsConfig::default()
    };
    let router = sportello_forms::app(config, pages, queue.handle());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = oneshot::channel::<()>();
    let options = ServerOptions {
        header_read_timeout: header_timeout,
        shutdown_grace: Duration::from_secs(5),
    };
    let server = tokio::spawn(sportello_forms::serve(listener, router, options, async {
        let _ = stopped.await;
    }));
    Running {
        addr,
        stop: Some(stop),
        server,
        storage,
        queue,
    }
}

/// Whether the server has closed `stream` (reads EOF or the connection is reset).
fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut buf = [0u8; 512];
    match stream.read(&mut buf) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => false,
        Err(_) => true,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_dribbling_its_headers_is_disconnected() {
    let server = start(Duration::from_millis(600), Duration::from_secs(5)).await;
    let addr = server.addr;
    let outcome = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_millis(100)))
            .expect("timeout");
        let started = Instant::now();
        stream
            .write_all(b"POST /forms/contact HTTP/1.1\r\nHost: x\r\n")
            .expect("write");
        // One byte every 100 ms: always active, never done.
        for byte in b"X-Slow: ".iter().chain([b'a'; 100].iter()).cycle() {
            if started.elapsed() > Duration::from_secs(5) {
                return None;
            }
            if stream.write_all(&[*byte]).is_err() || closed_by_server(&mut stream) {
                return Some(started.elapsed());
            }
        }
        None
    })
    .await
    .expect("client");
    let elapsed = outcome.expect("the server must close a connection whose headers never end");
    assert!(
        elapsed >= Duration::from_millis(500),
        "closed too early: {elapsed:?}"
    );
    assert!(
        elapsed < Duration::from_secs(3),
        "closed too late: {elapsed:?}"
    );

    // The server still serves others.
    let answer =
        tokio::task::spawn_blocking(move || support::post(addr, &support::form_body("it", 1)))
            .await;
    assert_eq!(answer.expect("client").expect("answer").0, 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_connection_is_closed_after_the_header_timeout() {
    let server = start(Duration::from_millis(300), Duration::from_secs(5)).await;
    let addr = server.addr;
    let closed = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(3)))
            .expect("timeout");
        let started = Instant::now();
        closed_by_server(&mut stream).then(|| started.elapsed())
    })
    .await
    .expect("client");
    assert!(
        closed.is_some_and(|e| e < Duration::from_secs(2)),
        "{closed:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_that_never_arrives_is_a_408() {
    let server = start(Duration::from_secs(5), Duration::from_millis(300)).await;
    let addr = server.addr;
    let response = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(3)))
            .expect("timeout");
        stream
            .write_all(
                b"POST /forms/contact HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nlang=it",
            )
            .expect("write");
        let mut buf = vec![0u8; 1024];
        let n = stream.read(&mut buf).unwrap_or(0);
        String::from_utf8_lossy(&buf[..n]).into_owned()
    })
    .await
    .expect("client");
    assert!(response.starts_with("HTTP/1.1 408"), "{response:?}");
    assert!(server.storage.contents().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_the_submission_in_flight_finish() {
    let mut server = start(Duration::from_secs(5), Duration::from_secs(5)).await;
    // A slow disk: the submission is still waiting for its fsync when the
    // shutdown begins.
    server.storage.set_sync_delay(Duration::from_millis(400));
    let addr = server.addr;
    let client =
        tokio::task::spawn_blocking(move || support::post(addr, &support::form_body("ar", 7)));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let _ = server.stop.take().map(|s| s.send(()));
    server.server.await.expect("server task").expect("server");
    let (status, body) = client.await.expect("client").expect("answered, not cut");
    assert_eq!(status, 201, "{body}");
    server.queue.close().await;
    let stored = sportello_forms::queue::recover::scan_bytes(&server.storage.durable());
    assert_eq!(
        stored
            .ids
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>(),
        vec![support::id_of(&body).expect("id")]
    );
    // And no new connection is accepted any more.
    assert!(TcpStream::connect(addr).is_err());
}
