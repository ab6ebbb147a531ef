"""Fails in the ways a Python service does."""
import logging
import sys


class QuotaError(Exception):
    pass


def parse(raw):
    return int(raw)


def load(raw):
    try:
        return parse(raw)
    except ValueError as e:
        raise QuotaError("bad quota " + raw) from e


def main():
    what, val = sys.argv[1], sys.argv[2]
    if what == "uncaught":
        load(val)
    elif what == "logging":
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        try:
            load(val)
        except QuotaError:
            logging.getLogger("quota").exception("cannot load quota %s", val)
    elif what == "logging-line":
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("quota").error("quota service unreachable for %s", val)
    elif what == "key":
        {"a": 1}[val]


main()
