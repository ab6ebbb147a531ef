"""The eleventh batch's Python: an http.server handler's error as
socketserver reports it, a warning the filter turns into an error, and
the KeyboardInterrupt of a SIGINT that arrives in a busy loop."""
import http.server
import os
import signal
import sys
import threading
import urllib.request
import warnings


class VoucherError(Exception):
    pass


def parse_code(v):
    if not v.isdigit():
        raise VoucherError(f"voucher code {v!r} is not numeric")
    return int(v)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        parse_code(self.path.lstrip("/"))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def serve(v):
    srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=srv.handle_request)
    t.start()
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{srv.server_port}/{v}", timeout=5)
    except Exception:
        pass
    t.join()
    srv.server_close()


def legacy_lookup(v):
    warnings.warn(f"legacy voucher lookup for {v!r} is deprecated", DeprecationWarning, stacklevel=2)


def redeem(v):
    legacy_lookup(v)


def poll_queue(v):
    while True:
        v = v[::-1]


def interrupted(v):
    signal.setitimer(signal.ITIMER_REAL, 0.05)
    signal.signal(signal.SIGALRM, lambda *_: os.kill(os.getpid(), signal.SIGINT))
    poll_queue(v)


if __name__ == "__main__":
    what, v = sys.argv[1], sys.argv[2]
    if what == "http-server":
        serve(v)
    elif what == "warning-error":
        warnings.simplefilter("error")
        redeem(v)
    elif what == "sigint":
        interrupted(v)
