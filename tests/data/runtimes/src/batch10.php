<?php
// The tenth batch's PHP programs: an exception handler's own report, a
// match without an arm for its value, a readonly property written twice.
declare(strict_types=1);

class VoucherException extends RuntimeException {}

final class Voucher
{
    public function __construct(public readonly string $code) {}

    public function normalise(): void
    {
        $this->code = strtoupper($this->code);
    }
}

function check_code(string $code): void
{
    throw new VoucherException("cannot redeem voucher '$code'");
}

function redeem(string $code): void
{
    check_code(trim($code));
}

function kind(string $code): string
{
    return match ($code) {
        'SPRING', 'SUMMER' => 'seasonal',
        'WELCOME' => 'signup',
    };
}

[, $scenario, $v] = $argv;
switch ($scenario) {
case 'handler':
    set_exception_handler(function (Throwable $e): void {
        fwrite(STDERR, sprintf("[%s] unhandled %s: %s at %s:%d\n%s\n", 'vouchers',
            get_class($e), $e->getMessage(), basename($e->getFile()), $e->getLine(),
            $e->getTraceAsString()));
        exit(1);
    });
    redeem($v);
    break;
case 'match':
    echo kind($v), "\n";
    break;
case 'readonly':
    (new Voucher($v))->normalise();
    break;
}
