// The eighth batch's Node.js program: rejections of errors with own
// properties, errors thrown in timers and in an EventEmitter's
// listener through process.on('uncaughtException').
// "node batch8.js SCENARIO VALUE"
'use strict';
class LedgerError extends Error {
  constructor(message, props) {
    super(message);
    this.name = 'LedgerError';
    Object.assign(this, props);
  }
}
const [scenario, v] = process.argv.slice(2);

function parseQty(q) {
  throw new LedgerError(`bad quantity ${q}`, { code: 'E_QTY', qty: q });
}

async function post(q) {
  await null;
  parseQty(q);
}

switch (scenario) {
  case 'reject-props':
    post(v);
    break;
  case 'timer':
    setTimeout(() => parseQty(v), 1);
    break;
  case 'handler':
    process.on('uncaughtException', (err, origin) => {
      console.error(`[ledger] fatal ${origin}: ${err.stack}`);
      process.exit(1);
    });
    setImmediate(() => JSON.parse(`{"qty": ${v}}`));
    break;
}
