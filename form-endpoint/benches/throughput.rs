//! Durable submissions per second, next to the two ceilings measured in the
//! same run: the disk's batched-fsync rate and the server's no-disk rate.
//!
//! `cargo bench -p sportello-forms --bench throughput` (release build;
//! about 35 s). `-- --dir PATH` measures another disk (the queue's);
//! `-- --rounds N` runs N comparison rounds instead of 3 (on a shared
//! machine the no-disk ceiling swings from round to round: more rounds give
//! a steadier median); `-- --slices N` splits each round's durable and
//! no-disk runs into N turns taken alternately (paired measurement: a drift
//! of the machine's speed over seconds weighs on both alike).
//!
//! 1. The disk: 512-byte records appended to a file next to the queue, one
//!    `fdatasync` per record, then 64 records per `fdatasync`.
//! 2. The endpoint, in process on loopback, with a fresh queue: 1, 16 and 64
//!    concurrent keep-alive clients (hyper), each posting valid forms with
//!    `Accept: application/json` back to back for a fixed time; every `201`
//!    is a submission written and fsync'd.
//! 3. The no-disk ceiling: the same server and clients, with the queue's
//!    file replaced by a sink that keeps nothing ([`NullStorage`]): the same
//!    route, validation, writer thread, encoding and answer, no disk.
//! 4. For reference, the honeypot: the same route answered before
//!    validation and without the queue (what the HTTP layer alone costs).
//!
//! The 64-client comparison runs in rounds (disk ceiling, durable, no disk,
//! honeypot) and reports the median round's ratio of durable to the lower
//! of the disk and no-disk ceilings.

use std::fs::OpenOptions;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use sportello_forms::queue::{QueueHandle, QueueStorage};
use sportello_forms::{FormsConfig, PlainPages, Queue, Rate, ServerOptions};

const RECORD: usize = 512;
const DISK_SECS: f64 = 2.0;
const HTTP_SECS: f64 = 3.0;
/// Rounds of (disk ceiling, durable at 64, no-disk at 64), interleaved so that
/// a busy neighbour or a slow patch of the disk weighs on all three alike;
/// every other round runs the no-disk server first, so that neither comes
/// always right after the disk test.
const ROUNDS: usize = 3;
const MAX_REQUESTS_PER_CLIENT: usize = 200_000;

/// The queue's file with the disk taken out: every append and sync
/// succeeds at once and keeps nothing, so the no-disk server differs from
/// the durable one by its storage only.
struct NullStorage {
    len: u64,
}

impl QueueStorage for NullStorage {
    fn len(&self) -> u64 {
        self.len
    }
    fn append(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.len += bytes.len() as u64;
        Ok(())
    }
    fn sync(&mut self) -> std::io::Result<()> {
        Ok(())
    }
    fn truncate(&mut self, len: u64) -> std::io::Result<()> {
        self.len = len;
        Ok(())
    }
}

struct Measured {
    per_sec: f64,
    /// Process CPU over wall time (2.0 = both cores busy).
    cpu: f64,
    p50: Duration,
    p99: Duration,
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
        cpu: 0.0,
        p50: percentile(&latencies, 0.5),
        p99: percentile(&latencies, 0.99),
    }
}

/// Appends `per_sync` records per fdatasync for `secs`.
fn disk_rate(dir: &Path, per_sync: usize, secs: f64) -> std::io::Result<Measured> {
    let path = dir.join(format!("disk-probe-{per_sync}.bin"));
    let mut file = OpenOptions::new().create(true).append(true).open(&path)?;
    let mut line = vec![b'x'; RECORD - 1];
    line.push(b'\n');
    let batch = line.repeat(per_sync);
    let mut latencies = Vec::new();
    let start = Instant::now();
    while start.elapsed().as_secs_f64() < secs && latencies.len() < 200_000 {
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
async fn load(addr: SocketAddr, clients: usize, honeypot: bool) -> Measured {
    Run::of(addr, clients, honeypot, HTTP_SECS).await.measured()
}

/// What one or more load runs gave, before it is summarised: runs of the
/// same server in several slices are added up ([`Run::add`]).
#[derive(Default)]
struct Run {
    latencies: Vec<Duration>,
    elapsed: Duration,
    cpu: Duration,
}

impl Run {
    fn add(&mut self, other: Run) {
        self.latencies.extend(other.latencies);
        self.elapsed += other.elapsed;
        self.cpu += other.cpu;
    }

    fn measured(self) -> Measured {
        let (elapsed, cpu) = (self.elapsed, self.cpu);
        let mut m = summarise(self.latencies, elapsed, 1);
        m.cpu = cpu.as_secs_f64() / elapsed.as_secs_f64();
        m
    }

    async fn of(addr: SocketAddr, clients: usize, honeypot: bool, secs: f64) -> Run {
        let cpu_before = cpu_time();
        let start = Instant::now();
        let deadline = start + Duration::from_secs_f64(secs);
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
        Run {
            latencies: all,
            elapsed: start.elapsed(),
            cpu: cpu_time() - cpu_before,
        }
    }
}

/// CPU time used by this process so far (user + system), from /proc.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // After the parenthesised command name: state, ppid, … utime and stime
    // are the 12th and 13th fields (14 and 15 of the whole line).
    let after = stat.rsplit_once(')').map(|(_, rest)| rest).unwrap_or("");
    let fields: Vec<&str> = after.split_whitespace().collect();
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    let ticks = field(11) + field(12);
    Duration::from_millis(ticks * 10)
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// `--name N` (a positive number) from the command line, or `default`.
fn count_arg(
    args: &[String],
    name: &str,
    default: usize,
) -> Result<usize, Box<dyn std::error::Error>> {
    match args.iter().position(|a| a == name) {
        Some(i) => args
            .get(i + 1)
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("{name} needs a positive number").into()),
        None => Ok(default),
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let base = match args.iter().position(|a| a == "--dir") {
        Some(i) => PathBuf::from(args.get(i + 1).ok_or("--dir needs a path")?),
        None => PathBuf::from(env!("CARGO_TARGET_TMPDIR")),
    };
    let rounds_wanted = count_arg(&args, "--rounds", ROUNDS)?;
    let slices = count_arg(&args, "--slices", 1)?;
    std::fs::create_dir_all(&base)?;
    let dir = tempfile::tempdir_in(&base)?;
    println!("queue directory: {}", dir.path().display());

    let single = disk_rate(dir.path(), 1, DISK_SECS)?;
    let batched = disk_rate(dir.path(), 64, DISK_SECS)?;
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
        let durable_server = start_server(&queue).await?;
        let addr = durable_server.addr;
        let sink = Queue::with_storage(NullStorage { len: 0 })?;
        let sink_server = start_server(&sink).await?;
        let sink_addr = sink_server.addr;

        println!(
            "\n| endpoint, loopback | clients | submissions/s | p50 | p99 | CPU (2 = both cores) | records per fsync | write+fsync | writer busy |\n|---|---|---|---|---|---|---|---|---|"
        );
        for clients in [1, 16] {
            durable_row(&handle, addr, clients).await;
        }
        let mut rounds = Vec::new();
        for round in 0..rounds_wanted {
            let dir = dir.path().to_path_buf();
            let disk = tokio::task::spawn_blocking(move || disk_rate(&dir, 64, 1.0)).await??;
            let (durable, http) = if slices > 1 {
                paired(&handle, addr, sink_addr, slices, round).await
            } else if round % 2 == 0 {
                let durable = durable_row(&handle, addr, 64).await;
                (durable, load(sink_addr, 64, false).await)
            } else {
                let http = load(sink_addr, 64, false).await;
                (durable_row(&handle, addr, 64).await, http)
            };
            println!(
                "| no disk (same server, queue file replaced by a sink) | 64 | {:.0} | {} | {} | {:.2} | – | – | – |",
                http.per_sec,
                ms(http.p50),
                ms(http.p99),
                http.cpu
            );
            let honeypot = load(addr, 64, true).await;
            println!(
                "| honeypot (answered before validation, no queue) | 64 | {:.0} | {} | {} | {:.2} | – | – | – |",
                honeypot.per_sec,
                ms(honeypot.p50),
                ms(honeypot.p99),
                honeypot.cpu
            );
            rounds.push((disk, durable, http, honeypot));
        }

        for server in [durable_server, sink_server] {
            let _ = server.stop.send(());
            server.task.await??;
        }
        queue.close().await;
        sink.close().await;
        let verified = sportello_forms::queue::verify(&queue_path)?;

        println!("\n| round at 64 clients | disk, 64 per fsync | no disk (sink) | honeypot | durable | vs lower ceiling | vs honeypot | p99 |\n|---|---|---|---|---|---|---|---|");
        let mut ratios = Vec::new();
        for (i, (disk, durable, http, honeypot)) in rounds.iter().enumerate() {
            let ceiling = disk.per_sec.min(http.per_sec);
            let ratio = durable.per_sec / ceiling;
            ratios.push((ratio, durable.p99));
            println!(
                "| {} | {:.0}/s | {:.0}/s | {:.0}/s | {:.0}/s | {:.0}% of {} | {:.0}% | {} |",
                i + 1,
                disk.per_sec,
                http.per_sec,
                honeypot.per_sec,
                durable.per_sec,
                ratio * 100.0,
                if disk.per_sec < http.per_sec { "disk" } else { "no disk" },
                durable.per_sec / honeypot.per_sec * 100.0,
                ms(durable.p99)
            );
        }
        ratios.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (ratio, p99) = ratios[ratios.len() / 2];
        println!(
            "\nmedian round: durable = {:.0}% of the lower ceiling, p99 {} (target >= 70%, p99 < 50 ms: {})",
            ratio * 100.0,
            ms(p99),
            if ratio >= 0.7 && p99 < Duration::from_millis(50) { "MET" } else { "NOT MET" }
        );
        let median = |pick: fn(&(Measured, Measured, Measured, Measured)) -> f64| {
            let mut v: Vec<f64> = rounds.iter().map(pick).collect();
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let (disk, durable, http) = (
            median(|r| r.0.per_sec),
            median(|r| r.1.per_sec),
            median(|r| r.2.per_sec),
        );
        println!(
            "medians of each column over {} rounds: disk {disk:.0}/s, no disk {http:.0}/s, durable {durable:.0}/s = {:.0}% of the lower",
            rounds.len(),
            durable / disk.min(http) * 100.0
        );
        println!(
            "queue after the run: {} records, verify {}",
            verified.records,
            if verified.is_ok() { "OK" } else { "FAILED" }
        );
        Ok::<_, Box<dyn std::error::Error>>(())
    })?;
    Ok(())
}

/// An endpoint serving on a loopback port.
struct Running {
    addr: SocketAddr,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// The endpoint over `queue` on a loopback port.
async fn start_server(queue: &Queue) -> std::io::Result<Running> {
    let pages = Arc::new(PlainPages::new(vec!["it".into()], vec![], ""));
    let config = FormsConfig {
        rate: Rate::Off,
        ..FormsConfig::default()
    };
    let router = sportello_forms::app(config, pages, queue.handle());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(sportello_forms::serve(
        listener,
        router,
        ServerOptions::default(),
        async {
            let _ = stopped.await;
        },
    ));
    Ok(Running { addr, stop, task })
}

/// One durable load run, printed as a table row with the writer's figures.
async fn durable_row(handle: &QueueHandle, addr: SocketAddr, clients: usize) -> Measured {
    let before = handle.stats();
    let started = Instant::now();
    let r = load(addr, clients, false).await;
    print_durable(clients, &r, before, handle.stats(), started.elapsed());
    r
}

/// The same time split in `slices` turns, durable and no-disk taking turns
/// (which goes first alternates): a machine whose speed drifts over
/// seconds weighs on both alike. Returns (durable, no disk).
async fn paired(
    handle: &QueueHandle,
    durable_addr: SocketAddr,
    sink_addr: SocketAddr,
    slices: usize,
    round: usize,
) -> (Measured, Measured) {
    let secs = HTTP_SECS / slices as f64;
    let (mut durable, mut sink) = (Run::default(), Run::default());
    let before = handle.stats();
    for slice in 0..slices {
        if (round + slice).is_multiple_of(2) {
            durable.add(Run::of(durable_addr, 64, false, secs).await);
            sink.add(Run::of(sink_addr, 64, false, secs).await);
        } else {
            sink.add(Run::of(sink_addr, 64, false, secs).await);
            durable.add(Run::of(durable_addr, 64, false, secs).await);
        }
    }
    let elapsed = durable.elapsed;
    let durable = durable.measured();
    print_durable(64, &durable, before, handle.stats(), elapsed);
    (durable, sink.measured())
}

fn print_durable(
    clients: usize,
    r: &Measured,
    before: sportello_forms::queue::WriterStats,
    after: sportello_forms::queue::WriterStats,
    elapsed: Duration,
) {
    let commits = (after.group_commits - before.group_commits).max(1);
    let per_fsync = (after.records - before.records) as f64 / commits as f64;
    let io = Duration::from_micros(after.io_micros - before.io_micros);
    println!(
        "| durable (written + fsync'd) | {clients} | {:.0} | {} | {} | {:.2} | {per_fsync:.1} | {} | {:.0}% |",
        r.per_sec,
        ms(r.p50),
        ms(r.p99),
        r.cpu,
        ms(io / u32::try_from(commits).unwrap_or(u32::MAX)),
        io.as_secs_f64() / elapsed.as_secs_f64() * 100.0
    );
}
