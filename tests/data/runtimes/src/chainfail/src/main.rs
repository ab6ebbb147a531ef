// A sixth batch of Rust failures: anyhow's chain of contexts as main's
// error, with its captured backtrace and without, the chain on one line
// through {:#}, an arithmetic overflow with the full backtrace, the
// stack running out, and a panic in a named thread.
use anyhow::{Context, Result};
use std::env;

fn parse(slot: &str) -> Result<u32> {
    slot.parse::<u32>()
        .with_context(|| format!("slot {} is no number", slot))
}

fn settle(slot: &str) -> Result<u32> {
    let n = parse(slot).context("reading the ledger")?;
    Ok(n)
}

fn book(slot: &str) -> Result<u32> {
    settle(slot).with_context(|| format!("cannot book slot {}", slot))
}

fn add(free: u8, slot: &str) -> u8 {
    free + (slot.len() as u8) * 120
}

fn depth(n: u64, pad: [u8; 256]) -> u64 {
    depth(n + 1, pad) + pad[n as usize % 256] as u64
}

fn main() -> Result<()> {
    let args: Vec<String> = env::args().collect();
    let (what, val) = (args[1].as_str(), args[2].as_str());
    match what {
        "anyhow-main" | "anyhow-backtrace" => {
            book(val)?;
        }
        "anyhow-alternate" => {
            if let Err(e) = book(val) {
                eprintln!("[2026-12-01T10:00:00Z ERROR bookings] booking failed: {:#}", e);
            }
        }
        "overflow" => {
            println!("{}", add(200, val));
        }
        "stack" => {
            println!("{}", depth(val.len() as u64, [1; 256]));
        }
        "thread" => {
            let v = val.to_string();
            let h = std::thread::Builder::new()
                .name(format!("slot-{}", val))
                .spawn(move || book(&v).expect("booking thread"))
                .unwrap();
            let _ = h.join();
        }
        _ => {}
    }
    Ok(())
}
