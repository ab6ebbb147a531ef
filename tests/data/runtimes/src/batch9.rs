// The ninth batch's Rust program: eyre's report of a chain of errors
// returned from main, slog-term's error records, a panic in a function
// that cannot unwind.
use eyre::WrapErr;
use slog::{error, o, Drain};
use std::env;

#[derive(Debug)]
struct ManifestError {
    entry: String,
}

impl std::fmt::Display for ManifestError {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "cannot load manifest entry {}", self.entry)
    }
}

impl std::error::Error for ManifestError {}

fn parse_entry(v: &str) -> Result<u32, ManifestError> {
    v.parse::<u32>().map_err(|_| ManifestError { entry: v.to_string() })
}

fn load_manifest(v: &str) -> eyre::Result<u32> {
    let n = parse_entry(v).wrap_err("manifest section [deploy] is invalid")?;
    Ok(n)
}

fn deploy(v: &str) -> eyre::Result<u32> {
    load_manifest(v).wrap_err_with(|| format!("cannot deploy release {}", v.len()))
}

extern "C" fn on_entry(v: *const u8, n: usize) -> u32 {
    let s = unsafe { std::str::from_utf8_unchecked(std::slice::from_raw_parts(v, n)) };
    parse_entry(s).expect("manifest entry")
}

fn main() -> eyre::Result<()> {
    let args: Vec<String> = env::args().collect();
    let v = &args[2];
    match args[1].as_str() {
        "eyre" => {
            deploy(v)?;
        }
        "slog" => {
            let decorator = slog_term::PlainSyncDecorator::new(std::io::stderr());
            let drain = slog_term::FullFormat::new(decorator).build().fuse();
            let log = slog::Logger::root(drain, o!("service" => "deploy"));
            if let Err(e) = parse_entry(v) {
                error!(log, "deploy failed"; "entry" => v.as_str(), "error" => %e);
                std::process::exit(1);
            }
        }
        "nounwind" => {
            println!("{}", on_entry(v.as_ptr(), v.len()));
        }
        _ => {}
    }
    Ok(())
}
