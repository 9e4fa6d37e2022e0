//! Operator accounts for the web inbox: a small JSON file next to the queue
//! (`QUEUE.operators.json`, mode 0600), written whole to a temporary file
//! and renamed, so a crash leaves the old file or the new one.
//!
//! Passwords are hashed with Argon2id (the `argon2` crate's defaults: 19 MiB,
//! 2 passes), stored as PHC strings; nothing else about the password is kept.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use serde::{Deserialize, Serialize};
use totp_rs::{Algorithm as TotpAlgorithm, Secret, TOTP};

use crate::Error;
use crate::queue::rewrite::sibling;

/// Shortest password accepted: the inbox holds data of vulnerable people.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest: Argon2 takes any length, but a megabyte "password" is an attack.
pub const MAX_PASSWORD_BYTES: usize = 1024;
const MAX_NAME_CHARS: usize = 64;

/// The default accounts file of a queue.
pub fn accounts_path(queue: &Path) -> PathBuf {
    sibling(queue, ".operators.json")
}

/// One operator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operator {
    pub name: String,
    /// Argon2id PHC string.
    pub hash: String,
    /// When the account was made, RFC 3339 UTC.
    pub created: String,
    /// The second factor's shared secret (base32), if the account has one:
    /// a code from an authenticator app is then needed at sign-in too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub totp: Option<String>,
}

/// What an operator types into an authenticator app (or scans).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpSetup {
    /// The secret in base32, to type in by hand.
    pub secret: String,
    /// The `otpauth://` address, for a QR code.
    pub url: String,
}

/// RFC 6238 with what every authenticator app understands: SHA-1, 6
/// digits, 30 seconds, one step of clock skew either way.
fn totp_of(name: &str, secret: &str) -> Result<TOTP, Error> {
    let bytes = Secret::Encoded(secret.to_owned())
        .to_bytes()
        .map_err(|e| Error::Account(format!("the second factor of {name} is damaged: {e:?}")))?;
    TOTP::new(
        TotpAlgorithm::SHA1,
        6,
        1,
        30,
        bytes,
        Some("Sportello".to_owned()),
        name.to_owned(),
    )
    .map_err(|e| Error::Account(format!("the second factor of {name} is damaged: {e}")))
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct AccountsFile {
    v: u32,
    operators: Vec<Operator>,
}

/// The accounts file, loaded.
#[derive(Debug, Clone)]
pub struct Accounts {
    path: PathBuf,
    operators: Vec<Operator>,
}

/// Checks an operator's name: what a colleague recognises in the history,
/// and nothing that could forge a line or a column.
pub fn check_name(name: &str) -> Result<(), Error> {
    let bad = |why: &str| Error::Account(format!("the name {name:?} {why}"));
    if name.is_empty() {
        return Err(Error::Account("give the operator's name".into()));
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(bad("is too long (64 characters at most)"));
    }
    if !name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
    {
        return Err(bad(
            "may only hold letters, digits, '.', '-' and '_' (no spaces)",
        ));
    }
    Ok(())
}

impl Accounts {
    /// Loads the file; a missing file is no accounts yet.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let operators = match fs::read(path) {
            Ok(bytes) => {
                let file: AccountsFile = serde_json::from_slice(&bytes).map_err(|e| {
                    Error::Account(format!(
                        "the accounts file {} is damaged ({e}); restore it from a backup",
                        path.display()
                    ))
                })?;
                file.operators
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(Error::io("cannot read", path)(e)),
        };
        Ok(Self {
            path: path.to_path_buf(),
            operators,
        })
    }

    pub fn operators(&self) -> &[Operator] {
        &self.operators
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Adds an operator (or refuses an existing name) and saves.
    pub fn add(&mut self, name: &str, password: &str) -> Result<(), Error> {
        check_name(name)?;
        if self.find(name).is_some() {
            return Err(Error::Account(format!(
                "an operator called {name} exists already (remove it first to reset the password)"
            )));
        }
        if password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(Error::Account(format!(
                "the password is too short: {MIN_PASSWORD_CHARS} characters at least (a sentence is easy to remember)"
            )));
        }
        if password.len() > MAX_PASSWORD_BYTES {
            return Err(Error::Account("the password is too long".into()));
        }
        let salt = SaltString::generate(&mut OsRng);
        let hash = Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map_err(|e| Error::Account(format!("cannot hash the password: {e}")))?
            .to_string();
        self.operators.push(Operator {
            name: name.to_owned(),
            hash,
            created: jiff::Timestamp::now().to_string(),
            totp: None,
        });
        self.save()
    }

    /// Gives `name` a second factor (a new secret, replacing any old one)
    /// and saves; returns what to put in the authenticator app.
    pub fn enable_totp(&mut self, name: &str) -> Result<TotpSetup, Error> {
        let secret = Secret::generate_secret().to_encoded().to_string();
        let totp = totp_of(name, &secret)?;
        let operator = self
            .operators
            .iter_mut()
            .find(|o| o.name == name)
            .ok_or_else(|| Error::Account(format!("there is no operator called {name}")))?;
        operator.totp = Some(secret.clone());
        self.save()?;
        Ok(TotpSetup {
            secret,
            url: totp.get_url(),
        })
    }

    /// Whether `name` needs a code from an authenticator app.
    pub fn has_totp(&self, name: &str) -> bool {
        self.find(name).is_some_and(|o| o.totp.is_some())
    }

    /// [`Self::verify`], and the current code of the second factor when
    /// the account has one.
    pub fn verify_with_code(&self, name: &str, password: &str, code: &str) -> bool {
        let password_ok = self.verify(name, password);
        let code_ok = match self.find(name).and_then(|o| o.totp.as_deref()) {
            None => true,
            Some(secret) => {
                let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
                totp_of(name, secret)
                    .ok()
                    .and_then(|t| t.check_current(&code).ok())
                    .unwrap_or(false)
            }
        };
        password_ok && code_ok
    }

    /// Removes an operator and saves; their sessions end at their next request.
    pub fn remove(&mut self, name: &str) -> Result<(), Error> {
        let before = self.operators.len();
        self.operators.retain(|o| o.name != name);
        if self.operators.len() == before {
            return Err(Error::Account(format!(
                "there is no operator called {name}"
            )));
        }
        self.save()
    }

    pub fn find(&self, name: &str) -> Option<&Operator> {
        self.operators.iter().find(|o| o.name == name)
    }

    /// Whether `password` is `name`'s. An unknown name costs one hash too,
    /// so the time taken does not tell which names exist.
    pub fn verify(&self, name: &str, password: &str) -> bool {
        if password.len() > MAX_PASSWORD_BYTES {
            return false;
        }
        let stored = self.find(name).map(|o| o.hash.as_str());
        let decoy;
        let hash = match stored.map(PasswordHash::new) {
            Some(Ok(h)) => h,
            _ => {
                decoy = decoy_hash();
                match PasswordHash::new(&decoy) {
                    Ok(h) => h,
                    Err(_) => return false,
                }
            }
        };
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok();
        ok && stored.is_some()
    }

    fn save(&self) -> Result<(), Error> {
        let file = AccountsFile {
            v: 1,
            operators: self.operators.clone(),
        };
        let mut bytes = serde_json::to_vec_pretty(&file)?;
        bytes.push(b'\n');
        let tmp = sibling(&self.path, ".new");
        crate::queue::rewrite::write_private(&tmp, &bytes)?;
        give_to_folder_owner(&tmp);
        fs::rename(&tmp, &self.path).map_err(Error::io("cannot rename", &self.path))?;
        crate::queue::durable::sync_dir(&self.path)
    }
}

/// `operator add` is usually run with `sudo` in a folder that belongs to
/// the service's user: the file is given to that user, or the server could
/// not read it. (As an ordinary user this changes nothing and may fail.)
fn give_to_folder_owner(path: &Path) {
    use std::os::unix::fs::MetadataExt;
    let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) else {
        return;
    };
    if let (Ok(d), Ok(f)) = (fs::metadata(dir), fs::metadata(path))
        && (d.uid(), d.gid()) != (f.uid(), f.gid())
    {
        let _ = std::os::unix::fs::chown(path, Some(d.uid()), Some(d.gid()));
    }
}

/// A hash of nothing anyone knows, made once, for [`Accounts::verify`].
fn decoy_hash() -> String {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY
        .get_or_init(|| {
            let salt = SaltString::generate(&mut OsRng);
            Argon2::default()
                .hash_password(b"decoy: no operator has this password", &salt)
                .map(|h| h.to_string())
                .unwrap_or_default()
        })
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_verify_remove_and_file_is_private() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("q.operators.json");
        let mut a = Accounts::load(&path).expect("load");
        a.add("fatima", "una frase lunga e segreta").expect("add");
        assert!(a.verify("fatima", "una frase lunga e segreta"));
        assert!(!a.verify("fatima", "una frase lunga e segretA"));
        assert!(!a.verify("nobody", "una frase lunga e segreta"));
        let text = fs::read_to_string(&path).expect("read");
        assert!(text.contains("$argon2id$"), "{text}");
        assert!(!text.contains("segreta"));
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&path).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        let mut again = Accounts::load(&path).expect("reload");
        assert!(again.add("fatima", "another long password").is_err());
        again.remove("fatima").expect("remove");
        assert!(
            !Accounts::load(&path)
                .expect("reload")
                .verify("fatima", "una frase lunga e segreta")
        );
    }

    #[test]
    fn an_account_with_a_second_factor_needs_the_current_code() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ops.json");
        let mut a = Accounts::load(&path).expect("load");
        a.add("marta", "una frase lunga e segreta").expect("add");
        assert!(a.verify_with_code("marta", "una frase lunga e segreta", ""));
        let setup = a.enable_totp("marta").expect("totp");
        assert!(
            setup.url.starts_with("otpauth://totp/Sportello:marta?"),
            "{}",
            setup.url
        );
        let a = Accounts::load(&path).expect("reload");
        assert!(a.has_totp("marta"));
        let code = totp_of("marta", &setup.secret)
            .expect("totp")
            .generate_current()
            .expect("clock");
        assert!(!a.verify_with_code("marta", "una frase lunga e segreta", ""));
        assert!(!a.verify_with_code("marta", "una frase lunga e segreta", "000000x"));
        assert!(!a.verify_with_code("marta", "wrong password here", &code));
        assert!(a.verify_with_code("marta", "una frase lunga e segreta", &code));
    }

    #[test]
    fn names_that_could_forge_lines_are_refused() {
        for bad in ["", "a b", "x\ny", "\u{202e}evil", "<b>", &"a".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        for good in ["fatima", "Oleksandr.K", "أمينة", "m_rossi-2"] {
            assert!(check_name(good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn short_passwords_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut a = Accounts::load(&dir.path().join("ops.json")).expect("load");
        assert!(a.add("marta", "short").is_err());
        assert!(a.operators().is_empty());
    }
}
