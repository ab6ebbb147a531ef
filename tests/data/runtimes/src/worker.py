"""Fails in other ways a Python worker does."""
import asyncio
import gc
import logging
import sys
import threading
import warnings


class StockError(Exception):
    pass


def reserve(sku):
    stock = {"a1": 3}
    return stock[sku]


def fetch(sku):
    try:
        return reserve(sku)
    except KeyError:
        raise StockError("no stock row for " + sku)


def depth(n):
    return depth(n + 1) + 1


def batch(sku):
    errs = []
    for i in range(2):
        try:
            int(sku + str(i))
        except ValueError as e:
            errs.append(e)
    raise ExceptionGroup("batch " + sku + " failed", errs)


async def job(sku):
    fetch(sku)


async def orphan(sku):
    t = asyncio.get_running_loop().create_task(job(sku))
    await asyncio.sleep(0.01)
    del t


def main():
    what, val = sys.argv[1], sys.argv[2]
    if what == "exc-info":
        logging.basicConfig(format="[%(levelname)s] %(threadName)s %(name)s - %(message)s")
        try:
            fetch(val)
        except StockError:
            logging.getLogger("stock.sync").error("sync of %s aborted", val, exc_info=True)
    elif what == "implicit":
        fetch(val)
    elif what == "group":
        batch(val)
    elif what == "task":
        asyncio.run(orphan(val))
        gc.collect()
    elif what == "warn":
        warnings.warn("sku format " + val + " is deprecated")
        fetch(val)
    elif what == "hook":
        logging.basicConfig(format="%(asctime)s %(levelname)s %(message)s")

        def hook(t, v, tb):
            logging.critical("unhandled %s", t.__name__, exc_info=(t, v, tb))

        sys.excepthook = hook
        fetch(val)
    elif what == "thread":
        th = threading.Thread(target=fetch, args=(val,), name="sync-" + val)
        th.start()
        th.join()
    elif what == "recursion":
        depth(len(val))


main()
