// The eleventh batch's Rust: a named worker thread's expect() on None;
// the main thread sees the join fail and exits.
use std::thread;

fn find_voucher(code: &str) -> Option<u32> {
    code.parse().ok()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let v = args[2].clone();
    match args[1].as_str() {
        "thread-join" => {
            let h = thread::Builder::new()
                .name("redeemer".into())
                .spawn(move || find_voucher(&v).expect("voucher code is not numeric"))
                .unwrap();
            if h.join().is_err() {
                std::process::exit(101);
            }
        }
        _ => {}
    }
}
