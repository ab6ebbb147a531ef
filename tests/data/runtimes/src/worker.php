<?php
// Fails in other ways a PHP worker does.
declare(strict_types=1);
class LedgerException extends RuntimeException {}

function rate(int $n): int
{
    return intdiv(10, $n - $n);
}

function parse_row(string $row): array
{
    try {
        return [rate(strlen($row))];
    } catch (DivisionByZeroError $e) {
        throw new UnexpectedValueException("row $row has no rate", 7, $e);
    }
}

function settle(string $id): void
{
    try {
        parse_row($id);
    } catch (UnexpectedValueException $e) {
        throw new LedgerException("cannot settle $id", 9, $e);
    }
}

function qty(int $n): int
{
    return $n;
}

[$what, $val] = [$argv[1], $argv[2]];
switch ($what) {
case 'chain':
    settle($val);
    break;
case 'type':
    qty($val);
    break;
case 'undefined':
    settle_all($val);
    break;
case 'warning':
    $rows = [];
    echo $rows[$val];
    settle($val);
    break;
case 'memory':
    ini_set('memory_limit', '8M');
    $a = [];
    while (true)
        $a[] = str_repeat($val, 1024);
    break;
}
