// A fifth batch of Node.js failures, through the logging libraries
// people use: pino and bunyan JSON lines with an error serialised, an
// error with a cause through pino, an uncaught error that a handler logs
// through pino, winston's errors() format with json() and with printf(),
// winston's own handler of uncaught exceptions; and an uncaught error
// with no library at all, as a container's log keeps it.
const what = process.argv[2], val = process.argv[3];

class StockError extends Error {
  constructor(msg, opts) {
    super(msg, opts);
    this.name = 'StockError';
  }
}

class OrderError extends Error {
  constructor(msg, opts) {
    super(msg, opts);
    this.name = 'OrderError';
  }
}

function reserve(sku) {
  throw new StockError('cannot reserve ' + sku + ': ' + sku.length + ' left');
}

function place(sku) {
  try {
    reserve(sku);
  } catch (err) {
    throw new OrderError('order for ' + sku + ' not placed', { cause: err });
  }
}

function discount(cfg) {
  return cfg.coupon.rate;
}

function shelf(n) {
  throw new RangeError('shelf ' + n + ' is out of range');
}

if (what === 'pino-err' || what === 'pino-cause') {
  const logger = require('pino')();
  try {
    if (what === 'pino-err') reserve(val);
    else place(val);
  } catch (err) {
    logger.error(err, 'reservation of %s failed', val);
  }
} else if (what === 'pino-uncaught') {
  const pino = require('pino');
  const logger = pino(pino.destination({ sync: true }));
  process.on('uncaughtException', (err) => {
    logger.fatal(err, 'uncaught exception');
    process.exit(1);
  });
  discount({ order: val });
} else if (what === 'bunyan-err') {
  const bunyan = require('bunyan');
  const log = bunyan.createLogger({ name: 'shop', serializers: bunyan.stdSerializers });
  try {
    reserve(val);
  } catch (err) {
    log.error({ err, sku: val }, 'reservation failed');
  }
} else if (what === 'winston-json' || what === 'winston-printf') {
  const { createLogger, format, transports } = require('winston');
  const fmt = what === 'winston-json'
    ? format.combine(format.errors({ stack: true }), format.timestamp(), format.json())
    : format.combine(format.errors({ stack: true }), format.timestamp(),
      format.printf((info) => `${info.timestamp} ${info.level}: ${info.stack || info.message}`));
  const logger = createLogger({ format: fmt, transports: [new transports.Console()] });
  try {
    reserve(val);
  } catch (err) {
    logger.error(err);
  }
} else if (what === 'winston-exceptions') {
  const { createLogger, format, transports } = require('winston');
  createLogger({
    format: format.combine(format.timestamp(), format.simple()),
    transports: [new transports.Console({ handleExceptions: true })],
  });
  shelf(val);
} else if (what === 'crash') {
  discount({ order: val });
}
