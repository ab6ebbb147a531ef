// A Node.js service that logs its failures as JSON lines through pino:
// an error object with its stack, and an error line of its own.
'use strict';
const pino = require('pino');
const [what, val] = process.argv.slice(2);
const logger = pino(pino.destination({ sync: true }));

function seat(id) {
  const n = Number(id);
  if (!Number.isInteger(n)) throw new RangeError('seat ' + id + ' is not a number');
  return n;
}

function reserve(id) {
  return seat(id);
}

if (what === 'pino-err') {
  try {
    reserve(val);
  } catch (err) {
    logger.error(err, 'reservation of %s failed', val);
  }
} else if (what === 'pino-line') {
  logger.error({ seat: val, attempts: val.length }, 'reservation of %s gave up', val);
}
