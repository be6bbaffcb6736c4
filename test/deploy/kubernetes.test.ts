// The shipped Kubernetes manifests (deploy/kubernetes/): every YAML document validated against
// the Kubernetes API schemas (kubernetes-models; no cluster here), the Indexed Job's fields that
// sharding depends on, and the scenario and profile they mount validated as streamproof inputs.
// The schemas accept unknown fields, so the keys of the Job, pod and container specs are also
// checked against the API's declared properties (a misspelt field would otherwise be ignored).
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Job } from 'kubernetes-models/batch/v1';
import { Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, PersistentVolumeClaim, ServiceAccount } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadScenario } from '../../src/scenario/load.ts';
import { loadTargetProfile } from '../../src/target/profile.ts';
import { REPO_ROOT } from '../helpers/cassettes.ts';

const DIR = join(REPO_ROOT, 'deploy/kubernetes');
/** Files that are streamproof inputs (mounted from a ConfigMap), not Kubernetes objects. */
const INPUTS = new Set(['scenario.yaml', 'profile.yaml', 'kustomization.yaml']);

type Obj = Record<string, unknown> & { apiVersion?: string; kind?: string; metadata?: { name?: string } };

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  'batch/v1 Job': Job,
  'v1 PersistentVolumeClaim': PersistentVolumeClaim,
  'v1 ServiceAccount': ServiceAccount,
  'v1 ConfigMap': ConfigMap,
  'rbac.authorization.k8s.io/v1 Role': Role,
  'rbac.authorization.k8s.io/v1 RoleBinding': RoleBinding,
};

function documents(file: string): Obj[] {
  return parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((d) => {
    expect(d.errors, file).toEqual([]);
    return d.toJS() as Obj;
  });
}

function validate(o: Obj): void {
  const Model = MODELS[`${o.apiVersion} ${o.kind}`];
  if (!Model) throw new Error(`no schema for ${o.apiVersion} ${o.kind}`);
  new Model(o as never).validate();
}

const manifests = readdirSync(DIR)
  .filter((f) => /\.ya?ml$/.test(f) && !INPUTS.has(f))
  .flatMap((f) => documents(f).map((o) => ({ file: f, o })));
const jobs = new Map(manifests.filter((m) => m.o.kind === 'Job').map((m) => [m.o.metadata?.name, m.o as Obj]));

/** The property names an interface of kubernetes-models declares (from its .d.ts). */
function declared(typePath: string): Set<string> {
  const file = createRequire(import.meta.url)
    .resolve(`kubernetes-models/${typePath}`)
    .replace(/\.(m?js)$/, '.d.ts');
  return new Set([...readFileSync(file, 'utf8').matchAll(/^\s+"([A-Za-z$]+)"\??:/gm)].map((m) => m[1]!));
}

function unknownKeys(o: Record<string, unknown>, typePath: string): string[] {
  const known = declared(typePath);
  return Object.keys(o).filter((k) => !known.has(k));
}

type PodSpec = { containers: Container[]; initContainers?: Container[]; restartPolicy?: string; volumes?: Obj[] };
type Container = {
  name: string;
  args?: string[];
  env?: Array<{ name: string; value?: string }>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
};

function podSpec(job: Obj): PodSpec {
  return (job.spec as { template: { spec: PodSpec } }).template.spec;
}

describe('deploy/kubernetes', () => {
  it('every manifest validates against the Kubernetes API schemas', () => {
    expect(manifests.map((m) => `${m.file}: ${m.o.kind}`).sort()).toEqual([
      'merge-job.yaml: Job',
      'pvc.yaml: PersistentVolumeClaim',
      'rbac.yaml: Role',
      'rbac.yaml: RoleBinding',
      'rbac.yaml: ServiceAccount',
      'shards-job.yaml: Job',
    ]);
    for (const { file, o } of manifests) expect(() => validate(o), `${file} ${o.kind}`).not.toThrow();
  });

  it('declares no field the API does not have (the schemas alone would ignore a misspelt one)', () => {
    for (const [name, job] of jobs) {
      expect(unknownKeys(job.spec as Obj, 'batch/v1/JobSpec'), name).toEqual([]);
      const pod = podSpec(job);
      expect(unknownKeys(pod as unknown as Obj, 'v1/PodSpec'), name).toEqual([]);
      for (const c of [...pod.containers, ...(pod.initContainers ?? [])])
        expect(unknownKeys(c, 'v1/Container'), `${name} ${c.name}`).toEqual([]);
    }
  });

  it('the shards are an Indexed Job: one pod per shard, all at once, retried per index, the index as --shard', () => {
    const job = jobs.get('streamproof-shards')!;
    const spec = job.spec as Record<string, unknown>;
    expect(spec.completionMode).toBe('Indexed');
    expect(spec.parallelism).toBe(spec.completions);
    expect(spec.backoffLimitPerIndex).toBeGreaterThanOrEqual(0);
    const pod = podSpec(job);
    expect(pod.restartPolicy).toBe('Never'); // backoffLimitPerIndex requires it
    const shard = pod.containers.find((c) => c.name === 'shard')!;
    const env = new Map((shard.env ?? []).map((e) => [e.name, e.value]));
    expect(Number(env.get('SHARDS'))).toBe(spec.completions);
    const command = shard.args!.join(' ');
    expect(command).toMatch(/--shard "\$JOB_COMPLETION_INDEX\/\$SHARDS"/);
    expect(command).toMatch(/--run-id "\$JOB_NAME-\$JOB_UID"/);
    // The shared start time: the Job's creation time, read by the init container, plus a lead.
    expect(command).toMatch(/--start-at "\$\(cat \/run\/streamproof\/job-created\)\+\$\{START_LEAD_SECONDS\}s"/);
    expect(pod.initContainers?.[0]?.args?.join(' ')).toMatch(
      /kubectl get job "\$JOB_NAME" .*creationTimestamp.*> \/run\/streamproof\/job-created/,
    );
    expect(command).toMatch(/--report-dir "\/results\/\$JOB_NAME"/);
  });

  it('shards and merge share the results volume, and merge reads where the shards write', () => {
    const claims = (job: Obj) =>
      (podSpec(job).volumes ?? []).flatMap((v) =>
        (v.persistentVolumeClaim as { claimName?: string }) ? [(v.persistentVolumeClaim as { claimName: string }).claimName] : [],
      );
    const pvc = manifests.find((m) => m.o.kind === 'PersistentVolumeClaim')!.o.metadata!.name;
    const merge = jobs.get('streamproof-merge')!;
    expect(claims(jobs.get('streamproof-shards')!)).toEqual([pvc]);
    expect(claims(merge)).toEqual([pvc]);
    expect(podSpec(merge).containers[0]!.args).toEqual(['merge', '/results/streamproof-shards']);
  });

  it('the kustomization lists files that exist, and the scenario and profile it mounts are valid streamproof inputs', () => {
    const k = documents('kustomization.yaml')[0] as { resources: string[]; configMapGenerator: Array<{ files: string[] }> };
    const files = new Set(readdirSync(DIR));
    for (const r of [...k.resources, ...k.configMapGenerator.flatMap((g) => g.files)]) expect(files.has(r), r).toBe(true);
    expect(loadScenario(join(DIR, 'scenario.yaml')).scenario.kind).toBe('load');
    expect(loadTargetProfile(join(DIR, 'profile.yaml')).name).toBe('cluster-gateway');
  });

  it('rejects a broken manifest (the validation can fail)', () => {
    const job = structuredClone(jobs.get('streamproof-shards')!);
    (job.spec as Record<string, unknown>).completionMode = 'Indexd';
    expect(() => validate(job)).toThrow(/completionMode/);
    const job2 = structuredClone(jobs.get('streamproof-shards')!);
    (job2.spec as Record<string, unknown>).completions = 'four';
    expect(() => validate(job2)).toThrow(/completions/);
    const job3 = structuredClone(jobs.get('streamproof-shards')!);
    delete (podSpec(job3).containers[0] as Partial<Container>).name;
    expect(() => validate(job3)).toThrow(/name/);
    const job4 = structuredClone(jobs.get('streamproof-shards')!);
    (job4.spec as Record<string, unknown>).backoffLimitPerIndx = 1;
    expect(unknownKeys(job4.spec as Obj, 'batch/v1/JobSpec')).toEqual(['backoffLimitPerIndx']);
  });
});
