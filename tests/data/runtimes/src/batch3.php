<?php
// A third batch of PHP failures: an undefined method called by name, an
// exception in a closure array_map calls, a date the DateTime parser
// rejects, an exception monolog writes as one JSON line.
require_once '/usr/share/php/Monolog/autoload.php';

use Monolog\Logger;
use Monolog\Handler\StreamHandler;
use Monolog\Formatter\JsonFormatter;

class Hooks
{
    public function on_start(string $id): void
    {
    }
}

function dispatch(Hooks $h, string $event): void
{
    $h->{"on_" . $event}();
}

function total(array $rows): int
{
    return array_sum(array_map(function (string $r): int {
        if (!ctype_digit($r))
            throw new DomainException("row $r is not a number");
        return (int) $r;
    }, $rows));
}

function due_date(string $raw): DateTimeImmutable
{
    return new DateTimeImmutable($raw);
}

function validate_sku(string $sku): void
{
    throw new LengthException("sku $sku too short");
}

[$what, $val] = [$argv[1], $argv[2]];
switch ($what) {
case 'method':
    dispatch(new Hooks(), $val);
    break;
case 'closure':
    echo total(['3', $val]);
    break;
case 'date':
    echo due_date($val)->format('c');
    break;
case 'json':
    $h = new StreamHandler('php://stderr');
    $f = new JsonFormatter();
    $f->includeStacktraces(true);
    $h->setFormatter($f);
    $log = new Logger('shop');
    $log->pushHandler($h);
    try {
        validate_sku($val);
    } catch (LengthException $e) {
        $log->error("sku check failed for $val", ['exception' => $e]);
    }
    break;
}
