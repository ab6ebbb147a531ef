// Fails in other ways a Rust worker does.
use std::collections::HashMap;
use std::env;
use std::fs;
use std::thread;

#[derive(Debug)]
#[allow(dead_code)]
struct LedgerError {
    id: String,
    reason: &'static str,
}

fn settle(id: &str) -> Result<u32, LedgerError> {
    Err(LedgerError { id: id.to_string(), reason: "no rate" })
}

fn open(id: &str) -> String {
    fs::read_to_string(format!("/nonexistent/{}.ledger", id)).expect("ledger file must exist")
}

fn main() {
    let args: Vec<String> = env::args().collect();
    let (what, val) = (args[1].as_str(), args[2].clone());
    match what {
        "unwrap-err" => {
            settle(&val).unwrap();
        }
        "expect" => {
            open(&val);
        }
        "threads" => {
            let hs: Vec<_> = (0..2)
                .map(|i| {
                    let v = val.clone();
                    thread::spawn(move || {
                        if i == 1 {
                            let m: HashMap<String, u32> = HashMap::new();
                            m[&v]
                        } else {
                            0
                        }
                    })
                })
                .collect();
            for h in hs {
                let _ = h.join();
            }
        }
        "divide" => {
            let n = val.len() - val.len();
            println!("{}", 10 / n);
        }
        _ => {}
    }
}
