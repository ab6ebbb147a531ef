<?php
// Fails in the ways a PHP service does.
require_once '/usr/share/php/Monolog/autoload.php';

use Monolog\Logger;
use Monolog\Handler\StreamHandler;
use Monolog\Formatter\LineFormatter;

function find_order(string $id)
{
    throw new InvalidArgumentException("no order $id");
}

function checkout(string $id)
{
    try {
        find_order($id);
    } catch (InvalidArgumentException $e) {
        throw new RuntimeException("checkout failed for $id", 3, $e);
    }
}

function logger(bool $traces): Logger
{
    $h = new StreamHandler('php://stderr');
    $f = new LineFormatter(null, null, $traces, true);
    $f->includeStacktraces($traces);
    $h->setFormatter($f);
    $log = new Logger('shop');
    $log->pushHandler($h);
    return $log;
}

[$what, $val] = [$argv[1], $argv[2]];
switch ($what) {
case 'uncaught':
    checkout($val);
    break;
case 'error-log':
    try {
        checkout($val);
    } catch (RuntimeException $e) {
        error_log((string) $e);
    }
    break;
case 'monolog':
    try {
        checkout($val);
    } catch (RuntimeException $e) {
        logger(true)->error("payment failed for $val", ['exception' => $e]);
    }
    break;
case 'monolog-line':
    try {
        checkout($val);
    } catch (RuntimeException $e) {
        logger(false)->error("payment failed for $val", ['exception' => $e]);
    }
    break;
case 'monolog-plain':
    logger(false)->critical("stock service unreachable", ['order' => $val]);
    break;
}
