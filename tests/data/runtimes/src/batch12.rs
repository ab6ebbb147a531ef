// The twelfth batch's Rust: env_logger set up as services set it up, a
// format of their own that logs the failed request with the chain of
// sources under it, and the builder's settings (milliseconds, no module
// path, the target) for a one-line report.
use std::error::Error;
use std::fmt;
use std::io::Write;

#[derive(Debug)]
struct VoucherError {
    code: String,
    source: std::num::ParseIntError,
}

impl fmt::Display for VoucherError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "voucher code {:?} is not numeric", self.code)
    }
}

impl Error for VoucherError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&self.source)
    }
}

fn parse_code(v: &str) -> Result<u32, VoucherError> {
    v.parse().map_err(|e| VoucherError { code: v.to_string(), source: e })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut b = env_logger::Builder::new();
    b.filter_level(log::LevelFilter::Info);
    if args[1] == "format" {
        b.format(|buf, r| {
            writeln!(buf, "{} {:<5} [{}] {}", buf.timestamp_millis(), r.level(), r.target(), r.args())
        });
    } else {
        b.format_timestamp_millis().format_module_path(false).format_target(true);
    }
    b.write_style(env_logger::WriteStyle::Never).init();
    if let Err(e) = parse_code(&args[2]) {
        if args[1] == "format" {
            let mut msg = format!("request failed: {}", e);
            let mut src = e.source();
            while let Some(s) = src {
                msg.push_str(&format!("\n    caused by: {}", s));
                src = s.source();
            }
            log::error!(target: "vouchers::http", "{}", msg);
        } else {
            log::error!(target: "vouchers::http", "request failed: {:?}", e);
        }
    }
}
