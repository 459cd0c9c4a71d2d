//! Argon2id password hashing in PHC string form.
//!
//! The parameters travel inside the PHC string, so raising them in config later does not lock
//! out users whose hashes were made with the old ones; they verify against what was stored.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Argon2id cost. The default is OWASP's floor for Argon2id: 19 MiB, 2 passes, 1 lane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PasswordHashParams {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for PasswordHashParams {
    fn default() -> Self {
        PasswordHashParams {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("password hash parameters are below the accepted floor or malformed: {0}")]
    Params(String),
    #[error("stored password hash is malformed")]
    MalformedHash,
    #[error("password hashing failed: {0}")]
    Hash(String),
}

impl PasswordHashParams {
    /// Refuses parameters weaker than OWASP's Argon2id floor, so a typo in config cannot
    /// quietly make every new hash cheap to crack.
    pub fn validate(&self) -> Result<(), PasswordError> {
        if self.memory_kib < 19 * 1024 || self.iterations < 2 || self.parallelism < 1 {
            return Err(PasswordError::Params(format!(
                "need m >= 19456 KiB, t >= 2, p >= 1; got m={} t={} p={}",
                self.memory_kib, self.iterations, self.parallelism
            )));
        }
        Ok(())
    }

    fn argon2(&self) -> Result<Argon2<'static>, PasswordError> {
        let params = Params::new(self.memory_kib, self.iterations, self.parallelism, None)
            .map_err(|e| PasswordError::Params(e.to_string()))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

/// Hashes with a fresh random salt. CPU-heavy: call it off the async runtime.
pub fn hash_password(params: &PasswordHashParams, password: &str) -> Result<String, PasswordError> {
    params.validate()?;
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    params
        .argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

/// Checks a password against a stored PHC string, using the parameters stored in it.
pub fn verify_password(stored_phc: &str, password: &str) -> Result<bool, PasswordError> {
    let parsed = PasswordHash::new(stored_phc).map_err(|_| PasswordError::MalformedHash)?;
    match Argon2::default().verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::Password) => Ok(false),
        Err(e) => Err(PasswordError::Hash(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_then_verify() {
        let p = PasswordHashParams::default();
        let phc = hash_password(&p, "correct horse battery staple").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_password(&phc, "correct horse battery staple").unwrap());
        assert!(!verify_password(&phc, "Correct horse battery staple").unwrap());
    }

    #[test]
    fn same_password_gets_different_salts() {
        let p = PasswordHashParams::default();
        assert_ne!(
            hash_password(&p, "pw").unwrap(),
            hash_password(&p, "pw").unwrap()
        );
    }

    #[test]
    fn weak_parameters_are_refused() {
        let weak = PasswordHashParams {
            memory_kib: 4096,
            ..PasswordHashParams::default()
        };
        assert!(matches!(
            hash_password(&weak, "pw"),
            Err(PasswordError::Params(_))
        ));
    }

    #[test]
    fn verifies_with_the_parameters_stored_in_the_hash() {
        let stronger = PasswordHashParams {
            memory_kib: 32 * 1024,
            iterations: 3,
            parallelism: 1,
        };
        let phc = hash_password(&stronger, "pw").unwrap();
        assert!(verify_password(&phc, "pw").unwrap());
    }

    #[test]
    fn malformed_hash_is_an_error_not_a_mismatch() {
        assert!(matches!(
            verify_password("not a phc string", "pw"),
            Err(PasswordError::MalformedHash)
        ));
    }
}
