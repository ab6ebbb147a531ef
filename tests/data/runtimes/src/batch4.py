"""A fourth batch of Python failures: a key=value log formatter, a
threading.excepthook that logs, an asyncio.TaskGroup, a warning turned
into an error, notes added to an exception, a worker process's error
re-raised by multiprocessing, an exception in __del__."""
import asyncio
import logging
import multiprocessing
import sys
import threading
import warnings


class CartError(Exception):
    pass


class SyncError(Exception):
    pass


class ShipError(Exception):
    pass


class KVFormatter(logging.Formatter):
    def format(self, record):
        line = 'ts=%s level=%s logger=%s event="%s"' % (
            self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            record.levelname.lower(),
            record.name,
            record.getMessage(),
        )
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def add_item(cart, sku):
    if not sku.isalnum() or sku[0].isdigit():
        raise CartError("sku %s cannot go in cart %s" % (sku, cart))


def sync(shard):
    raise SyncError("shard %s out of sync" % shard)


async def ship(box):
    await asyncio.sleep(0)
    raise ShipError("box %s has no label" % box)


async def pack(box):
    async with asyncio.TaskGroup() as tg:
        tg.create_task(asyncio.sleep(0))
        tg.create_task(ship(box))


def old_rate(code):
    warnings.warn("rate code %s is deprecated" % code, DeprecationWarning, stacklevel=2)
    return 1


def quote(code):
    return old_rate(code) * 2


def check_weight(parcel):
    try:
        float(parcel)
    except ValueError as e:
        e.add_note("parcel %s came from the scale feed" % parcel)
        e.add_note("retry with a manual weight")
        raise


def parse_qty(raw):
    return int(raw)


class Conn:
    def __init__(self, peer):
        self.peer = peer

    def __del__(self):
        raise ConnectionResetError("peer %s reset the connection" % self.peer)


def main():
    what, val = sys.argv[1], sys.argv[2]
    if what == "kv-formatter":
        h = logging.StreamHandler()
        h.setFormatter(KVFormatter())
        log = logging.getLogger("shop.cart")
        log.addHandler(h)
        try:
            add_item("c-" + val, val)
        except CartError:
            log.exception("add to cart failed for %s", val)
    elif what == "thread-hook":
        logging.basicConfig(format="%(asctime)s %(levelname)s [%(threadName)s] %(name)s: %(message)s")

        def hook(args):
            logging.getLogger("pool").error(
                "worker %s died", args.thread.name,
                exc_info=(args.exc_type, args.exc_value, args.exc_traceback))

        threading.excepthook = hook
        t = threading.Thread(target=sync, args=(val,), name="shard-" + val)
        t.start()
        t.join()
    elif what == "taskgroup":
        asyncio.run(pack(val))
    elif what == "warning-error":
        warnings.simplefilter("error")
        quote(val)
    elif what == "notes":
        check_weight(val)
    elif what == "pool":
        with multiprocessing.Pool(1) as p:
            p.map(parse_qty, ["3", val])
    elif what == "unraisable":
        c = Conn("10.0.0." + str(len(val)))
        del c


if __name__ == "__main__":
    main()
