// A fourth batch of Rust failures: an error chain that main returns and
// prints as anyhow does ("Caused by:"), a full backtrace through a trait
// method, a mutex a panicked thread poisoned, a panic while a value is
// dropped during another panic.
use std::env;
use std::error::Error;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::thread;

#[derive(Debug)]
struct ContextError {
    context: String,
    source: Box<dyn Error>,
}

impl fmt::Display for ContextError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}", self.context)
    }
}

impl Error for ContextError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(self.source.as_ref())
    }
}

// what main's Err prints with {:?}: the error, then its sources
struct Report(Box<dyn Error>);

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut src = self.0.source();
        if src.is_some() {
            write!(f, "\n\nCaused by:")?;
        }
        let mut i = 0;
        while let Some(s) = src {
            write!(f, "\n    {}: {}", i, s)?;
            i += 1;
            src = s.source();
        }
        Ok(())
    }
}

impl<E: Error + 'static> From<E> for Report {
    fn from(e: E) -> Self {
        Report(Box::new(e))
    }
}

fn context<E: Error + 'static>(e: E, c: String) -> ContextError {
    ContextError { context: c, source: Box::new(e) }
}

fn read_row(id: &str) -> Result<u32, ContextError> {
    id.parse::<u32>().map_err(|e| context(e, format!("row {} is not a number", id)))
}

fn sync_row(id: &str) -> Result<u32, ContextError> {
    read_row(id).map_err(|e| context(e, format!("sync of row {} failed", id)))
}

trait Post {
    fn post(&self, id: &str) -> u32;
}

struct Ledger {
    rows: Vec<u32>,
}

impl Post for Ledger {
    fn post(&self, id: &str) -> u32 {
        *self.rows.get(id.len() + 3).expect("ledger row out of range")
    }
}

struct Guard(String);

impl Drop for Guard {
    fn drop(&mut self) {
        panic!("guard {} dropped while unwinding", self.0);
    }
}

fn run(what: &str, val: String) -> Result<(), Report> {
    match what {
        "anyhow-chain" => {
            sync_row(&val)?;
        }
        "trait-full" => {
            let l = Ledger { rows: vec![1, 2] };
            println!("{}", l.post(&val));
        }
        "poison" => {
            let m = Arc::new(Mutex::new(0u32));
            let m2 = Arc::clone(&m);
            let v = val.clone();
            let _ = thread::Builder::new()
                .name("writer".into())
                .spawn(move || {
                    let _g = m2.lock().unwrap();
                    panic!("writer lost row {}", v);
                })
                .unwrap()
                .join();
            println!("{}", m.lock().unwrap());
        }
        "drop-panic" => {
            let _g = Guard(val.clone());
            panic!("batch {} aborted", val);
        }
        _ => {}
    }
    Ok(())
}

fn main() -> Result<(), Report> {
    let args: Vec<String> = env::args().collect();
    run(args[1].as_str(), args[2].clone())
}
