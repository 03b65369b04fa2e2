/**
 * Money helpers. Amounts are integers in the currency's minor unit as Stripe's API counts it (cents
 * for USD, yen for JPY, 1/100 króna for ISK). Decimal prices from configuration are converted here,
 * once, from their decimal digits — never by multiplying floats.
 */

const supportedCurrencies = new Set(Intl.supportedValuesOf('currency').map((code) => code.toLowerCase()));

export function isKnownCurrency(currency: string): boolean {
  return supportedCurrencies.has(currency.toLowerCase());
}

/*
 * Stripe's rules for API amounts (https://docs.stripe.com/currencies), which differ from ISO 4217
 * (and from what `Intl` reports) for a few currencies:
 * - zero-decimal currencies: the amount is in whole units;
 * - ISK and HUF: the API takes two decimals, but only whole units can be charged (a multiple of 100);
 * - three-decimal currencies: the last digit must be 0 (a multiple of 10).
 */
const ZERO_DECIMAL = new Set(['bif', 'clp', 'djf', 'gnf', 'jpy', 'kmf', 'krw', 'mga', 'pyg', 'rwf', 'ugx', 'vnd', 'vuv', 'xaf', 'xof', 'xpf']);
const TWO_DECIMAL_WHOLE_UNITS = new Set(['isk', 'huf']);
const THREE_DECIMAL = new Set(['bhd', 'jod', 'kwd', 'omr', 'tnd']);

/**
 * One `Intl.NumberFormat` per locale and currency, kept: building one costs far more than using it,
 * and every receipt and price formats money.
 */
const formatters = new Map<string, Intl.NumberFormat>();
function currencyFormatter(locale: string, currency: string): Intl.NumberFormat {
  const key = `${locale} ${currency}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new Intl.NumberFormat(locale, { style: 'currency', currency });
    formatters.set(key, formatter);
  }
  return formatter;
}

/**
 * Intl's digits per currency code, once asked (`resolvedOptions()` builds a new object on every call).
 * Only well-formed codes get this far (Intl throws on any other), so it holds at most 26³ entries.
 */
const intlDigits = new Map<string, number>();

/** How many decimal places Stripe's API gives the currency's amounts (2 for USD and ISK, 0 for JPY, 3 for KWD). */
export function minorUnitDigits(currency: string): number {
  const code = currency.toLowerCase();
  if (ZERO_DECIMAL.has(code)) return 0;
  if (THREE_DECIMAL.has(code)) return 3;
  if (TWO_DECIMAL_WHOLE_UNITS.has(code)) return 2;
  let digits = intlDigits.get(code);
  if (digits === undefined) {
    digits = currencyFormatter('en', code.toUpperCase()).resolvedOptions().maximumFractionDigits ?? 2;
    intlDigits.set(code, digits);
  }
  return digits;
}

/** What every amount in the currency must be a multiple of, in minor units: 100 for ISK and HUF, 10 for KWD, else 1. */
export function minorUnitStep(currency: string): number {
  const code = currency.toLowerCase();
  if (TWO_DECIMAL_WHOLE_UNITS.has(code)) return 100;
  if (THREE_DECIMAL.has(code)) return 10;
  return 1;
}

/**
 * Stripe's smallest charge per currency, in minor units, where Stripe publishes one. For any other
 * currency the minimum is the equivalent of USD 0.50 at the day's rate, which the app cannot know:
 * `null`, and the configuration has to say (`billing.credits.minimumCharge`).
 */
const MINIMUM_CHARGE_MINOR: Record<string, number> = {
  usd: 50,
  aed: 200,
  aud: 50,
  bgn: 100,
  brl: 50,
  cad: 50,
  chf: 50,
  czk: 1500,
  dkk: 250,
  eur: 50,
  gbp: 30,
  hkd: 400,
  huf: 17500,
  inr: 50,
  jpy: 50,
  mxn: 1000,
  myr: 200,
  nok: 300,
  nzd: 50,
  pln: 200,
  ron: 200,
  sek: 300,
  sgd: 50,
  thb: 1000,
};

export function stripeMinimumChargeMinor(currency: string): number | null {
  return MINIMUM_CHARGE_MINOR[currency.toLowerCase()] ?? null;
}

/**
 * Converts a decimal amount (`10`, `0.01`) into integer minor units, or returns `null` when the
 * amount is not a whole number of minor units (`0.001` USD), not chargeable in the currency under
 * Stripe's rules (`10.5` ISK, `1.234` KWD), or not a plain finite decimal.
 */
export function toMinorUnits(amount: number, currency: string): number | null {
  if (!Number.isFinite(amount)) return null;
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(amount));
  if (!match) return null; // exponent notation: far too small or too large for a price
  const [, sign, whole, fraction = ''] = match;
  const digits = minorUnitDigits(currency);
  if (fraction.length > digits) return null;
  const minor = Number(`${sign}${whole}${fraction.padEnd(digits, '0')}`);
  if (!Number.isSafeInteger(minor) || minor % minorUnitStep(currency) !== 0) return null;
  return minor === 0 ? 0 : minor; // never -0
}

/** Formats integer minor units for people: `formatMoney(1000, 'usd')` → `$10.00`, `formatMoney(150000, 'isk')` → `ISK 1,500`. */
export function formatMoney(minor: number, currency: string, locale = 'en-US'): string {
  const digits = minorUnitDigits(currency);
  const formatter = currencyFormatter(locale, currency.toUpperCase());
  // Intl needs a decimal; building it from the integer's digits keeps the value exact.
  const sign = minor < 0 ? '-' : '';
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  const decimal = digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  return formatter.format(`${sign}${decimal}` as unknown as number);
}
