/**
 * How the PyTorch yardstick runs. Debian's torch allocates every large tensor with glibc malloc,
 * which hands sizes above its mmap threshold to fresh mmaps: each batch then page-faults its
 * activations in again (measured here: a batched QKᵀ of MiniLM-L6 shape took 187 ms by default,
 * 14 ms with the allocator tuned). PyTorch is reported both ways, and the faster is the yardstick,
 * so that our ratio is never against a handicapped PyTorch.
 */
export const PYTORCH_RUNS: { label: string; env: NodeJS.ProcessEnv }[] = [
  { label: 'default allocator', env: {} },
  {
    label: 'glibc allocator tuned (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_, MALLOC_TOP_PAD_)',
    env: { MALLOC_MMAP_THRESHOLD_: String(2 ** 34), MALLOC_TRIM_THRESHOLD_: String(2 ** 34), MALLOC_TOP_PAD_: String(2 ** 30) },
  },
];
