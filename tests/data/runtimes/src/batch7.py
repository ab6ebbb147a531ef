"""A seventh batch of Python failures: logging configured by dictConfig
with %(process)d, %(funcName)s and %(lineno)d in the prefix, a warning
turned into an error (-W error), an error raised while handling another
(the implicit context), a chain made with `from`, and an error raised in a
thread (threading's excepthook)."""
import logging
import logging.config
import sys
import threading
import warnings


class LedgerError(Exception):
    pass


def configure(fmt):
    logging.config.dictConfig({
        "version": 1,
        "formatters": {"f": {"format": fmt}},
        "handlers": {"h": {"class": "logging.StreamHandler", "formatter": "f", "stream": "ext://sys.stdout"}},
        "root": {"level": "INFO", "handlers": ["h"]},
    })


def post(v):
    raise LedgerError("cannot post entry %s" % v)


def settle(v):
    post(v)


def main():
    what, v = sys.argv[1], sys.argv[2]
    if what == "dict-func":
        configure("%(asctime)s [%(process)d] %(levelname)s %(name)s.%(funcName)s:%(lineno)d %(message)s")
        try:
            settle(v)
        except LedgerError:
            logging.getLogger("ledger").exception("settling %s failed", v)
    elif what == "dict-bracket":
        configure("[%(levelname)s] %(asctime)s pid=%(process)d %(module)s:%(funcName)s - %(message)s")
        try:
            settle(v)
        except LedgerError:
            logging.getLogger("ledger").error("settling %s failed", v, exc_info=True)
    elif what == "warning":
        warnings.warn("ledger %s uses the old rate table" % v, DeprecationWarning)
    elif what == "during":
        try:
            {}[v]
        except KeyError:
            settle(v)
    elif what == "from":
        try:
            int(v)
        except ValueError as e:
            raise LedgerError("ledger total %s is not a number" % v) from e
    elif what == "thread":
        t = threading.Thread(target=settle, args=(v,), name="poster-" + v)
        t.start()
        t.join()


main()
