<?php
// The twelfth batch's PHP: Monolog's ErrorLogHandler, as a service under
// a web server logs what it caught through PHP's error_log, with the
// stack trace its LineFormatter adds.
require_once '/usr/share/php/Monolog/autoload.php';

use Monolog\Formatter\LineFormatter;
use Monolog\Handler\ErrorLogHandler;
use Monolog\Logger;

class VoucherException extends RuntimeException {}

function parse_code(string $v): int {
    if (!ctype_digit($v)) {
        throw new VoucherException("voucher code '$v' is not numeric");
    }
    return (int) $v;
}

function redeem(string $v): array {
    return ['code' => parse_code($v), 'state' => 'redeemed'];
}

$handler = new ErrorLogHandler();
$formatter = new LineFormatter('%channel%.%level_name%: %message% %context%', null, true);
$formatter->includeStacktraces(true);
$handler->setFormatter($formatter);
$log = new Logger('vouchers', [$handler]);
try {
    redeem($argv[2]);
} catch (VoucherException $e) {
    $log->error('redeem failed', ['exception' => $e]);
}
