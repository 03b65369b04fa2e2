import { readFileSync } from 'node:fs';
import path from 'node:path';

import Stripe from 'stripe';

import { POST } from '@/app/api/webhooks/stripe/route';

const fixtures = path.join(import.meta.dirname, '..', 'fixtures', 'stripe');
const stripe = new Stripe('sk_test_fixtures');
let counter = 0;

/** A real-shaped event from tests/fixtures/stripe (see its README), with a fresh id and `object` fields overridden. */
export function fixtureEvent(file: string, object: Record<string, unknown> = {}): Record<string, unknown> {
  const event = JSON.parse(readFileSync(path.join(fixtures, file), 'utf8'));
  delete event._derived_note;
  event.id = `evt_test_${Date.now()}_${++counter}`;
  event.data.object = { ...event.data.object, ...object };
  return event;
}

/** Sends `event` to the webhook as Stripe does: raw JSON body, signed with `secret`. */
export function deliver(event: unknown, options: { secret?: string; timestamp?: number; body?: string } = {}) {
  const payload = options.body ?? JSON.stringify(event);
  const signature = stripe.webhooks.generateTestHeaderString({
    payload: JSON.stringify(event),
    secret: options.secret ?? 'whsec_test_local',
    ...(options.timestamp !== undefined && { timestamp: options.timestamp }),
  });
  return POST(
    new Request('http://localhost:3000/api/webhooks/stripe', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body: payload,
    }),
  );
}
