// A third batch of Node.js failures: Promise.all, an 'error' event with
// no listener, JSON.parse in a callback, a cause thrown from a class
// method, an uncaughtException handler that logs the stack.
const { EventEmitter } = require('events');
const what = process.argv[2], val = process.argv[3];

class PriceError extends Error {
  constructor(msg, sku) {
    super(msg);
    this.name = 'PriceError';
    this.sku = sku;
  }
}

async function fetchPrice(sku) {
  await null;
  if (sku !== 'a1') throw new PriceError('no price for ' + sku, sku);
  return 1;
}

async function quote(sku) {
  return Promise.all([fetchPrice('a1'), fetchPrice(sku)]);
}

class Feed extends EventEmitter {
  poll(id) {
    this.emit('error', new Error('feed ' + id + ' closed by peer'));
  }
}

function quantities(rows) {
  return rows.map((r) => JSON.parse(r));
}

class LedgerError extends Error {
  constructor(msg, opts) {
    super(msg, opts);
    this.name = 'LedgerError';
  }
}

class Ledger {
  post(id) {
    try {
      this.#rate(id);
    } catch (e) {
      throw new LedgerError('cannot post ' + id, { cause: e });
    }
  }

  #rate(id) {
    throw new RangeError('rate for ' + id + ' is out of range');
  }
}

function refill(level) {
  throw new RangeError('stock level ' + level + ' below zero');
}

if (what === 'promise-all') {
  quote(val);
} else if (what === 'emitter') {
  new Feed().poll(val);
} else if (what === 'json') {
  console.log(quantities(['3', 'sku-' + val]));
} else if (what === 'class-cause') {
  new Ledger().post(val);
} else if (what === 'handler') {
  process.on('uncaughtException', (err) => {
    console.error('uncaught exception:', err.stack);
    process.exitCode = 1;
  });
  setTimeout(() => refill(val), 1);
}
