<?php
// The eleventh batch's PHP: a class a factory names that no autoloader
// finds, an exception thrown from a destructor, and a method called on
// null.
declare(strict_types=1);
[, $what, $v] = $argv;
class VoucherException extends RuntimeException {}
spl_autoload_register(function (string $class): void {});
function gateway(string $v): object { $class = 'Gateway' . ucfirst($v); return new $class(); }
function find_session(string $v): ?Session { return null; }
class Session {
    public function __construct(private string $code) {}
    public function __destruct() { throw new VoucherException("voucher session {$this->code} was not closed"); }
}
switch ($what) {
case 'class': gateway($v); break;
case 'destructor': $s = new Session($v); unset($s); break;
case 'null-method': find_session($v)->close(); break;
}
