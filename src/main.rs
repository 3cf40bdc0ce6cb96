use clap::Parser;
use protokol::cli::{exit_code, run, Cli, Context};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut ctx = Context { now: chrono::Utc::now(), user: std::env::var("USER").ok(), out: &mut out };
    match run(cli, &mut ctx) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("protokol: {e}");
            ExitCode::from(exit_code(&e))
        }
    }
}
