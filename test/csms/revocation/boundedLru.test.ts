import { describe, expect, it } from 'vitest';
import { BoundedLru } from '../../../src/csms/revocation/boundedLru.js';

describe('BoundedLru', () => {
  it('forgets the least recently used entry first', () => {
    const lru = new BoundedLru<string, number>(3);
    lru.set('a', 1);
    lru.set('b', 2);
    lru.set('c', 3);
    expect(lru.get('a')).toBe(1); // a is now the newest
    lru.set('d', 4); // evicts b
    expect(lru.get('b')).toBeUndefined();
    expect([lru.get('a'), lru.get('c'), lru.get('d')]).toEqual([1, 3, 4]);
    expect(lru.size).toBe(3);
  });

  it('overwriting refreshes, delete and clear remove', () => {
    const lru = new BoundedLru<string, number>(2);
    lru.set('a', 1);
    lru.set('b', 2);
    lru.set('a', 10);
    lru.set('c', 3); // evicts b, not the refreshed a
    expect(lru.get('a')).toBe(10);
    expect(lru.get('b')).toBeUndefined();
    lru.delete('a');
    expect(lru.size).toBe(1);
    lru.clear();
    expect(lru.size).toBe(0);
  });

  it('stays within its bound under many distinct keys', () => {
    const lru = new BoundedLru<number, number>(100);
    for (let i = 0; i < 10_000; i++) lru.set(i, i);
    expect(lru.size).toBe(100);
    expect(lru.get(9_999)).toBe(9_999);
    expect(lru.get(9_899)).toBeUndefined();
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses size %s', (n) => {
    expect(() => new BoundedLru(n)).toThrow(RangeError);
  });
});
