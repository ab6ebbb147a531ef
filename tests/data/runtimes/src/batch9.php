<?php
// The ninth batch's PHP program: Xdebug's stack on an uncaught
// exception, assert(), a ValueError from a built-in, code eval()
// cannot parse.
class ManifestException extends RuntimeException {}

function parse_entry(string $v): int {
    if (!ctype_digit($v)) {
        throw new ManifestException("cannot load manifest entry $v");
    }
    return (int) $v;
}

function load_manifest(array $entries): array {
    return array_map('parse_entry', $entries);
}

function pad_label(string $v): string {
    return str_repeat('-', 3 - strlen($v) * 2) . $v;
}

function check_quantity(string $v): void {
    assert(ctype_digit($v), "quantity $v is not a number");
}

function rule_value(string $v) {
    return eval("return $v;");
}

switch ($argv[1]) {
case 'xdebug':
    load_manifest(['3', $argv[2]]);
    break;
case 'assert':
    check_quantity($argv[2]);
    break;
case 'value':
    echo pad_label($argv[2]), "\n";
    break;
case 'eval':
    echo rule_value($argv[2]), "\n";
    break;
}
