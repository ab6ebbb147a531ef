# The tenth batch's Python programs: a process pool's remote traceback,
# argparse's usage error, unittest's and doctest's reports, an error a
# signal handler raises.
import sys


class VoucherError(Exception):
    pass


def check_code(code):
    raise VoucherError("cannot redeem voucher %r" % code)


def redeem(code):
    return check_code(code.strip())


def process_pool(v):
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(max_workers=1) as pool:
        pool.submit(redeem, v).result()


def argparse_usage(v):
    import argparse
    parser = argparse.ArgumentParser(prog="redeem", description="redeem a voucher")
    parser.add_argument("--count", type=int, required=True, help="vouchers to redeem")
    parser.add_argument("code")
    parser.parse_args(["--count", v, "SPRING"])


def unittest_report(v):
    import unittest

    class RedeemTest(unittest.TestCase):
        def test_redeem(self):
            self.assertEqual(redeem(v), 1)

    suite = unittest.defaultTestLoader.loadTestsFromTestCase(RedeemTest)
    unittest.TextTestRunner(stream=sys.stderr, verbosity=1).run(suite)


def doctest_report(v):
    import doctest

    def redeem_example():
        pass
    redeem_example.__doc__ = """
    >>> redeem(%r)
    1
    """ % v
    doctest.run_docstring_examples(redeem_example, {"redeem": redeem}, name="redeem_example")


def signal_handler(v):
    import signal

    def on_term(signum, frame):
        raise VoucherError("redeeming voucher %r stopped by signal %d" % (v, signum))
    signal.signal(signal.SIGTERM, on_term)

    def wait_for_batch():
        signal.raise_signal(signal.SIGTERM)
    wait_for_batch()


scenarios = {
    "process-pool": process_pool,
    "argparse": argparse_usage,
    "unittest": unittest_report,
    "doctest": doctest_report,
    "signal": signal_handler,
}

if __name__ == "__main__":
    scenarios[sys.argv[1]](sys.argv[2])
