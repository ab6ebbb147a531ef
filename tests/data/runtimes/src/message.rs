// Panics whose message runs over several lines.
use std::env;

fn check(path: &str, val: &str) -> Result<u32, String> {
    val.parse::<u32>().map_err(|e| {
        format!("invalid config {}:\nkey 'port' is {:?}: {}\nkey 'host' is missing", path, val, e)
    })
}

fn main() {
    let args: Vec<String> = env::args().collect();
    let (what, val) = (args[1].as_str(), args[2].as_str());
    let path = format!("/etc/app/{}.yaml", val);
    match what {
        "expect" => {
            check(&path, val).expect("cannot start:\nconfig rejected");
        }
        "panic" => {
            if let Err(e) = check(&path, val) {
                panic!("{}", e);
            }
        }
        _ => {}
    }
}
