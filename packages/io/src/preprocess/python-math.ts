// Python number semantics the reference pipelines rely on, spelled out for JS.
// Matches CPython's round() on floats (round half to even), used by torchvision center_crop and timm.

/** Python round(x) for a float: nearest integer, ties to the even neighbour (round(2.5) = 2, round(3.5) = 4). */
export function pyRound(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff < 0.5) return f;
  if (diff > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}
