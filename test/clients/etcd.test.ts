/**
 * The etcd register client against a real etcd (one member on loopback, free ports, temp dir).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdRegisterWorkload, classifyError, type Client } from '../../src/clients/index.js';
import { startLocalEtcd, type LocalEtcd } from '../support/local-etcd.js';

let etcd: LocalEtcd;
const clients: Client[] = [];
const prefix = `t-${process.pid}-${Math.random().toString(36).slice(2, 8)}/`;

async function open(
  opts: ConstructorParameters<typeof EtcdRegisterWorkload>[0] = {},
): Promise<Client> {
  const c = await new EtcdRegisterWorkload({ prefix, ...opts }).open({
    name: etcd.name,
    url: etcd.url,
  });
  clients.push(c);
  return c;
}

beforeAll(async () => {
  etcd = await startLocalEtcd();
});

afterAll(async () => {
  await Promise.allSettled(clients.map((c) => c.close()));
  if (etcd) {
    process.kill(etcd.pid, 'SIGCONT'); // in case a test failed while it was paused
    await etcd.stop();
  }
});

describe('etcd register client', () => {
  it('reads a missing key as null, then reads what was written', async () => {
    const c = await open();
    expect(c.node).toBe('n1');
    expect(await c.invoke({ f: 'read', key: 1 })).toEqual({ type: 'ok', value: null });
    expect(await c.invoke({ f: 'write', key: 1, value: 3 })).toEqual({ type: 'ok', value: 3 });
    expect(await c.invoke({ f: 'read', key: 1 })).toEqual({ type: 'ok', value: 3 });
  });

  it('cas succeeds when the value matches and is refused (an observation) when it differs', async () => {
    const c = await open();
    await c.invoke({ f: 'write', key: 2, value: 1 });
    expect(await c.invoke({ f: 'cas', key: 2, value: [1, 4] })).toEqual({
      type: 'ok',
      value: [1, 4],
    });
    expect(await c.invoke({ f: 'read', key: 2 })).toEqual({ type: 'ok', value: 4 });
    const miss = await c.invoke({ f: 'cas', key: 2, value: [1, 0] });
    expect(miss).toEqual({
      type: 'fail',
      value: [1, 0],
      error: 'cas-mismatch',
      precondition: false,
    });
    expect(await c.invoke({ f: 'read', key: 2 })).toEqual({ type: 'ok', value: 4 });
    // A key that was never written is absent: cas from anything is refused...
    expect(await c.invoke({ f: 'cas', key: 'never', value: [0, 1] })).toMatchObject({
      type: 'fail',
      precondition: false,
    });
    // ...but a refusal of a cas from null proves nothing (absent reads as null): no observation.
    const fromNull = await c.invoke({ f: 'cas', key: 'never', value: [null, 1] });
    expect(fromNull.type).toBe('fail');
    expect(fromNull.precondition).toBeUndefined();
  });

  it('an unknown op is a definite fail, not a throw', async () => {
    const c = await open();
    const r = await c.invoke({ f: 'append', key: 1, value: 1 });
    expect(r.type).toBe('fail');
    expect(String(r.error)).toMatch(/unknown op/);
  });

  it('serializable reads see the written value', async () => {
    const w = await open();
    const s = await open({ readConsistency: 'serializable' });
    await w.invoke({ f: 'write', key: 5, value: 9 });
    expect(await s.invoke({ f: 'read', key: 5 })).toEqual({ type: 'ok', value: 9 });
    expect(new EtcdRegisterWorkload({ readConsistency: 'serializable' }).name).toBe(
      'etcd-register-serializable',
    );
  });

  it('a timeout on a paused server is info for writes and cas, fail for reads', async () => {
    const c = await open({ timeoutMs: 300 });
    const s = await open({ readConsistency: 'serializable', timeoutMs: 300 });
    await c.invoke({ f: 'write', key: 7, value: 1 }); // connection established before the pause
    await s.invoke({ f: 'read', key: 7 });
    process.kill(etcd.pid, 'SIGSTOP');
    try {
      const w = await c.invoke({ f: 'write', key: 7, value: 2 });
      expect(w).toEqual({ type: 'info', error: 'timeout' });
      const cas = await c.invoke({ f: 'cas', key: 7, value: [1, 3] });
      expect(cas.type).toBe('info');
      expect(cas.error).toBe('timeout');
      const r = await s.invoke({ f: 'read', key: 7 });
      expect(r).toEqual({ type: 'fail', error: 'timeout' });
    } finally {
      process.kill(etcd.pid, 'SIGCONT');
    }
    // The write that timed out was queued in the paused server; it may apply after SIGCONT.
    // Either way the client recovers.
    const after = await c.invoke({ f: 'read', key: 7 }, { timeoutMs: 5000 });
    expect(after.type).toBe('ok');
  });

  it('an abort signal ends an op as info', async () => {
    const c = await open({ timeoutMs: 5000 });
    await c.invoke({ f: 'write', key: 8, value: 1 });
    process.kill(etcd.pid, 'SIGSTOP');
    try {
      const ac = new AbortController();
      const pending = c.invoke({ f: 'write', key: 8, value: 2 }, { signal: ac.signal });
      ac.abort();
      expect(await pending).toEqual({ type: 'info', error: 'aborted' });
    } finally {
      process.kill(etcd.pid, 'SIGCONT');
    }
  });

  it('a node that refuses connections fails fast and definitely', async () => {
    const c = await new EtcdRegisterWorkload({ prefix, timeoutMs: 3000 }).open({
      name: 'gone',
      url: 'http://127.0.0.1:1',
    });
    clients.push(c);
    const r = await c.invoke({ f: 'write', key: 1, value: 1 });
    // fail, not info: the request never left (and so it did not wait for the op timeout).
    expect(r.type).toBe('fail');
    expect(String(r.error)).toMatch(/not-connected/);
  });
});

describe('classifyError', () => {
  it('treats unknown server errors on writes as info and on reads as fail', () => {
    const err = new Error('etcdserver: request timed out');
    expect(classifyError('write', err).type).toBe('info');
    expect(classifyError('cas', err).type).toBe('info');
    expect(classifyError('read', err).type).toBe('fail');
    expect(classifyError('write', new Error('etcdserver: too many requests')).type).toBe('fail');
  });
});

describe('createWorkload', () => {
  it('knows the etcd workloads by name and rejects others clearly', async () => {
    const { createWorkload } = await import('../../src/clients/index.js');
    expect(createWorkload('etcd-register').name).toBe('etcd-register');
    expect(createWorkload('etcd-register-serializable').name).toBe('etcd-register-serializable');
    expect(() => createWorkload('mongo')).toThrow(
      /unknown workload 'mongo' \(known: etcd-register/,
    );
  });
});
