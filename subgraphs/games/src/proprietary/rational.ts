/** Exact non-negative-denominator fractions over bigint, for theoretical RTPs and moments. */
export class Rational {
  readonly numerator: bigint;
  readonly denominator: bigint;

  constructor(numerator: bigint, denominator: bigint = 1n) {
    if (denominator === 0n) throw new RangeError("Rational with a zero denominator");
    const sign = denominator < 0n ? -1n : 1n;
    const divisor = gcd(abs(numerator), abs(denominator)) || 1n;
    this.numerator = (sign * numerator) / divisor;
    this.denominator = (sign * denominator) / divisor;
  }

  static of(value: bigint | number): Rational {
    return new Rational(BigInt(value));
  }

  add(other: Rational): Rational {
    return new Rational(this.numerator * other.denominator + other.numerator * this.denominator, this.denominator * other.denominator);
  }

  sub(other: Rational): Rational {
    return new Rational(this.numerator * other.denominator - other.numerator * this.denominator, this.denominator * other.denominator);
  }

  mul(other: Rational | bigint): Rational {
    const o = typeof other === "bigint" ? new Rational(other) : other;
    return new Rational(this.numerator * o.numerator, this.denominator * o.denominator);
  }

  div(other: Rational | bigint): Rational {
    const o = typeof other === "bigint" ? new Rational(other) : other;
    return new Rational(this.numerator * o.denominator, this.denominator * o.numerator);
  }

  equals(other: Rational): boolean {
    return this.numerator === other.numerator && this.denominator === other.denominator;
  }

  toNumber(): number {
    return Number(this.numerator) / Number(this.denominator);
  }

  /** The value rounded half-up to `places` decimals, computed exactly (e.g. "96.1234"). */
  toDecimal(places: number): string {
    const scale = 10n ** BigInt(places);
    const negative = this.numerator < 0n;
    const scaled = (abs(this.numerator) * scale * 2n + this.denominator) / (2n * this.denominator);
    const digits = scaled.toString().padStart(places + 1, "0");
    const text = places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
    return negative ? `-${text}` : text;
  }

  toString(): string {
    return `${this.numerator}/${this.denominator}`;
  }
}

function abs(value: bigint): bigint {
  return value < 0n ? -value : value;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}
