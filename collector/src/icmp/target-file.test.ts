import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { nativePlainIpv4Scanner } from '@pingsphere/native';
import { describe, expect, it } from 'vitest';
import { describeProblem, readTargetsFile, readTargetsStream, TargetTextReader } from './target-file.js';
import { TargetKind } from './target-table.js';

async function read(text: string, chunkBytes = 7) {
  // Small chunks: lines and UTF-8 characters split across chunk boundaries must read the same.
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += chunkBytes) chunks.push(bytes.subarray(at, at + chunkBytes));
  return readTargetsStream(Readable.from(chunks), 'targets.txt');
}

describe('the targets file', () => {
  it('reads plain lines, labelled lines, comments and blank lines', async () => {
    const { table, problems, lines } = await read(
      [
        '# edge routers',
        '198.18.0.1',
        '198.18.0.2   # a comment after the address',
        '198.18.0.3 name=fra-edge-1 group=edge loc=Frankfurt am Main,DE'.replace(
          'Frankfurt am Main',
          '"Frankfurt am Main"',
        ),
        '2001:db8::1 name=\'São Paulo core\' group=core loc=-23.55,-46.64 rack=B7 owner="net \\"ops\\""',
        '198.18.1.0/30 group=lab',
        '',
        'mesh-a.example.net. name=mesh-a',
        '\t198.18.0.4\r',
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(lines).toBe(9);
    expect([...table.entries()].map((e) => table.recordAt(e))).toEqual([
      { target: '198.18.0.1', name: '', group: '', loc: '', lat: null, lon: null, labels: {} },
      { target: '198.18.0.2', name: '', group: '', loc: '', lat: null, lon: null, labels: {} },
      {
        target: '198.18.0.3',
        name: 'fra-edge-1',
        group: 'edge',
        loc: 'Frankfurt am Main,DE',
        lat: 50.12,
        lon: 8.68,
        labels: {},
      },
      {
        target: '2001:db8::1',
        name: 'São Paulo core',
        group: 'core',
        loc: '-23.55,-46.64',
        lat: -23.55,
        lon: -46.64,
        labels: { rack: 'B7', owner: 'net "ops"' },
      },
      { target: '198.18.1.0/30', name: '', group: 'lab', loc: '', lat: null, lon: null, labels: {} },
      { target: 'mesh-a.example.net', name: 'mesh-a', group: '', loc: '', lat: null, lon: null, labels: {} },
      { target: '198.18.0.4', name: '', group: '', loc: '', lat: null, lon: null, labels: {} },
    ]);
    expect(table.kindAt(table.indexOf('198.18.1.0/30'))).toBe(TargetKind.ipv4Range);
    expect(table.ipv4RangeAt(table.indexOf('198.18.1.0/30'))).toEqual({ first: 0xc6120101, count: 2 });
  });

  it('skips a bad line naming the file, the line and the fix, and loads the rest', async () => {
    const { table, problems, errors, warnings } = await read(
      [
        '198.18.0.1',
        '198.18.0.256 name=x',
        '198.18.0.2 my server',
        '198.18.0.3 name="unterminated',
        'name=web 198.18.0.4',
        '198.18.0.5 loc=Frankfurt',
        '198.18.0.6 loc=95,10',
        '198.18.0.7 lat=50',
        '198.18.0.8 name=a name=b',
        '198.18.0.9 loc=Atlantis,DE',
        '198.18.0.10',
      ].join('\n'),
    );
    expect([...table.entries()].map((e) => table.keyAt(e))).toEqual(['198.18.0.1', '198.18.0.9', '198.18.0.10']);
    expect(errors).toBe(8);
    expect(warnings).toBe(1);
    const text = problems.map(describeProblem);
    expect(text[0]).toMatch(
      /^targets\.txt line 2: "198\.18\.0\.256" is not a valid IPv4 address .*; the line is skipped$/,
    );
    expect(text[1]).toMatch(
      /^targets\.txt line 3: "my" is not a key=value label: .*quote values with spaces: name="web 1"/,
    );
    expect(text[2]).toMatch(/^targets\.txt line 4: unterminated double quote .*close it with "/);
    expect(text[3]).toMatch(/^targets\.txt line 5: the line starts with the label name=…: write the target .* first/);
    expect(text[4]).toMatch(/^targets\.txt line 6: loc=Frankfurt is neither City,CC .* nor LAT,LON/);
    expect(text[5]).toMatch(/^targets\.txt line 7: loc=95,10: latitude must be within ±90/);
    expect(text[6]).toMatch(/^targets\.txt line 8: "lat" is not a label of its own: give coordinates as loc=LAT,LON/);
    expect(text[7]).toMatch(/^targets\.txt line 9: name= is given twice/);
    expect(text[8]).toMatch(
      /^targets\.txt line 10: warning: loc=Atlantis,DE is not in the city table.*write loc=LAT,LON/,
    );
  });

  it('places City,CC with the city table, suggesting the spelling it knows', async () => {
    const { table, problems } = await read('198.18.0.1 loc=Frankfurt,de\n198.18.0.2 loc=tokyo,JP\n');
    expect(table.locationAt(table.indexOf('198.18.0.2'))).toEqual({ loc: 'tokyo,JP', lat: 35.69, lon: 139.69 });
    expect(table.locationAt(table.indexOf('198.18.0.1'))).toEqual({ loc: 'Frankfurt,DE', lat: null, lon: null });
    expect(problems[0]!.message).toContain('did you mean loc="Frankfurt am Main,DE"?');
  });

  it('keeps one entry per target: a repeated line relabels it, with a warning', async () => {
    const { table, problems } = await read('198.18.0.1\n198.18.0.1 name=again\n2001:DB8::1\n2001:db8:0::1\n');
    expect(table.size).toBe(2);
    expect(table.nameAt(table.indexOf('198.18.0.1'))).toBe('again');
    expect(problems.map((p) => p.message)).toEqual([
      "198.18.0.1 is listed again: this line's labels replace the earlier line's (it is probed once)",
      '2001:db8::1 is listed again (it is probed once)',
    ]);
  });

  it('refuses an over-long line without holding it in memory', () => {
    const reader = new TargetTextReader('big.txt');
    reader.write(Buffer.from('198.18.0.1\n'));
    for (let i = 0; i < 10; i++) reader.write(Buffer.alloc(4096, 'x'));
    reader.write(Buffer.from('x\n198.18.0.2\n'));
    const { table, problems } = reader.end();
    expect(table.size).toBe(2);
    expect(problems).toEqual([
      { where: 'big.txt line 2', severity: 'error', message: expect.stringMatching(/longer than 8192 bytes/) },
    ]);
  });

  it('reads plain lines in native code exactly as the JavaScript reader does (file order, line numbers, problems)', async () => {
    const scan = nativePlainIpv4Scanner();
    expect(scan, 'the addon exports scanPlainIpv4Lines').toBeDefined();
    // Edge cases of a strict dotted quad beside lines that need the full parser.
    const lines = [
      '\ufeff198.18.0.1',
      '198.18.0.2 \t# comment',
      '198.18.0.3\r',
      '0.0.0.0',
      '255.255.255.255',
      '256.1.1.1',
      '01.2.3.4',
      '1.2.3',
      '1.2.3.4.5',
      '1..2.3',
      '1.2.3.4x',
      '1.2.3.4 name=lab',
      '  198.18.0.9',
      '',
      '# only a comment',
      '198.18.0.1',
      'not-a-host!',
      '2001:db8::7',
      '1000.1.1.1',
      '198.18.0.10',
    ];
    const dir = mkdtempSync(join(tmpdir(), 'pingsphere-scan-'));
    try {
      for (const text of [lines.join('\n'), lines.join('\n') + '\n', lines.slice(1).join('\r\n')]) {
        const file = join(dir, 'targets.txt');
        writeFileSync(file, text);
        const native: number[] = [];
        const perAddress: number[] = [];
        const viaFile = await readTargetsFile(
          file,
          undefined,
          (a) => perAddress.push(a),
          (a) => native.push(...a),
        );
        const js: number[] = [];
        const reader = new TargetTextReader(file, undefined, (a) => js.push(a));
        reader.write(Buffer.from(text));
        const expected = reader.end();
        // The whole list came in one piece, so the native scanner (not the per-line reader) read it.
        expect(perAddress).toEqual([]);
        expect(native).toEqual(js);
        expect(js.length).toBeGreaterThan(5);
        expect(viaFile.problems).toEqual(expected.problems);
        expect(viaFile.problems.length).toBeGreaterThan(3);
        expect(viaFile.errors).toBe(expected.errors);
        expect(viaFile.lines).toBe(expected.lines);
        expect(viaFile.table.size).toBe(expected.table.size);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
