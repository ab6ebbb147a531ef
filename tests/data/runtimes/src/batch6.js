// A sixth batch of Node.js failures: node:assert's AssertionError with
// its diff, console.trace(), a promise chain whose error carries a cause
// that has a cause of its own, log4js's basic and pattern layouts,
// an error thrown by a worker thread, and the call stack running out.
'use strict';

class SlotError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = 'SlotError';
  }
}

function settle(slot) {
  throw new SlotError(`cannot settle slot ${slot}: ${slot.length} free`);
}

function book(slot) {
  settle(slot);
}

function depth(n) {
  return depth(n + 1) + 1;
}

const [what, val] = process.argv.slice(2);

switch (what) {
  case 'assert-diff': {
    const assert = require('node:assert');
    assert.deepStrictEqual({ slot: val, free: val.length, tags: ['a', 'b'] },
      { slot: val, free: 5, tags: ['a', 'c'] });
    break;
  }
  case 'console-trace':
    console.trace(`slot ${val} left unsettled`);
    break;
  case 'promise-cause':
    Promise.resolve(val)
      .then((s) => { try { book(s); } catch (e) { throw new Error(`ledger write for ${s} failed`, { cause: e }); } })
      .then(() => 0)
      .catch((e) => { throw new Error('booking run failed', { cause: e }); });
    break;
  case 'log4js-basic':
  case 'log4js-pattern': {
    const log4js = require('log4js');
    const layout = what === 'log4js-basic' ? { type: 'basic' }
      : { type: 'pattern', pattern: '%d{ISO8601} %p %c %x{slot} - %m' , tokens: { slot: () => val } };
    log4js.configure({
      appenders: { out: { type: 'stderr', layout } },
      categories: { default: { appenders: ['out'], level: 'info' } },
    });
    const log = log4js.getLogger('bookings');
    try {
      book(val);
    } catch (e) {
      log.error('booking failed for', val, e);
    }
    break;
  }
  case 'worker': {
    const { Worker } = require('node:worker_threads');
    new Worker(`
      class SlotError extends Error { constructor(m) { super(m); this.name = 'SlotError'; } }
      function settle(slot) { throw new SlotError('cannot settle slot ' + slot + ': ' + slot.length + ' free'); }
      settle(${JSON.stringify(val)});
    `, { eval: true });
    break;
  }
  case 'overflow':
    depth(val.length);
    break;
  default:
    break;
}
