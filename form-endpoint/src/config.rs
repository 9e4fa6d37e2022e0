//! What an operator can tune, with defaults that suit a small desk's form.

use std::fmt;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::str::FromStr;
use std::time::Duration;

use crate::Error;

/// Settings of the form endpoint's router ([`crate::app`]).
#[derive(Debug, Clone)]
pub struct FormsConfig {
    /// Largest accepted body, in bytes; more is answered `413`.
    pub body_limit: usize,
    /// How long a client may take to send its body once the headers are in;
    /// slower is answered `408`. (Slow headers are cut by the server, see
    /// [`crate::ServerOptions`].)
    pub body_timeout: Duration,
    /// Submissions allowed per client.
    pub rate: Rate,
    /// Peers whose `X-Forwarded-For` is believed (the reverse proxy). Empty:
    /// the header is ignored and the peer address is the client.
    pub trusted_proxies: Vec<IpAddr>,
}

impl Default for FormsConfig {
    fn default() -> Self {
        Self {
            body_limit: 32 * 1024,
            body_timeout: Duration::from_secs(15),
            rate: Rate::default(),
            trusted_proxies: Vec::new(),
        }
    }
}

/// A per-client submission rate: `burst` at once, refilled evenly over `per`.
///
/// Written `N/s`, `N/min`, `N/h`, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rate {
    Off,
    Limit { burst: NonZeroU32, per: Duration },
}

impl Default for Rate {
    /// 60 an hour: generous, because a mobile carrier's NAT or an
    /// association's office puts many people behind one address, and invalid
    /// attempts count too.
    fn default() -> Self {
        Self::Limit {
            burst: NonZeroU32::new(60).unwrap_or(NonZeroU32::MIN),
            per: Duration::from_secs(3600),
        }
    }
}

impl FromStr for Rate {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("off") {
            return Ok(Self::Off);
        }
        let bad = || Error::Config(format!("rate {s:?}: expected N/s, N/min, N/h or off"));
        let (count, unit) = s.split_once('/').ok_or_else(bad)?;
        let burst: NonZeroU32 = count.trim().parse().map_err(|_| bad())?;
        let per = match unit.trim() {
            "s" | "sec" => Duration::from_secs(1),
            "m" | "min" => Duration::from_secs(60),
            "h" | "hour" => Duration::from_secs(3600),
            _ => return Err(bad()),
        };
        Ok(Self::Limit { burst, per })
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Off => f.write_str("off"),
            Self::Limit { burst, per } => match per.as_secs() {
                1 => write!(f, "{burst}/s"),
                60 => write!(f, "{burst}/min"),
                3600 => write!(f, "{burst}/h"),
                n => write!(f, "{burst}/{n}s"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_parse_and_print() {
        for s in ["5/s", "10/min", "60/h", "off"] {
            assert_eq!(
                s.parse::<Rate>().map(|r| r.to_string()).ok().as_deref(),
                Some(s)
            );
        }
        for bad in ["", "0/s", "5", "5/day", "x/min"] {
            assert!(bad.parse::<Rate>().is_err(), "{bad}");
        }
    }
}
