// The twelfth batch's Node: Express's own reports of a route that
// throws (its default error handler, an error middleware that logs the
// error object, a rejected promise of an async route handler, an error
// passed to next() with the one it wraps as its cause); Koa's default
// error report of a middleware that throws.
'use strict';
const express = require('express');
const http = require('http');

class VoucherError extends Error {
  constructor(message, code) {
    super(message);
    this.name = 'VoucherError';
    this.code = code;
  }
}

class RedeemError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = 'RedeemError';
  }
}

function parseCode(v) {
  if (!/^\d+$/.test(v)) throw new VoucherError(`voucher code '${v}' is not numeric`, 'E_VOUCHER');
  return Number(v);
}

function redeem(v) {
  return { code: parseCode(v), state: 'redeemed' };
}

async function lookup(v) {
  await new Promise((r) => setTimeout(r, 5));
  return redeem(v);
}

function serve(app, v) {
  const server = app.listen(0, '127.0.0.1', () => {
    http.get(`http://127.0.0.1:${server.address().port}/redeem/${v}`, (res) => {
      res.resume();
      res.on('end', () => server.close());
    }).on('error', () => server.close());
  });
}

const [what, v] = process.argv.slice(2);
if (what === 'koa') {
  const Koa = require('koa');
  const koa = new Koa();
  koa.use(async (ctx, next) => {
    ctx.set('X-Service', 'vouchers');
    await next();
  });
  koa.use(async (ctx) => {
    ctx.body = await lookup(ctx.path.split('/').pop());
  });
  serve(koa, v);
  return;
}
const app = express();
if (what === 'async') {
  app.get('/redeem/:code', async (req, res) => {
    res.json(await lookup(req.params.code));
  });
} else if (what === 'cause') {
  app.get('/redeem/:code', (req, res, next) => {
    try {
      res.json(redeem(req.params.code));
    } catch (e) {
      next(new RedeemError(`cannot redeem ${req.params.code}`, { cause: e }));
    }
  });
} else {
  app.get('/redeem/:code', (req, res) => {
    res.json(redeem(req.params.code));
  });
}
if (what === 'middleware' || what === 'cause') {
  app.use((err, req, res, next) => {
    console.error(`${new Date().toISOString()} ERROR ${req.method} ${req.originalUrl} failed:`, err);
    res.status(500).json({ error: err.message });
  });
}
serve(app, v);
