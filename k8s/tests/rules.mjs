// The deployment's own rules, checked on kustomize's output (tools/k8s-check runs this after kubeconform,
// which only knows the Kubernetes schemas). Usage: node k8s/tests/rules.mjs NAME=FILE.yaml ...
// Prints one "PASS <name>: <rule>" or "FAIL <name>: <rule>: <why>" line per rule and rendering; exits 1 on
// any failure.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { parseAllDocuments } = require('yaml');

const NAMESPACE = 'rstar';
const LABELS = ['app.kubernetes.io/name', 'app.kubernetes.io/part-of', 'app.kubernetes.io/component'];
const CLUSTER_SCOPED = new Set(['Namespace', 'PersistentVolume', 'StorageClass', 'ClusterRole', 'ClusterRoleBinding']);
// The platform's own services: GET /readyz + /healthz on their HTTP port, which RSTAR_HTTP_PORT names.
const SERVICES = { gateway: 4000, search: 4010, policy: 4020, ppm: 4030, sandbox: 4040, curation: 4050 };
// Services that speak NATS (curation only reads Kafka and writes Postgres).
const NATS_CLIENTS = new Set(['gateway', 'search', 'policy', 'ppm', 'sandbox']);
const GRACE = { gateway: 30, search: 120, policy: 30, ppm: 30, sandbox: 30, curation: 30 };
// Secrets that gpu-prod expects from the operator's secret store (and the base ships as placeholders).
const EXTERNAL_SECRETS = { 'rstar-database': ['url', 'password'], 'rstar-admin': ['token'] };

const failures = [];
function check(name, rule, problems) {
  if (problems.length === 0) console.log(`PASS ${name}: ${rule}`);
  else {
    console.log(`FAIL ${name}: ${rule}: ${problems.slice(0, 8).join('; ')}${problems.length > 8 ? ` (+${problems.length - 8} more)` : ''}`);
    failures.push(`${name}: ${rule}`);
  }
}

const id = (o) => `${o.kind}/${o.metadata?.name}`;
const workloads = (objs) => objs.filter((o) => ['Deployment', 'StatefulSet'].includes(o.kind));
const podSpecs = (objs) => workloads(objs).map((w) => ({ w, pod: w.spec.template.spec, labels: w.spec.template.metadata?.labels ?? {} }));
const containersOf = (pod) => [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
const matches = (selector, labels) =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
  (selector?.matchExpressions ?? []).every((e) =>
    e.operator === 'In' ? e.values.includes(labels[e.key]) : e.operator === 'Exists' ? e.key in labels : e.operator === 'NotIn' ? !e.values.includes(labels[e.key]) : !(e.key in labels),
  );
const portNumber = (container, port) => (typeof port === 'number' ? port : container.ports?.find((p) => p.name === port)?.containerPort);

function rules(name, objs) {
  const byKind = (kind) => objs.filter((o) => o.kind === kind);
  const isProd = name.includes('prod');

  check(name, `every namespaced object in namespace ${NAMESPACE}`, objs.filter((o) => !CLUSTER_SCOPED.has(o.kind) && o.metadata?.namespace !== NAMESPACE).map(id));

  check(name, 'labels name/part-of/component on every object and pod template', [
    ...objs.flatMap((o) => LABELS.filter((l) => !o.metadata?.labels?.[l]).map((l) => `${id(o)} lacks ${l}`)),
    ...podSpecs(objs).flatMap(({ w, labels }) => LABELS.filter((l) => !labels[l]).map((l) => `${id(w)} template lacks ${l}`)),
    ...objs.filter((o) => o.metadata?.labels?.['app.kubernetes.io/part-of'] !== undefined && o.metadata.labels['app.kubernetes.io/part-of'] !== 'rstar').map((o) => `${id(o)} part-of is not rstar`),
  ]);

  check(name, 'images pinned (a tag other than latest, or a digest)', podSpecs(objs).flatMap(({ w, pod }) =>
    containersOf(pod).filter((c) => !/@sha256:|:[\w.-]+$/.test(c.image.split('/').pop()) || c.image.endsWith(':latest')).map((c) => `${id(w)} ${c.name}: ${c.image}`),
  ));

  check(name, 'cpu and memory requests and limits on every container', podSpecs(objs).flatMap(({ w, pod }) =>
    containersOf(pod).flatMap((c) => ['requests', 'limits'].flatMap((k) => ['cpu', 'memory'].filter((r) => !c.resources?.[k]?.[r]).map((r) => `${id(w)} ${c.name} has no ${k}.${r}`))),
  ));

  check(name, 'readiness and liveness probes on every long-running container', podSpecs(objs).flatMap(({ w, pod }) =>
    pod.containers.flatMap((c) => ['readinessProbe', 'livenessProbe'].filter((p) => !c[p]).map((p) => `${id(w)} ${c.name} has no ${p}`)),
  ));

  const serviceProblems = [];
  for (const [svc, port] of Object.entries(SERVICES)) {
    const w = byKind('Deployment').find((d) => d.metadata.name === svc);
    if (!w) { serviceProblems.push(`no Deployment ${svc}`); continue; }
    const c = w.spec.template.spec.containers[0];
    if (c.image !== `ghcr.io/rstar-platform/${svc}:0.1.0`) serviceProblems.push(`${svc} image ${c.image}`);
    if (portNumber(c, 'http') !== port) serviceProblems.push(`${svc} http port is not ${port}`);
    if (c.env?.find((e) => e.name === 'RSTAR_HTTP_PORT')?.value !== String(port)) serviceProblems.push(`${svc} RSTAR_HTTP_PORT is not ${port}`);
    for (const [probe, path] of [['readinessProbe', '/readyz'], ['livenessProbe', '/healthz']]) {
      const g = c[probe]?.httpGet;
      if (g?.path !== path || portNumber(c, g?.port) !== port) serviceProblems.push(`${svc} ${probe} is not GET ${path} on ${port}`);
    }
    if (w.spec.template.spec.terminationGracePeriodSeconds !== GRACE[svc]) serviceProblems.push(`${svc} terminationGracePeriodSeconds is not ${GRACE[svc]}`);
    if (NATS_CLIENTS.has(svc) && !c.env?.some((e) => e.name === 'RSTAR_NATS_URL')) serviceProblems.push(`${svc} has no RSTAR_NATS_URL`);
    const svcObj = byKind('Service').find((s) => s.metadata.name === svc);
    if (!svcObj?.spec.ports.some((p) => p.port === port)) serviceProblems.push(`no Service ${svc} on ${port}`);
  }
  check(name, 'services: image, port, RSTAR_HTTP_PORT, /readyz + /healthz probes, grace period, NATS, Service', serviceProblems);

  check(name, 'non-root, no privilege escalation, all capabilities dropped; only the sandbox unconfined', podSpecs(objs).flatMap(({ w, pod }) => {
    const p = [];
    for (const c of containersOf(pod)) {
      if (!(c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot)) p.push(`${id(w)} ${c.name} may run as root`);
      if (c.securityContext?.allowPrivilegeEscalation !== false) p.push(`${id(w)} ${c.name} allows privilege escalation`);
      if (!c.securityContext?.capabilities?.drop?.includes('ALL')) p.push(`${id(w)} ${c.name} keeps capabilities`);
      if (c.securityContext?.privileged) p.push(`${id(w)} ${c.name} is privileged`);
      const seccomp = c.securityContext?.seccompProfile?.type ?? pod.securityContext?.seccompProfile?.type;
      if (w.metadata.name !== 'sandbox' && seccomp !== 'RuntimeDefault') p.push(`${id(w)} ${c.name} seccomp ${seccomp}`);
    }
    if (w.metadata.name === 'sandbox' && pod.hostUsers !== false) p.push('sandbox: Unconfined without a pod user namespace (hostUsers: false)');
    if (pod.hostNetwork || pod.hostPID || pod.hostIPC) p.push(`${id(w)} shares a host namespace`);
    return p;
  }));

  // References resolve: selectors, ports, ConfigMap/Secret keys, HPA/PDB/Ingress targets, volume claims.
  const refs = [];
  const pods = podSpecs(objs);
  for (const s of byKind('Service')) {
    const targets = pods.filter(({ labels }) => matches({ matchLabels: s.spec.selector }, labels));
    if (targets.length === 0) refs.push(`Service/${s.metadata.name} selects no pod`);
    for (const port of s.spec.ports) {
      if (typeof port.targetPort === 'string' && !targets.some(({ pod }) => pod.containers.some((c) => c.ports?.some((p) => p.name === port.targetPort))))
        refs.push(`Service/${s.metadata.name} targetPort ${port.targetPort} not found`);
    }
  }
  const secrets = byKind('Secret');
  for (const { w, pod } of pods) {
    for (const c of containersOf(pod)) {
      for (const e of c.env ?? []) {
        const cm = e.valueFrom?.configMapKeyRef;
        if (cm && !byKind('ConfigMap').some((o) => o.metadata.name === cm.name && o.data && cm.key in o.data)) refs.push(`${id(w)} ${e.name}: no ConfigMap ${cm.name} key ${cm.key}`);
        const sk = e.valueFrom?.secretKeyRef;
        if (sk) {
          const inOutput = secrets.some((o) => o.metadata.name === sk.name && sk.key in { ...o.data, ...o.stringData });
          const external = secrets.length === 0 && EXTERNAL_SECRETS[sk.name]?.includes(sk.key);
          if (!inOutput && !external) refs.push(`${id(w)} ${e.name}: no Secret ${sk.name} key ${sk.key}`);
        }
      }
    }
    for (const v of pod.volumes ?? []) {
      if (v.persistentVolumeClaim && !byKind('PersistentVolumeClaim').some((o) => o.metadata.name === v.persistentVolumeClaim.claimName)) refs.push(`${id(w)} volume ${v.name}: no PVC ${v.persistentVolumeClaim.claimName}`);
      if (v.configMap && !byKind('ConfigMap').some((o) => o.metadata.name === v.configMap.name)) refs.push(`${id(w)} volume ${v.name}: no ConfigMap ${v.configMap.name}`);
    }
    for (const c of containersOf(pod)) {
      for (const m of c.volumeMounts ?? []) {
        const known = (pod.volumes ?? []).some((v) => v.name === m.name) || (w.spec.volumeClaimTemplates ?? []).some((t) => t.metadata.name === m.name);
        if (!known) refs.push(`${id(w)} ${c.name} mounts unknown volume ${m.name}`);
      }
    }
  }
  for (const h of byKind('HorizontalPodAutoscaler')) {
    const t = h.spec.scaleTargetRef;
    const target = objs.find((o) => o.kind === t.kind && o.metadata.name === t.name);
    if (!target) refs.push(`HPA/${h.metadata.name} targets missing ${t.kind}/${t.name}`);
    else if (target.spec.replicas !== undefined) refs.push(`${id(target)} sets replicas although HPA/${h.metadata.name} scales it`);
  }
  for (const b of byKind('PodDisruptionBudget')) if (!pods.some(({ labels }) => matches(b.spec.selector, labels))) refs.push(`PDB/${b.metadata.name} selects no pod`);
  for (const i of byKind('Ingress'))
    for (const r of i.spec.rules ?? [])
      for (const p of r.http?.paths ?? []) if (!byKind('Service').some((s) => s.metadata.name === p.backend.service?.name)) refs.push(`Ingress/${i.metadata.name} backend ${p.backend.service?.name} missing`);
  check(name, 'references resolve (selectors, ports, ConfigMap/Secret keys, HPA, PDB, Ingress, volumes)', refs);

  // Network: a default deny, and the sandbox reaches NATS and DNS only.
  const policies = byKind('NetworkPolicy');
  const denyAll = policies.some((p) => Object.keys(p.spec.podSelector ?? {}).length === 0 && ['Ingress', 'Egress'].every((t) => p.spec.policyTypes?.includes(t)) && !p.spec.ingress && !p.spec.egress);
  const sandboxLabels = pods.find(({ w }) => w.metadata.name === 'sandbox')?.labels ?? {};
  const natsLabels = pods.find(({ w }) => w.metadata.name === 'nats')?.labels ?? {};
  const sandboxEgress = policies.filter((p) => matches(p.spec.podSelector, sandboxLabels)).flatMap((p) => p.spec.egress ?? []);
  const allowed = (rule) => {
    const ports = rule.ports ?? [];
    if (ports.length === 0 || !rule.to?.length) return false; // all ports, or all destinations
    const dns = ports.every((p) => p.port === 53) && rule.to.every((t) => t.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'] === 'kube-system' && !t.ipBlock);
    const nats = ports.every((p) => p.port === 4222) && rule.to.every((t) => !t.namespaceSelector && !t.ipBlock && t.podSelector && matches(t.podSelector, natsLabels) && t.podSelector.matchLabels?.['app.kubernetes.io/name'] === 'nats');
    return dns || nats;
  };
  check(name, 'network: default deny-all, sandbox egress only to NATS 4222 and DNS', [
    ...(denyAll ? [] : ['no default deny-all NetworkPolicy (podSelector {}, Ingress+Egress, no rules)']),
    ...sandboxEgress.filter((r) => !allowed(r)).map((r) => `sandbox egress rule allows more: ${JSON.stringify(r)}`),
    ...(sandboxEgress.some((r) => r.ports?.some((p) => p.port === 4222)) ? [] : ['sandbox cannot reach NATS']),
  ]);

  if (isProd) {
    check(name, 'no Secret objects (they come from the secret store)', secrets.map(id));
    check(name, 'vLLM pods: one GPU, GPU toleration and node selector, /dev/shm in memory, read-only models', byKind('Deployment').filter((d) => d.metadata.name.startsWith('vllm-')).flatMap((d) => {
      const pod = d.spec.template.spec;
      const c = pod.containers[0];
      const p = [];
      if (String(c.resources?.limits?.['nvidia.com/gpu']) !== '1') p.push(`${d.metadata.name}: limits nvidia.com/gpu is not 1`);
      if (!pod.tolerations?.some((t) => t.key === 'nvidia.com/gpu' && t.effect === 'NoSchedule')) p.push(`${d.metadata.name}: no nvidia.com/gpu toleration`);
      if (!pod.nodeSelector || Object.keys(pod.nodeSelector).length === 0) p.push(`${d.metadata.name}: no nodeSelector`);
      const shm = c.volumeMounts?.find((m) => m.mountPath === '/dev/shm');
      if (pod.volumes?.find((v) => v.name === shm?.name)?.emptyDir?.medium !== 'Memory') p.push(`${d.metadata.name}: /dev/shm is not a memory emptyDir`);
      if (!c.volumeMounts?.some((m) => m.mountPath === '/models' && m.readOnly)) p.push(`${d.metadata.name}: /models not mounted read-only`);
      if (!c.args?.includes('--enable-prefix-caching')) p.push(`${d.metadata.name}: no --enable-prefix-caching`);
      if (!/^vllm\/vllm-openai:v\d+\.\d+\.\d+$/.test(c.image)) p.push(`${d.metadata.name}: image ${c.image} is not a pinned release`);
      return p;
    }).concat(['vllm-policy', 'vllm-ppm'].filter((n) => !byKind('Deployment').some((d) => d.metadata.name === n)).map((n) => `no Deployment ${n}`)));
  } else if (secrets.length > 0) {
    check(name, 'Secrets hold placeholders only', secrets.flatMap((s) => Object.entries({ ...s.stringData }).filter(([, v]) => !/dev-only/.test(v)).map(([k]) => `${id(s)} ${k}`)).concat(secrets.filter((s) => s.data).map((s) => `${id(s)} uses data (base64): use stringData placeholders`)));
  }
}

const args = process.argv.slice(2);
if (args.length === 0 || args.includes('--help')) {
  console.log('usage: node k8s/tests/rules.mjs NAME=RENDERED.yaml ...');
  process.exit(args.length === 0 ? 2 : 0);
}
for (const arg of args) {
  const [name, file] = arg.split('=');
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  const errors = docs.flatMap((d) => d.errors.map((e) => e.message));
  if (errors.length > 0) { check(name, 'rendered YAML parses', errors); continue; }
  rules(name, docs.map((d) => d.toJS()).filter(Boolean));
}
process.exit(failures.length === 0 ? 0 : 1);
