import type { CreditPackage, CreditsConfig } from '@/config/app-config.schema';
import type { ManualTopUpConfig } from '@/features/common/payments/manual-top-up';

/*
 * Prices in the buyer's currency, shared by the top-up modal (which shows them) and the server
 * (which charges them). Every price was converted to integer minor units when the config loaded.
 */

export interface PackagePrice {
  amountMinor: number;
  currency: string;
  priceId: string;
}

/** The package's price in `currency`, or in its own currency when it has no price in that one. */
export function packagePrice(pkg: Pick<CreditPackage, 'pricesMinor' | 'currency'>, currency: string | null | undefined): PackagePrice {
  const code = currency && Object.hasOwn(pkg.pricesMinor, currency) ? currency : pkg.currency;
  const price = pkg.pricesMinor[code]!;
  return { amountMinor: price.amountMinor, currency: code, priceId: price.priceId };
}

/** The manual top-up rules in `currency`, or null when manual amounts cannot be bought in it. */
export function manualTopUpIn(config: Pick<CreditsConfig, 'enterManually' | 'maxManualCredits' | 'manualPrices'>, currency: string): ManualTopUpConfig | null {
  if (!Object.hasOwn(config.manualPrices, currency)) return null;
  const price = config.manualPrices[currency]!;
  return { enterManually: config.enterManually, maxManualCredits: config.maxManualCredits, currency, ...price };
}

/*
 * Where a region's people pay in a currency other than its own country code suggests: the euro area
 * and a few others. Everything else maps through `Intl` (a region's own currency is not in `Intl`, so
 * the common ones are listed).
 */
const EURO = ['AT', 'BE', 'CY', 'DE', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PT', 'SI', 'SK'];
const REGION_CURRENCY: Record<string, string> = {
  ...Object.fromEntries(EURO.map((region) => [region, 'eur'])),
  US: 'usd',
  GB: 'gbp',
  JP: 'jpy',
  CA: 'cad',
  AU: 'aud',
  NZ: 'nzd',
  CH: 'chf',
  SE: 'sek',
  NO: 'nok',
  DK: 'dkk',
  PL: 'pln',
  CZ: 'czk',
  HU: 'huf',
  IN: 'inr',
  BR: 'brl',
  MX: 'mxn',
  SG: 'sgd',
  HK: 'hkd',
  KR: 'krw',
};
/** Languages whose speakers, with no region given, mostly pay in one currency. */
const LANGUAGE_CURRENCY: Record<string, string> = {
  de: 'eur',
  fr: 'eur',
  es: 'eur',
  it: 'eur',
  nl: 'eur',
  pt: 'eur',
  fi: 'eur',
  ja: 'jpy',
  sv: 'sek',
  da: 'dkk',
  pl: 'pln',
  cs: 'czk',
  ko: 'krw',
};

/**
 * A sensible default currency for a buyer's locales (`navigator.languages`, or an Accept-Language
 * header's tags, best first): the first that maps to an offered currency, else `fallback`. Only a
 * default: the buyer's explicit choice always wins.
 */
export function currencyForLocales(locales: readonly string[], offered: readonly string[], fallback: string): string {
  for (const locale of locales.slice(0, 10)) {
    const match = /^([a-z]{2,3})(?:[-_](?:[a-z]{4}[-_])?([a-z]{2}))?\b/i.exec(locale.trim());
    if (!match) continue;
    const region = match[2]?.toUpperCase();
    const candidate = (region && REGION_CURRENCY[region]) || LANGUAGE_CURRENCY[match[1]!.toLowerCase()];
    if (candidate && offered.includes(candidate)) return candidate;
  }
  return fallback;
}

/**
 * The currency a buyer pays in when they did not choose one now: the one they chose last (if the app
 * still sells in it), else one that suits their locales, else the default.
 */
export function defaultBuyerCurrency(
  config: Pick<CreditsConfig, 'currencies' | 'currency'>,
  preferred: string | null | undefined,
  locales: readonly string[] = [],
): string {
  if (preferred && config.currencies.includes(preferred)) return preferred;
  return currencyForLocales(locales, config.currencies, config.currency);
}

/** The language tags of an Accept-Language header, best first (quality order), at most ten. */
export function localesOfAcceptLanguage(header: string | null | undefined): string[] {
  if (!header) return [];
  return header
    .slice(0, 500)
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = Number(
        params
          .find((p) => p.trim().startsWith('q='))
          ?.trim()
          .slice(2) ?? '1',
      );
      return { tag: tag ?? '', q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((entry) => entry.tag && entry.tag !== '*' && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .slice(0, 10)
    .map((entry) => entry.tag);
}
