//! Durable submissions per second, next to the two ceilings measured in the
//! same run: the disk's batched-fsync rate and the server's no-disk rate.
//!
//! `cargo bench -p sportello-forms --bench throughput` (release build;
//! about 30 s). `-- --dir PATH` measures another disk (the queue's).
//!
//! 1. The disk: 512-byte records appended to a file next to the queue, one
//!    `fdatasync` per record, then 64 records per `fdatasync`.
//! 2. The endpoint, in process on loopback, with a fresh queue: 1, 16 and 64
//!    concurrent keep-alive clients (hyper), each posting valid forms with
//!    `Accept: application/json` back to back for a fixed time; every `201`
//!    is a submission written and fsync'd.
//! 3. The same server and clients posting forms with the honeypot filled:
//!    the same route, decoding and answer, but no disk — the HTTP ceiling.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use sportello_forms::{FormsConfig, PlainPages, Queue, Rate, ServerOptions};

const RECORD: usize = 512;
const DISK_SECS: f64 = 2.0;
const HTTP_SECS: f64 = 4.0;
const MAX_REQUESTS_PER_CLIENT: usize = 200_000;

struct Measured {
    per_sec: f64,
    p50: Duration,
    p99: Duration,
    count: usize,
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn summarise(mut latencies: Vec<Duration>, elapsed: Duration, records_per_op: usize) -> Measured {
    latencies.sort();
    Measured {
        per_sec: (latencies.len() * records_per_op) as f64 / elapsed.as_secs_f64(),
        p50: percentile(&latencies, 0.5),
        p99: percentile(&latencies, 0.99),
        count: latencies.len() * records_per_op,
    }
}

/// Appends `per_sync` records per fdatasync for `DISK_SECS`.
fn disk_rate(dir: &Path, per_sync: usize) -> std::io::Result<Measured> {
    let path = dir.join(format!("disk-probe-{per_sync}.bin"));
    let mut file = OpenOptions::new().create(true).append(true).open(&path)?;
    let mut line = vec![b'x'; RECORD - 1];
    line.push(b'\n');
    let batch = line.repeat(per_sync);
    let mut latencies = Vec::new();
    let start = Instant::now();
    while start.elapsed().as_secs_f64() < DISK_SECS && latencies.len() < 100_000 {
        let t = Instant::now();
        file.write_all(&batch)?;
        file.sync_data()?;
        latencies.push(t.elapsed());
    }
    let r = summarise(latencies, start.elapsed(), per_sync);
    std::fs::remove_file(&path)?;
    Ok(r)
}

fn form(n: usize, honeypot: bool) -> Bytes {
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("lang", "it")
        .append_pair("name", "Bench Client")
        .append_pair("email", "bench@example.org")
        .append_pair("desk", "any")
        .append_pair("topic", "running")
        .append_pair(
            "message",
            &format!("Richiesta di prova numero {n}: {}", "testo ".repeat(40)),
        )
        .append_pair("consent", "yes")
        .append_pair("website", if honeypot { "x" } else { "" })
        .finish();
    Bytes::from(body)
}

/// `clients` keep-alive connections posting back to back for `HTTP_SECS`.
async fn load(addr: std::net::SocketAddr, clients: usize, honeypot: bool) -> Measured {
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(HTTP_SECS);
    let tasks: Vec<_> = (0..clients)
        .map(|c| {
            tokio::spawn(async move {
                let stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
                let _ = stream.set_nodelay(true);
                let (mut sender, conn) =
                    hyper::client::conn::http1::handshake(TokioIo::new(stream))
                        .await
                        .expect("handshake");
                tokio::spawn(conn);
                let mut latencies = Vec::new();
                let mut n = c * MAX_REQUESTS_PER_CLIENT;
                while Instant::now() < deadline && latencies.len() < MAX_REQUESTS_PER_CLIENT {
                    n += 1;
                    let req = hyper::Request::post("/forms/contact")
                        .header("host", "localhost")
                        .header("accept", "application/json")
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(Full::new(form(n, honeypot)))
                        .expect("request");
                    let t = Instant::now();
                    if sender.ready().await.is_err() {
                        break;
                    }
                    let response = sender.send_request(req).await.expect("response");
                    let status = response.status();
                    let _ = response.into_body().collect().await;
                    assert_eq!(status, 201, "every submission must be acknowledged");
                    latencies.push(t.elapsed());
                }
                latencies
            })
        })
        .collect();
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("client task"));
    }
    summarise(all, start.elapsed(), 1)
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let base = match args.iter().position(|a| a == "--dir") {
        Some(i) => PathBuf::from(args.get(i + 1).ok_or("--dir needs a path")?),
        None => PathBuf::from(env!("CARGO_TARGET_TMPDIR")),
    };
    std::fs::create_dir_all(&base)?;
    let dir = tempfile::tempdir_in(&base)?;
    println!("queue directory: {}", dir.path().display());

    let single = disk_rate(dir.path(), 1)?;
    let batched = disk_rate(dir.path(), 64)?;
    println!("\n| disk | records/s | p50 per fsync | p99 per fsync |\n|---|---|---|---|");
    println!(
        "| 1 record ({RECORD} B) per fdatasync | {:.0} | {} | {} |",
        single.per_sec,
        ms(single.p50),
        ms(single.p99)
    );
    println!(
        "| 64 records per fdatasync | {:.0} | {} | {} |",
        batched.per_sec,
        ms(batched.p50),
        ms(batched.p99)
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let queue_path = dir.path().join("queue.jsonl");
        let queue = Queue::open(&queue_path)?;
        let handle = queue.handle();
        let pages = Arc::new(PlainPages::new(vec!["it".into()], vec![], ""));
        let config = FormsConfig { rate: Rate::Off, ..FormsConfig::default() };
        let router = sportello_forms::app(config, pages, queue.handle());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(sportello_forms::serve(listener, router, ServerOptions::default(), async {
            let _ = stopped.await;
        }));

        println!("\n| endpoint, loopback | clients | submissions/s | p50 | p99 | records per fsync | write+fsync | writer busy |\n|---|---|---|---|---|---|---|---|");
        let mut durable64 = None;
        for clients in [1, 16, 64] {
            let before = handle.stats();
            let started = Instant::now();
            let r = load(addr, clients, false).await;
            let elapsed = started.elapsed();
            let after = handle.stats();
            let commits = (after.group_commits - before.group_commits).max(1);
            let per_fsync = (after.records - before.records) as f64 / commits as f64;
            let io = Duration::from_micros(after.io_micros - before.io_micros);
            println!(
                "| durable (written + fsync'd) | {clients} | {:.0} | {} | {} | {per_fsync:.1} | {} | {:.0}% |",
                r.per_sec,
                ms(r.p50),
                ms(r.p99),
                ms(io / commits as u32),
                io.as_secs_f64() / elapsed.as_secs_f64() * 100.0
            );
            if clients == 64 {
                durable64 = Some(r);
            }
        }
        let http = load(addr, 64, true).await;
        println!("| no disk (honeypot, same route) | 64 | {:.0} | {} | {} | – | – | – |", http.per_sec, ms(http.p50), ms(http.p99));

        let _ = stop.send(());
        server.await??;
        queue.close().await;
        let verified = sportello_forms::queue::verify(&queue_path)?;

        let durable = durable64.ok_or("no 64-client run")?;
        let ceiling = batched.per_sec.min(http.per_sec);
        let which = if batched.per_sec < http.per_sec { "disk, batched fsync" } else { "HTTP, no disk" };
        let ratio = durable.per_sec / ceiling;
        println!(
            "\nat 64 clients: {:.0} durable submissions/s = {:.0}% of the lower ceiling ({which}: {:.0}/s); p99 {}",
            durable.per_sec,
            ratio * 100.0,
            ceiling,
            ms(durable.p99)
        );
        println!(
            "target: >= 70% and p99 < 50 ms: {}",
            if ratio >= 0.7 && durable.p99 < Duration::from_millis(50) { "MET" } else { "NOT MET" }
        );
        println!("queue after the run: {} records, verify {}", verified.records, if verified.is_ok() { "OK" } else { "FAILED" });
        println!("(durable submissions counted: {})", durable.count);
        Ok::<_, Box<dyn std::error::Error>>(())
    })?;
    Ok(())
}
