//! Per-client rate limiting, and who "the client" is.
//!
//! The peer address is the client unless the peer is a configured trusted
//! proxy; only then is `X-Forwarded-For` read, from the right, skipping the
//! trusted proxies, so a client cannot pick its own bucket by sending the
//! header itself. IPv6 clients are keyed by their /64, which one host
//! usually owns whole.
//!
//! The limiter is governor's keyed GCRA (no per-client timers, one small
//! state per key); idle keys are pruned every [`PRUNE_EVERY`] checks so that
//! memory stays bounded however many addresses pass by.

use std::net::{IpAddr, Ipv6Addr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::http::HeaderMap;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::config::Rate;

/// How many checks between two prunings of idle clients.
pub const PRUNE_EVERY: u64 = 1024;

/// A keyed token bucket over client addresses.
#[derive(Debug)]
pub struct Limiter {
    limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
    checks: AtomicU64,
}

impl Limiter {
    pub fn new(rate: Rate) -> Self {
        let limiter = match rate {
            Rate::Off => None,
            Rate::Limit { burst, per } => {
                let refill = per / burst.get();
                Quota::with_period(refill.max(Duration::from_nanos(1)))
                    .map(|q| RateLimiter::keyed(q.allow_burst(burst)))
            }
        };
        Self {
            limiter,
            checks: AtomicU64::new(0),
        }
    }

    /// Takes one token for `client`; `Err` holds how long to wait.
    pub fn check(&self, client: IpAddr) -> Result<(), Duration> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        if self.checks.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            limiter.retain_recent();
        }
        limiter
            .check_key(&bucket(client))
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }
}

fn bucket(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// The client's address: `peer`, or, when `peer` is a trusted proxy, the
/// right-most `X-Forwarded-For` entry that is not itself a trusted proxy.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for entry in forwarded.into_iter().rev() {
        let Some(ip) = parse_forwarded(entry) else {
            // An unreadable hop: stop rather than trust anything left of it.
            return peer;
        };
        if !trusted.contains(&ip) {
            return ip;
        }
    }
    peer
}

fn parse_forwarded(entry: &str) -> Option<IpAddr> {
    if let Ok(ip) = entry.parse() {
        return Some(ip);
    }
    // `[v6]:port` or `v4:port`, which some proxies write.
    let host = match entry.strip_prefix('[') {
        Some(rest) => rest.split(']').next()?,
        None => entry.rsplit_once(':')?.0,
    };
    host.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse()
            .unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))
    }

    #[test]
    fn forwarded_for_is_trusted_only_from_proxies() {
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("6.6.6.6, 203.0.113.7"),
        );
        assert_eq!(client_ip(ip("198.51.100.1"), &h, &[]), ip("198.51.100.1"));
        assert_eq!(
            client_ip(ip("198.51.100.1"), &h, &[ip("127.0.0.1")]),
            ip("198.51.100.1")
        );
        assert_eq!(
            client_ip(ip("127.0.0.1"), &h, &[ip("127.0.0.1")]),
            ip("203.0.113.7")
        );
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("203.0.113.7, 10.0.0.2"),
        );
        assert_eq!(
            client_ip(ip("127.0.0.1"), &h, &[ip("127.0.0.1"), ip("10.0.0.2")]),
            ip("203.0.113.7")
        );
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("[2001:db8::1]:4711"),
        );
        assert_eq!(
            client_ip(ip("127.0.0.1"), &h, &[ip("127.0.0.1")]),
            ip("2001:db8::1")
        );
        h.insert("x-forwarded-for", HeaderValue::from_static("garbage"));
        assert_eq!(
            client_ip(ip("127.0.0.1"), &h, &[ip("127.0.0.1")]),
            ip("127.0.0.1")
        );
    }

    #[test]
    fn buckets_are_per_client_and_refill() {
        let l = Limiter::new("2/s".parse().unwrap_or(Rate::Off));
        assert!(l.check(ip("192.0.2.1")).is_ok());
        assert!(l.check(ip("192.0.2.1")).is_ok());
        let wait = l.check(ip("192.0.2.1")).err();
        assert!(
            wait.is_some_and(|w| w > Duration::ZERO && w <= Duration::from_millis(500)),
            "{wait:?}"
        );
        assert!(
            l.check(ip("192.0.2.2")).is_ok(),
            "another client has its own bucket"
        );
        // One host, two addresses in its /64: one bucket.
        let l = Limiter::new("1/h".parse().unwrap_or(Rate::Off));
        assert!(l.check(ip("2001:db8:1:2::1")).is_ok());
        assert!(l.check(ip("2001:db8:1:2::99")).is_err());
    }
}
