<?php
// The twelfth batch's PHP: Monolog's ErrorLogHandler, as a service under
// a web server logs what it caught through PHP's error_log, with the
// stack trace its LineFormatter adds, alone and behind a
// FingersCrossedHandler that lets the request's buffered records out
// before the error.
require_once '/usr/share/php/Monolog/autoload.php';

use Monolog\Formatter\LineFormatter;
use Monolog\Handler\ErrorLogHandler;
use Monolog\Handler\FingersCrossedHandler;
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
if ($argv[1] === 'fingers-crossed') {
    $log = new Logger('vouchers', [new FingersCrossedHandler($handler, Logger::ERROR)]);
    $log->info('request started', ['uri' => "/redeem/{$argv[2]}"]);
    $log->debug('voucher lookup', ['code' => $argv[2]]);
} else {
    $log = new Logger('vouchers', [$handler]);
}
try {
    redeem($argv[2]);
} catch (VoucherException $e) {
    $log->error('redeem failed', ['exception' => $e]);
}
