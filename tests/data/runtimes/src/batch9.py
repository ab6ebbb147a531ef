# The ninth batch's Python programs: Twisted's Deferreds and logger,
# gevent's greenlets, cgitb's text report.
import sys


class ManifestError(Exception):
    pass


def parse_manifest(text):
    raise ManifestError("cannot parse manifest entry %r" % text)


def load_manifest(text):
    return parse_manifest(text.strip())


def twisted_deferred(v):
    from twisted.internet import defer
    from twisted.logger import globalLogBeginner, textFileLogObserver
    globalLogBeginner.beginLoggingTo([textFileLogObserver(sys.stderr)], redirectStandardIO=False)
    d = defer.Deferred()
    d.addCallback(load_manifest)
    d.callback(v)
    del d
    import gc
    gc.collect()


def twisted_failure(v):
    from twisted.logger import Logger, globalLogBeginner, textFileLogObserver
    globalLogBeginner.beginLoggingTo([textFileLogObserver(sys.stderr)], redirectStandardIO=False)
    log = Logger(namespace="deploy")
    try:
        load_manifest(v)
    except ManifestError:
        log.failure("deploy of {name} failed", name="api")


def gevent_greenlet(v):
    import gevent
    g = gevent.spawn(load_manifest, v)
    g.join()


def cgitb_text(v):
    import warnings
    warnings.simplefilter("ignore", DeprecationWarning)
    import cgitb
    cgitb.enable(format="text")
    load_manifest(v)


scenarios = {
    "twisted-deferred": twisted_deferred,
    "twisted-failure": twisted_failure,
    "gevent": gevent_greenlet,
    "cgitb": cgitb_text,
}

if __name__ == "__main__":
    scenarios[sys.argv[1]](sys.argv[2])
