"""A third batch of Python failures: generators, context managers,
asyncio.gather, "from None", nested loggers, an exit after a printed
traceback, a constructor called through a lambda."""
import asyncio
import contextlib
import logging
import sys
import traceback


class RowError(Exception):
    pass


class LeaseError(Exception):
    pass


class PriceError(Exception):
    pass


class SettingError(Exception):
    pass


def rows(raw):
    for part in raw.split(","):
        if not part.isdigit():
            raise RowError("row %r is not a number" % part)
        yield int(part)


def total(raw):
    return sum(rows(raw))


@contextlib.contextmanager
def lease(lid):
    yield lid
    raise LeaseError("cannot release lease " + lid)


def hold(lid):
    with lease(lid):
        pass


async def price(sku):
    await asyncio.sleep(0)
    if sku != "a1":
        raise PriceError("no price for " + sku)
    return 1


async def quote(sku):
    return await asyncio.gather(price("a1"), price(sku))


SETTINGS = {"port": "80"}


def setting(name):
    try:
        return SETTINGS[name]
    except KeyError:
        raise SettingError("setting %r is not defined" % name) from None


def rate_for(region):
    return 100 / (len(region) - len(region))


def read_config(name):
    with open("/nonexistent/%s.conf" % name) as f:
        return f.read()


class Order:
    def __init__(self, qty):
        self.qty = int(qty)


def orders(raws):
    make = lambda raw: Order(raw)
    return [make(r) for r in raws]


def main():
    what, val = sys.argv[1], sys.argv[2]
    if what == "generator":
        total("3,4," + val)
    elif what == "contextmanager":
        hold(val)
    elif what == "gather":
        asyncio.run(quote(val))
    elif what == "from-none":
        setting("timeout_" + val)
    elif what == "nested-logger":
        logging.basicConfig(format="[%(levelname)s] %(name)s - %(message)s")
        try:
            rate_for(val)
        except ZeroDivisionError:
            logging.getLogger("shop.billing.tax").exception("tax for %s not computed", val)
    elif what == "exit":
        try:
            read_config(val)
        except OSError:
            traceback.print_exc()
            sys.exit("fatal: config %s unreadable" % val)
    elif what == "lambda-init":
        orders(["2", val])


main()
