// The tenth batch's Node.js programs: a promise of fs.promises rejected
// with nobody to handle it, npmlog's and debug's error output, node:test's
// TAP report, a URL that does not parse.
class VoucherError extends Error {
	constructor(message) {
		super(message);
		this.name = 'VoucherError';
	}
}

function checkCode(code) {
	throw new VoucherError(`cannot redeem voucher '${code}'`);
}

function redeem(code) {
	return checkCode(code.trim());
}

const scenarios = {
	'fs-promise': (v) => {
		const fs = require('node:fs');
		fs.promises.readFile(`/srv/vouchers/${v}.json`, 'utf8').then((text) => JSON.parse(text));
	},
	npmlog: (v) => {
		const log = require('npmlog');
		log.heading = 'vouchers';
		try {
			redeem(v);
		} catch (err) {
			log.error('redeem', err.stack);
		}
	},
	debug: (v) => {
		const debug = require('debug')('vouchers:redeem');
		try {
			redeem(v);
		} catch (err) {
			debug('redeem failed: %O', err);
		}
	},
	'node-test': (v) => {
		const test = require('node:test');
		test('redeem a voucher', () => {
			redeem(v);
		});
	},
	url: (v) => {
		const endpoint = new URL(`${v}/redeem`);
		console.log(endpoint.href);
	},
};

scenarios[process.argv[2]](process.argv[3]);
