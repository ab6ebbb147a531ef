<?php
// A sixth batch of PHP failures: a strict-types argument TypeError,
// an ArgumentCountError, intdiv's DivisionByZeroError, the memory limit
// running out, and Monolog's line formatter over a chain of previous
// exceptions with the ErrorLogHandler's and syslog-like output.
declare(strict_types=1);

class SlotException extends RuntimeException {}

function settle(int $free): int {
    return $free * 2;
}

function parse(string $slot): int {
    if (!ctype_digit($slot)) {
        throw new InvalidArgumentException("slot $slot is no number");
    }
    return (int) $slot;
}

function book(string $slot): int {
    try {
        return parse($slot);
    } catch (InvalidArgumentException $e) {
        throw new SlotException("cannot book slot $slot", 17, $e);
    }
}

function grow(string $slot): void {
    $rows = [];
    for (;;) {
        $rows[] = str_repeat($slot, 4096);
    }
}

[$_, $what, $val] = $argv;
switch ($what) {
case 'strict-arg':
    settle($val);
    break;
case 'arg-count':
    settle();
    break;
case 'intdiv':
    echo intdiv(strlen($val), strlen($val) - strlen($val));
    break;
case 'memory':
    ini_set('memory_limit', '4M');
    grow($val);
    break;
case 'monolog-line':
case 'monolog-oneline':
    require '/usr/share/php/Monolog/autoload.php';
    $log = new Monolog\Logger('bookings');
    $h = new Monolog\Handler\StreamHandler('php://stderr');
    $f = new Monolog\Formatter\LineFormatter(
        $what === 'monolog-line' ? "[%datetime%] %channel%.%level_name%: %message% %context%\n" : null,
        'Y-m-d H:i:s', $what === 'monolog-line', true);
    $f->includeStacktraces($what === 'monolog-line');
    $h->setFormatter($f);
    $log->pushHandler($h);
    try {
        book($val);
    } catch (SlotException $e) {
        $log->error("booking failed for $val", ['exception' => $e]);
    }
    break;
}
