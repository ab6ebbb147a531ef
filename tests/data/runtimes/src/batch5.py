"""A fifth batch of Python failures, through the logging libraries people
use: structlog's console renderer, its JSON renderer with the traceback
formatted and with the traceback as a list of frames, loguru's
logger.exception(), its catch() decorator, its JSON lines, its records
of an uncaught exception, python-json-logger's formatter with
exc_info; and an uncaught exception with no library at all, as a
container's log keeps it."""
import logging
import sys


class StockError(Exception):
    pass


def reserve(sku):
    left = len(sku)
    raise StockError("cannot reserve %s: %d left" % (sku, left))


def handle(sku, report):
    try:
        reserve(sku)
    except StockError:
        report(sku)


def rates(region):
    table = {"eu": 0.2, "us": 0.07}
    return table[region]


def parse_qty(raw):
    return int(raw)


def structlog_setup(what):
    import structlog

    if what == "structlog-json":
        structlog.configure(processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ])
    elif what == "structlog-dict":
        structlog.configure(processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            structlog.processors.dict_tracebacks,
            structlog.processors.JSONRenderer(),
        ])
    return structlog.get_logger()


def main(what, val):
    if what.startswith("structlog"):
        log = structlog_setup(what)
        handle(val, lambda sku: log.exception("reservation failed", sku=sku))
    elif what == "loguru-exception":
        from loguru import logger
        handle(val, lambda sku: logger.exception("reservation of {} failed", sku))
    elif what == "loguru-serialize":
        from loguru import logger
        logger.remove()
        logger.add(sys.stderr, serialize=True)
        handle(val, lambda sku: logger.exception("reservation of {} failed", sku))
    elif what == "loguru-catch":
        from loguru import logger

        @logger.catch
        def tax(region):
            return rates(region)

        tax("x" + val)
    elif what == "loguru-hook":
        from loguru import logger

        def hook(kind, value, tb):
            logger.opt(exception=(kind, value, tb)).critical("uncaught exception")

        sys.excepthook = hook
        parse_qty(val)
    elif what == "json-logger":
        from pythonjsonlogger import jsonlogger
        handler = logging.StreamHandler()
        handler.setFormatter(jsonlogger.JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        log = logging.getLogger("shop")
        log.addHandler(handler)
        handle(val, lambda sku: log.exception("reservation of %s failed", sku))
    elif what == "crash":
        parse_qty(val)


main(sys.argv[1], sys.argv[2])
