// Fails in the ways a Node.js service does.
const what = process.argv[2], val = process.argv[3];

function connect(id) {
  const e = new Error('connect refused for ' + id);
  e.code = 'ECONNREFUSED';
  e.port = 5432;
  return e;
}

if (what === 'uncaught') {
  const cfg = undefined;
  console.log(cfg.port + val);
} else if (what === 'aggregate') {
  const err = new AggregateError([new Error('replica a down ' + val), new TypeError('bad reply ' + val)], 'all replicas failed');
  console.error(err);
} else if (what === 'msg-err') {
  console.error(new Date().toISOString(), 'ERROR request failed:', connect(val));
} else if (what === 'cause') {
  throw new Error('checkout failed for ' + val, { cause: connect(val) });
}
