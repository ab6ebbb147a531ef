"""Errors whose message runs over several lines."""
import logging
import sys


class ConfigError(Exception):
    pass


def check(path, val):
    problems = ["key 'port' is %r, not a number" % val, "key 'host' is missing"]
    raise ConfigError("invalid config %s:\n%s" % (path, "\n".join(problems)))


def main():
    what, val = sys.argv[1], sys.argv[2]
    if what == "uncaught":
        check("/etc/app/%s.yaml" % val, val)
    elif what == "logging":
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        try:
            check("/etc/app/%s.yaml" % val, val)
        except ConfigError:
            logging.getLogger("config").exception("cannot start with %s", val)


main()
