/*
 * How a saved card reads to people: "Visa •••• 4242", "expires 12/2034". Safe for client components
 * (the card's facts come from `getAutoTopUp`).
 */

export interface SavedCardFacts {
  brand: string;
  last4: string;
  expMonth: number | null;
  expYear: number | null;
}

const BRANDS: Record<string, string> = {
  amex: 'American Express',
  american_express: 'American Express',
  cartes_bancaires: 'Cartes Bancaires',
  diners: 'Diners Club',
  discover: 'Discover',
  eftpos_au: 'eftpos',
  jcb: 'JCB',
  link: 'Link',
  mastercard: 'Mastercard',
  unionpay: 'UnionPay',
  visa: 'Visa',
};

/** "Visa", "Mastercard" … from Stripe's brand key; an unknown one is capitalised, "card" reads "Card". */
export function cardBrandName(brand: string): string {
  const key = brand.toLowerCase();
  return BRANDS[key] ?? (key ? `${key[0]!.toUpperCase()}${key.slice(1).replaceAll('_', ' ')}` : 'Card');
}

/** "Visa •••• 4242". */
export function cardName(card: Pick<SavedCardFacts, 'brand' | 'last4'>): string {
  return `${cardBrandName(card.brand)} •••• ${card.last4}`;
}

/** "expires 12/2034", or null when the expiry is not known. */
export function cardExpiry(card: Pick<SavedCardFacts, 'expMonth' | 'expYear'>): string | null {
  if (!card.expMonth || !card.expYear) return null;
  return `expires ${String(card.expMonth).padStart(2, '0')}/${card.expYear}`;
}

/** "Visa •••• 4242, expires 12/2034". */
export function describeCard(card: SavedCardFacts): string {
  const expiry = cardExpiry(card);
  return expiry ? `${cardName(card)}, ${expiry}` : cardName(card);
}
