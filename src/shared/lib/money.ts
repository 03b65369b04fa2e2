/**
 * Money helpers. Amounts are integers in the currency's minor unit (cents for USD, yen for JPY).
 * Decimal prices from configuration are converted here, once, from their decimal digits — never by
 * multiplying floats.
 */

const supportedCurrencies = new Set(Intl.supportedValuesOf('currency').map((code) => code.toLowerCase()));

export function isKnownCurrency(currency: string): boolean {
  return supportedCurrencies.has(currency.toLowerCase());
}

/** How many decimal places the currency's minor unit has (2 for USD, 0 for JPY, 3 for KWD). */
export function minorUnitDigits(currency: string): number {
  return new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).resolvedOptions()
    .maximumFractionDigits ?? 2;
}

/**
 * Converts a decimal amount (`10`, `0.01`) into integer minor units, or returns `null` when the
 * amount is not a whole number of minor units (`0.001` USD) or not a plain finite decimal.
 */
export function toMinorUnits(amount: number, currency: string): number | null {
  if (!Number.isFinite(amount)) return null;
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(amount));
  if (!match) return null; // exponent notation: far too small or too large for a price
  const [, sign, whole, fraction = ''] = match;
  const digits = minorUnitDigits(currency);
  if (fraction.length > digits) return null;
  const minor = Number(`${sign}${whole}${fraction.padEnd(digits, '0')}`);
  return Number.isSafeInteger(minor) ? minor : null;
}

/** Formats integer minor units for people: `formatMoney(1000, 'usd')` → `$10.00`. */
export function formatMoney(minor: number, currency: string, locale = 'en-US'): string {
  const digits = minorUnitDigits(currency);
  const formatter = new Intl.NumberFormat(locale, { style: 'currency', currency: currency.toUpperCase() });
  // Intl needs a decimal; building it from the integer's digits keeps the value exact.
  const sign = minor < 0 ? '-' : '';
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  const decimal = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return formatter.format(`${sign}${decimal}` as unknown as number);
}
