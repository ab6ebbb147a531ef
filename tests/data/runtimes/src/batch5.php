<?php
// A fifth batch of PHP failures, through Monolog: its JSON formatter with
// the stack trace of a chain of exceptions, its line formatter with the
// trace of the previous exception too, and its ErrorHandler logging an
// uncaught exception.
require_once '/usr/share/php/Monolog/autoload.php';

use Monolog\ErrorHandler;
use Monolog\Formatter\JsonFormatter;
use Monolog\Formatter\LineFormatter;
use Monolog\Handler\StreamHandler;
use Monolog\Logger;

class PayoutException extends RuntimeException
{
}

function ledger_row($id)
{
    if (!ctype_digit($id)) {
        throw new InvalidArgumentException("row id $id is not numeric (" . strlen($id) . ' chars)');
    }
    return (int) $id;
}

function payout($id)
{
    try {
        return ledger_row($id);
    } catch (InvalidArgumentException $e) {
        throw new PayoutException("payout $id not sent", 3, $e);
    }
}

function fee($plan)
{
    throw new DomainException("no fee schedule for plan $plan");
}

[, $what, $val] = $argv;
$h = new StreamHandler('php://stderr');
if ($what === 'json') {
    $f = new JsonFormatter();
    $f->includeStacktraces(true);
} else {
    $f = new LineFormatter(null, null, true, true);
    $f->includeStacktraces($what === 'chain');
}
$h->setFormatter($f);
$log = new Logger('payouts');
$log->pushHandler($h);
if ($what === 'handler') {
    ErrorHandler::register($log);
    echo fee($val);
} else {
    try {
        payout($val);
    } catch (PayoutException $e) {
        $log->error("payout run stopped at $val", ['exception' => $e]);
    }
}
