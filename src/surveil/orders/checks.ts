/**
 * Checks on an extracted order, reported as warnings beside it (never by dropping it): a quantity that
 * is not a whole number of board lots, a limit price off the exchange's tick ladder, a price far from a
 * reference price.
 */
import type { ExtractedOrder } from './extract.js';
import type { Instrument } from './instruments.js';

export interface OrderWarning {
  code: 'odd_lot' | 'off_tick' | 'far_from_reference';
  message: string;
}

/**
 * HKEX spread table for equities and REITs (Part A) as reduced on 4 August 2025: [up to price, tick].
 * Exchange-traded products, debt and structured products keep finer or other tables; a price on those
 * may be warned about where the exchange would take it.
 */
export const HKEX_SPREADS: readonly (readonly [number, number])[] = [
  [0.25, 0.001],
  [0.5, 0.005],
  [10, 0.01],
  [20, 0.01],
  [50, 0.02],
  [100, 0.05],
  [200, 0.1],
  [500, 0.2],
  [1000, 0.5],
  [2000, 1],
  [5000, 2],
  [9995, 5],
];

/** The tick at a price, or null where the market's ladder is not known here. */
export function tickAt(exchange: string, price: number): number | null {
  if (exchange === 'XHKG') {
    for (const [upTo, tick] of HKEX_SPREADS) if (price <= upTo + 1e-9) return tick;
    return null;
  }
  // US equities (Reg NMS rule 612): cents at $1 and above, hundredths of a cent below.
  if (exchange === 'XNAS' || exchange === 'XNYS' || exchange === 'ARCX' || exchange === 'BATS') {
    return price >= 1 ? 0.01 : 0.0001;
  }
  return null;
}

function onTick(price: number, tick: number): boolean {
  const steps = price / tick;
  return Math.abs(steps - Math.round(steps)) < 1e-6;
}

export interface CheckOptions {
  /** A reference price (last, close) for the instrument, when known. */
  referencePrice?: number;
  /** How far from the reference a price may be before it is flagged; default 0.1 (10%). */
  maxDeviation?: number;
}

export function checkOrder(order: ExtractedOrder, instrument: Instrument, options: CheckOptions = {}): OrderWarning[] {
  const warnings: OrderWarning[] = [];
  if (order.quantity !== undefined && order.quantity % instrument.lotSize !== 0) {
    warnings.push({
      code: 'odd_lot',
      message: `quantity ${order.quantity} is not a multiple of the board lot of ${instrument.lotSize} shares`,
    });
  }
  const price = order.limitPrice;
  if (typeof price === 'number') {
    const tick = tickAt(instrument.exchange, price);
    if (tick !== null && !onTick(price, tick)) {
      warnings.push({ code: 'off_tick', message: `limit price ${price} is not on the ${tick} tick at that price` });
    }
    const reference = options.referencePrice;
    const limit = options.maxDeviation ?? 0.1;
    if (reference !== undefined && reference > 0 && Math.abs(price / reference - 1) > limit) {
      const pct = Math.round((price / reference - 1) * 1000) / 10;
      warnings.push({
        code: 'far_from_reference',
        message: `limit price ${price} is ${pct > 0 ? '+' : ''}${pct}% from the reference price ${reference}`,
      });
    }
  }
  return warnings;
}
