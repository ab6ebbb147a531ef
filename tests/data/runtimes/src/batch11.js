// The eleventh batch's Node: an http server's request handler that
// throws, a timer promise aborted through its signal, and an error
// thrown from a setImmediate callback deep in a job queue.
'use strict';
const http = require('node:http');
const { setTimeout: sleep } = require('node:timers/promises');

class VoucherError extends Error {
  constructor(message) { super(message); this.name = 'VoucherError'; }
}
function parseCode(v) {
  if (!/^[0-9]+$/.test(v)) throw new VoucherError(`voucher code '${v}' is not numeric`);
  return Number(v);
}
const [what, v] = process.argv.slice(2);
if (what === 'http-server') {
  const server = http.createServer((req, res) => {
    parseCode(req.url.slice(1));
    res.end('ok');
  });
  server.listen(0, '127.0.0.1', () => {
    http.get(`http://127.0.0.1:${server.address().port}/${v}`).on('error', () => {});
  });
} else if (what === 'abort') {
  const ac = new AbortController();
  async function waitForStock() { await sleep(10000, v, { signal: ac.signal }); }
  waitForStock();
  setTimeout(() => ac.abort(), 10);
} else if (what === 'immediate') {
  const queue = [v];
  function drain() { for (const c of queue) parseCode(c); }
  setImmediate(function runQueue() { drain(); });
}
