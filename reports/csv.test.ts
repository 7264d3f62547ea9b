import { describe, expect, it } from 'vitest';
import { stringify } from 'csv-stringify/sync';
import { parse } from 'csv-parse/sync';
import { SeededRng } from '../policies/rng.js';
import { CSV_CHUNK_ROWS, csvHeader, csvRows, REQUEST_COLUMNS, WORKFLOW_COLUMNS, writeRequestRows, writeWorkflowRows } from './csv.js';
import type { RequestRecord, WorkflowRecord } from './records.js';

describe('csvRows', () => {
  it('quotes only fields with a comma, quote, CR or LF, doubling quotes', () => {
    expect(csvRows([['a', 1, '', 'x,y', 'say "hi"', 'l1\nl2', 'c\r', -0.5, 1e21]]))
      .toBe('a,1,,"x,y","say ""hi""","l1\nl2","c\r",-0.5,1e+21\n');
    expect(csvRows([])).toBe('');
    expect(csvHeader(REQUEST_COLUMNS).startsWith('workload,policy,seed,id,')).toBe(true);
  });

  it('writes what csv-stringify wrote and csv-parse reads back, on random fields', () => {
    const rng = new SeededRng(3);
    const alphabet = ['a', 'Z', '0', ',', '"', '\n', '\r', ' ', '-', '=', 'é', ';', "'"];
    const rows: (string | number)[][] = [];
    for (let r = 0; r < 300; r++) {
      const row: (string | number)[] = [];
      const n = 1 + rng.int(6);
      for (let c = 0; c < n; c++) {
        if (rng.float() < 0.3) row.push(rng.int(2) === 0 ? rng.int(100000) : Math.round((rng.float() - 0.5) * 1e6) / 1e3);
        else row.push(Array.from({ length: rng.int(6) }, () => alphabet[rng.int(alphabet.length)]!).join(''));
      }
      rows.push(row);
    }
    const text = csvRows(rows);
    expect(text).toBe(stringify(rows));
    // Rows with nothing to quote are joined without csv-stringify: the same text, edge numbers too.
    const plain: (string | number)[][] = [[], [''], ['', ''], [-0, NaN, Infinity, -Infinity, 1e21, 1e-7, 0.1 + 0.2, 2 ** 53 + 2]];
    for (const row of rows) plain.push(row.map((f) => (typeof f === 'string' ? f.replace(/[,"\r\n]/g, 'q') : f)));
    expect(csvRows(plain)).toBe(stringify(plain));
    expect(parse(text, { relax_column_count: true })).toEqual(rows.map((row) => row.map(String)));
  });
});

describe('streamed request and workflow rows', () => {
  const req = (i: number): RequestRecord => ({
    id: `w${i}-a`, workload: 'wl', workflowId: `w${i}`, nodeId: 'a', agentId: 'x,"y"', instance: 'i0', outcome: 'ok', reason: '',
    attempt: 0, sendUs: 1000 * i + 0.4, firstTokenUs: 1000 * i + 2500, endUs: 1000 * i + 12500, queueUs: 250,
    promptTokens: 100, cachedPromptTokens: 32, crossAgentCachedTokens: NaN, outputTokens: 11, preemptions: 0,
  });

  it('hands the sink chunks of CSV_CHUNK_ROWS rows, each row complete', () => {
    const reqs = Array.from({ length: CSV_CHUNK_ROWS * 2 + 5 }, (_, i) => req(i));
    const chunks: string[] = [];
    writeRequestRows('wl', 'p,1', 7, reqs, (c) => chunks.push(c));
    expect(chunks.map((c) => c.split('\n').length - 1)).toEqual([CSV_CHUNK_ROWS, CSV_CHUNK_ROWS, 5]);
    const rows = parse(csvHeader(REQUEST_COLUMNS) + chunks.join(''), { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(reqs.length);
    expect(rows[3]).toEqual({
      workload: 'wl', policy: 'p,1', seed: '7', id: 'w3-a', workflowId: 'w3', nodeId: 'a', agentId: 'x,"y"', instance: 'i0',
      outcome: 'ok', reason: '', attempt: '0', sendMs: '3', ttftMs: '2.5', tpotMs: '1', e2eMs: '12.5', queueMs: '0.25',
      promptTokens: '100', cachedPromptTokens: '32', crossAgentCachedTokens: '', outputTokens: '11', preemptions: '0',
    });
  });

  it('writes workflow rows with the header\'s columns', () => {
    const wf: WorkflowRecord = {
      id: 'w1', workload: 'wl', pattern: 'parallel', outcome: 'failed', reason: 'timeout, twice', arrivalUs: 1500, startUs: 2000,
      endUs: 9000.5, criticalPathUs: NaN, calls: 8, stepsOk: 6, stepsFailed: 2, retries: 1, affinity: 0.66666,
    };
    let text = '';
    writeWorkflowRows('wl', 'rr', 1, [wf], (c) => (text += c));
    expect(text).toBe('wl,rr,1,w1,parallel,failed,"timeout, twice",1.5,2,9.001,7.001,,8,6,2,1,0.6667\n');
    expect(WORKFLOW_COLUMNS).toHaveLength(text.split(',').length - 1); // one quoted field holds a comma
  });
});
