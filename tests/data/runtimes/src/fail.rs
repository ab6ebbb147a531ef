// Fails in the ways a Rust program does.
use std::env;
use std::thread;

fn parse(raw: &str) -> u32 {
    raw.parse::<u32>().unwrap()
}

fn recurse(n: u64) -> u64 {
    let pad = [n; 64];
    recurse(n + 1) + pad[(n % 64) as usize]
}

fn main() {
    let args: Vec<String> = env::args().collect();
    let (what, val) = (args[1].as_str(), args[2].clone());
    match what {
        "main" => {
            parse(&val);
        }
        "thread" => {
            let h = thread::Builder::new()
                .name("worker".into())
                .spawn(move || {
                    let v: Vec<u32> = Vec::new();
                    let i = val.len() + 5;
                    v[i]
                })
                .unwrap();
            let _ = h.join();
        }
        "overflow" => {
            recurse(val.len() as u64);
        }
        "after-error" => {
            eprintln!("2026-12-01T10:00:00Z ERROR shop::db: connection lost to replica {}", val);
            parse(&val);
        }
        _ => {}
    }
}
