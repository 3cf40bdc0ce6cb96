use clap::Parser;
use protokol::cli::{exit_code, run, Cli, Context};
use std::process::ExitCode;

/// Who runs the command, for `recorded_by` where `--by` does not say: `$USER`, else
/// `$LOGNAME`, else the name the system gives this process's user (containers and CI
/// often set neither variable).
fn user_name() -> Option<String> {
    let set = |v: &str| std::env::var(v).ok().filter(|s| !s.trim().is_empty());
    set("USER").or_else(|| set("LOGNAME")).or_else(|| {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let uid = status.lines().find_map(|l| l.strip_prefix("Uid:"))?.split_whitespace().next()?.to_string();
        let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
        passwd.lines().find_map(|l| {
            let f: Vec<&str> = l.split(':').collect();
            (f.len() > 2 && f[2] == uid).then(|| f[0].to_string())
        })
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut ctx = Context { now: chrono::Utc::now(), user: user_name(), out: &mut out };
    match run(cli, &mut ctx) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("protokol: {e}");
            ExitCode::from(exit_code(&e))
        }
    }
}
