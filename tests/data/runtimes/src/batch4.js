// A fourth batch of Node.js failures: a rejection with a reason that is no
// Error, a cause that is a plain object, an error inside an object that
// console.log prints, an 'uncaughtExceptionMonitor' that logs before the
// crash, an error from an fs callback, an aborted timer.
const fs = require('fs');
const timers = require('timers/promises');
const what = process.argv[2], val = process.argv[3];

function retries(cfg) {
  return cfg.retry.count;
}

function reserve(sku) {
  throw new Error('cannot reserve ' + sku, { cause: { status: 503, host: 'stock-' + sku.length } });
}

function level(bin) {
  throw new RangeError('bin ' + bin + ' is over capacity');
}

async function poll(id) {
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 1);
  await timers.setTimeout(1000, id, { signal: ac.signal });
}

if (what === 'reject-string') {
  Promise.reject('quota exceeded for ' + val);
} else if (what === 'cause-object') {
  reserve(val);
} else if (what === 'inspect') {
  try {
    retries({ job: val });
  } catch (err) {
    console.log('job failed', { job: val, attempt: 3, err });
  }
} else if (what === 'monitor') {
  process.on('uncaughtExceptionMonitor', (err, origin) => {
    console.error(new Date().toISOString() + ' FATAL ' + origin + ': ' + err.message);
  });
  level(val);
} else if (what === 'fs-callback') {
  fs.readFile('/nonexistent/' + val + '.json', (err, data) => {
    if (err) throw err;
    console.log(data);
  });
} else if (what === 'abort') {
  poll(val);
}
