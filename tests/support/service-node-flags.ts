/**
 * The flags every service's node runs with, wherever it is started (image, compose, chart, native stack,
 * tests and benchmarks): source-mapped stacks, and semi-spaces of 16 MiB. V8 sizes the young generation
 * from the machine's memory (64 MiB semi-spaces on a 24 GiB host), which costs the ingress resident
 * memory and, with a young generation larger than the CPU's caches, throughput; a pod's memory limit
 * would shrink it, so the flag makes a service behave alike on a large host and in a small pod
 * (docs/operations.md#node-runtime-flags).
 */
export const serviceNodeFlags = ["--enable-source-maps", "--max-semi-space-size=16"];
