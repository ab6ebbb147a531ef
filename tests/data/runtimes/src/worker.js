// Fails in other ways a Node.js worker does.
const what = process.argv[2], val = process.argv[3];

class PaymentError extends Error {
  constructor(msg, opts) {
    super(msg, opts);
    this.name = 'PaymentError';
    this.retryable = false;
  }
}

function charge(id) {
  return new Promise((resolve, reject) => setTimeout(() => reject(new PaymentError('card declined for ' + id)), 1));
}

function lookup(id) {
  return JSON.parse('{"id": ' + id + '}');
}

function settle(id) {
  try {
    lookup(id);
  } catch (e) {
    throw new Error('settle failed for ' + id, { cause: new RangeError('ledger out of range', { cause: e }) });
  }
}

function logger() {
  const w = require('winston');
  return w.createLogger({ format: w.format.combine(w.format.errors({ stack: true }), w.format.simple()), transports: [new w.transports.Console()] });
}

if (what === 'rejection') {
  (async () => { await charge(val); })();
} else if (what === 'aggregate') {
  Promise.any([charge(val), charge(val + 'b')]);
} else if (what === 'chain') {
  settle(val);
} else if (what === 'console') {
  try { settle(val); } catch (e) { console.error(e); }
} else if (what === 'winston') {
  const log = logger();
  try { settle(val); } catch (e) { log.error(e); }
} else if (what === 'throw-string') {
  setTimeout(() => { throw 'timeout after ' + val; }, 1);
}
