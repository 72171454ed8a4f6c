//! Reading a new password: typed twice at a terminal prompt without echo, or one line of
//! standard input for scripts. Never from the command line, where `ps` would show it.

use std::io::{IsTerminal, Read};

use authtoken::secrets::password::Password;
use clap::Args;

use crate::{Error, context};

/// How the password is given.
#[derive(Debug, Args)]
pub struct PasswordArgs {
    /// Read the password from standard input (its first line) instead of prompting
    #[arg(long)]
    password_stdin: bool,
}

impl PasswordArgs {
    /// Reads the new password.
    pub fn read(&self) -> Result<Password, Error> {
        let text = if self.password_stdin {
            from_stdin()?
        } else {
            from_prompt()?
        };
        if text.is_empty() {
            return Err("the password is empty".into());
        }
        Ok(Password::new(text))
    }
}

fn from_stdin() -> Result<String, Error> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|error| context("cannot read the password from standard input", error))?;
    let line = input.split('\n').next().unwrap_or_default();
    Ok(line.strip_suffix('\r').unwrap_or(line).to_owned())
}

fn from_prompt() -> Result<String, Error> {
    if !std::io::stdin().is_terminal() {
        return Err(
            "standard input is not a terminal, so the password cannot be prompted for: \
                    pass --password-stdin and write it to standard input"
                .into(),
        );
    }
    let first = rpassword::prompt_password("Password: ")
        .map_err(|error| context("cannot read the password", error))?;
    let second = rpassword::prompt_password("Password (again): ")
        .map_err(|error| context("cannot read the password", error))?;
    if first != second {
        return Err("the two passwords differ; nothing was changed".into());
    }
    Ok(first)
}
