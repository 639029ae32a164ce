import { describe, expect, it } from 'vitest';
import { parseTargetSpec } from '../icmp/target-spec.js';
import { TargetTable } from '../icmp/target-table.js';
import { noLabels, type TargetLabels } from '../icmp/target-labels.js';
import { TargetInventory } from './target-inventory.js';

function table(...rows: Array<[string, Partial<TargetLabels>?]>): TargetTable {
  const t = new TargetTable();
  for (const [target, labels] of rows) t.put(parseTargetSpec(target), { ...noLabels, ...labels });
  return t;
}

function listed(inventory: TargetInventory): string[] {
  const out: string[] = [];
  inventory.forEach((t, e) => out.push(`${t.keyAt(e)}${t.nameAt(e) ? `=${t.nameAt(e)}` : ''}`));
  return out;
}

const noProblems = { file: 'f', errors: 0, warnings: 0, problems: [] };

describe('TargetInventory', () => {
  it('lists the file, then the remote list, then API additions; the API relabels and hides', () => {
    const inventory = new TargetInventory();
    inventory.replaceFile(table(['198.18.0.1'], ['198.18.0.2'], ['h.example']), noProblems);
    inventory.replaceRemote(table(['198.18.0.2', { name: 'remote' }], ['198.18.1.0/30']));
    expect(listed(inventory)).toEqual(['198.18.0.1', '198.18.0.2', 'h.example', '198.18.1.0/30']);

    expect(inventory.put(table(['198.18.0.1', { name: 'api' }], ['2001:db8::1'], ['198.18.0.2']))).toEqual({
      added: 1,
      updated: 1,
      unchanged: 1,
    });
    expect(listed(inventory)).toEqual(['198.18.0.1=api', '198.18.0.2', 'h.example', '198.18.1.0/30', '2001:db8::1']);

    expect(inventory.delete(['198.18.0.2', 'h.example', '2001:db8::1', '203.0.113.9'])).toEqual({
      deleted: 3,
      missing: ['203.0.113.9'],
      missingCount: 1,
    });
    expect(listed(inventory)).toEqual(['198.18.0.1=api', '198.18.1.0/30']);
  });

  it('keeps an API deletion over file reloads while the file lists the target, and forgets it after', () => {
    const inventory = new TargetInventory();
    inventory.replaceFile(table(['198.18.0.1'], ['198.18.0.2']), noProblems);
    inventory.delete(['198.18.0.2']);
    inventory.replaceFile(table(['198.18.0.1'], ['198.18.0.2'], ['198.18.0.3']), noProblems);
    expect(listed(inventory)).toEqual(['198.18.0.1', '198.18.0.3']);
    inventory.replaceFile(table(['198.18.0.1']), noProblems); // the file dropped it too
    inventory.replaceFile(table(['198.18.0.1'], ['198.18.0.2']), noProblems); // and lists it again
    expect(listed(inventory)).toEqual(['198.18.0.1', '198.18.0.2']);
  });

  it('counts a change only when the effective list changes, and versions it by content', () => {
    const inventory = new TargetInventory();
    expect(inventory.replaceFile(table(['198.18.0.1', { name: 'a' }]), noProblems)).toBe(true);
    const generation = inventory.generation;
    const version = inventory.version;
    expect(inventory.replaceFile(table(['198.18.0.1', { name: 'a' }]), noProblems)).toBe(false);
    expect(inventory.put(table(['198.18.0.1', { name: 'a' }]))).toEqual({ added: 0, updated: 0, unchanged: 1 });
    expect(inventory.generation).toBe(generation);
    expect(inventory.version).toBe(version);
    inventory.put(table(['198.18.0.1', { name: 'b' }]));
    expect(inventory.generation).toBeGreaterThan(generation);
    expect(inventory.version).not.toBe(version);
    const other = new TargetInventory();
    other.replaceFile(table(['198.18.0.1', { name: 'b' }]), noProblems);
    expect(other.version).toBe(inventory.version); // same list, same version: a restart keeps ETags valid
  });

  it('walks a snapshot: a deletion while a listing streams does not disturb it', () => {
    const inventory = new TargetInventory();
    const many = new TargetTable();
    for (let i = 0; i < 5000; i++) many.putIpv4(0xc6120000 + i);
    inventory.put(many);
    const walk = inventory.walk();
    const first = walk.next().value!;
    expect(first[0].keyAt(first[1])).toBe('198.18.0.0');
    inventory.delete(Array.from({ length: 4000 }, (_, i) => `198.18.${(i + 1) >> 8}.${(i + 1) & 255}`));
    // The deletion compacted the API layer into a new table; the walk goes on over the old one.
    const rest = Array.from(walk, ([t, e]) => t.keyAt(e));
    expect(rest).toEqual(Array.from({ length: 999 }, (_, i) => `198.18.${(4001 + i) >> 8}.${(4001 + i) & 255}`));
    expect(inventory.size).toBe(1000);
    expect(listed(inventory)[1]).toBe('198.18.15.161');
  });
});
