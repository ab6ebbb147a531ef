"""A sixth batch of Python failures: rich's logging handler and its
traceback hook, a record logged with stack_info, a task whose exception
nobody retrieved, nested exception groups, a formatter that keeps the
traceback on the record's one line, and faulthandler's report of a
crash in C code."""
import asyncio
import logging
import sys


class SlotError(Exception):
    pass


def settle(slot):
    free = len(slot)
    raise SlotError("cannot settle slot %s: %d free" % (slot, free))


def book(slot):
    settle(slot)


class OneLine(logging.Formatter):
    def formatException(self, ei):
        return super().formatException(ei).replace("\n", " | ")


def group(slot):
    errors = []
    for i, part in enumerate((slot, slot[::-1])):
        try:
            settle(part)
        except SlotError as e:
            errors.append(e)
    try:
        {}[slot]
    except KeyError as e:
        inner = ExceptionGroup("lookups failed", [e])
    raise ExceptionGroup("booking %s failed" % slot, errors + [inner])


async def worker(slot):
    book(slot)


async def forget(slot):
    task = asyncio.get_running_loop().create_task(worker(slot))
    await asyncio.sleep(0.01)
    del task


def main(what, val):
    if what == "rich-handler":
        from rich.logging import RichHandler

        logging.basicConfig(level=logging.INFO, format="%(message)s", datefmt="[%X]",
                            handlers=[RichHandler(rich_tracebacks=True, show_time=False)])
        try:
            book(val)
        except SlotError:
            logging.getLogger("bookings").exception("booking failed for %s", val)
    elif what == "rich-install":
        from rich.traceback import install

        install(width=100)
        book(val)
    elif what == "stack-info":
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("bookings").error("slot %s left unsettled", val, stack_info=True)
    elif what == "never-retrieved":
        logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        asyncio.run(forget(val))
        import gc

        gc.collect()
    elif what == "nested-group":
        group(val)
    elif what == "one-line":
        h = logging.StreamHandler()
        h.setFormatter(OneLine("%(asctime)s %(levelname)s [%(name)s] %(message)s"))
        log = logging.getLogger("bookings")
        log.addHandler(h)
        try:
            book(val)
        except SlotError:
            log.exception("booking failed for %s", val)
    elif what == "faulthandler":
        import ctypes
        import faulthandler

        faulthandler.enable()
        ctypes.string_at(len(val) - len(val))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
