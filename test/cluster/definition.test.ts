import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import {
  ClusterDefinitionError,
  fillTemplate,
  loadClusterDefinition,
  parseClusterDefinition,
} from '../../src/definition.js';
import { REPO } from '../support/repo.js';

const minimal = {
  name: 'x',
  database: 'etcd',
  nodes: [{ name: 'n1' }],
  ports: { client: 2379, peer: 2380 },
};

function problem(json: unknown): string {
  try {
    parseClusterDefinition(json, 'c.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ClusterDefinitionError);
    return (err as ClusterDefinitionError).userMessage;
  }
  throw new Error('expected a ClusterDefinitionError');
}

describe('cluster definitions', () => {
  it('the shipped definitions are valid', async () => {
    const five = await loadClusterDefinition(join(REPO, 'clusters/etcd-5.json'));
    const three = await loadClusterDefinition(join(REPO, 'clusters/etcd-3.json'));
    expect(five.nodes.map((n) => n.name)).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    expect(three.nodes).toHaveLength(3);
    expect(five.start?.args).toContain('--logger=zap');
  });

  it('fills defaults', () => {
    const d = parseClusterDefinition(minimal);
    expect(d.subnet).toBe('auto');
    expect(d.nodes[0]!.address).toBe('auto');
    expect(d.dirs).toEqual({ data: '{runDir}/data/{node}', log: '{runDir}/logs/{node}.log' });
    expect(d.stop.signal).toBe('SIGKILL');
  });

  it('names the file and field path of each problem', () => {
    expect(problem({ ...minimal, database: 'mysql' })).toMatch(/^c\.json: database: /);
    expect(problem({ ...minimal, ports: { client: 2379, peer: 70000 } })).toMatch(
      /c\.json: ports\.peer: /,
    );
    expect(problem({ ...minimal, nodes: [{ name: 'n1' }, { name: 'n1' }] })).toMatch(
      /nodes\[1\]\.name: duplicate node name "n1"/,
    );
    expect(problem({ ...minimal, nodes: [{ name: 'N 1' }] })).toMatch(/nodes\[0\]\.name: must be/);
    expect(problem({ ...minimal, start: { command: 'etcd', args: ['--x={nope}'] } })).toMatch(
      /start\.args\[0\]: uses an unknown \{placeholder\}/,
    );
    expect(problem({ ...minimal, nodes: [{ name: 'n1', address: '10.1.1.5' }] })).toMatch(
      /nodes\[0\]\.address: an explicit address needs an explicit subnet/,
    );
    expect(
      problem({
        ...minimal,
        subnet: '10.77.200.0/24',
        nodes: [{ name: 'n1', address: '10.77.201.5' }],
      }),
    ).toMatch(/not a usable host address/);
    expect(problem({ ...minimal, extra: 1 })).toMatch(/c\.json: .*extra/);
  });

  it('reports JSON syntax errors with line and column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fl-def-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{\n  "name": "x",\n  "nodes": [,]\n}\n');
    await expect(loadClusterDefinition(file)).rejects.toThrow(
      /bad\.json: invalid JSON at line 3, column \d+/,
    );
    await expect(loadClusterDefinition(file + '.missing')).rejects.toThrow(/cannot read/);
  });

  it('fills templates', () => {
    expect(fillTemplate('{runDir}/data/{node}', { runDir: '/r', node: 'n2' })).toBe('/r/data/n2');
    expect(() => fillTemplate('{ip}', {})).toThrow(/\{ip\} has no value/);
  });
});

describe('backends', () => {
  const sshDef = {
    ...minimal,
    backend: 'ssh',
    ssh: { privateKey: 'k', knownHosts: 'kh' },
    nodes: [{ name: 'n1', address: '10.76.0.11' }],
  };

  it('netns is the default and the shipped ssh/docker definitions are valid', async () => {
    expect(parseClusterDefinition(minimal).backend).toBe('netns');
    const ssh = await loadClusterDefinition(join(REPO, 'clusters/etcd-5-ssh.json'));
    expect(ssh.backend).toBe('ssh');
    expect(ssh.ssh).toMatchObject({
      user: 'root',
      port: 22,
      sudo: false,
      acceptNewHostKeys: false,
    });
    const docker = await loadClusterDefinition(join(REPO, 'clusters/etcd-5-docker.json'));
    expect(docker.backend).toBe('docker');
    expect(docker.docker?.image).toBeTruthy();
    expect(docker.nodes).toHaveLength(5);
  });

  it('names what a backend is missing or does not allow', () => {
    expect(parseClusterDefinition(sshDef).ssh?.workDir).toBe('/tmp/faultline');
    expect(problem({ ...sshDef, ssh: undefined })).toMatch(/c\.json: ssh: required with/);
    expect(problem({ ...sshDef, ssh: { knownHosts: 'kh' } })).toMatch(
      /ssh\.privateKey: give a private key file, or "agent": true/,
    );
    expect(problem({ ...sshDef, ssh: { agent: true } })).toMatch(
      /nodes\[0\]\.hostKey: no way to verify this host/,
    );
    expect(problem({ ...sshDef, nodes: [{ name: 'n1' }] })).toMatch(
      /nodes\[0\]\.address: ssh hosts need their address/,
    );
    expect(
      problem({ ...sshDef, nodes: [{ name: 'n1', address: '10.0.0.1', hostKey: 'x' }] }),
    ).toMatch(/nodes\[0\]\.hostKey: must be an OpenSSH SHA256 fingerprint/);
    expect(problem({ ...minimal, backend: 'docker' })).toMatch(/c\.json: docker: required with/);
    expect(problem({ ...minimal, docker: { image: 'x' } })).toMatch(
      /c\.json: docker: only allowed with "backend": "docker"/,
    );
    expect(problem({ ...minimal, nodes: [{ name: 'n1', host: 'h' }] })).toMatch(
      /nodes\[0\]\.host: only allowed with "backend": "ssh"/,
    );
    expect(problem({ ...minimal, backend: 'vm' })).toMatch(/c\.json: backend: /);
  });
});

describe('JSON error positions', () => {
  it('finds the first bad character', async () => {
    const { jsonErrorOffset } = await import('../../src/json-input.js');
    expect(jsonErrorOffset('{"a":[1,{"b":null}]}')).toBeUndefined();
    expect(jsonErrorOffset('{\n  "nodes": [,]\n}')).toBe(14);
    expect(jsonErrorOffset('[1,2')).toBe(4);
    expect(jsonErrorOffset('{"a" 1}')).toBe(5);
    expect(jsonErrorOffset('1 2')).toBe(2);
  });
});
