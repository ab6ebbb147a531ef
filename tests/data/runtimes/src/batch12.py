"""The twelfth batch's Python: web frameworks' own reports of a view that
raises (Flask's app logger, a dictConfig'd handler that logs it, the
Werkzeug development server, aiohttp's request handler), and a task
worker loop over a thread pool that logs a failed task as Celery's do,
and aiohttp's client failing to reach an upstream that is down."""
import asyncio
import logging
import logging.config
import sys
import threading
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor


class VoucherError(Exception):
    pass


def parse_code(v):
    if not v.isdigit():
        raise VoucherError(f"voucher code {v!r} is not numeric")
    return int(v)


def redeem(v):
    return {"code": parse_code(v), "state": "redeemed"}


def flask_app():
    from flask import Flask

    app = Flask("vouchers")

    @app.route("/redeem/<code>")
    def redeem_view(code):
        return redeem(code)

    return app


def flask_default(v):
    flask_app().test_client().get(f"/redeem/{v}")


def flask_dictconfig(v):
    logging.config.dictConfig({
        "version": 1,
        "formatters": {"svc": {
            "format": "%(asctime)s.%(msecs)03d %(levelname)-5s [%(name)s] %(module)s:%(lineno)d %(message)s",
            "datefmt": "%Y-%m-%dT%H:%M:%S"}},
        "handlers": {"err": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr",
                             "formatter": "svc"}},
        "loggers": {"vouchers": {"handlers": ["err"], "level": "INFO", "propagate": False}},
    })
    app = flask_app()

    @app.errorhandler(VoucherError)
    def failed(e):
        app.logger.exception("redeem failed for %s", v)
        return {"error": str(e)}, 422

    app.test_client().get(f"/redeem/{v}")


def wsgi_app(environ, start_response):
    body = repr(redeem(environ["PATH_INFO"].lstrip("/"))).encode()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body]


def werkzeug_server(v):
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args, **kwargs):
            pass

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    srv = make_server("127.0.0.1", 0, wsgi_app, request_handler=Quiet)
    t = threading.Thread(target=srv.handle_request)
    t.start()
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{srv.server_port}/{v}", timeout=5)
    except Exception:
        pass
    t.join()


def aiohttp_server(v):
    from aiohttp import ClientSession, web

    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    async def handler(request):
        return web.json_response(redeem(request.match_info["code"]))

    async def main():
        app = web.Application()
        app.router.add_get("/redeem/{code}", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        async with ClientSession() as s:
            async with s.get(f"http://127.0.0.1:{port}/redeem/{v}") as r:
                await r.read()
        await runner.cleanup()

    asyncio.run(main())


def aiohttp_client(v):
    import socket

    from aiohttp import ClientSession

    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()

    async def fetch_balance():
        async with ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/balance/{v}") as r:
                return await r.json()

    async def main():
        try:
            await fetch_balance()
        except Exception:
            logging.getLogger("vouchers.upstream").exception("balance lookup for %s failed", v)

    asyncio.run(main())


def task_worker(v):
    logging.basicConfig(level=logging.INFO,
                        format="[%(asctime)s: %(levelname)s/%(processName)s] %(message)s")
    log = logging.getLogger("worker")
    task_id = uuid.UUID(int=len(v) * 0x1234567)
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="worker") as pool:
        fut = pool.submit(redeem, v)
        try:
            fut.result()
        except Exception as exc:
            log.error("Task vouchers.redeem[%s] raised unexpected: %r", task_id, exc,
                      exc_info=exc)


if __name__ == "__main__":
    {"flask": flask_default, "flask-dictconfig": flask_dictconfig,
     "werkzeug": werkzeug_server, "worker": task_worker,
     "aiohttp-client": aiohttp_client, "aiohttp": aiohttp_server}[sys.argv[1]](sys.argv[2])
