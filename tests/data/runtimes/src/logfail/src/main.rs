// Logs an error through env_logger, then panics: two events.
fn quota(raw: &str) -> u32 {
    raw.parse::<u32>().unwrap()
}

fn main() {
    env_logger::init();
    let val = std::env::args().nth(1).unwrap();
    log::error!("replica {} unreachable, reading quota", val);
    println!("{}", quota(&val));
}
