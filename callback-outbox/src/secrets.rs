//! Where the worker finds the signing secret of each attempt. The outbox stores only a
//! message's `secret_ref` (a name), never a secret: the secret is looked up at every attempt,
//! so a rotated secret signs the next attempt.

use std::path::PathBuf;

use callback_delivery::SigningSecret;

/// Looks up the signing secret for one attempt of a message. Called at every attempt, on the
/// worker's tasks: keep it quick (a map, a small file).
///
/// `Ok(None)` sends the attempt unsigned; an error fails the attempt (retried as the schedule
/// says): a message that should be signed is never sent unsigned.
pub trait Secrets: Send + Sync + 'static {
    /// The secret for a message whose `secret_ref` is `secret_ref`.
    fn secret(&self, secret_ref: Option<&str>) -> Result<Option<SigningSecret>, String>;
}

/// No signing.
#[derive(Clone, Copy, Debug, Default)]
pub struct Unsigned;

impl Secrets for Unsigned {
    fn secret(&self, _: Option<&str>) -> Result<Option<SigningSecret>, String> {
        Ok(None)
    }
}

/// One secret for every message.
#[derive(Clone, Debug)]
pub struct OneSecret(pub SigningSecret);

impl Secrets for OneSecret {
    fn secret(&self, _: Option<&str>) -> Result<Option<SigningSecret>, String> {
        Ok(Some(self.0.clone()))
    }
}

/// One secret for every message, read from a file (`whsec_…`, white space around it ignored) at
/// every attempt: replace the file to rotate the secret, no restart needed.
#[derive(Clone, Debug)]
pub struct SecretFile(pub PathBuf);

/// The largest secret file read.
const MAX_SECRET_FILE: u64 = 64 * 1024;

impl Secrets for SecretFile {
    fn secret(&self, _: Option<&str>) -> Result<Option<SigningSecret>, String> {
        use std::io::Read as _;
        let path = self.0.display();
        let file = std::fs::File::open(&self.0)
            .map_err(|e| format!("cannot read the secret file {path}: {e}"))?;
        let mut text = String::new();
        file.take(MAX_SECRET_FILE)
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read the secret file {path}: {e}"))?;
        text.trim()
            .parse::<SigningSecret>()
            .map(Some)
            .map_err(|e| format!("the secret in {path} cannot be used: {e}"))
    }
}

/// A function of the message's `secret_ref`.
impl<F> Secrets for F
where
    F: Fn(Option<&str>) -> Result<Option<SigningSecret>, String> + Send + Sync + 'static,
{
    fn secret(&self, secret_ref: Option<&str>) -> Result<Option<SigningSecret>, String> {
        self(secret_ref)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failing unwrap is a failing test
mod tests {
    use super::*;

    const KEY: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    #[test]
    fn a_secret_file_is_read_at_each_lookup() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret");
        let secrets = SecretFile(path.clone());
        assert!(secrets.secret(None).unwrap_err().contains("cannot read"));
        std::fs::write(&path, format!("  {KEY}\n")).unwrap();
        assert_eq!(secrets.secret(None).unwrap().unwrap().to_whsec(), KEY);
        std::fs::write(&path, "whsec_!!").unwrap();
        assert!(secrets.secret(None).unwrap_err().contains("cannot be used"));
    }

    #[test]
    fn functions_see_the_reference() {
        let by_name = |name: Option<&str>| -> Result<Option<SigningSecret>, String> {
            match name {
                Some("acme") => KEY.parse().map(Some).map_err(|_| "bad".to_owned()),
                Some(other) => Err(format!("no secret named {other}")),
                None => Ok(None),
            }
        };
        assert!(by_name.secret(Some("acme")).unwrap().is_some());
        assert!(by_name.secret(None).unwrap().is_none());
        assert_eq!(by_name.secret(Some("x")).unwrap_err(), "no secret named x");
    }
}
