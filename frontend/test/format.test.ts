import { describe, expect, it } from 'vitest';
import { countdown } from '@/lib/format';

const now = Date.parse('2026-11-22T12:00:00Z');

describe('countdown', () => {
  it.each([
    ['2026-11-22T13:00:00Z', '1h 0m 00s'],
    ['2026-11-22T12:50:05Z', '50m 05s'],
    ['2026-11-22T12:04:09Z', '4m 09s'],
    ['2026-11-22T12:00:00Z', 'expired'],
    ['2026-11-22T11:59:00Z', 'expired'],
  ])('until %s reads %s', (iso, text) => expect(countdown(iso, now)).toBe(text));
  it('shows a dash when the time is unknown', () => expect(countdown(null, now)).toBe('—'));
});
