/** The core budget's decisions as pure functions: threads at start, replicas from measured cost. */
import { describe, expect, it } from 'vitest';
import {
  type BudgetStage,
  describePlan,
  replicaTargets,
  type StageCost,
  startPlan,
  workerCores,
  batchJobs,
  sharedInstancesFor,
} from '../../src/runtime/core-budget.ts';

function stage(id: string, over: Partial<BudgetStage> = {}): BudgetStage {
  return { id, worker: true, replicable: true, scalable: true, autoThreads: true, replicas: 1, intraOp: 1, ...over };
}

function cost(id: string, msPerItem: number | undefined, over: Partial<StageCost> = {}): StageCost {
  return { id, scalable: true, replicas: 1, threadsPerReplica: 1, msPerItem, ended: false, ...over };
}

describe('startPlan', () => {
  it('gives replicable stages one thread each and a stage that cannot be replicated a share of the cores', () => {
    const plan = startPlan(16, 'pipelined', [
      stage('content'),
      stage('vae', { replicable: false, scalable: false }),
      stage('dit'),
    ]);
    // 15 worker cores (one left to the main thread) over 3 worker stages: 5 threads for vae.
    expect(plan).toEqual([
      { id: 'content', replicas: 1, intraOp: 1 },
      { id: 'vae', replicas: 1, intraOp: 5 },
      { id: 'dit', replicas: 1, intraOp: 1 },
    ]);
  });

  it('keeps explicit threads and replicas, and the same threads whatever the mode', () => {
    const stages = [
      stage('a', { autoThreads: false, intraOp: 3, replicas: 4, scalable: false }),
      stage('b', { replicable: false, scalable: false }),
    ];
    const pipelined = startPlan(8, 'pipelined', stages);
    const sequential = startPlan(8, 'sequential', stages);
    expect(pipelined).toEqual([
      { id: 'a', replicas: 4, intraOp: 3 },
      { id: 'b', replicas: 1, intraOp: 3 },
    ]);
    expect(sequential.map((p) => p.intraOp)).toEqual(pipelined.map((p) => p.intraOp));
    expect(sequential.map((p) => p.replicas)).toEqual([1, 1]);
  });

  it('leaves no core to the main thread on a small machine', () => {
    expect(workerCores(2)).toBe(2);
    expect(workerCores(3)).toBe(3);
    expect(workerCores(4)).toBe(3);
    expect(startPlan(2, 'pipelined', [stage('x', { replicable: false })])[0].intraOp).toBe(2);
  });
});

describe('batchJobs', () => {
  it('renders two samples at once on a small machine and one per 3 cores on a larger one', () => {
    expect([1, 2, 3, 4, 7, 8, 9, 16, 64].map(batchJobs)).toEqual([2, 2, 2, 2, 2, 2, 3, 5, 21]);
  });

  it('lets samples in flight share one instance of a stage per two worker cores', () => {
    expect([1, 2, 3, 4, 5, 16].map(sharedInstancesFor)).toEqual([1, 1, 1, 1, 2, 7]);
  });
});

describe('replicaTargets', () => {
  it('decides provisionally before every stage is measured: only by the chunks waiting', () => {
    expect(replicaTargets(16, [cost('content', undefined), cost('convert', undefined)], 15)).toBeUndefined();
    // The content encoder finished first; the converter downstream has not run: content may grow
    // only by what waits at its inputs, and only if that outlasts an instance's start: 2 × 30 < 400 ms.
    const early = replicaTargets(
      16,
      [cost('content', 30, { backlog: 2, startMs: 400 }), cost('convert', undefined)],
      15,
    )!;
    expect(early).toEqual({ targets: new Map([['content', 1]]), provisional: true });
    // A slow converter measured while lipsync has not run, 2 chunks waiting: 2 × 390 ≥ 400 ms.
    const slow = replicaTargets(
      16,
      [cost('convert', 390, { backlog: 2, startMs: 400 }), cost('lipsync', undefined)],
      15,
    )!;
    expect(slow).toEqual({ targets: new Map([['convert', 3]]), provisional: true });
    // Not on a first item alone: the face detector's first frame (380 ms; 1 ms a chunk after it)
    // with 3 chunks waiting grows nothing until a second item has been measured.
    const first = (itemsDone: number, ms: number) =>
      replicaTargets(16, [cost('faces', ms, { backlog: 3, startMs: 800, itemsDone }), cost('lipsync', undefined)], 15)!
        .targets;
    expect(first(1, 380).get('faces')).toBe(1);
    expect(first(2, 380).get('faces')).toBe(4);
    expect(first(2, 190).get('faces')).toBe(1);
    // A stage that has had its last item needs no measure: the decision is final.
    const final = replicaTargets(16, [cost('content', 30), cost('convert', undefined, { ended: true })], 15)!;
    expect(final).toEqual({ targets: new Map([['content', 15]]), provisional: false });
  });

  it('grows a stage of even cost while its first item runs, by what waits, and stays provisional', () => {
    // The converter's first item has run 120 ms (a lower bound), the content encoder is measured.
    const running = (ms: number, backlog: number) =>
      replicaTargets(
        16,
        [
          cost('content', 20, { itemsDone: 3, evenCost: true }),
          cost('convert', ms, { itemsDone: 0, estimated: true, evenCost: true, backlog, startMs: 200 }),
        ],
        15,
      )!;
    // 2 chunks waiting × 80 ms < 200 ms to start one: not yet; × 120 ms: both get an instance.
    expect(running(80, 2).targets.get('convert')).toBe(1);
    expect(running(120, 2)).toEqual({
      targets: new Map([
        ['content', 1],
        ['convert', 3],
      ]),
      provisional: true,
    });
    // Nothing waiting: nothing for a new instance to do.
    expect(running(400, 0).targets.get('convert')).toBe(1);
    // Two instances asked for and not joined yet take the two chunks waiting: none more, however
    // often the plan is decided again while they start.
    const starting = replicaTargets(
      16,
      [
        cost('content', 20, { itemsDone: 3, evenCost: true }),
        cost('convert', 400, {
          replicas: 3,
          starting: 2,
          itemsDone: 0,
          estimated: true,
          evenCost: true,
          backlog: 3,
          startMs: 200,
        }),
      ],
      15,
    )!;
    expect(starting.targets.get('convert')).toBe(4);
    // One item done is a measure for a kind of even cost; for another kind it takes two.
    const oneDone = (evenCost: boolean) =>
      replicaTargets(
        16,
        [cost('convert', 300, { itemsDone: 1, evenCost, backlog: 3, startMs: 200 }), cost('lipsync', undefined)],
        15,
      )!.targets.get('convert');
    expect(oneDone(true)).toBe(4);
    expect(oneDone(false)).toBe(1);
  });

  it('splits the worker cores by measured compute per chunk', () => {
    // voice-convert as measured on 16 cores: the converter ~9× the content encoder per chunk.
    const targets = replicaTargets(16, [cost('content', 30), cost('convert', 270)], 15)!.targets;
    expect(targets.get('convert')).toBe(14);
    expect(targets.get('content')).toBe(2);
    // Rounded up, the shares come to 16 instances: the 15 worker cores and one more at most.
    expect(targets.get('convert')! + targets.get('content')!).toBe(16);
    // The converter grew to 15 on its cold first measures and keeps them (too few chunks left to
    // start more): the content encoder may not take a 17th instance beside them.
    const kept = replicaTargets(
      16,
      [cost('content', 30), cost('convert', 270, { replicas: 15, itemsLeft: 5, startMs: 400 })],
      15,
    )!.targets;
    expect([kept.get('content'), kept.get('convert')]).toEqual([1, 15]);
    // Below 4 cores no core is the main thread's: there the light stage keeps its one instance and
    // the converter takes both cores (the "small" case below).
    // On 2 cores the converter gets both, the light stage keeps its one instance.
    const small = replicaTargets(2, [cost('content', 60), cost('convert', 380)], 2)!.targets;
    expect([small.get('content'), small.get('convert')]).toEqual([1, 2]);
  });

  it('holds the total to the cores when estimates move between decisions', () => {
    // First decision: lipsync 7, convert 5 of 12 cores. Then convert measures cheaper and lipsync
    // dearer: lipsync may not grow past what the cores allow, whatever it would want alone.
    const tts = cost('tts', undefined, { scalable: false, threadsPerReplica: 3 });
    const later = replicaTargets(
      16,
      [tts, cost('convert', 150, { replicas: 5 }), cost('lipsync', 900, { replicas: 7 })],
      15,
    )!.targets;
    // The 12 worker cores the TTS leaves, and one more at most.
    expect(later.get('convert')! + later.get('lipsync')!).toBeLessThanOrEqual(13);
    expect(later.get('convert')).toBe(5);
  });

  it('leaves a stage it cannot replicate its threads, measured or not, and only grows', () => {
    // A TTS generator (3 threads) has not finished its one item: the other 12 worker cores are split.
    const tts = cost('tts', undefined, { scalable: false, threadsPerReplica: 3 });
    const split = replicaTargets(16, [tts, cost('convert', 300), cost('lipsync', 600)], 15)!.targets;
    expect([...split]).toEqual([
      ['convert', 4],
      ['lipsync', 8],
    ]);
    // dit's share is 10 cores but it already has 12 instances: none are taken away.
    const kept = replicaTargets(
      16,
      [cost('vae', 100, { scalable: false, threadsPerReplica: 5 }), cost('dit', 100, { replicas: 12 })],
      15,
    )!.targets;
    expect([...kept]).toEqual([['dit', 12]]);
  });

  it('never goes past the largest number of replicas', () => {
    expect(replicaTargets(64, [cost('a', 1), cost('b', 1000)], 8)!.targets.get('b')).toBe(8);
  });
});

describe('describePlan', () => {
  it('says per stage its instances, threads and measured cost in one line', () => {
    const line = describePlan(16, [
      { id: 'content', replicas: 1, intraOp: 1, scalable: true },
      { id: 'vae', replicas: 1, intraOp: 5, msPerItem: 812.4 },
    ]);
    expect(line).toBe('16 cores: content ×1+ (1 thread), vae ×1 (5 threads, 812 ms/chunk)');
    expect(line).not.toContain('\n');
  });
});

describe('replicaTargets near the end of a clip', () => {
  it('adds no replica the work left would not pay for, and none past the items left', () => {
    // 4 chunks of 260 ms left, 600 ms to start an instance: 1040 ms of work < 2 × 600 — not worth it.
    const late = replicaTargets(16, [cost('convert', 260, { itemsLeft: 4, startMs: 600 })], 15)!.targets;
    expect(late.get('convert')).toBe(1);
    // 3 items left, each 2 s: worth it, up to one new instance per item left (a fifth would idle).
    const few = replicaTargets(16, [cost('convert', 2000, { itemsLeft: 3, startMs: 600 })], 15)!.targets;
    expect(few.get('convert')).toBe(4);
    // Unknown clip length: the measured split alone decides.
    expect(replicaTargets(16, [cost('convert', 260, { startMs: 600 })], 15)!.targets.get('convert')).toBe(15);
  });
});
