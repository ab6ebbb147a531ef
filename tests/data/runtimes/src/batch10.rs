// The tenth batch's Rust program: simplelog's error record, a RefCell
// borrowed mutably twice, assert_eq!'s report of its two sides.
use std::cell::RefCell;

#[derive(Debug)]
struct Ledger {
    spent: Vec<String>,
}

fn parse_code(v: &str) -> Result<u32, String> {
    v.parse::<u32>()
        .map_err(|e| format!("cannot redeem voucher {:?}: {}", v, e))
}

fn record(ledger: &RefCell<Ledger>, v: &str) {
    let mut l = ledger.borrow_mut();
    l.spent.push(v.to_string());
}

fn redeem_all(ledger: &RefCell<Ledger>, v: &str) {
    let _open = ledger.borrow_mut();
    record(ledger, v);
}

fn check_total(v: &str) {
    let expected = v.len();
    assert_eq!(expected, 0, "voucher {:?} left a balance", v);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let v = args[2].as_str();
    match args[1].as_str() {
        "simplelog" => {
            simplelog::SimpleLogger::init(simplelog::LevelFilter::Info, simplelog::Config::default()).unwrap();
            if let Err(e) = parse_code(v) {
                log::error!("redeem failed: {}", e);
            }
        }
        "refcell" => {
            let ledger = RefCell::new(Ledger { spent: Vec::new() });
            redeem_all(&ledger, v);
        }
        "assert-eq" => check_total(v),
        _ => unreachable!(),
    }
}
