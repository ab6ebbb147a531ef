// The ninth batch's Node.js program: consola's and signale's error
// output, a value structuredClone cannot copy, a script vm cannot
// compile, a command execSync ran that failed.
'use strict';

class ManifestError extends Error {
  constructor(message, options) {
    super(message, options);
    this.name = 'ManifestError';
  }
}

function parseEntry(v) {
  if (!/^[0-9]+$/.test(v)) throw new ManifestError(`cannot load manifest entry ${v}`);
  return Number(v);
}

function loadManifest(v) {
  return parseEntry(v.trim());
}

const scenarios = {
  consola(v) {
    const { consola } = require('consola');
    try {
      loadManifest(v);
    } catch (err) {
      consola.error(err);
    }
  },
  signale(v) {
    const { Signale } = require('signale');
    const log = new Signale({ scope: 'deploy' });
    try {
      loadManifest(v);
    } catch (err) {
      log.error(err);
    }
  },
  clone(v) {
    const job = { entry: v, retry: () => loadManifest(v) };
    return structuredClone(job);
  },
  vm(v) {
    const vm = require('node:vm');
    return vm.runInNewContext(`quantity = ${v};`, {}, { filename: 'rules/quantity.js' });
  },
  exec(v) {
    const { execSync } = require('node:child_process');
    return execSync(`exit 3 # ${v}`, { stdio: 'pipe' });
  },
};

scenarios[process.argv[2]](process.argv[3]);
