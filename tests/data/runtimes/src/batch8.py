"""The eighth batch's Python program: what asyncio's loop, the
interpreter's recursion limit and sys.exit print.  "batch8.py SCENARIO VALUE"
"""
import asyncio
import logging
import sys


class LedgerError(Exception):
    pass


def parse_qty(q):
    raise LedgerError(f"bad quantity {q}")


def descend(q, depth):
    return descend(q, depth + 1)


def callback(q):
    parse_qty(q)


async def loop_callback(q):
    loop = asyncio.get_running_loop()
    loop.call_soon(callback, q)
    await asyncio.sleep(0.05)


async def handler_exc(q):
    loop = asyncio.get_running_loop()

    def report(loop, context):
        logging.getLogger("ledger.loop").error(
            "unhandled in loop: %s", context["message"], exc_info=context.get("exception"))

    loop.set_exception_handler(report)
    loop.call_soon(callback, q)
    await asyncio.sleep(0.05)


def main():
    scenario, v = sys.argv[1], sys.argv[2]
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if scenario == "callback":
        asyncio.run(loop_callback(v))
    elif scenario == "handler":
        asyncio.run(handler_exc(v))
    elif scenario == "recursion":
        descend(v, 0)
    elif scenario == "exit":
        sys.exit(f"ledger: cannot post {v}")


main()
