// Errors whose message runs over several lines.
const assert = require("assert");

function check(path, val) {
  throw new Error(`invalid config ${path}:\nkey 'port' is "${val}", not a number\nkey 'host' is missing`);
}

function compare(val) {
  assert.deepStrictEqual({ port: val, host: "db" }, { port: 5432, host: "db" });
}

const [what, val] = process.argv.slice(2);
if (what === "uncaught") check(`/etc/app/${val}.yaml`, val);
else if (what === "assert") compare(val);
