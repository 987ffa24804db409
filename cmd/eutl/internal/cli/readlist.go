package cli

// offHeapMin is the size from which readListFile reads a list file outside
// the garbage-collected heap (where the platform allows).
const offHeapMin = 1 << 20
