<?php
// A fourth batch of PHP failures: an exception thrown in a usort
// comparator, a return value strict types reject, warnings turned into
// ErrorException by an error handler, a JsonException, Monolog's
// LineFormatter with its own format and stack traces of a chain.
declare(strict_types=1);
require_once '/usr/share/php/Monolog/autoload.php';

use Monolog\Logger;
use Monolog\Handler\StreamHandler;
use Monolog\Formatter\LineFormatter;

class QuoteException extends RuntimeException {}

function sort_rows(array $rows): array
{
    usort($rows, function (string $a, string $b): int {
        if (!ctype_digit($a) || !ctype_digit($b))
            throw new UnexpectedValueException("cannot compare rows $a and $b");
        return (int) $a <=> (int) $b;
    });
    return $rows;
}

function weight(string $raw): int
{
    return $raw . "kg";
}

function read_manifest(string $id): string
{
    return file_get_contents("/nonexistent/$id.manifest");
}

function decode(string $raw): array
{
    return json_decode('{"qty": ' . $raw . '}', true, 512, JSON_THROW_ON_ERROR);
}

function quote(string $id): array
{
    try {
        return decode($id);
    } catch (JsonException $e) {
        throw new QuoteException("quote $id is unreadable", 5, $e);
    }
}

[$what, $val] = [$argv[1], $argv[2]];
switch ($what) {
case 'usort':
    print_r(sort_rows(['3', $val]));
    break;
case 'return-type':
    echo weight($val);
    break;
case 'error-handler':
    set_error_handler(function (int $no, string $msg, string $file, int $line): bool {
        throw new ErrorException($msg, 0, $no, $file, $line);
    });
    echo read_manifest($val);
    break;
case 'json-throw':
    print_r(decode($val));
    break;
case 'monolog-format':
    $h = new StreamHandler('php://stderr');
    $f = new LineFormatter("%datetime% %channel%.%level_name%: %message% %context%\n", 'Y-m-d H:i:s', true, true);
    $f->includeStacktraces(true);
    $h->setFormatter($f);
    $log = new Logger('quotes');
    $log->pushHandler($h);
    try {
        quote($val);
    } catch (QuoteException $e) {
        $log->error("quote $val failed", ['exception' => $e]);
    }
    break;
}
