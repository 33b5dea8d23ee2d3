import { describe, expect, it } from 'vitest';
import { formatMemoryMap, memoryMapData, peakLiveBytes, planMemory, type BufferRequest } from '../../src/memory/index.js';

const req = (id: string, size: number, first: number, last: number): BufferRequest => ({ id, size, first, last, align: 1 });
const requests = [req('input', 300, 0, 1), req('conv1', 600, 1, 2), req('conv2', 300, 2, 3), req('empty', 0, 0, 0)];

describe('peakLiveBytes', () => {
  it('is the max over steps of live bytes (inclusive lifetimes)', () => {
    expect(peakLiveBytes([])).toBe(0);
    expect(peakLiveBytes(requests)).toBe(900);
    expect(peakLiveBytes([req('a', 5, 0, 0), req('b', 7, 1, 1)])).toBe(7);
    expect(peakLiveBytes([req('a', 5, 0, 1), req('b', 7, 1, 1)])).toBe(12);
  });
});

describe('memory maps', () => {
  const plan = planMemory(requests);

  it('memoryMapData gives JSON-friendly boxes sorted by offset', () => {
    const d = memoryMapData(requests, plan);
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
    expect(d).toMatchObject({ arenaBytes: 900, peakLiveBytes: 900, firstStep: 0, lastStep: 3, liveBytes: [300, 900, 900, 300] });
    expect(d.boxes.map((b) => b.offset)).toEqual([...d.boxes.map((b) => b.offset)].sort((a, b) => a - b));
    expect(d.boxes.find((b) => b.id === 'conv1')).toEqual({ id: 'conv1', offset: plan.offsets.get('conv1'), size: 600, first: 1, last: 2 });
  });

  it('formatMemoryMap prints a summary, a table sorted by offset and a width-limited chart', () => {
    const text = formatMemoryMap(requests, plan, { width: 30 });
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('arena 900 bytes, strategy greedy-size (optimal); peak live 900 bytes (arena = 100.0% of it); 4 buffers');
    const header = lines.findIndex((l) => l.startsWith('sym'));
    expect(lines[header]).toMatch(/^sym\s+id\s+offset\s+size\s+end\s+lifetime$/);
    const table = lines.slice(header + 1, header + 5);
    const offs = table.map((l) => Number(l.split(/\s+/)[2]));
    expect(offs).toEqual([...offs].sort((a, b) => a - b));
    expect(table.some((l) => /conv1\s+0\s+600\s+600\s+1\.\.2/.test(l))).toBe(true);
    const chart = lines.filter((l) => /^\s+\d+ \|/.test(l));
    expect(chart).toHaveLength(4);
    for (const row of chart) expect(row.split('|')[1]!.length).toBe(30);
    // step 0: only the input (symbol of the second table row) lives; step 3 only conv2
    const symOf = (id: string) => table.find((l) => l.split(/\s+/)[1] === id)!.split(/\s+/)[0]!;
    expect(chart[0]!.split('|')[1]).toMatch(new RegExp(`^\\.*${symOf('input')}+\\.*$`));
    expect(chart[1]!.split('|')[1]).not.toContain('.');
    expect(chart[3]!.split('|')[1]).toContain(symOf('conv2'));
    expect(chart[3]).toMatch(/300 live$/);
  });

  it('handles empty plans and caps long charts', () => {
    expect(formatMemoryMap([], planMemory([]))).toBe('arena 0 bytes, strategy greedy-size (optimal); peak live 0 bytes; 0 buffers\n');
    const many = Array.from({ length: 50 }, (_, i) => req(`b${i}`, 10, i, i + 1));
    const text = formatMemoryMap(many, planMemory(many), { maxSteps: 10, width: 8 });
    expect(text).toContain('... 41 more steps not shown');
  });
});
