"""The eleventh batch's Python: an http.server handler's error as
socketserver reports it, a warning the filter turns into an error, and
a thread's uncaught error as threading.excepthook prints it."""
import http.server
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


def worker(v):
    parse_code(v)


def thread(v):
    t = threading.Thread(target=worker, args=(v,), name="redeemer-1")
    t.start()
    t.join()


if __name__ == "__main__":
    what, v = sys.argv[1], sys.argv[2]
    if what == "http-server":
        serve(v)
    elif what == "warning-error":
        warnings.simplefilter("error")
        redeem(v)
    elif what == "thread":
        thread(v)
