// A third batch of Rust failures: a panic in an iterator closure, errors
// returned from main (a struct and a string in a Box<dyn Error>), a panic
// in a thread that main unwraps when it joins.
use std::env;
use std::error::Error;
use std::fmt;
use std::thread;

#[derive(Debug)]
#[allow(dead_code)]
struct LedgerError {
    id: String,
    reason: &'static str,
}

impl fmt::Display for LedgerError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "ledger {}: {}", self.id, self.reason)
    }
}

impl Error for LedgerError {}

fn total(rows: &[String]) -> u32 {
    rows.iter()
        .map(|r| r.parse::<u32>().unwrap_or_else(|_| panic!("row {:?} is not a number", r)))
        .sum()
}

fn post(id: &str) -> Result<(), LedgerError> {
    Err(LedgerError { id: id.to_string(), reason: "no rate" })
}

fn rate(id: &str) -> Result<u32, Box<dyn Error>> {
    Err(format!("rate for {} is unknown", id).into())
}

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = env::args().collect();
    let (what, val) = (args[1].as_str(), args[2].clone());
    match what {
        "iter" => {
            println!("{}", total(&["3".to_string(), val]));
        }
        "main-result" => {
            post(&val)?;
        }
        "box-dyn" => {
            rate(&val)?;
        }
        "join" => {
            let h = thread::Builder::new()
                .name("settle".into())
                .spawn(move || {
                    if !val.is_empty() {
                        panic!("settlement {} has no rate", val);
                    }
                })
                .unwrap();
            h.join().unwrap();
        }
        _ => {}
    }
    Ok(())
}
