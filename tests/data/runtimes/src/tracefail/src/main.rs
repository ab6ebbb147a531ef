// A fifth batch of Rust failures, through tracing: an error event in
// fmt's text layout, the same inside a span, in fmt's JSON layout, and a
// panic that a panic hook reports as a tracing event.
use std::num::ParseIntError;

fn quota(raw: &str) -> Result<u32, ParseIntError> {
    raw.parse::<u32>()
}

fn shards(raw: &str) -> u32 {
    let v: Vec<u32> = raw.bytes().map(u32::from).collect();
    v[raw.len() + 1]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let what = args.next().unwrap();
    let val = args.next().unwrap();
    let fmt = tracing_subscriber::fmt().with_writer(std::io::stderr);
    match what.as_str() {
        "text" => {
            fmt.init();
            if let Err(e) = quota(&val) {
                tracing::error!(error = %e, tenant = %val, "quota not loaded");
            }
        }
        "span" => {
            fmt.init();
            let span = tracing::info_span!("import", tenant = %val);
            let _g = span.enter();
            if let Err(e) = quota(&val) {
                tracing::error!(error = %e, "quota not loaded");
            }
        }
        "json" => {
            fmt.json().init();
            if let Err(e) = quota(&val) {
                tracing::error!(error = %e, tenant = %val, "quota not loaded");
            }
        }
        "panic-hook" => {
            fmt.init();
            std::panic::set_hook(Box::new(|info| {
                tracing::error!(panic = %info, "worker panicked");
            }));
            println!("{}", shards(&val));
        }
        _ => {}
    }
}
