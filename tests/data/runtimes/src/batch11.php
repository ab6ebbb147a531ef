<?php
// The eleventh batch's PHP: a strict-types TypeError for an argument,
// an exception thrown from a destructor at shutdown, and a recursion
// that exhausts the memory limit.
declare(strict_types=1);
[, $what, $v] = $argv;
class VoucherException extends RuntimeException {}
function apply_discount(int $percent): int { return 100 - $percent; }
class Session {
    public function __construct(private string $code) {}
    public function __destruct() { throw new VoucherException("voucher session {$this->code} was not closed"); }
}
function grow(array $a, string $v): array { $a[] = str_repeat($v, 4096); return grow($a, $v); }
switch ($what) {
case 'type-arg': apply_discount($v); break;
case 'destructor': $s = new Session($v); unset($s); break;
case 'memory': ini_set('memory_limit', '8M'); grow([], $v); break;
}
